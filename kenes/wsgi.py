"""WSGI entry point for gunicorn: `gunicorn kenes.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenes.settings")
application = get_wsgi_application()
