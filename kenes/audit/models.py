"""The audit log: one row per event, each sealing the previous one's hash."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kenes.security.fields import SealedTextField


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
        # One officer's entries of the last 24 hours: the daily screen limit (usage.py).
        indexes = [models.Index(fields=["actor_id", "at"], name="audit_actor_at")]
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


class Trustee(models.Model):
    """A trustee's Ed25519 public key, registered by the national admin.

    The private half is made and kept on the trustee's own machine
    (`kenes audit trustee-key new`); the server only ever sees the public half and the
    countersignatures made with it. `name` is printed on receipts that go into minutes.
    """

    name = models.CharField(_("name"), max_length=150)
    public_key = models.CharField(max_length=64, unique=True)  # urlsafe base64, 32 bytes
    registered_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("trustee key")


class Countersignature(models.Model):
    """A trustee's signature over a receipt (kenes.audit.trustees.countersign_text)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="countersignatures")
    trustee = models.ForeignKey(Trustee, on_delete=models.PROTECT, related_name="countersignatures")
    signature = models.CharField(max_length=128)
    attached_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "trustee"], name="one_countersignature_each")
        ]


class Anchor(models.Model):
    """The chain's head recorded when something kept elsewhere was published.

    For a ballot box: `digest` is the box's head, `seq` the number of chain entries up to
    and including the publication's entry (which records the digest), `entry_hash` that
    entry's hash. `kenes audit verify` checks the box still hashes to `digest`, the chain
    still holds `entry_hash` at `seq`, and every stored signed receipt is extended by it.
    """

    kind = models.CharField(max_length=32)
    target_id = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    seq = models.BigIntegerField()
    entry_hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "target_id"], name="one_anchor_per_target")
        ]


class IndexSecret(models.Model):
    """A random secret for keyed hashes that must outlive a key rotation (kenes.audit.secrets).

    Sealed under the field key, so a seized copy of a sealed server cannot compute the
    hashes; re-sealed, never changed, by `kenes rotate-keys`, so the hashes already written
    (some in the append-only audit log) stay findable after the old key is dropped.
    """

    name = models.CharField(max_length=64, unique=True)
    sealed = SealedTextField()
