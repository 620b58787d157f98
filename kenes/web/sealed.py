"""While the server is sealed (kenes.custody), a page that needs personal data answers 503
with one sentence; pages that need none are not touched."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from kenes.security.keys import Sealed


class SealedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Sealed):
            return None
        html = render_to_string(
            "web/sealed.html",
            {"threshold": exception.threshold, "trustees": exception.trustees},
            request=request,
        )
        return HttpResponse(html, status=503)
