"""One row per kind of data (kenes.retention.kinds): how long it is kept, and its last run."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRule(models.Model):
    """How many days a kind of data is kept after its starting day (kenes.retention.kinds
    says which day that is), set by the national admin; and what the last run cleared.

    A rule that is off keeps that kind for ever. Counts only: nothing personal.
    """

    kind = models.CharField(_("kind of data"), max_length=32, unique=True)
    days = models.PositiveIntegerField(_("number of days kept"))
    enabled = models.BooleanField(_("applied"), default=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_cleared = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.days}"
