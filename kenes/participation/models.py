"""A personal code lets one member into one process (an election, a consultation).

Only a keyed hash of the code is stored (`code_index`), so a database dump
does not let anyone act as a member; the code itself exists only in what was
handed out (SMS, mail merge, printed slip).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kenes.registry.models import Member


class PersonalCode(models.Model):
    purpose = models.CharField(_("what the code opens"), max_length=64, db_index=True)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    code_index = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "member"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_code_per_member_and_purpose",
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
