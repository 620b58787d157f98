"""The published ballot box: receipts and ballots, hash-chained; BLT; paper ballots.

The box lists counted ballots sorted by receipt (random, so the order says nothing about
when or by whom a ballot was cast). Each entry's hash covers the previous hash, the
receipt, the ballot and the paper mark; the last hash (the head) is stored on the election
and in the audit log when the box is published. Removing or altering a ballot changes the
head, and `verify_box` says which entry first differs from the published listing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import anchors, receipts
from kenes.audit import services as audit
from kenes.audit.verifiers import CheckResult
from kenes.ballots import counting, phases
from kenes.ballots.models import Ballot, Election
from kenes.ballots.services import (
    BallotError,
    _locked,
    _move,
    check_action,
    check_box_matches_roll,
    new_receipt,
    options,
    turnout,
)
from kenes.core.tally import BallotFileError, parse_blt, parse_csv, write_blt

GENESIS = "0" * 64


def entry_hash(prev: str, receipt: str, ranking: list[list[int]], paper: bool) -> str:
    body = json.dumps(
        {"prev": prev, "receipt": receipt, "ballot": ranking, "paper": paper},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def ballot_box(election: Election) -> list[dict[str, Any]]:
    """The box as published: receipt, ballot (candidate names by position), paper, hash."""
    names = options(election)
    prev = GENESIS
    box: list[dict[str, Any]] = []
    rows = Ballot.objects.filter(election=election).order_by("receipt")
    for receipt, ranking, paper in rows.values_list("receipt", "ranking", "paper"):
        prev = entry_hash(prev, receipt, ranking, paper)
        box.append(
            {
                "receipt": receipt,
                "ballot": [[names[c] for c in group] for group in ranking],
                "ranking": ranking,
                "paper": paper,
                "hash": prev,
            }
        )
    return box


@dataclass(frozen=True)
class BoxCheck:
    intact: bool
    entries: int
    first_bad: int | None = None


def verify_entries(box: list[dict[str, Any]], head: str) -> BoxCheck:
    """Recompute a published listing's chain; anyone can run this on the download."""
    prev = GENESIS
    for i, entry in enumerate(box):
        prev = entry_hash(prev, entry["receipt"], entry["ranking"], entry["paper"])
        if prev != entry["hash"]:
            return BoxCheck(False, len(box), i)
    return BoxCheck(prev == head, len(box), None if prev == head else len(box))


def verify_box(election: Election) -> BoxCheck:
    """Does the box in the database still hash to the head stored on the election?"""
    return verify_entries(ballot_box(election), election.box_head)


def head_in_audit_chain(election: Election) -> str | None:
    """The box head that the (hash-chained) audit entry of the publication recorded."""
    entry = (
        audit.entries_newest_first(f"ballots.{phases.PUBLISHED}")
        .filter(target_type="election", target_id=str(election.pk))
        .first()
    )
    head = (entry.detail or {}).get("box_head") if entry is not None else None
    return str(head) if head else None


def published_box_changed(election: Election, *, computed: str | None = None) -> str:
    """Empty if the box still hashes to the head the audit chain recorded at publication;
    otherwise a sentence saying what differs.

    Changing ballots and `box_head` together keeps the box consistent with itself; the head
    in the audit chain cannot be changed without breaking the chain (`kenes audit verify`).
    `computed`: the box's head if the caller has just hashed the box (the box page has).
    """
    recorded = head_in_audit_chain(election)
    if computed is None:
        listing = ballot_box(election)
        computed = listing[-1]["hash"] if listing else GENESIS
    if recorded is None:
        return _("No publication of “%(title)s” is recorded in the audit log.") % {
            "title": election.title
        }
    if computed != recorded or election.box_head != recorded:
        return _(
            "The ballot box of “%(title)s” has changed since it was published: the audit log "
            "recorded head %(recorded)s, the box now hashes to %(computed)s."
        ) % {"title": election.title, "recorded": recorded[:16], "computed": computed[:16]}
    return ""


def check_published_boxes() -> CheckResult:
    """For `kenes audit verify`: every published box against the head the chain recorded."""
    published = Election.objects.filter(phase=phases.PUBLISHED).order_by("pk")
    problems = [p for p in (published_box_changed(e) for e in published) if p]
    return CheckResult(checked=published.count(), problems=[str(p) for p in problems])


def box_blt(election: Election) -> str:
    """The counted ballots as BLT: `kenes tally` on it reproduces the published result."""
    return write_blt(counting.profile(election))


def do_tally(election: Election, *, acting_user: Any) -> dict[str, Any]:
    with transaction.atomic():
        election = _locked(election)
        check_action(election, "tally")
        result = counting.tally(election)
        election.result = result
        election.save(update_fields=["result"])
        audit.record(
            "ballots.tally",
            acting_user=acting_user,
            target_type="election",
            target_id=election.pk,
            detail={"winners": result.get("winners"), "carried": result.get("carried")},
        )
    return result


def do_publish(election: Election, *, acting_user: Any) -> Election:
    """Count, chain the box, and publish: the result and the box become public and final."""
    with transaction.atomic():
        election = _locked(election)
        check_action(election, "tally")
        check_box_matches_roll(election)
        election.result = counting.tally(election)
        box = ballot_box(election)
        election.box_head = box[-1]["hash"] if box else GENESIS
        election.save(update_fields=["result", "box_head"])
        _move(
            election,
            phases.PUBLISHED,
            acting_user=acting_user,
            detail={"box_head": election.box_head, "ballots": len(box)},
        )
        # the chain's head at publication, kept with the box (kenes.audit.anchors)
        anchors.do_anchor(BOX, election.pk, election.box_head)
    # ... and signed at once, so a server signature covers the publication
    receipts.sign_for_event(acting_user=acting_user, occasion=f"ballots.published {election.pk}")
    return election


BOX = "ballot_box"


def publication_anchor(election: Election) -> dict[str, Any] | None:
    """Where the audit chain recorded this box's publication: the entry's number and hash
    (None for a box published before anchors existed). Shown with the box, so a reader can
    write it into the minutes and check it later with `kenes audit verify`."""
    anchor = anchors.anchor_of(BOX, election.pk)
    if anchor is None:
        return None
    return {"seq": anchor.seq, "entry_hash": anchor.entry_hash, "digest": anchor.digest}


def current_digest(election_id: str) -> str | None:
    """For kenes.audit.anchors: what a published box hashes to now (None: no such election)."""
    election = Election.objects.filter(pk=election_id).first()
    if election is None:
        return None
    listing = ballot_box(election)
    computed = listing[-1]["hash"] if listing else GENESIS
    # the head stored on the election must agree too (the box page shows it)
    return computed if election.box_head == computed else f"{computed} ≠ {election.box_head}"


def box_name(election_id: str) -> str:
    election = Election.objects.filter(pk=election_id).first()
    title = election.title if election is not None else election_id
    return _("The ballot box of “%(title)s”") % {"title": title}


def read_paper_ballots(
    election: Election, text: str, *, format: str = "blt"
) -> list[tuple[int, list[list[int]]]]:
    """Paper ballots (BLT or CSV) as (count, ranking in this election's candidate numbers),
    candidates matched by name in any order; BallotError if the file cannot be read or
    names someone not on the ballot."""
    names = options(election)
    try:
        paper = parse_csv(text) if format == "csv" else parse_blt(text)
    except BallotFileError as exc:
        raise BallotError(
            _("The paper ballots could not be read: %(error)s") % {"error": exc}
        ) from exc
    unknown = [n for n in paper.candidates if n not in names]
    if unknown:
        raise BallotError(
            _("Not on this ballot: %(names)s. Use the names as printed.")
            % {"names": ", ".join(unknown)}
        )
    to_ours = [names.index(n) for n in paper.candidates]
    return [
        (n, [[to_ours[c] for c in group] for group in positions if group])
        for n, positions in paper.ballots()
        if any(positions)
    ]


def do_enter_paper_ballots(
    election: Election, text: str, *, format: str = "blt", acting_user: Any
) -> int:
    """Add paper ballots counted at a congress (BLT or CSV), all or nothing; returns how many.

    Candidates are matched by name to the election's, so the file may list them in any order.
    """
    counted = read_paper_ballots(election, text, format=format)
    entered = sum(n for n, _ in counted)
    with transaction.atomic():
        election = _locked(election)
        check_action(election, "enter_paper")
        check_paper_fits(election, entered)
        today = timezone.localdate()
        rows = [
            Ballot(
                election_id=election.pk,
                receipt=new_receipt(),
                ranking=positions,
                paper=True,
                cast_on=today,
            )
            for n, positions in counted
            for _ in range(n)
        ]
        Ballot.objects.bulk_create(rows, batch_size=2000)
        audit.record(
            "ballots.enter_paper",
            acting_user=acting_user,
            target_type="election",
            target_id=election.pk,
            detail={"ballots": len(rows), "format": format},
        )
    return len(rows)


def check_paper_fits(election: Election, entered: int) -> None:
    """Paper and online ballots together stay within the electorate (each member votes once).

    Members who voted online are counted from the roll; paper ballots already in the box
    from the box. Checked before a single paper ballot is built.
    """
    earlier = Ballot.objects.filter(election=election, paper=True).count()
    online = turnout(election)
    room = election.electorate_size - online - earlier
    if entered > room:
        raise BallotError(
            _(
                "%(entered)s paper ballots do not fit: the electorate is %(electorate)s, "
                "%(online)s members voted online and %(earlier)s paper ballots are already "
                "entered, so at most %(room)s more can be. Check the tellers' count."
            )
            % {
                "entered": entered,
                "electorate": election.electorate_size,
                "online": online,
                "earlier": earlier,
                "room": max(room, 0),
            }
        )
