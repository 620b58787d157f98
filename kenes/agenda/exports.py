"""Downloads of a consultation's report: a spreadsheet (CSV) and Pol.is-compatible files (ZIP).

Participants appear only as their pseudonymous `Participant` pk, never as member data.
Only approved statements are exported with their votes: pending ones are not yet public
and hidden ones may have been hidden for what they say (abuse, someone's personal data).

The Pol.is files follow the compdemocracy/openData layout that
`kenes.core.consensus.read_polis_export` reads back (kenes/core/consensus/polis_files.py):

- `comments.csv`: timestamp, datetime, comment-id, author-id, agrees, disagrees,
  moderated, comment-body. Kenes keeps no author of a statement (it would say who thinks
  what), so author-id is empty; moderated is 1 (approved) for every exported statement.
- `votes.csv`: timestamp, datetime, comment-id, voter-id, vote (agree +1, disagree −1,
  pass 0). Kenes keeps no time of a vote (it would help tie a vote to a person): every
  timestamp is 0 and each participant has one vote per statement, so order is moot.
- `participants-votes.csv`: participant, group-id (the opinion group of the stored
  analysis, empty if not clustered), n-comments (0, see author-id), n-votes, n-agree,
  n-disagree, then one column per comment id. Left out above MAX_MATRIX_CELLS cells
  (a wide consultation would make a file of hundreds of megabytes); README.txt says so.
- `summary.csv`: topic, voters, comments, groups, conversation-description.

Every text (statements, titles, group names) is written as text, never as a formula: a
field that a spreadsheet would read as one gets a leading apostrophe and every field is
quoted (kenes.security.spreadsheet_text); `read_polis_export` reads the files back.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from django.db.models import Count

from kenes.agenda.analysis import breakdown_json, vote_matrix
from kenes.agenda.models import (
    Consultation,
    OpinionVote,
    Participant,
    Statement,
    StatementStatus,
)
from kenes.core.consensus import VoteMatrix, breakdown
from kenes.core.consensus.agreement import group_informed_consensus
from kenes.registry.models import ConstituentGroup
from kenes.security.spreadsheet_text import CsvWriter

MAX_MATRIX_CELLS = 5_000_000
#: Fewest votes behind a share by constituent group or region: the share of fewer would show
#: how a few known people voted (a group of two, a region with one participant).
MIN_LABEL_VOTES = 5


def group_letter(group_id: int) -> str:
    """Opinion groups are called A, B, C, … by their id (0 → A), as Pol.is reports do."""
    return chr(ord("A") + int(group_id))


def _letter_of(analysis: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(p): group_letter(g["id"])
        for g in analysis.get("groups") or []
        for p in g["participants"]
    }


def opinion_group_breakdown(
    consultation: Consultation, analysis: Mapping[str, Any]
) -> dict[str, Any]:
    """How each opinion group (by letter) votes on each statement, in the `by_group` shape.

    Taken from the stored analysis ("by_opinion_group") when it holds it; otherwise tallied
    from the votes stored now, with the groups of the stored analysis.
    """
    stored = analysis.get("by_opinion_group")
    if stored:
        return dict(stored)
    return tally_opinion_groups(vote_matrix(consultation), analysis)


def tally_opinion_groups(matrix: VoteMatrix, analysis: Mapping[str, Any]) -> dict[str, Any]:
    """The votes of `matrix` by the opinion groups of the stored analysis (`by_group` shape)."""
    voters = set(matrix.participants)
    label_of = {p: letter for p, letter in _letter_of(analysis).items() if p in voters}
    return breakdown_json(matrix, breakdown(matrix, label_of))


@dataclass(frozen=True)
class Counts:
    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def seen(self) -> int:
        return self.agree + self.disagree + self.passed


def statement_totals(consultation: Consultation) -> dict[int, Counts]:
    """Agree / disagree / pass per statement pk, of the votes stored now (one query)."""
    found: dict[int, dict[int, int]] = {}
    rows = (
        OpinionVote.objects.filter(statement__consultation=consultation)
        .values("statement_id", "value")
        .annotate(n=Count("pk"))
        .values_list("statement_id", "value", "n")
        .order_by()
    )
    for statement_id, value, n in rows:
        found.setdefault(statement_id, {})[value] = n
    return {
        pk: Counts(agree=v.get(1, 0), disagree=v.get(-1, 0), passed=v.get(0, 0))
        for pk, v in found.items()
    }


def approved_statements(consultation: Consultation) -> list[int]:
    """The pks of the statements approved now (the only ones a report shows)."""
    return list(
        Statement.objects.filter(
            consultation=consultation, status=StatementStatus.APPROVED
        ).values_list("pk", flat=True)
    )


def _share(agree: int, seen: int) -> str:
    return f"{agree / seen:.4f}" if seen else ""


def _label_share(agree: int, seen: int) -> str:
    return _share(agree, seen) if seen >= MIN_LABEL_VOTES else ""


def _statement_text(statement: Statement) -> str:
    """A member's text; none if hidden (it was hidden for what it says)."""
    return "" if statement.status == StatementStatus.HIDDEN else statement.text


def report_csv(consultation: Consultation) -> bytes:
    """One row per statement: id, text, status, totals, agree shares per opinion group and
    per constituent group (empty under MIN_LABEL_VOTES votes), consensus score (the
    geometric mean over opinion groups of the smoothed agreement,
    `kenes.core.consensus.agreement`; empty unless approved).

    Counts are of the votes stored now; the opinion groups are those of the stored analysis.
    UTF-8 with a byte-order mark, so that spreadsheet programs read Cyrillic correctly.
    """
    analysis = consultation.analysis or {}
    matrix = vote_matrix(consultation)
    by_opinion = tally_opinion_groups(matrix, analysis)
    letters = list(by_opinion["labels"]) if analysis.get("groups") else []
    opinion = {s["statement"]: s["counts"] for s in by_opinion["statements"]}
    by_group = _constituent_counts(consultation, matrix)
    slugs = sorted({slug for counts in by_group.values() for slug in counts})
    names = dict(ConstituentGroup.objects.filter(slug__in=slugs).values_list("slug", "name"))
    totals = statement_totals(consultation)
    score = _consensus_scores(opinion, letters)

    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(
        ["statement_id", "text", "status", "agree", "disagree", "pass"]
        + [f"opinion_group_{letter}_agree_share" for letter in letters]
        + [f"{names.get(slug, slug)} ({slug}) agree_share" for slug in slugs]
        + ["consensus_score"]
    )
    for statement in Statement.objects.filter(consultation=consultation).order_by("pk"):
        key = str(statement.pk)
        total = totals.get(statement.pk, Counts())
        groups_here = opinion.get(key, {})
        constituent = by_group.get(key, {})
        writer.writerow(
            [statement.pk, _statement_text(statement), statement.status]
            + [total.agree, total.disagree, total.passed]
            + [
                _share(groups_here[x]["agree"], groups_here[x]["seen"]) if x in groups_here else ""
                for x in letters
            ]
            + [_label_share(*constituent.get(slug, (0, 0))) for slug in slugs]
            + [f"{score[key]:.4f}" if key in score else ""]
        )
    return out.getvalue().encode("utf-8-sig")


def _constituent_counts(
    consultation: Consultation, matrix: VoteMatrix
) -> dict[str, dict[str, tuple[int, int]]]:
    """(agree, seen) per statement id and constituent group slug; a participant in several
    groups counts in each (the rule of kenes.agenda.analysis)."""
    groups_of = dict(
        Participant.objects.filter(consultation=consultation).values_list("pk", "groups")
    )
    counts: dict[str, dict[str, list[int]]] = {}
    ids = [s.id for s in matrix.statements]
    for row, col, vote in zip(
        matrix.rows.tolist(), matrix.cols.tolist(), matrix.votes.tolist(), strict=True
    ):
        for slug in groups_of.get(int(matrix.participants[row])) or []:
            cell = counts.setdefault(ids[col], {}).setdefault(slug, [0, 0])
            cell[0] += vote == 1
            cell[1] += 1
    return {s: {slug: (a, n) for slug, (a, n) in c.items()} for s, c in counts.items()}


def _consensus_scores(
    opinion: Mapping[str, Mapping[str, Mapping[str, int]]], letters: list[str]
) -> dict[str, float]:
    if not letters:
        return {}
    ids = list(opinion)
    agree = np.array([[opinion[s][x]["agree"] for s in ids] for x in letters], dtype=np.int64)
    seen = np.array([[opinion[s][x]["seen"] for s in ids] for x in letters], dtype=np.int64)
    _, score = group_informed_consensus(agree, seen)
    return {s: float(score[j]) for j, s in enumerate(ids)}


def _csv_bytes(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def polis_files(consultation: Consultation) -> dict[str, bytes]:
    """The Pol.is export files (see the module docstring), by file name."""
    matrix = vote_matrix(consultation)
    analysis = consultation.analysis or {}
    days = dict(
        Statement.objects.filter(
            consultation=consultation, status=StatementStatus.APPROVED
        ).values_list("pk", "created_on")
    )
    n_statements = len(matrix.statements)
    agrees = np.bincount(matrix.cols[matrix.votes == 1], minlength=n_statements)
    disagrees = np.bincount(matrix.cols[matrix.votes == -1], minlength=n_statements)
    comments = []
    for j, s in enumerate(matrix.statements):
        day = days.get(int(s.id))
        stamp = _midnight_ms(day) if day else 0
        comments.append(
            [stamp, day.isoformat() if day else "", s.id, "", agrees[j], disagrees[j], 1, s.text]
        )
    files = {
        "comments.csv": _csv_bytes(
            [
                "timestamp",
                "datetime",
                "comment-id",
                "author-id",
                "agrees",
                "disagrees",
                "moderated",
                "comment-body",
            ],
            comments,
        ),
        "votes.csv": _csv_bytes(
            ["timestamp", "datetime", "comment-id", "voter-id", "vote"],
            (
                (0, "", matrix.statements[c].id, matrix.participants[r], v)
                for r, c, v in zip(
                    matrix.rows.tolist(), matrix.cols.tolist(), matrix.votes.tolist(), strict=True
                )
            ),
        ),
    }
    group_id = {
        str(p): str(g["id"]) for g in analysis.get("groups") or [] for p in g["participants"]
    }
    if len(matrix.participants) * n_statements <= MAX_MATRIX_CELLS:
        files["participants-votes.csv"] = _participants_votes(matrix, group_id)
    else:
        files["README.txt"] = (
            b"participants-votes.csv is left out: this consultation has too many "
            b"participants x statements for one table. votes.csv holds every vote.\n"
        )
    files["summary.csv"] = _csv_bytes(
        ["topic", consultation.title],
        [
            ["voters", len(matrix.participants)],
            ["comments", n_statements],
            ["groups", len(analysis.get("groups") or [])],
            ["conversation-description", consultation.question],
        ],
    )
    return files


def _midnight_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def _participants_votes(matrix: VoteMatrix, group_id: Mapping[str, str]) -> bytes:
    dense = matrix.to_dense()
    rows = []
    for i, participant in enumerate(matrix.participants):
        votes = dense[i]
        cast = ~np.isnan(votes)
        rows.append(
            [
                participant,
                group_id.get(participant, ""),
                0,
                int(cast.sum()),
                int((votes == 1).sum()),
                int((votes == -1).sum()),
            ]
            + ["" if np.isnan(v) else int(v) for v in votes.tolist()]
        )
    header = [
        "participant",
        "group-id",
        "n-comments",
        "n-votes",
        "n-agree",
        "n-disagree",
    ] + [s.id for s in matrix.statements]
    return _csv_bytes(header, rows)


def polis_zip(consultation: Consultation) -> bytes:
    """The Pol.is files in one ZIP archive, in a folder named after the consultation."""
    buffer = io.BytesIO()
    folder = f"consultation-{consultation.pk}"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in polis_files(consultation).items():
            archive.writestr(f"{folder}/{name}", content)
    return buffer.getvalue()
