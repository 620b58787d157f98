"""The audit log: one row per event, each sealing the previous one's hash."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditEntry(models.Model):
    """An event: who did what to which record, when, with old and new values.

    Personal data never appears here in the clear: changes to sealed fields are
    recorded as keyed fingerprints (see kenes.security.sealing.fingerprint).
    The database refuses UPDATE and DELETE on this table (triggers, see the
    migration); `kenes audit verify` detects anyone who bypasses them.
    """

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.CharField(_("who"), max_length=150)
    actor_id = models.BigIntegerField(null=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("Audit entries cannot be deleted.")


class ChainHead(models.Model):
    """A single row locked by every writer, so entries are chained one at a time."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)


class SigningKey(models.Model):
    """The server's Ed25519 key for audit receipts (kenes.audit.receipts).

    The private half is sealed under the field key: signing needs the server unsealed;
    the public half verifies a receipt anywhere.
    """

    created_at = models.DateTimeField()
    server_id = models.CharField(max_length=64)
    public_key = models.CharField(max_length=64, unique=True)  # urlsafe base64, 32 bytes
    sealed_private_key = models.TextField()

    class Meta:
        ordering = ["-id"]


class Receipt(models.Model):
    """A signed statement: the chain had `seq` entries ending in `head` at `signed_at`."""

    seq = models.BigIntegerField()
    head = models.CharField(max_length=64)
    signed_at = models.DateTimeField(db_index=True)
    server_id = models.CharField(max_length=64)
    public_key = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["-id"]
