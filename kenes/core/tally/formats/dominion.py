"""Dominion Democracy Suite cast-vote-record export (JSON), as published e.g. by Alaska and
San Francisco.

An export is a folder: ``CvrExport.json`` (or many parts ``CvrExport_1.json`` ...) beside the
manifests ``ContestManifest.json`` and ``CandidateManifest.json`` (``{"List": [...]}``, each
item with ``Id`` and ``Description``; candidates carry their ``ContestId``). Layout read::

    Sessions[]  TabulatorId, BatchId, RecordId
      Original / Modified   (the adjudicated version, when there is one, is the one counted)
        Cards[]             (older exports put Contests directly in Original)
          Contests[]  Id
            Marks[]  CandidateId, Rank, IsAmbiguous, IsVote

A mark counts when ``IsVote`` is true (exports without ``IsVote``: when it is not
``IsAmbiguous``) — the tabulator's own decision, which adjudication may have changed. Several
candidates at one rank are an overvote, ranks left out are skipped. ``Sessions`` is streamed
(:mod:`.json_stream`), so memory follows the distinct ballots, not the file.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.formats.cast_records import (
    CastBallot,
    CastRecordError,
    ballot_from_ranks,
    profile_from_cast,
)
from kenes.core.tally.formats.json_stream import object_members
from kenes.core.tally.profile import Profile


def export_parts(path: Path) -> list[Path]:
    """The CvrExport files of an export given as a folder or as one of its files."""
    if path.is_dir():
        parts = sorted(path.glob("CvrExport*.json"), key=_part_number)
        if not parts:
            raise BallotFileError(1, f"the folder {path} holds no CvrExport*.json file")
        return parts
    return [path]


def _part_number(path: Path) -> tuple[int, str]:
    digits = "".join(ch for ch in path.stem if ch.isdigit())
    return (int(digits) if digits else -1, path.name)


def parse_dominion(path: Path, contest: str | None = None) -> Profile:
    """Read one contest of a Dominion export (a folder, or a CvrExport file in one)."""
    parts = export_parts(path)
    folder = parts[0].parent
    contests = _manifest(folder / "ContestManifest.json")
    chosen = _choose_contest(contests, contest)
    contest_id = chosen["Id"]
    candidates = [
        c for c in _manifest(folder / "CandidateManifest.json") if c.get("ContestId") == contest_id
    ]
    if not candidates:
        raise CastRecordError(
            "CandidateManifest.json", "ContestId", f"no candidate stands in contest {contest_id}"
        )
    number = {c["Id"]: i for i, c in enumerate(candidates)}
    cast: Counter[CastBallot] = Counter()
    for part in parts:
        with part.open(encoding="utf-8-sig") as stream:
            try:
                for key, index, session in object_members(stream, frozenset({"Sessions"})):
                    if key == "Sessions" and index >= 0:
                        ballot = _session_ballot(part.name, index, session, contest_id, number)
                        if ballot is not None:
                            cast[ballot] += 1
            except CastRecordError:
                raise
            except BallotFileError as exc:  # not JSON: name the part and its line
                raise CastRecordError(
                    f"{part.name}, line {exc.line}", "", exc.message, line=exc.line
                ) from exc
    if not cast:
        raise CastRecordError(f"contest {contest_id}", "Sessions", "no ballot holds this contest")
    seats = chosen.get("VoteFor")
    names = [str(c.get("Description") or c["Id"]) for c in candidates]
    if len(set(names)) != len(names):
        names = [f"{n} ({c['Id']})" for n, c in zip(names, candidates, strict=True)]
    return profile_from_cast(
        names,
        cast,
        title=str(chosen.get("Description") or contest_id),
        seats=seats if isinstance(seats, int) and seats > 0 else None,
    )


def _manifest(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise BallotFileError(1, f"{path.name} is missing: it must lie beside the CvrExport files")
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CastRecordError(path.name, "", f"is not valid JSON ({exc})") from exc
    items = document.get("List") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise CastRecordError(path.name, "List", 'is missing: a manifest is {"List": [...]}')
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("Id"), int):
            raise CastRecordError(f"{path.name}, List item {i}", "Id", "must be a whole number")
    return items


def _choose_contest(contests: list[dict[str, Any]], wanted: str | None) -> dict[str, Any]:
    listing = ", ".join(f"{c['Id']} ({c.get('Description', 'no name')})" for c in contests)
    if wanted is None:
        if len(contests) == 1:
            return contests[0]
        raise CastRecordError(
            "ContestManifest.json",
            "List",
            f"choose one contest with --contest ID or NAME; the export has {listing}",
        )
    matches = [c for c in contests if wanted in (str(c["Id"]), c.get("Description"))]
    if len(matches) == 1:
        return matches[0]
    problem = "names several contests" if matches else "names no contest"
    raise CastRecordError(
        "ContestManifest.json", "List", f"'{wanted}' {problem}; the export has {listing}"
    )


def _session_ballot(
    part: str, index: int, session: Any, contest_id: int, number: dict[int, int]
) -> CastBallot | None:
    """The ballot as cast in this contest, or None if the session's ballot does not hold it."""
    record = f"{part}, Sessions {index + 1}"
    if not isinstance(session, dict):
        raise CastRecordError(record, "", "is not a JSON object")
    ids = [session.get(k) for k in ("TabulatorId", "BatchId", "RecordId")]
    if all(isinstance(i, int) for i in ids):
        record += f" (tabulator {ids[0]}, batch {ids[1]}, record {ids[2]})"
    version = session.get("Modified") or session.get("Original")
    if not isinstance(version, dict):
        raise CastRecordError(record, "Original", "is missing")
    cards = version.get("Cards", [version])
    if not isinstance(cards, list):
        raise CastRecordError(record, "Cards", "must be a list")
    found = False
    marks: list[tuple[int, int]] = []
    for card in cards:
        contests = card.get("Contests", []) if isinstance(card, dict) else None
        if not isinstance(contests, list):
            raise CastRecordError(record, "Contests", "must be a list")
        for contest in contests:
            if not isinstance(contest, dict) or contest.get("Id") != contest_id:
                continue
            found = True
            for mark in contest.get("Marks") or []:
                marks.extend(_mark(f"{record}, contest {contest_id}", mark, number))
    return ballot_from_ranks(marks) if found else None


def _mark(record: str, mark: Any, number: dict[int, int]) -> list[tuple[int, int]]:
    if not isinstance(mark, dict):
        raise CastRecordError(record, "Marks", "every mark must be a JSON object")
    counted = mark["IsVote"] is True if "IsVote" in mark else mark.get("IsAmbiguous") is not True
    if not counted:
        return []
    candidate = mark.get("CandidateId")
    if candidate not in number:
        raise CastRecordError(
            record, "CandidateId", f"{candidate!r} is not a candidate of this contest"
        )
    rank = mark.get("Rank", 1)
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
        raise CastRecordError(record, "Rank", f"{rank!r} is not a rank number 1, 2, 3, ...")
    return [(rank, number[candidate])]
