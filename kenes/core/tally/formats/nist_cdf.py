"""NIST Cast Vote Records Common Data Format, JSON (NIST SP 1500-103, CVR CDF v1).

Layout read (names as in the standard's UML and its JSON schema)::

    CastVoteRecordReport
      CVR[]                      one per ballot
        CurrentSnapshotId        which CVRSnapshot counts (the adjudicated one, if any)
        CVRSnapshot[]  (@id)
          CVRContest[]  ContestId
            CVRContestSelection[]  ContestSelectionId, [Rank], [Status]
              SelectionPosition[]  Rank, HasIndication, IsAllocable, [CVRWriteIn]
      Election[]
        Candidate[]  (@id, Name)
        Contest[]  (@id, Name, NumberElected, ContestSelection[] (@id, CandidateIds, IsWriteIn))

One contest is counted, chosen by its ``@id`` or ``Name``. A selection position counts unless
``HasIndication`` or ``IsAllocable`` is ``no`` (SP 1500-103 §3.4.2), or its contest selection
is marked ``needs-adjudication``; its ``Rank`` (on the position, or on the contest selection —
the standard allows either) is its rank position. A contest without ranks is read as one
position: every allocable mark at rank 1 (plurality or approval ballots). Several candidates at
one rank are an overvote; ranks left out are skipped positions. The report's ``CVR`` array is
streamed, so memory follows the distinct ballots, not the file (:mod:`.json_stream`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from kenes.core.tally.formats.cast_records import (
    CastBallot,
    CastRecordError,
    ballot_from_ranks,
    profile_from_cast,
    renumber,
)
from kenes.core.tally.formats.json_stream import object_members
from kenes.core.tally.profile import Profile

_NO = ("no", "false", "0")


def parse_nist_cdf(stream: TextIO, contest: str | None = None) -> Profile:
    """Read one contest of a CastVoteRecordReport (JSON) from a text stream.

    Raises BallotFileError (a CastRecordError naming the record and field) for a malformed
    report, an unknown contest, or — when ``contest`` is None — a report of several contests.
    """
    # per contest id: selection id -> number in order of first appearance, and the ballots
    selection_numbers: dict[str, dict[str, int]] = {}
    cast: dict[str, Counter[CastBallot]] = {}
    first_seen: dict[tuple[str, str], str] = {}  # (contest, selection) -> the first CVR
    elections: list[Any] = []
    found_cvr = False
    keys: set[str] = set()
    # Sessions is streamed too, so that a Dominion export given as NIST fails fast
    for key, index, value in object_members(stream, frozenset({"CVR", "Sessions"})):
        keys.add(key)
        if key == "Sessions":
            break
        if key == "CVR":
            found_cvr = True
            if index >= 0:
                read_cvr(index, value, selection_numbers, cast, first_seen)
        elif key == "Election":
            if not isinstance(value, list):
                raise CastRecordError("the report", "Election", "must be a list of elections")
            elections.extend(value)
    if not found_cvr:
        hint = " (it is a Dominion CvrExport: use --format dominion)" if "Sessions" in keys else ""
        raise CastRecordError(
            "the report", "CVR", f"is missing: the file holds no NIST cast-vote records{hint}"
        )
    return contest_profile(elections, contest, selection_numbers, cast, first_seen)


def contest_profile(
    elections: list[Any],
    contest: str | None,
    selection_numbers: dict[str, dict[str, int]],
    cast: dict[str, Counter[CastBallot]],
    first_seen: dict[tuple[str, str], str] | None = None,
) -> Profile:
    """The profile of the chosen contest, once every CVR has been read (:func:`read_cvr`).

    ``elections`` are the report's Election objects (JSON, or XML read into the same shape).
    """
    if not elections:
        raise CastRecordError("the report", "Election", "is missing: no contests are described")
    definition = _choose_contest(elections, contest)
    contest_id = definition["@id"]
    names = _selection_names(elections, definition)
    numbers = selection_numbers.get(contest_id, {})
    for selection_id in numbers:
        if selection_id not in names:
            where = (first_seen or {}).get((contest_id, selection_id), "a CVR")
            raise CastRecordError(
                f"{where}, contest '{contest_id}'",
                "ContestSelectionId",
                f"'{selection_id}' is marked on a CVR but is none of the contest's "
                "ContestSelection",
            )
    order = list(names)
    position = {sid: i for i, sid in enumerate(order)}
    by_number = {n: position[sid] for sid, n in numbers.items()}
    renumbered = renumber(cast.get(contest_id, Counter()), by_number)
    if not renumbered:
        raise CastRecordError(
            f"contest '{contest_id}'", "CVR", "no CVR holds a vote in this contest"
        )
    seats = definition.get("NumberElected")
    return profile_from_cast(
        [names[sid] for sid in order],
        renumbered,
        title=str(definition.get("Name") or contest_id),
        seats=seats if isinstance(seats, int) and seats > 0 else None,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _rank(record: str, field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CastRecordError(record, field, f"{value!r} is not a rank number")
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise CastRecordError(record, field, f"'{value}' is not a rank number 1, 2, 3, ...")
    return int(text)


def _list(record: str, field: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CastRecordError(record, field, "must be a list")
    return value


def read_cvr(
    index: int,
    cvr: Any,
    selection_numbers: dict[str, dict[str, int]],
    cast: dict[str, Counter[CastBallot]],
    first_seen: dict[tuple[str, str], str] | None = None,
) -> None:
    """Count the ballot of one CVR (index from 0) in every contest it holds.

    ``first_seen`` records, per (contest, selection id), the first CVR that marks it, so
    that a selection the Election does not describe can be named with its record.
    """
    record = f"CVR {index + 1}"
    if not isinstance(cvr, dict):
        raise CastRecordError(record, "", "is not a JSON object")
    if ballot_id := _text(cvr.get("BallotPrePrintedId")) or _text(cvr.get("UniqueId")):
        record += f" ('{ballot_id}')"
    snapshot = _current_snapshot(record, cvr)
    for cvr_contest in _list(record, "CVRContest", snapshot.get("CVRContest")):
        if not isinstance(cvr_contest, dict) or not isinstance(cvr_contest.get("ContestId"), str):
            raise CastRecordError(record, "CVRContest.ContestId", "every CVRContest needs one")
        contest_id = cvr_contest["ContestId"]
        numbers = selection_numbers.setdefault(contest_id, {})
        known = len(numbers)
        marks = list(_contest_marks(f"{record}, contest '{contest_id}'", cvr_contest, numbers))
        if first_seen is not None and len(numbers) > known:
            for selection_id in list(numbers)[known:]:
                first_seen.setdefault((contest_id, selection_id), record)
        cast.setdefault(contest_id, Counter())[ballot_from_ranks(marks)] += 1


def _current_snapshot(record: str, cvr: dict[str, Any]) -> dict[str, Any]:
    snapshots = _list(record, "CVRSnapshot", cvr.get("CVRSnapshot"))
    if not snapshots:
        raise CastRecordError(record, "CVRSnapshot", "is missing: a CVR needs at least one")
    current = cvr.get("CurrentSnapshotId")
    if current is None and len(snapshots) == 1 and isinstance(snapshots[0], dict):
        return snapshots[0]
    for snapshot in snapshots:
        if isinstance(snapshot, dict) and snapshot.get("@id") == current:
            return snapshot
    raise CastRecordError(
        record, "CurrentSnapshotId", f"{current!r} names none of the CVR's CVRSnapshot @id"
    )


def _contest_marks(
    record: str, cvr_contest: dict[str, Any], numbers: dict[str, int]
) -> Iterator[tuple[int, int]]:
    for selection in _list(record, "CVRContestSelection", cvr_contest.get("CVRContestSelection")):
        if not isinstance(selection, dict):
            raise CastRecordError(record, "CVRContestSelection", "is not a JSON object")
        selection_id = selection.get("ContestSelectionId")
        if not isinstance(selection_id, str):
            raise CastRecordError(record, "ContestSelectionId", "is missing")
        status = selection.get("Status")
        # Status is a list in the standard's schema; some exporters write one string
        if status == "needs-adjudication" or (
            isinstance(status, list) and "needs-adjudication" in status
        ):
            continue
        candidate = numbers.setdefault(selection_id, len(numbers))
        where = f"{record}, selection '{selection_id}'"
        if selection.get("Rank") is not None:
            yield _rank(where, "Rank", selection["Rank"]), candidate
            continue
        positions = _list(where, "SelectionPosition", selection.get("SelectionPosition"))
        for position in positions:
            if not isinstance(position, dict):
                raise CastRecordError(where, "SelectionPosition", "is not a JSON object")
            if str(position.get("HasIndication", "yes")).lower() in _NO:
                continue
            if str(position.get("IsAllocable", "yes")).lower() in _NO:
                continue
            rank = position.get("Rank")
            yield (1 if rank is None else _rank(where, "SelectionPosition.Rank", rank)), candidate


def _choose_contest(elections: list[Any], wanted: str | None) -> dict[str, Any]:
    contests: list[dict[str, Any]] = []
    for e, election in enumerate(elections, start=1):
        if not isinstance(election, dict):
            raise CastRecordError(f"Election {e}", "", "is not a JSON object")
        for c, contest in enumerate(_list(f"Election {e}", "Contest", election.get("Contest")), 1):
            if not isinstance(contest, dict) or not isinstance(contest.get("@id"), str):
                raise CastRecordError(f"Election {e}, Contest {c}", "@id", "is missing")
            contests.append(contest)
    if wanted is not None:
        matches = [c for c in contests if wanted in (c["@id"], c.get("Name"))]
        if len(matches) == 1:
            return matches[0]
        problem = "names several contests" if matches else "names no contest"
        raise CastRecordError(
            "the report", "Contest", f"'{wanted}' {problem}; the report has {_listing(contests)}"
        )
    if len(contests) == 1:
        return contests[0]
    raise CastRecordError(
        "the report",
        "Contest",
        f"choose one contest with --contest ID or NAME; the report has {_listing(contests)}",
    )


def _listing(contests: list[dict[str, Any]]) -> str:
    if not contests:
        return "no contests"
    return ", ".join(f"'{c['@id']}' ({c.get('Name', 'no name')})" for c in contests)


def _selection_names(elections: list[Any], contest: dict[str, Any]) -> dict[str, str]:
    """Contest selection id -> the name counted, in the contest's order."""
    candidates: dict[str, str] = {}
    for e, election in enumerate(elections, start=1):
        for k, cand in enumerate(_list(f"Election {e}", "Candidate", election.get("Candidate")), 1):
            if not isinstance(cand, dict) or not isinstance(cand.get("@id"), str):
                raise CastRecordError(f"Election {e}, Candidate {k}", "@id", "is missing")
            candidates[cand["@id"]] = str(cand.get("Name") or cand["@id"])
    record = f"contest '{contest['@id']}'"
    names: dict[str, str] = {}
    for s, sel in enumerate(_list(record, "ContestSelection", contest.get("ContestSelection")), 1):
        if not isinstance(sel, dict) or not isinstance(sel.get("@id"), str):
            raise CastRecordError(f"{record}, ContestSelection {s}", "@id", "is missing")
        where = f"{record}, ContestSelection '{sel['@id']}'"
        ids = _list(where, "CandidateIds", sel.get("CandidateIds"))
        unknown = [i for i in ids if i not in candidates]
        if unknown:
            raise CastRecordError(where, "CandidateIds", f"{unknown[0]!r} is no Candidate @id")
        if ids:
            names[sel["@id"]] = " / ".join(candidates[i] for i in ids)
        elif str(sel.get("IsWriteIn", "")).lower() in ("true", "yes", "1"):
            names[sel["@id"]] = "Write-in"
        else:
            names[sel["@id"]] = str(sel.get("Selection") or sel["@id"])
    if len(set(names.values())) != len(names):
        # two selections with one name (e.g. several write-in lines) stay apart
        names = {sid: f"{name} ({sid})" for sid, name in names.items()}
    return names


def cvr_object(number: int, positions: Sequence[Sequence[int]]) -> dict[str, Any]:
    """One CVR (JSON object) of contest ``contest-1`` as :func:`write_nist_cdf` writes it:
    ballot ``number``, candidate ``c`` as selection ``cs-{c+1}`` at each rank it holds."""
    selections = [
        {
            "@type": "CVR.CVRContestSelection",
            "ContestSelectionId": f"cs-{c + 1}",
            "SelectionPosition": [
                {
                    "@type": "CVR.SelectionPosition",
                    "HasIndication": "yes",
                    "IsAllocable": "yes",
                    "NumberVotes": 1,
                    "Rank": rank,
                }
            ],
        }
        for rank, group in enumerate(positions, start=1)
        for c in group
    ]
    return {
        "@type": "CVR.CVR",
        "BallotPrePrintedId": str(number),
        "CurrentSnapshotId": f"ballot-{number}",
        "CVRSnapshot": [
            {
                "@id": f"ballot-{number}",
                "@type": "CVR.CVRSnapshot",
                "Type": "original",
                "CVRContest": [
                    {
                        "@type": "CVR.CVRContest",
                        "ContestId": "contest-1",
                        "CVRContestSelection": selections,
                    }
                ],
            }
        ],
        "ElectionId": "election-1",
    }


def write_nist_cdf(profile: Profile, stream: TextIO, *, contest_name: str = "") -> None:
    """Write a profile as a CastVoteRecordReport (JSON): one CVR per voter, ranks as cast.

    Each distinct ballot is written ``count`` times; positions with several candidates are
    written as an overvote at that rank. Meant for exchange and tests, not for huge profiles.
    """
    name = contest_name or profile.title or "Contest"
    cvrs = []
    number = 0
    for count, positions in profile.ballots():
        for _ in range(count):
            number += 1
            cvrs.append(cvr_object(number, positions))
    contest: dict[str, Any] = {
        "@id": "contest-1",
        "@type": "CVR.CandidateContest",
        "Name": name,
        "ContestSelection": [
            {
                "@id": f"cs-{c + 1}",
                "@type": "CVR.CandidateSelection",
                "CandidateIds": [f"c-{c + 1}"],
            }
            for c in range(profile.n_candidates)
        ],
    }
    if profile.seats:
        contest["NumberElected"] = profile.seats
    report = {
        "@type": "CVR.CastVoteRecordReport",
        "CVR": cvrs,
        "Election": [
            {
                "@id": "election-1",
                "@type": "CVR.Election",
                "Candidate": [
                    {"@id": f"c-{c + 1}", "@type": "CVR.Candidate", "Name": n}
                    for c, n in enumerate(profile.candidates)
                ],
                "Contest": [contest],
                "ElectionScopeId": "gpu-1",
            }
        ],
        "GpUnit": [{"@id": "gpu-1", "@type": "CVR.GpUnit", "Type": "other"}],
        "Version": "1.0.0",
    }
    json.dump(report, stream, ensure_ascii=False, separators=(",", ":"))
