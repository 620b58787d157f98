"""WSGI entry point for gunicorn: `gunicorn kenes.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenes.settings")
application = get_wsgi_application()

# Load the URLconf (and so every view module, numpy and scipy among their imports) while
# the worker boots, not on its first request, which would otherwise wait for it
# (bench/README.md, bench.ballots_load). scikit-learn is imported only when clustering runs.
get_resolver().url_patterns  # noqa: B018
