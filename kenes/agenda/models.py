"""Consultations: a question, statements, pseudonymous participants and their opinion votes.

Privacy (docs/agenda.md): a `Participant` is NOT a member reference. Its `key` is a keyed
hash (kenes.security.sealing.blind_index) of (consultation, member); only the server key
links it back to a member, so a database dump alone does not say who thinks what. The
labels the report needs (constituent group slugs, region code) are copied at the first
participation.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kenes.agenda import phases


class Phase(models.TextChoices):
    COLLECT = phases.COLLECT, _("collecting statements")
    VOTE = phases.VOTE, _("voting only")
    REPORT = phases.REPORT, _("report")
    CLOSED = phases.CLOSED, _("closed")


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("waiting for moderation")
    APPROVED = "approved", _("approved")
    HIDDEN = "hidden", _("hidden")
    MERGED = "merged", _("merged into another")


class Consultation(models.Model):
    title = models.CharField(_("title"), max_length=300)
    question = models.CharField(_("question"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    region_code = models.CharField(_("region"), max_length=8, blank=True)
    group = models.ForeignKey(
        "registry.ConstituentGroup",
        verbose_name=_("constituent group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cutoff_on = models.DateField(_("good standing on"))
    phase = models.CharField(
        _("phase"), max_length=10, choices=Phase.choices, default=Phase.COLLECT
    )
    moderation = models.BooleanField(_("members' statements wait for approval"), default=True)
    seed = models.BigIntegerField(_("seed"))
    # The stored analysis: see the contract at the top of kenes/agenda/analysis.py.
    analysis = models.JSONField(null=True, blank=True)
    analysis_at = models.DateTimeField(null=True, blank=True)
    # Set (under a row lock) when a recompute is enqueued, cleared when it finishes:
    # the database-level guard that keeps 100 voters from enqueuing 100 tasks.
    recompute_requested_at = models.DateTimeField(null=True, blank=True)
    # The ratification motion in the ballots app: an id, not a foreign key (agenda may not
    # import ballots; the web layer creates the motion).
    ratification_election_id = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def purpose(self) -> str:
        """What the personal codes of this consultation open (kenes.participation)."""
        return f"consultation:{self.pk}"


class Statement(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="statements"
    )
    text = models.TextField(_("statement"), max_length=1000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StatementStatus.choices,
        default=StatementStatus.APPROVED,
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    # True: written by an officer (seed statement); False: added by a participant.
    seeded = models.BooleanField(default=True)
    # Only the day: a finer time would help tie a statement to its author's session.
    created_on = models.DateField()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["consultation", "status"], name="statement_status")]

    def __str__(self) -> str:
        return self.text


class Participant(models.Model):
    """A pseudonymous participant: no member reference (see the module docstring)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="participants"
    )
    key = models.CharField(max_length=64)
    groups = models.JSONField(default=list)  # constituent group slugs at first participation
    region_code = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "key"], name="participant_once")
        ]


class OpinionVote(models.Model):
    """agree +1, disagree −1, pass 0; a new vote on the same statement replaces the earlier."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=[(1, "agree"), (-1, "disagree"), (0, "pass")])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "participant"], name="one_vote_each")
        ]


class Plank(models.Model):
    """One plank of the draft programme, built from the statements behind it."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="planks")
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(default=0)
    statements = models.ManyToManyField(Statement, blank=True, related_name="planks")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title
