"""A congress, its delegates and who is in the hall.

Delegates are party roles, named in the protocol and, for a founding congress, in the
registration dossier: a delegate row names its member and region in the clear (never a
constituent group). The badge code is kept only as a keyed hash under the service key, so
check-in at the door works while the server is sealed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class CongressKind(models.Model):
    """Founding, ordinary, extraordinary: their rules, copied from the jurisdiction's data
    on first use (kenes.congress.kinds) and corrected here by the national admin."""

    key = models.SlugField(max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    proxies = models.BooleanField(_("proxies allowed"), default=False)
    proxies_per_holder = models.PositiveSmallIntegerField(
        _("mandates one delegate may hold for others"), default=0
    )
    quorum_share = models.CharField(_("quorum: share of the delegates"), max_length=16)
    quorum_strictly_more = models.BooleanField(_("more than the share (not: at least)"))
    regions_share = models.CharField(
        _("quorum: share of the regions represented"), max_length=16, blank=True
    )
    minimum_present = models.PositiveIntegerField(_("least number present"), default=0)
    min_age = models.PositiveSmallIntegerField(_("least age of a delegate"), default=18)
    # What is confirmed and where it comes from, as the data file says (shown beside the rule).
    notes = models.JSONField(default=dict)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The kind's name in the reader's language, from the data file's names."""
        language = (get_language() or "ru")[:2]
        names = self.notes.get("names", {}) if isinstance(self.notes, dict) else {}
        return str(names.get(f"name_{language}") or self.name)


class Status(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("congress", "planned")
    OPEN = "open", pgettext_lazy("congress", "open")
    CLOSED = "closed", pgettext_lazy("congress", "closed")


class Congress(models.Model):
    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.ForeignKey(CongressKind, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    # Delegates must be in good standing on this day (the apportionment's day too).
    standing_on = models.DateField(_("good standing on"))
    # The kind's rules when the congress was created: a later correction of the kind does
    # not change a congress under way (kenes.congress.kinds.rules_of).
    rules = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("congress")

    def __str__(self) -> str:
        return self.title


class Delegate(models.Model):
    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="delegates")
    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=8)
    badge_index = models.CharField(max_length=64, unique=True)
    # Why the delegate may not sit, as codes (kenes.congress.eligibility), when last checked;
    # [] and a date: eligible on that day.
    problems = models.JSONField(default=list)
    checked_on = models.DateField(null=True, blank=True)
    present = models.BooleanField(default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_code", "pk"]
        constraints = [models.UniqueConstraint(fields=["congress", "member"], name="delegate_once")]

    @property
    def eligible(self) -> bool:
        return self.checked_on is not None and not self.problems


class Attendance(models.Model):
    """One arrival or departure at the door: the record the quorum over time is read from."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    arrived = models.BooleanField()  # False: left the hall
    at = models.DateTimeField(db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]


class CongressText(models.Model):
    """A text the congress adopts (charter, programme, resolution), in versions: each merge
    of adopted amendments makes a new version; every version stays readable."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="texts")
    title = models.CharField(_("title"), max_length=300)
    amendments_until = models.DateTimeField(_("amendments until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class TextVersion(models.Model):
    text = models.ForeignKey(CongressText, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    note = models.CharField(max_length=300, blank=True)  # why it was made
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["text", "number"]
        constraints = [
            models.UniqueConstraint(fields=["text", "number"], name="one_version_number")
        ]


class Amendment(models.Model):
    """A change to one paragraph of a text's version, tabled by a delegate (with their
    badge code) or a constituent group; the drafting committee recommends; the hall
    decides; adopted ones are merged into the next version (kenes.congress.amendments)."""

    text = models.ForeignKey(CongressText, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveIntegerField()  # Ä1, Ä2, ... per text, in tabling order
    version = models.PositiveIntegerField()  # the version it amends
    paragraph = models.PositiveIntegerField()  # 0-based, in that version
    proposed = models.TextField(blank=True)  # the paragraph as it should read; "": delete it
    reason = models.TextField(blank=True)
    by_delegate = models.ForeignKey(
        Delegate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_group = models.ForeignKey(
        "registry.ConstituentGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(max_length=16, default="tabled")
    recommendation = models.CharField(max_length=16, blank=True)
    recommended_text = models.TextField(blank=True)  # the committee's own wording
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vote_position = models.PositiveIntegerField(null=True, blank=True)  # the chair's order
    tabled_at = models.DateTimeField()

    class Meta:
        ordering = ["text", "number"]
        constraints = [
            models.UniqueConstraint(fields=["text", "number"], name="amendment_number_once")
        ]


class AgendaItem(models.Model):
    """One item of the congress's agenda, with its planned time, the text it adopts if any,
    and its list of speakers (kenes.congress.speakers)."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=300)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_minutes = models.PositiveIntegerField(_("planned minutes"), default=0)
    text = models.ForeignKey(
        CongressText, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Speaking time: per speaker, and per delegation (a region's delegates together); 0: none.
    seconds_per_speaker = models.PositiveIntegerField(default=180)
    seconds_per_delegation = models.PositiveIntegerField(default=0)
    # A balanced list alternates speakers by "region" or "sex" when it can; "": in order.
    balance_by = models.CharField(max_length=8, blank=True)
    current = models.BooleanField(default=False)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["congress", "position"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "position"], name="item_position_once")
        ]


class SpeakerKind(models.TextChoices):
    POINT_OF_ORDER = "order", pgettext_lazy("speaker", "point of order")
    PRO = "pro", pgettext_lazy("speaker", "for")
    CONTRA = "contra", pgettext_lazy("speaker", "against")
    GENERAL = "general", pgettext_lazy("speaker", "in the debate")


class Speaker(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="speakers")
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SpeakerKind.choices)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["item", "requested_at", "pk"]


class HallVote(models.Model):
    """A vote of the congress: a ballots election whose voters are the delegates, with the
    hall's numbers kept at its opening and close (kenes.congress.hall)."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="votes")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes"
    )
    election = models.OneToOneField(
        "ballots.Election", on_delete=models.PROTECT, related_name="hall_vote"
    )
    secret = models.BooleanField(default=True)
    entitled = models.PositiveIntegerField(null=True, blank=True)  # eligible delegates
    present_at_open = models.PositiveIntegerField(null=True, blank=True)
    present_at_close = models.PositiveIntegerField(null=True, blank=True)
    # Who: the eligible delegates (ids) when it opened, and those in the hall at its close.
    entitled_delegates = models.JSONField(default=list)
    present_delegates = models.JSONField(default=list)
    amendment = models.ForeignKey(
        Amendment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Paper ballots too (delegates without a phone): after the close two tellers enter the
    # paper count independently; it is published only once they agree and it fits the hall
    # (kenes.congress.paper). "" | "counting" | "mismatch" | "entered".
    paper = models.BooleanField(default=False)
    paper_state = models.CharField(max_length=10, blank=True, default="")
    paper_problem = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["pk"]


class NamedChoice(models.Model):
    """A delegate's answer in a named (roll-call) vote: public by design, unlike a ballot."""

    vote = models.ForeignKey(HallVote, on_delete=models.CASCADE, related_name="named_choices")
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=8)  # yes | no | abstain
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "delegate"], name="one_named_choice")
        ]


class PaperCount(models.Model):
    """One teller's count of a hall vote's paper ballots (their latest entry)."""

    vote = models.ForeignKey(HallVote, on_delete=models.CASCADE, related_name="paper_counts")
    teller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # [[count, [[candidate names at position 1], ...]], ...], sorted: equal counts compare equal
    ballots = models.JSONField()
    total = models.PositiveIntegerField()
    entered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "teller"], name="one_count_per_teller")
        ]


class Proxy(models.Model):
    """A delegate's vote carried by another delegate, where the kind of congress allows it
    (kenes.congress.proxies): the giver's voting code is replaced by a mandate code handed
    to the holder; revoking gives the giver a new code."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="proxies")
    giver = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    holder = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="+")
    given_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["giver"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_proxy_per_giver",
            )
        ]


class ProtocolSignature(models.Model):
    """The chair's or the secretary's signature on the protocol: their account, and the
    hash of the protocol's content they signed (also in the audit chain)."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(max_length=10)  # "chair" | "secretary"
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "role"], name="one_signature_per_role")
        ]
