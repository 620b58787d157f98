"""While the server is sealed (kenes.custody), a page that needs personal data answers 503
with one sentence (the API in JSON); pages that need none are not touched."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kenes.security.keys import Sealed


class SealedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Sealed):
            return None
        numbers = {"threshold": exception.threshold, "trustees": exception.trustees}
        if request.path.startswith("/api/"):
            sentence = (
                _(
                    "The server is sealed: personal data cannot be read until "
                    "%(threshold)s of the %(trustees)s trustees unseal it."
                )
                % numbers
            )
            return JsonResponse({"detail": sentence, "sealed": True}, status=503)
        return HttpResponse(
            render_to_string("web/sealed.html", numbers, request=request), status=503
        )
