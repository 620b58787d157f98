"""Seat scenarios: poll figures, rules and alliances that officers project and share.

A scenario holds its inputs as JSON rows (the same fields as POLLS.csv and the alliance syntax
of `kenes project`, docs/seats.md) and, once computed, the projection's stable JSON
(`kenes-projection/1`) plus what the pages draw (the modal outcome, the share needed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("waiting to be computed")
    RUNNING = "running", _("computing")
    DONE = "done", _("computed")
    FAILED = "failed", _("failed")


class Scenario(models.Model):
    title = models.CharField(_("title"), max_length=200)
    rules_id = models.CharField(_("seat rules"), max_length=64)
    draws = models.PositiveIntegerField(_("draws"), default=20_000)
    seed = models.BigIntegerField(_("seed"), default=1)
    # [{"party": str, "share": float (percent), "sample_size": int | None}, ...]
    polls = models.JSONField(_("poll figures"), default=list)
    # [{"parties": [str, ...], "retention": float (0-1)}, ...]
    alliances = models.JSONField(_("alliances"), default=list)
    our_party = models.CharField(_("our party"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="seat_scenarios",
        verbose_name=_("created by"),
    )
    shared = models.BooleanField(_("shared with the movement's officers"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("seat scenario")
        verbose_name_plural = _("seat scenarios")

    def __str__(self) -> str:
        return self.title
