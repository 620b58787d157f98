"""A personal code lets one member into one process (an election, a consultation).

Only a keyed hash of the code is stored (`code_index`), so a database dump
does not let anyone act as a member; the code itself exists only in what was
handed out (SMS, mail merge, printed slip).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kenes.registry.models import Member
from kenes.security.fields import SealedTextField


class PersonalCode(models.Model):
    """One code of one member for one purpose, with no member id in the clear.

    `voter` is a keyed hash of (purpose, member id) under a sealed secret
    (kenes.participation.voters): it ties the member's codes for a purpose to each other and
    to the vote's roll (VoterRoll.voter) without naming the member, so a seized copy of a
    sealed server cannot tell who was in the electorate of a vote called for one group.
    `member` is the member id sealed under the field key, opened only while unsealed
    (reissuing, handing out, a member's own data page). `region_code` is the member's region
    when the code was issued, for what needs it while sealed (a consultation's labels).
    """

    purpose = models.CharField(_("what the code opens"), max_length=64, db_index=True)
    voter = models.CharField(max_length=64)
    member = SealedTextField()
    region_code = models.CharField(max_length=8, blank=True, default="")
    code_index = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["voter"], name="personal_code_voter")]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "voter"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_code_per_voter_and_purpose",
            )
        ]


class CodeAttempt(models.Model):
    """One wrong personal code typed from one client address (kenes.participation.throttle).

    Only a keyed hash of the address is kept (`address_index`), and only failures: a
    successful code leaves no row, so this table says nothing about who voted or when.
    """

    address_index = models.CharField(max_length=64)
    failed_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address_index", "failed_at"], name="code_attempt_window")]


class CorrectionState(models.TextChoices):
    OPEN = "open", _("waiting for an officer")
    DONE = "done", _("corrected")
    REFUSED = "refused", _("refused")


class CorrectionRequest(models.Model):
    """A member's request, made with their personal data code, to correct one field of
    their record (kenes.participation.my_data). An officer of the member's group applies it
    (through the registry's edit service) or refuses it with a reason; every step is audited.

    What the member typed and the officer's reason are personal data: sealed at rest. The
    field's name is not (it says which field, never its value). Its audit entries carry no
    request id, so they cannot be joined to this row's member id.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=32)
    value = SealedTextField()
    note = SealedTextField(null=True, blank=True)
    state = models.CharField(
        max_length=12,
        choices=CorrectionState.choices,
        default=CorrectionState.OPEN,
        db_index=True,
    )
    reason = SealedTextField(null=True, blank=True)  # why it was refused
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    # Who handled it is in the audit log only: an officer's account beside the member's id
    # here would say which group's officers answer for the member (docs/security.md).

    class Meta:
        ordering = ["created_at", "id"]
