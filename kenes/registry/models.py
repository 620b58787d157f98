"""Registry models: constituent groups, members (one row per person), memberships, roles."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kenes.registry.names import name_tokens
from kenes.security.fields import SealedDateField, SealedTextField
from kenes.security.keys import current_key


class ConstituentGroup(models.Model):
    """An organisation under the umbrella: initiative group, association, union cell, committee."""

    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    concern = models.TextField(_("concern it carries"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("constituent group")
        verbose_name_plural = _("constituent groups")

    def __str__(self) -> str:
        return self.name


class MemberStatus(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    MEMBER = "member", _("member")
    SUSPENDED = "suspended", _("suspended")
    LEFT = "left", _("left")


class Member(models.Model):
    """A person in the party. A person is one row however many groups they belong to.

    Name, IIN, phone, address and birth date are sealed (AES-GCM); `iin_index` is a
    keyed blind index of the IIN, unique, so a person cannot be entered twice. The name is
    found through `MemberNameToken` (kenes.registry.names), which every save keeps in step
    with it; paths that write rows without `save` (imports, key rotation) write the
    tokens themselves. Lists are ordered by id in SQL (names are sealed) and by name in
    Python where the set is bounded (kenes.registry.name_search).
    """

    full_name = SealedTextField(_("full name"))
    iin = SealedTextField(_("IIN"), null=True)
    iin_index = models.CharField(max_length=64, unique=True)
    birth_date = SealedDateField(_("date of birth"), null=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    phone = SealedTextField(_("phone"), null=True, blank=True)
    address = SealedTextField(_("address"), null=True, blank=True)
    region_code = models.CharField(_("region"), max_length=8, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MemberStatus.choices,
        default=MemberStatus.MEMBER,
        db_index=True,
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_method = models.CharField(_("how consent was given"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: the newest change is the registry's version (kenes.registry.readiness).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is not None and "full_name" not in fields:
            super().save(*args, **kwargs)
            return
        key = current_key()  # Sealed: raised before anything is written
        with transaction.atomic():
            super().save(*args, **kwargs)
            MemberNameToken.objects.filter(member=self).delete()
            MemberNameToken.objects.bulk_create(
                MemberNameToken(member=self, token=t) for t in name_tokens(self.full_name, key)
            )


class MemberNameToken(models.Model):
    """One blind-index token of one member's name: a keyed HMAC of a normalised name part
    or of one of its prefixes (kenes.registry.names). Nothing of the name is stored."""

    # No database constraint: the tokens of an import are written with its members, in
    # the same transaction, and a constraint would check each of ~15 rows per member again.
    # Deleting a member deletes its tokens (CASCADE, done by Django).
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    token = models.BigIntegerField()

    class Meta:
        # The search reads member ids straight from this index, never the table.
        indexes = [models.Index(fields=["token", "member"], name="name_token_member")]


class GroupRoster(models.Model):
    """Who belongs to one group, sealed: the member ids of its memberships (and what the
    group typed for people it joined later), sealed under the field key with the group id
    as associated data (kenes.registry.rosters). No row anywhere links a member id to a
    group id in the clear; `size` (the group's member count) is the only thing visible.
    """

    group = models.OneToOneField(
        ConstituentGroup, primary_key=True, on_delete=models.CASCADE, related_name="roster"
    )
    sealed = models.TextField(default="")
    size = models.PositiveIntegerField(default=0)


class GroupStanding(models.Model):
    """Members in good standing per group, as last counted while unsealed: an aggregate
    (no person in it), kept so that the dashboard and the groups' pages still show counts
    while the server is sealed and the rosters cannot be opened."""

    group = models.OneToOneField(
        ConstituentGroup, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    members = models.PositiveIntegerField(default=0)
    counted_on = models.DateField()


class RoleKind(models.TextChoices):
    ADMIN = "admin", _("national admin")
    REGIONAL = "regional", _("regional coordinator")
    GROUP = "group", _("group coordinator")
    AUDITOR = "auditor", _("auditor")
    #: Holds a share of the master key (kenes.custody): may seal and help unseal the
    #: server, and sees no personal data by this role alone (kenes.registry.scoping).
    TRUSTEE = "trustee", _("trustee")


class Role(models.Model):
    """What an officer may see and do. Scoping reads these rows (kenes.registry.scoping)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=12, choices=RoleKind.choices)
    region_code = models.CharField(_("region"), max_length=8, blank=True)
    group = models.ForeignKey(
        ConstituentGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="regional", group__isnull=True) & ~models.Q(region_code="")
                )
                | (models.Q(kind="group", group__isnull=False, region_code=""))
                | (
                    models.Q(
                        kind__in=["admin", "auditor", "trustee"],
                        group__isnull=True,
                        region_code="",
                    )
                ),
                name="role_scope_matches_kind",
            ),
            # An index over an expression (group or 0), not NULLS NOT DISTINCT: SQLite
            # ignores the latter (models.W047) and would let one role be granted twice.
            models.UniqueConstraint(
                models.F("user"),
                models.F("kind"),
                models.F("region_code"),
                Coalesce(models.F("group"), models.Value(0)),
                name="one_role_per_scope",
            ),
        ]

    def __str__(self) -> str:
        scope = self.group.name if self.group else self.region_code
        return f"{self.user} — {self.get_kind_display()}" + (f" ({scope})" if scope else "")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    CHECKING = "checking", _("checking")
    CHECKED = "checked", _("checked")
    IMPORTING = "importing", _("importing")
    IMPORTED = "imported", _("imported")
    FAILED = "failed", _("failed")
    DISCARDED = "discarded", _("discarded")


class ImportBatch(models.Model):
    """One uploaded member list on its way through check → confirm → import.

    The file and its report contain personal data, so both are sealed; the
    file is deleted once the batch is imported or discarded.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(ConstituentGroup, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = SealedTextField(null=True)
    strict = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    rows_total = models.IntegerField(default=0)
    rows_done = models.IntegerField(default=0)
    report = SealedTextField(null=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The worker's last sign of life while checking or importing: past the
    # lease (KENES_IMPORT_LEASE_SECONDS) the batch is failed, so a killed
    # worker cannot leave it stuck with its sealed file kept for ever.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class ConflictState(models.TextChoices):
    OPEN = "open", _("waiting for a national admin")
    JOINED = "joined", _("joined the group; the record kept")
    CORRECTED = "corrected", _("joined the group; the record corrected")
    REFUSED = "refused", _("refused")


class MergeConflict(models.Model):
    """An entry whose IIN is already in the registry under another name, birth date or region.

    Nothing of the entry is merged until a national admin decides
    (kenes.registry.conflicts); what the coordinator typed is kept sealed.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="conflicts")
    # The group the entry was typed for, sealed: a conflict links a person to a group.
    group_ref = SealedTextField()
    # The username of the officer who typed it, sealed too: that officer's role names their
    # group, so an account beside the member id would say the group the seal hides.
    entered_by = SealedTextField(null=True, blank=True)
    entered = SealedTextField()  # JSON of the values typed
    differs = models.CharField(max_length=64)  # field names, comma-separated
    state = models.CharField(
        max_length=12, choices=ConflictState.choices, default=ConflictState.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def group(self) -> ConstituentGroup:
        cached = getattr(self, "_group", None)
        if cached is None or cached.pk != int(self.group_ref):
            cached = self._group = ConstituentGroup.objects.get(pk=int(self.group_ref))
        return cached

    @group.setter
    def group(self, group: ConstituentGroup) -> None:
        self._group = group
        self.group_ref = str(group.pk)


class ReadinessFacts(models.Model):
    """What registration readiness needs of one member's sealed IIN and birth date, kept so
    that the readiness page does not open two seals per member on every request
    (kenes.registry.readiness, which alone decides what the facts are).

    Nothing personal: a defect code an examiner could cite, and whether the member was well
    inside the plausible adult ages (SETTLED_AGES) on one day, a bracket that nearly every
    member shares. `seal_mark` is the head of the sealed IIN and birth date the facts were
    read from (random nonces, nothing of the values): every write seals anew, whatever path
    it takes (a form, an import, a bulk update, a key rotation), so facts whose mark differs
    from the member's seals are stale and read again.
    """

    member = models.OneToOneField(
        Member, primary_key=True, on_delete=models.CASCADE, related_name="readiness_facts"
    )
    seal_mark = models.CharField(max_length=130)
    iin_defect = models.CharField(max_length=32, blank=True)
    checked_on = models.DateField()
    age_settled = models.BooleanField(default=False)


class ReadinessReport(models.Model):
    """The defects readiness found (member ids by defect code: nothing personal) for one
    version of the registry, a rule's minimum age and a day; read while the registry has
    not changed since (kenes.registry.readiness.cached_defects)."""

    key = models.CharField(max_length=200, unique=True)
    defects = models.TextField()
    computed_at = models.DateTimeField(auto_now_add=True)


class PreparedFileStatus(models.TextChoices):
    AWAITING = "awaiting", _("awaiting approval")
    PENDING = "pending", _("being made")
    READY = "ready", _("ready to download")
    FAILED = "failed", _("failed")
    DOWNLOADED = "downloaded", _("downloaded")
    EXPIRED = "expired", _("expired")


class PreparedFile(models.Model):
    """A long output (the dossier, a vote's codes file and slips) made in the background
    for one officer, sealed at rest, handed out once and then deleted
    (kenes.registry.prepared).

    `source` holds what the file is made from when that cannot be read again (personal
    codes exist nowhere else): sealed, and dropped as soon as the file is made. Files made
    together (a codes file and its slips) share a `bundle`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bundle = models.UUIDField(default=uuid.uuid4, db_index=True)
    kind = models.CharField(max_length=32)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=300)
    back_url = models.CharField(max_length=200, blank=True)  # the page it was asked for on
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    status = models.CharField(
        max_length=12, choices=PreparedFileStatus.choices, default=PreparedFileStatus.PENDING
    )
    # The background task that makes it (a django-tasks module path), for a file held
    # until other officers approve it (kenes.registry.approvals) and queued then.
    maker = models.CharField(max_length=200, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)  # put in the worker's queue
    source = SealedTextField(null=True)
    content = SealedTextField(null=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "kind"]


class BulkReadSettings(models.Model):
    """How many other officers must approve a bulk read of personal data, the largest
    member list the API answers without one, how long a read waits after it is asked
    for (kenes.registry.approvals), and how many members' rows one officer may be shown
    on screen in 24 hours (kenes.registry.screen_budget). One row, set by the national
    admin."""

    approvals_needed = models.PositiveSmallIntegerField(_("approvals needed"), default=1)
    api_limit = models.PositiveIntegerField(_("members the API gives without approval"), default=50)
    delay_hours = models.PositiveSmallIntegerField(_("hours to wait after approval"), default=0)
    screen_rows_per_day = models.PositiveIntegerField(
        _("members one officer may be shown on screen in 24 hours"), default=500
    )
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class ReadRequestState(models.TextChoices):
    REQUESTED = "requested", _("awaiting approval")
    APPROVED = "approved", _("approved, waiting for its time")
    REFUSED = "refused", _("refused")
    EXPIRED = "expired", _("expired")
    MADE = "made", _("made, ready to download")
    DOWNLOADED = "downloaded", _("downloaded")


class ReadRequest(models.Model):
    """A bulk read of personal data (the dossier, a codes file, a member list) that other
    officers must approve before its files are made (kenes.registry.approvals).

    The files are `PreparedFile`s of `bundle`, held (status "awaiting") until then.
    `members` lists, sealed, the members the read covers (null: the whole registry, the
    dossier): who may approve must be able to read every one of them.
    """

    kind = models.CharField(max_length=32)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=300)
    bundle = models.UUIDField(unique=True)
    members = SealedTextField(null=True)
    member_count = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=12,
        choices=ReadRequestState.choices,
        default=ReadRequestState.REQUESTED,
        db_index=True,
    )
    approvals_needed = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    not_before = models.DateTimeField()  # the files are made no earlier than this
    expires_at = models.DateTimeField()  # not approved by then: expired
    decided_at = models.DateTimeField(null=True, blank=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def member_ids(self) -> list[int] | None:
        """The members the read covers; None for the whole registry."""
        if self.members is None:
            return None
        return [int(pk) for pk in json.loads(self.members)]


class ReadApproval(models.Model):
    """One officer's approval of a `ReadRequest`: at most one per officer and request."""

    request = models.ForeignKey(ReadRequest, on_delete=models.CASCADE, related_name="approvals")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "officer"], name="one_approval_per_officer")
        ]
