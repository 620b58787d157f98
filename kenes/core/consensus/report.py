"""The stable JSON shape of an analysis (`kenes consensus PATH --json`, docs/consensus.md).

Version 1. Keys are only ever added, never renamed or removed.
"""

from __future__ import annotations

from typing import Any

from kenes.core.consensus.pipeline import Analysis

FORMAT_VERSION = 1
TOP_CONSENSUS = 10


def _representative(analysis: Analysis, group: int) -> list[dict[str, Any]]:
    statements = analysis.matrix.statements
    return [
        {
            "statement": statements[r.statement].id,
            "text": statements[r.statement].text,
            "direction": r.direction,
            "agree": r.agree,
            "disagree": r.disagree,
            "pass": r.passed,
            "probability": round(r.probability, 6),
            "probability_test": round(r.probability_test, 6),
            "ratio": round(r.ratio, 6),
            "ratio_test": round(r.ratio_test, 6),
            "significant": r.significant,
        }
        for r in analysis.groups[group].representative
    ]


def as_json(analysis: Analysis, top: int = TOP_CONSENSUS) -> dict[str, Any]:
    """The analysis as plain JSON-able data: counts, groups, consensus, map coordinates."""
    matrix = analysis.matrix
    ids = matrix.participants
    statements = matrix.statements
    projection = analysis.projection
    return {
        "format": FORMAT_VERSION,
        "seed": analysis.seed,
        "participants": len(ids),
        "clustered_participants": int(projection.participants.size),
        "statements": len(statements),
        "analysed_statements": int(analysis.analysed_statements.size),
        "votes": matrix.vote_count,
        "silhouettes": {str(k): round(v, 6) for k, v in analysis.clustering.silhouettes.items()},
        "groups": [
            {
                "id": group.id,
                "size": int(group.participants.size),
                "participants": [ids[i] for i in group.participants.tolist()],
                "representative": _representative(analysis, group.id),
            }
            for group in analysis.groups
        ],
        "consensus": [
            {
                "statement": statements[c.statement].id,
                "text": statements[c.statement].text,
                "score": round(c.score, 6),
                "group_informed_consensus": round(c.product, 9),
                "agree": c.agree,
                "disagree": c.disagree,
                "seen": c.seen,
            }
            for c in analysis.consensus[:top]
        ],
        "coordinates": {
            ids[i]: [round(float(x), 6), round(float(y), 6)]
            for i, (x, y) in zip(
                projection.participants.tolist(), projection.coordinates.tolist(), strict=True
            )
        },
    }
