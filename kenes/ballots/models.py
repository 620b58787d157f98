"""Elections, motions, candidates, the voter roll and the ballot box.

Secrecy (docs/ballots-threat-model.md): while a vote is open, each online ballot is a
`BallotEnvelope`: its receipt, marks and day sealed under the election's own key, beside
`slot`, a keyed hash of the personal code that nobody can compute without both the code and
the server's key. `VoterRoll` (who may vote, who has voted) holds no ballot reference. At the
close the envelopes are opened into `Ballot` rows (the box: no voter, no slot, no sequence,
only the day) in random receipt order, the envelopes are deleted and the election's key is
dropped. So a copy of the data folder taken at any moment (the database and its write-ahead
log, whose frames pair each envelope with the roll row it flipped) shows no ballot beside a
member: during voting the marks are sealed; after the close the key that sealed them is gone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kenes.ballots import phases
from kenes.core.tally import METHODS, STV_RULES
from kenes.security.fields import SealedTextField


class Kind(models.TextChoices):
    ELECTION = "election", _("election")
    MOTION = "motion", _("motion")


class Phase(models.TextChoices):
    DRAFT = phases.DRAFT, _("draft")
    OPEN = phases.OPEN, _("open")
    CLOSED = phases.CLOSED, _("closed")
    PUBLISHED = phases.PUBLISHED, _("published")


class Majority(models.TextChoices):
    SIMPLE = "simple", _("more than half")
    TWO_THIRDS = "two_thirds", _("at least two thirds")


class Base(models.TextChoices):
    YES_NO = "yes_no", _("yes and no votes")
    CAST = "cast", _("votes cast, abstentions included")
    ELECTORATE = "electorate", _("the whole electorate")


MOTION_OPTIONS = ("yes", "no", "abstain")


class Election(models.Model):
    title = models.CharField(_("title"), max_length=300)
    # The motion's wording or the election's explanation, shown to voters.
    description = models.TextField(_("text"), blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ELECTION)
    method = models.CharField(
        _("counting method"), max_length=16, choices=[(m, m) for m in METHODS], default="stv"
    )
    stv_rules = models.CharField(
        _("STV rules"), max_length=16, choices=[(r, r) for r in STV_RULES], default="scottish"
    )
    seats = models.PositiveIntegerField(_("seats"), default=1)
    seed = models.BigIntegerField(_("seed for lots"))
    cutoff_on = models.DateField(_("good standing on"))
    region_code = models.CharField(_("region"), max_length=8, blank=True)
    group = models.ForeignKey(
        "registry.ConstituentGroup",
        verbose_name=_("constituent group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.DRAFT)
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (percent of the electorate)"), default=0
    )
    majority = models.CharField(
        _("required majority"), max_length=10, choices=Majority.choices, default=Majority.SIMPLE
    )
    base = models.CharField(
        _("base that counts as 100%"), max_length=10, choices=Base.choices, default=Base.YES_NO
    )
    electorate_size = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    box_head = models.CharField(max_length=64, blank=True)
    # The key that seals this vote's envelopes, itself sealed under the field key (set at the
    # opening, emptied at the close: the envelopes in old log frames can no longer be opened).
    # (Elections opened before the key pair below; kept until they close.)
    ballot_key = models.TextField(blank=True, default="")
    # The vote's X25519 key pair (kenes.ballots.envelopes): casting seals each envelope to the
    # public key, kept in the clear, so a sealed server still takes ballots; the private key
    # is sealed under the field key (custody) and emptied at the close, which needs it.
    envelope_public_key = models.TextField(blank=True, default="")  # base64, 32 bytes
    envelope_private_key = models.TextField(blank=True, default="")
    # The period an officer set (kenes.ballots.schedule): the background worker opens a draft
    # at `opens_at` and closes an open vote at `closes_at`, through do_open / do_close, in the
    # name of `scheduled_by`. Either may be empty (that step is left to an officer's button).
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why the last scheduled step could not be taken (a sentence for the officers), or "".
    schedule_problem = models.TextField(blank=True, default="")
    # Opened by the schedule: the codes made then were shown to nobody and must be handed
    # out (made again, shown once) by an officer on the election's page.
    codes_pending = models.BooleanField(default=False)
    # Codes shared with other votes (a congress's delegates vote in every hall vote with one
    # code, kenes.congress.hall): "" for a vote with codes of its own. A vote with shared
    # codes neither issues nor revokes them; its roll is given by the caller.
    code_purpose = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self) -> str:
        return self.title

    @property
    def purpose(self) -> str:
        """What the personal codes of this election open (kenes.participation)."""
        return self.code_purpose or f"election:{self.pk}"

    @property
    def is_motion(self) -> bool:
        return self.kind == Kind.MOTION


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey(
        "registry.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name on the ballot"), max_length=300)
    statement = models.TextField(_("statement"), blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["election", "member"], name="candidate_once"),
            models.UniqueConstraint(fields=["election", "position"], name="candidate_position"),
        ]


class VoterRoll(models.Model):
    """Who may vote and who has voted. Deliberately no reference to any ballot, and no
    member id in the clear: `voter` is the keyed hash its personal codes carry too
    (kenes.participation.voters), `member` the member id sealed under the field key."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    voter = models.CharField(max_length=64)
    member = SealedTextField()
    has_voted = models.BooleanField(default=False)
    # Which of the member's personal codes (its row id) voted: a code reissued later cannot
    # cast a second ballot. It names a code, which names the member anyway; never a ballot.
    voted_code = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "voter"], name="on_roll_once")]


class BallotEnvelope(models.Model):
    """An online ballot while the vote is open: sealed, opened into the box at the close.

    `slot` is HMAC(server key, election, personal code): the same code's next ballot replaces
    this one (only the last counts). `sealed` is AES-256-GCM under the election's key of the
    receipt, the marks and the day, bound to the election and the slot.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    slot = models.CharField(max_length=64)
    sealed = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "slot"], name="one_envelope_per_code")
        ]


class Ballot(models.Model):
    """One ballot in the box. No voter, no code, no sequence, no time finer than the day.

    Online ballots arrive here at the close (from their envelopes), paper ballots when an
    officer enters them. `ranking` is a list of positions, each a list of candidate
    positions (0-based); for a motion, [[0]] yes, [[1]] no, [[2]] abstain.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    receipt = models.CharField(max_length=32, unique=True)
    ranking = models.JSONField()
    paper = models.BooleanField(default=False)
    cast_on = models.DateField()
