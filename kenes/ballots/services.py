"""Creating, opening, closing and publishing elections and motions (casting: casting.py).

`check_*` functions validate, `do_*` functions change state and take a keyword-only
`acting_user`; every change an officer makes is audited in the same transaction.
Casting is not audited per ballot: an entry per vote would time-stamp who voted when
(docs/ballots-threat-model.md); the voter roll records only *that* a member voted.
"""

from __future__ import annotations

import base64
import datetime
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.ballots import envelopes, phases
from kenes.ballots.models import (
    MOTION_OPTIONS,
    Ballot,
    Candidate,
    Election,
    Kind,
    Phase,
    VoterRoll,
)
from kenes.core.tally import METHODS
from kenes.participation import services as codes
from kenes.participation.voters import voter_token, voter_tokens
from kenes.registry.models import Member
from kenes.registry.selectors import members_in_good_standing


class BallotError(Exception):
    """A refused action, with a sentence that says what to do."""


class CodeRefused(BallotError):
    """The personal code does not open this ballot (wrong, revoked, or another vote's)."""


def check_action(election: Election, action: str) -> None:
    if not phases.allows(election.phase, action):
        raise BallotError(
            _("“%(title)s” is %(phase)s: that is not possible in this phase.")
            % {"title": election.title, "phase": _phase_name(election.phase)}
        )


def _phase_name(phase: str) -> str:
    return str(Phase(phase).label) if phase in Phase.values else phase


def _move(election: Election, target: str, *, acting_user: Any, detail: dict[str, Any]) -> None:
    check_move(election, target)
    old = election.phase
    election.phase = target
    election.save(update_fields=["phase"])
    audit.record(
        f"ballots.{target}",
        acting_user=acting_user,
        target_type="election",
        target_id=election.pk,
        detail={"old": old, "new": target, **detail},
    )


def check_move(election: Election, target: str) -> None:
    if not phases.can_move(election.phase, target):
        raise BallotError(
            _("“%(title)s” cannot go from %(old)s to %(new)s.")
            % {
                "title": election.title,
                "old": _phase_name(election.phase),
                "new": _phase_name(target),
            }
        )


def _locked(election: Election) -> Election:
    return Election.objects.select_for_update().get(pk=election.pk)


# Standard base-32 letters to the receipt's alphabet (Crockford's: no I, L, O, U), one to one.
_RECEIPT_LETTERS = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)


def new_receipt() -> str:
    """20 random base-32 characters (100 bits), shown to the voter once.

    Each character is 5 random bits of `secrets.token_bytes`, mapped one to one onto the
    alphabet: uniform, and a few microseconds instead of a `secrets.choice` per character.
    """
    return base64.b32encode(secrets.token_bytes(15))[:20].translate(_RECEIPT_LETTERS).decode()


def do_create_election(
    title: str,
    *,
    description: str = "",
    kind: str = Kind.ELECTION,
    method: str = "stv",
    seats: int = 1,
    cutoff_on: datetime.date,
    region_code: str = "",
    group: Any = None,
    quorum_percent: int = 0,
    majority: str = "simple",
    base: str = "yes_no",
    stv_rules: str = "scottish",
    acting_user: Any,
) -> Election:
    if kind == Kind.MOTION:
        method, seats = "plurality", 1
    if method not in METHODS:
        raise BallotError(
            _("Unknown counting method “%(method)s”: use one of %(methods)s.")
            % {"method": method, "methods": ", ".join(METHODS)}
        )
    if seats < 1 or not 0 <= quorum_percent <= 100:
        raise BallotError(_("Seats must be at least 1 and the quorum between 0 and 100%."))
    if region_code and group is not None:
        raise BallotError(_("An electorate is the whole party, one region or one group, not both."))
    with transaction.atomic():
        election = Election.objects.create(
            title=title,
            description=description,
            kind=kind,
            method=method,
            stv_rules=stv_rules,
            seats=seats,
            seed=secrets.randbelow(2**31),
            cutoff_on=cutoff_on,
            region_code=region_code,
            group=group,
            quorum_percent=quorum_percent,
            majority=majority,
            base=base,
        )
        audit.record(
            "ballots.create",
            acting_user=acting_user,
            target_type="election",
            target_id=election.pk,
            detail={"title": title, "kind": kind, "method": method, "seats": seats},
        )
    return election


def do_add_candidate(
    election: Election, member: Member, *, statement: str = "", acting_user: Any
) -> Candidate:
    with transaction.atomic():
        election = _locked(election)
        check_action(election, "add_candidate")
        if election.is_motion:
            raise BallotError(_("A motion has the options yes, no and abstain, not candidates."))
        if Candidate.objects.filter(election=election, member=member).exists():
            raise BallotError(_("%(name)s is already a candidate.") % {"name": member.full_name})
        taken = set(Candidate.objects.filter(election=election).values_list("name", flat=True))
        name, n = member.full_name, 1
        while name in taken:  # names identify candidates in BLT files: keep them distinct
            n += 1
            name = f"{member.full_name} ({n})"
        candidate = Candidate.objects.create(
            election=election,
            member=member,
            name=name,
            statement=statement,
            position=Candidate.objects.filter(election=election).count(),
        )
        audit.record(
            "ballots.add_candidate",
            acting_user=acting_user,
            target_type="election",
            target_id=election.pk,
            detail={"member": member.pk},
        )
    return candidate


def electorate(election: Election) -> Any:
    """Members in good standing on the cut-off date, in the election's region or group."""
    return members_in_good_standing(
        election.cutoff_on, region_code=election.region_code, group_id=election.group_id
    )


def options(election: Election) -> tuple[str, ...]:
    """The names on the ballot, in ballot order.

    Kept on the election object once the vote is open (candidates are fixed from then on),
    so one request asks the database once.
    """
    if election.is_motion:
        return MOTION_OPTIONS
    cached: tuple[str, ...] | None = getattr(election, "_options", None)
    if cached is not None and election.phase != phases.DRAFT:
        return cached
    table = connection.ops.quote_name(Candidate._meta.db_table)
    with connection.cursor() as cursor:  # asked on every cast: SQL, not an ORM build
        cursor.execute(
            f'SELECT name FROM {table} WHERE election_id = %s ORDER BY "position"', [election.pk]
        )
        names = tuple(name for (name,) in cursor.fetchall())
    election._options = names  # type: ignore[attr-defined]
    return names


def remember_options(election: Election, names: Sequence[str]) -> None:
    """Keep the candidates' names on the election (fetched with it), as `options` does."""
    if not election.is_motion and election.phase != phases.DRAFT:
        election._options = tuple(names)  # type: ignore[attr-defined]


def do_open(
    election: Election, *, acting_user: Any, voters: Sequence[Member] | None = None
) -> list[codes.IssuedCode]:
    """Fix the voter roll, issue personal codes (returned once) and open the vote.

    A vote with shared codes (`code_purpose`) takes its roll from `voters` and issues no
    codes: its voters already hold them (kenes.congress.hall).
    """
    with transaction.atomic():
        election = _locked(election)
        if not phases.can_move(election.phase, phases.OPEN):
            raise BallotError(
                _("“%(title)s” is %(phase)s: it cannot be opened again.")
                % {"title": election.title, "phase": _phase_name(election.phase)}
            )
        n_options = len(options(election))
        if not election.is_motion and n_options <= election.seats:
            raise BallotError(_("Add more candidates than seats before opening the election."))
        shared = bool(election.code_purpose)
        if shared != (voters is not None):
            raise BallotError(_("A vote with shared codes is opened with its roll, and only it."))
        voters = list(voters if voters is not None else electorate(election))
        tokens = voter_tokens(election.purpose, [m.pk for m in voters])  # Sealed: nothing made
        VoterRoll.objects.bulk_create(
            [VoterRoll(election=election, voter=tokens[m.pk], member=str(m.pk)) for m in voters],
            batch_size=2000,
        )
        election.electorate_size = len(voters)
        election.envelope_public_key, election.envelope_private_key = envelopes.new_envelope_keys(
            election.pk
        )
        election.save(
            update_fields=["electorate_size", "envelope_public_key", "envelope_private_key"]
        )
        issued = (
            []
            if shared
            else codes.do_issue_codes(election.purpose, voters, acting_user=acting_user)
        )
        _move(election, phases.OPEN, acting_user=acting_user, detail={"electorate": len(voters)})
    return issued


def check_ranking(election: Election, ranking: Sequence[Sequence[int]]) -> list[list[int]]:
    """A ballot as positions of candidate numbers (0-based); refuse anything malformed."""
    n = len(options(election))
    cleaned = [[int(c) for c in group] for group in ranking]
    flat = [c for group in cleaned for c in group]
    if not flat or any(not 0 <= c < n for c in flat) or len(set(flat)) != len(flat):
        raise BallotError(_("Mark each candidate at most once, and at least one."))
    if election.is_motion and len(flat) != 1:
        raise BallotError(_("Choose one of yes, no or abstain."))
    return cleaned


def do_close(election: Election, *, acting_user: Any) -> None:
    """Stop the vote: codes revoked, envelopes opened into the box, the vote's key dropped.

    The box is rewritten in random receipt order in this one transaction
    (`envelopes.open_into_box`); once it has committed, SQLite's log is truncated.
    """
    with transaction.atomic():
        election = _locked(election)
        check_move(election, phases.CLOSED)
        if not election.code_purpose:  # shared codes stay live for the next vote
            codes.do_revoke_codes(election.purpose, acting_user=acting_user)
        online = envelopes.open_into_box(election)
        _move(
            election,
            phases.CLOSED,
            acting_user=acting_user,
            detail={"online_ballots": online, "voters_marked": turnout(election)},
        )
        envelopes.after_close()


def check_box_matches_roll(election: Election) -> None:
    """One online ballot per member marked as voted, or the result must not be published."""
    online = Ballot.objects.filter(election=election, paper=False).count()
    marked = turnout(election)
    if online != marked:
        raise BallotError(
            _(
                "The box holds %(online)s online ballots but %(marked)s members are marked as "
                "having voted: the result cannot be published. Ask the administrator to check "
                "the database against its backups and the audit log."
            )
            % {"online": online, "marked": marked}
        )


def turnout(election: Election) -> int:
    return VoterRoll.objects.filter(election=election, has_voted=True).count()


def counted_ballots(election: Election) -> Any:
    return Ballot.objects.filter(Q(election=election)).order_by("receipt")


def do_reissue_code(election: Election, member: Member, *, acting_user: Any) -> str:
    """A new code for a member who lost theirs, refused once they have voted.

    A ballot is tied to the code that cast it (its slot), not to the member, so a member who
    voted and then received a new code could cast a second counted ballot.
    """
    with transaction.atomic():
        election = _locked(election)
        roll = (
            VoterRoll.objects.filter(
                election=election, voter=voter_token(election.purpose, member.pk)
            )
            .only("has_voted")
            .first()
        )
        if roll is None or election.phase != phases.OPEN or election.code_purpose:
            raise BallotError(_("Codes are reissued only to members on the roll of an open vote."))
        if roll.has_voted:
            raise BallotError(
                _("%(name)s has already voted with their code: it cannot be replaced.")
                % {"name": member.full_name}
            )
        (issued,) = codes.do_issue_codes(election.purpose, [member], acting_user=acting_user)
    return issued.code
