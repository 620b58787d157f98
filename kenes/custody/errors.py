"""What the rest of Kenes sees of custody: the server is sealed, or custody cannot work."""

from __future__ import annotations

from django.core.management.base import CommandError


class Sealed(CommandError):
    """The field keys are in the trustees' hands: personal data cannot be read or written.

    A CommandError, so that every management command that needs personal data stops with
    this one sentence (Django prints it without a traceback and exits 1); web requests get
    the sealed page (kenes.web.sealed).
    """

    def __init__(self, *, threshold: int, trustees: int) -> None:
        self.threshold = threshold
        self.trustees = trustees
        super().__init__(
            f"The server is sealed: personal data cannot be read until {threshold} of the "
            f"{trustees} trustees unseal it (`kenes unseal`)."
        )


class CustodyProblem(CommandError):
    """A sentence for the operator: custody is set up wrongly or its holder is unreachable."""
