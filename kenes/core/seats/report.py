"""Stable JSON shapes of `kenes seats --json` and `kenes project --json` (see docs/seats.md).

Versioned by the "format" key; a change of shape gets a new version, never a silent edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from kenes.core.seats.allocation import Allocation, Threshold
from kenes.core.seats.methods import Method
from kenes.core.seats.projection import ListOutlook, Outlook, Projection

SEATS_FORMAT = "kenes-seats/1"
PROJECTION_FORMAT = "kenes-projection/1"


def allocation_json(
    allocation: Allocation,
    *,
    rules_id: str | None,
    method: Method,
    seats: int,
    threshold: Threshold | None,
    unconfirmed: tuple[str, ...] = (),
) -> dict[str, Any]:
    quota = allocation.quota
    return {
        "format": SEATS_FORMAT,
        "rules": rules_id,
        "method": method.value,
        "seats_total": seats,
        "threshold": None
        if threshold is None
        else {"percent": float(threshold.percent), "base": threshold.base.value},
        "threshold_base_votes": allocation.threshold_base_votes,
        "seats": dict(allocation.seats),
        "passed": list(allocation.passed),
        "quota": None if quota is None else float(quota),
        "quota_exact": None if quota is None else str(quota),
        "runner_up": allocation.runner_up,
        "ties": {"won": list(allocation.tie_winners), "lost": list(allocation.tie_losers)},
        "unconfirmed": list(unconfirmed),
    }


def _list_json(outlook: ListOutlook, needed: Mapping[str, float]) -> dict[str, Any]:
    row: dict[str, Any] = asdict(outlook)
    for key in ("p_pass", "seats_mean", "p_majority"):
        row[key] = round(row[key], 6)
    if outlook.party in needed:
        row["share_needed"] = round(100 * needed[outlook.party], 2)
    return row


def _majority_json(outlook: Outlook) -> dict[str, Any]:
    return {
        "any": round(outlook.p_any_majority, 6),
        "by_party": {o.party: round(o.p_majority, 6) for o in outlook.lists},
    }


def projection_json(
    projection: Projection,
    *,
    rules_id: str,
    seats: int,
    joint_lists: str,
    target: float,
    share_needed: Mapping[str, float],
) -> dict[str, Any]:
    baseline = {o.party: o for o in projection.baseline.lists}
    scenarios = []
    for alliance, outlook in projection.scenarios:
        joint = next(o for o in outlook.lists if o.party == alliance.name)
        scenarios.append(
            {
                "alliance": alliance.name,
                "members": [{"party": p, "retention": r} for p, r in alliance.members],
                "joint": _list_json(joint, share_needed),
                "alone": [_list_json(baseline[p], {}) for p, _ in alliance.members],
                "parties": [_list_json(o, {}) for o in outlook.lists],
                "p_majority": _majority_json(outlook),
            }
        )
    return {
        "format": PROJECTION_FORMAT,
        "rules": rules_id,
        "seats_total": seats,
        "joint_lists": joint_lists,
        "draws": projection.draws,
        "seed": projection.seed,
        "model": projection.model.value,
        "target": target,
        "parties": [_list_json(o, share_needed) for o in projection.baseline.lists],
        "p_majority": _majority_json(projection.baseline),
        "p_no_list_passes": round(projection.baseline.p_no_list_passes, 6),
        "scenarios": scenarios,
    }
