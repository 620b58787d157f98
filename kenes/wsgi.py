"""WSGI entry point for gunicorn: `gunicorn kenes.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenes.settings")
application = get_wsgi_application()

# Load the URLconf (and so every view module) while the worker boots, not on its first
# request: it imports the analysis stack (scikit-learn), about 3 s of CPU that the first
# voter each worker serves would otherwise wait for (bench/README.md, bench.ballots_load).
get_resolver().url_patterns  # noqa: B018
