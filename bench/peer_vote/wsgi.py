"""WSGI entry point of the peer: `gunicorn bench.peer_vote.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer_vote.settings")
application = get_wsgi_application()
