"""The stored analysis of a consultation: opinion groups, consensus, constituent groups, regions.

Contract of `Consultation.analysis` (a JSON object; keys are only ever added):

- every key of `kenes.core.consensus.as_json(analysis)` (the `kenes consensus --json` shape,
  format 1: "format", "seed", "participants", "clustered_participants", "statements",
  "analysed_statements", "votes", "silhouettes", "groups", "consensus", "coordinates").
  Participant ids are `str(Participant.pk)` (pseudonymous, see docs/agenda.md); statement
  ids are `str(Statement.pk)`. Only approved statements enter the matrix (pending, hidden
  and merged ones do not), so the ids always name approved statements at computing time.
- "by_group" and "by_region": the `kenes.core.consensus.breakdown` of the same votes by
  constituent group slug / region code, each:

      {"labels": ["farmers", "workers", ...],          # sorted
       "statements": [{"statement": "12", "text": "...",
                       "unity": 0.71 | null,           # in [0, 1]
                       "division": 0.42 | null,        # in [0, 2]; null: < 2 labels comparable
                       "counts": {"farmers": {"agree": 9, "disagree": 1, "pass": 2,
                                              "seen": 12}, ...}}, ...],   # matrix order
       "uniting": ["12", "7", ...],                    # statement ids, most uniting first (≤ 10)
       "dividing": ["3", ...]}                         # most dividing first (≤ 10)

  A participant in several constituent groups counts once in EACH of them (the group
  tally answers "how do the members of this group vote"); participants with no group or
  no region are left out of that breakdown.
- "divergence": {"<statement id>": spread} for every analysed statement: the highest minus
  the lowest smoothed agree share (agree + 1) / (seen + 2) over the opinion groups (0 with
  fewer than two groups). kenes/agenda/selection.py shows divisive statements first by it.
- "by_opinion_group": the same breakdown by opinion group, labelled "A", "B", … (group id
  0, 1, …); only clustered participants count (kenes/agenda/exports.py, the report page).
- "computed_at": ISO 8601 time of the computation (UTC); "votes_counted": the number of
  stored opinion votes on approved statements that went in.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from kenes.agenda.models import (
    Consultation,
    OpinionVote,
    Participant,
    Statement,
    StatementStatus,
)
from kenes.core.consensus import Statement as CoreStatement
from kenes.core.consensus import VoteMatrix, analyse, as_json, breakdown
from kenes.core.consensus.labels import LabelBreakdown
from kenes.core.consensus.matrix import MODERATED_IN
from kenes.core.consensus.statistics import Tally

TOP = 10


def vote_matrix(consultation: Consultation) -> VoteMatrix:
    """Participants × approved statements, from the stored votes (one per pair already)."""
    statements = list(
        Statement.objects.filter(
            consultation=consultation, status=StatementStatus.APPROVED
        ).values_list("pk", "text")
    )
    columns = {pk: j for j, (pk, _) in enumerate(statements)}
    votes = np.array(
        list(
            OpinionVote.objects.filter(
                statement__consultation=consultation, statement__status=StatementStatus.APPROVED
            )
            .order_by("pk")
            .values_list("participant_id", "statement_id", "value")
        ),
        dtype=np.int64,
    ).reshape(-1, 3)
    people = sorted(set(votes[:, 0].tolist()))
    rows_of = {pk: i for i, pk in enumerate(people)}
    return VoteMatrix.build(
        [str(pk) for pk in people],
        [CoreStatement(id=str(pk), text=text, moderated=MODERATED_IN) for pk, text in statements],
        np.array([rows_of[p] for p in votes[:, 0].tolist()], dtype=np.int64),
        np.array([columns[s] for s in votes[:, 1].tolist()], dtype=np.int64),
        votes[:, 2],
    )


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 6)


def breakdown_json(matrix: VoteMatrix, result: LabelBreakdown, top: int = TOP) -> dict[str, Any]:
    """A `LabelBreakdown` in the stable shape documented above."""
    ids = [s.id for s in matrix.statements]
    counts = result.counts
    passed = counts.passed
    return {
        "labels": list(result.labels),
        "statements": [
            {
                "statement": s.id,
                "text": s.text,
                "unity": _number(result.unity[j]) if result.unity.size else None,
                "division": _number(result.division[j]) if result.division.size else None,
                "counts": {
                    label: {
                        "agree": int(counts.agree[i, j]),
                        "disagree": int(counts.disagree[i, j]),
                        "pass": int(passed[i, j]),
                        "seen": int(counts.seen[i, j]),
                    }
                    for i, label in enumerate(result.labels)
                },
            }
            for j, s in enumerate(matrix.statements)
        ],
        "uniting": [ids[j] for j in result.uniting(top) if not math.isnan(result.unity[j])],
        "dividing": [ids[j] for j in result.dividing(top) if not math.isnan(result.division[j])],
    }


def _by_group(matrix: VoteMatrix, groups_of: dict[str, list[str]]) -> dict[str, Any]:
    """Each participant counts once in each of their groups: one matrix row per (person, group)."""
    row_ids: list[str] = []
    label_of: dict[str, str] = {}
    source: list[int] = []
    for i, pid in enumerate(matrix.participants):
        for slug in groups_of.get(pid, []):
            row_id = f"{pid}:{slug}"
            row_ids.append(row_id)
            label_of[row_id] = slug
            source.append(i)
    rows_of: dict[int, list[int]] = {}
    for new, old in enumerate(source):
        rows_of.setdefault(old, []).append(new)
    take = [(k, new) for k, old in enumerate(matrix.rows.tolist()) for new in rows_of.get(old, [])]
    index = np.array([k for k, _ in take], dtype=np.int64)
    expanded = VoteMatrix.build(
        row_ids,
        matrix.statements,
        np.array([new for _, new in take], dtype=np.int64),
        matrix.cols[index].astype(np.int64),
        matrix.votes[index].astype(np.int64),
    )
    voters = set(expanded.participants[r] for r in expanded.rows.tolist())
    label_of = {p: label for p, label in label_of.items() if p in voters}
    return breakdown_json(expanded, breakdown(expanded, label_of))


def _divergence(counts: Tally, matrix: VoteMatrix) -> dict[str, float]:
    share = (counts.agree + 1.0) / (counts.seen + 2.0)
    if share.shape[0] < 2 or not matrix.statements:
        return {s.id: 0.0 for s in matrix.statements}
    spread = share.max(axis=0) - share.min(axis=0)
    return {s.id: round(float(spread[j]), 6) for j, s in enumerate(matrix.statements)}


def compute(consultation: Consultation) -> dict[str, Any]:
    """The analysis JSON (see the module docstring) of the votes stored now."""
    matrix = vote_matrix(consultation)
    found = analyse(matrix, seed=int(consultation.seed))
    result = as_json(found)
    result["divergence"] = _divergence(found.counts, matrix)
    labels = {
        str(pk): (groups or [], region or "")
        for pk, groups, region in Participant.objects.filter(consultation=consultation).values_list(
            "pk", "groups", "region_code"
        )
    }
    voters = set(matrix.participants[r] for r in matrix.rows.tolist())
    region_of = {p: labels[p][1] for p in voters if labels.get(p, ([], ""))[1]}
    result["by_group"] = _by_group(matrix, {p: labels[p][0] for p in voters if p in labels})
    result["by_region"] = breakdown_json(matrix, breakdown(matrix, region_of))
    # by_opinion_group (added by the REPORT helper): the report's shares per opinion group.
    letter_of = {p: chr(ord("A") + g["id"]) for g in result["groups"] for p in g["participants"]}
    result["by_opinion_group"] = breakdown_json(matrix, breakdown(matrix, letter_of))
    result["computed_at"] = timezone.now().isoformat()
    result["votes_counted"] = matrix.vote_count
    return result


def do_recompute(consultation_id: int) -> dict[str, Any] | None:
    """Compute and store the analysis; clears the "recompute requested" mark.

    The computation runs outside any transaction (it may take seconds on a large
    consultation); only the final write takes the row.
    """
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        return None
    try:
        result = compute(consultation)
    except Exception:
        # Let the next vote or officer ask again rather than wait for the stuck-request timeout.
        Consultation.objects.filter(pk=consultation_id).update(recompute_requested_at=None)
        raise
    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation_id).update(
            analysis=result, analysis_at=timezone.now(), recompute_requested_at=None
        )
    return result
