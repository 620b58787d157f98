"""Creating, changing, sharing and computing seat scenarios.

`check_*` functions validate, `do_*` functions change state and take a keyword-only
`acting_user`; every change is audited in the same transaction (kenes.audit.services.record).
The computation is kenes.core.seats.projection (docs/seats.md): the projection's stable JSON
(`kenes-projection/1`) plus the modal outcome for the hemicycle and the share the party needs
for a 90 % chance of passing. Large projections run as a background task (`tasks.py`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.core.seats import SeatRulesError, all_seat_rules, load_seat_rules
from kenes.core.seats.polls import PollError, PollFigure, PooledPoll, ShareModel, draw_shares
from kenes.core.seats.polls import pool_polls as pool_figures
from kenes.core.seats.projection import Alliance, check_alliance, merge_poll, project, share_needed
from kenes.core.seats.report import projection_json
from kenes.core.seats.vectorised import DrawRules, allocate_draws
from kenes.parliament.models import Scenario, Status

# Above this many draws × parties a projection goes to a background task instead of the request.
BACKGROUND_ABOVE = 200_000
MAX_DRAWS = 1_000_000
MODAL_DRAWS = 20_000  # draws searched for the most frequent seat outcome
NEEDED_DRAWS = 20_000  # draws per bisection step of the share needed
TARGET = 0.9
RESULT_FORMAT = "kenes-scenario/1"


class ScenarioError(Exception):
    """A refused input or action, with a sentence that says what to do."""


def _text(value: Any) -> str:
    return str(value or "").strip()


def _percent(value: Any, where: str) -> float:
    try:
        share = float(str(value).replace(",", ".").rstrip("%").strip())
    except ValueError:
        raise ScenarioError(
            _("%(where)s: the share %(value)s is not a number.") % {"where": where, "value": value}
        ) from None
    if not 0 <= share <= 100:
        raise ScenarioError(_("%(where)s: a share lies between 0 and 100 %%.") % {"where": where})
    return share


def _sample_size(value: Any, where: str) -> int | None:
    text = str(value or "").replace(" ", "").replace("\u00a0", "").replace(",", "")
    if not text:
        return None
    try:
        size = int(float(text))
    except ValueError:
        raise ScenarioError(
            _("%(where)s: the sample size %(value)s is not a whole number.")
            % {"where": where, "value": value}
        ) from None
    if size <= 0:
        raise ScenarioError(_("%(where)s: the sample size must be positive.") % {"where": where})
    return size


def check_poll_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Clean poll rows {party, share (percent), sample_size?}; blank rows are dropped.

    A row without a sample size takes the one given on another row (one poll, one sample);
    at least one row must give it, since the uncertainty comes from it.
    """
    cleaned = []
    for number, row in enumerate(rows, start=1):
        party, share = _text(row.get("party")), _text(row.get("share"))
        size_text = _text(row.get("sample_size"))
        if not (party or share or size_text):
            continue
        where = _("Row %(n)s") % {"n": number}
        if not party:
            raise ScenarioError(_("%(where)s: give the party's name.") % {"where": where})
        if not share:
            raise ScenarioError(_("%(where)s: give the party's share.") % {"where": where})
        cleaned.append(
            {
                "party": party,
                "share": _percent(share, where),
                "sample_size": _sample_size(size_text, where),
            }
        )
    if not cleaned:
        raise ScenarioError(_("Give at least one party's share."))
    sizes = [r["sample_size"] for r in cleaned if r["sample_size"]]
    if not sizes:
        raise ScenarioError(_("Give the poll's sample size on at least one row."))
    return [r | {"sample_size": r["sample_size"] or sizes[0]} for r in cleaned]


def read_poll_upload(content: bytes) -> list[dict[str, Any]]:
    """An uploaded CSV ``party,share[,sample_size]`` (share in percent) -> poll rows.

    Errors name the line of the file, counting the header as line 1.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(_("The file is not UTF-8 text; save it as CSV (UTF-8).")) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if "party" not in header or "share" not in header:
        raise ScenarioError(
            _("Line 1 must name the columns party,share and optionally sample_size.")
        )
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = dict(zip(header, values, strict=False))
        where = _("Line %(n)s") % {"n": line}
        party = _text(row.get("party"))
        if not party:
            raise ScenarioError(_("%(where)s: give the party's name.") % {"where": where})
        rows.append(
            {
                "party": party,
                "share": _percent(_text(row.get("share")), where),
                "sample_size": _sample_size(row.get("sample_size"), where),
            }
        )
    if not rows:
        raise ScenarioError(_("The file has no data rows."))
    return rows


def parse_alliance_line(text: str, retention_percent: Any) -> dict[str, Any]:
    """ "A+B" with a retention in percent -> {"parties": [A, B], "retention": 0.85}."""
    parties = [p.strip() for p in text.split("+") if p.strip()]
    if len(parties) < 2 or len(set(parties)) != len(parties):
        raise ScenarioError(
            _("Alliance %(text)s: join two or more different parties with +, e.g. A+B.")
            % {"text": text}
        )
    retention = 100.0 if _text(retention_percent) == "" else _percent(retention_percent, text)
    return {"parties": parties, "retention": retention / 100.0}


def _alliance(entry: dict[str, Any]) -> Alliance:
    """The first partner keeps all its voters; the others keep `retention` of theirs."""
    parties = entry["parties"]
    retention = float(entry["retention"])
    return Alliance(((parties[0], 1.0), *((p, retention) for p in parties[1:])))


def pooled_poll(polls: list[dict[str, Any]]) -> PooledPoll:
    figures = [
        PollFigure(r["party"], float(r["share"]) / 100.0, r.get("sample_size")) for r in polls
    ]
    return pool_figures(figures)


def check_inputs(
    *,
    rules_id: str,
    polls: list[dict[str, Any]],
    alliances: list[dict[str, Any]],
    our_party: str,
    draws: int,
) -> None:
    """Refuse inputs the projection cannot use, with the reason in the user's language."""
    if rules_id not in all_seat_rules():
        raise ScenarioError(_("Pick seat rules from the list."))
    if not 0 < draws <= MAX_DRAWS:
        raise ScenarioError(
            _("The number of draws lies between 1 and %(max)s.") % {"max": MAX_DRAWS}
        )
    total = sum(float(r["share"]) for r in polls)
    if total > 102:
        raise ScenarioError(
            _("The shares add up to %(total)s %%; they must not exceed 100 %%.")
            % {"total": round(total, 1)}
        )
    try:
        poll = pooled_poll(polls)
    except PollError as error:
        raise ScenarioError(str(error)) from None
    for entry in alliances:
        missing = [p for p in entry["parties"] if p not in poll.parties]
        if missing:
            raise ScenarioError(
                _("Alliance %(name)s: %(party)s is not a party in the poll figures.")
                % {"name": "+".join(entry["parties"]), "party": missing[0]}
            )
        try:
            check_alliance(poll, _alliance(entry))
        except PollError as error:
            raise ScenarioError(str(error)) from None
    if our_party and our_party not in poll.parties:
        raise ScenarioError(
            _("Our party %(party)s is not a party in the poll figures.") % {"party": our_party}
        )


def _fields(scenario: Scenario) -> dict[str, Any]:
    return {
        "title": scenario.title,
        "rules_id": scenario.rules_id,
        "draws": scenario.draws,
        "seed": scenario.seed,
        "polls": scenario.polls,
        "alliances": scenario.alliances,
        "our_party": scenario.our_party,
    }


def fingerprint(scenario: Scenario) -> str:
    """What a result was computed from: a result is kept only if its inputs are unchanged."""
    inputs = _fields(scenario) | {"title": ""}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def do_create_scenario(*, acting_user: Any, **fields: Any) -> Scenario:
    """Fields: title, rules_id, draws, seed, polls, alliances, our_party (shared optional)."""
    check_inputs(**{k: fields[k] for k in ("rules_id", "polls", "alliances", "our_party", "draws")})
    with transaction.atomic():
        scenario = Scenario.objects.create(created_by=acting_user, **fields)
        audit.record(
            "scenario.create",
            acting_user=acting_user,
            target_type="scenario",
            target_id=scenario.pk,
            detail={"title": scenario.title, "rules": scenario.rules_id},
        )
    return scenario


def do_update(scenario: Scenario, *, acting_user: Any, **fields: Any) -> Scenario:
    """Change the inputs; the old result no longer holds, so it is dropped."""
    merged = _fields(scenario) | fields
    check_inputs(**{k: merged[k] for k in ("rules_id", "polls", "alliances", "our_party", "draws")})
    with transaction.atomic():
        for key, value in fields.items():
            setattr(scenario, key, value)
        scenario.result, scenario.status, scenario.error = None, Status.PENDING, ""
        scenario.save()
        audit.record(
            "scenario.update",
            acting_user=acting_user,
            target_type="scenario",
            target_id=scenario.pk,
            detail={"changed": sorted(fields)},
        )
    return scenario


def do_set_shared(scenario: Scenario, shared: bool, *, acting_user: Any) -> None:
    with transaction.atomic():
        scenario.shared = shared
        scenario.save(update_fields=["shared", "updated_at"])
        audit.record(
            "scenario.share" if shared else "scenario.unshare",
            acting_user=acting_user,
            target_type="scenario",
            target_id=scenario.pk,
        )


def do_delete(scenario: Scenario, *, acting_user: Any) -> None:
    with transaction.atomic():
        audit.record(
            "scenario.delete",
            acting_user=acting_user,
            target_type="scenario",
            target_id=scenario.pk,
            detail={"title": scenario.title},
        )
        scenario.delete()


def runs_in_background(scenario: Scenario) -> bool:
    """Draws × parties above BACKGROUND_ABOVE: too slow for a request on a small server."""
    return scenario.draws * (len(scenario.polls) + 1) > BACKGROUND_ABOVE


def start_run(scenario: Scenario, *, acting_user: Any) -> bool:
    """Compute now, or queue a background task when large; True when queued."""
    from kenes.parliament import tasks  # tasks imports this module

    Scenario.objects.filter(pk=scenario.pk).update(status=Status.PENDING, error="")
    scenario.status = Status.PENDING
    if runs_in_background(scenario):
        tasks.run_scenario.enqueue(scenario.pk, getattr(acting_user, "pk", None))
        return True
    do_run(scenario, acting_user=acting_user)
    return False


def modal_outcome(poll: PooledPoll, rules_id: str, *, draws: int, seed: int) -> dict[str, Any]:
    """The most frequent seat outcome among `draws` draws (the hemicycle's picture)."""
    rules = load_seat_rules(rules_id)
    rng = np.random.default_rng(seed)
    shares = draw_shares(poll, draws, ShareModel.DIRICHLET, rng)
    seats, _passed = allocate_draws(
        shares,
        poll.seat_eligible,
        poll.against_all,
        DrawRules(rules.seats, rules.method, rules.threshold, rules.runner_up),
    )
    outcomes, counts = np.unique(seats, axis=0, return_counts=True)
    best = int(np.argmax(counts))
    listed = [i for i, ok in enumerate(poll.seat_eligible) if ok]
    return {
        "seats": {poll.parties[i]: int(outcomes[best][i]) for i in listed},
        "frequency": round(float(counts[best]) / draws, 6),
        "draws": draws,
    }


def compute(scenario: Scenario) -> dict[str, Any]:
    """The scenario's result JSON (pure computation; raises PollError or SeatRulesError)."""
    rules = load_seat_rules(scenario.rules_id)
    poll = pooled_poll(scenario.polls)
    alliances = [_alliance(a) for a in scenario.alliances]
    projection = project(poll, rules, draws=scenario.draws, seed=scenario.seed, alliances=alliances)
    steps = min(scenario.draws, NEEDED_DRAWS)
    needed: dict[str, float] = {}
    if scenario.our_party:
        needed[scenario.our_party] = share_needed(
            poll, rules, scenario.our_party, target=TARGET, draws=steps, seed=scenario.seed
        )
    for alliance in alliances:
        needed[alliance.name] = share_needed(
            merge_poll(poll, alliance),
            rules,
            alliance.name,
            target=TARGET,
            draws=steps,
            seed=scenario.seed,
        )
    return {
        "format": RESULT_FORMAT,
        "inputs": fingerprint(scenario),
        "rules_name": rules.name,
        "joint_lists": rules.joint_lists.value,
        "unconfirmed": list(rules.unconfirmed),
        "projection": projection_json(
            projection,
            rules_id=rules.id,
            seats=rules.seats,
            joint_lists=rules.joint_lists.value,
            target=TARGET,
            share_needed=needed,
        ),
        "modal": modal_outcome(poll, rules.id, draws=steps, seed=scenario.seed),
    }


def do_run(scenario: Scenario, *, acting_user: Any) -> Scenario:
    """Compute and store the result; a failure is stored as a sentence, never raised."""
    with transaction.atomic():
        current = Scenario.objects.select_for_update().filter(pk=scenario.pk).first()
        if current is None or fingerprint(current) != fingerprint(scenario):
            return current or scenario  # deleted or edited since: nothing to compute
        current.status = Status.RUNNING
        current.save(update_fields=["status"])
    try:
        result, error = compute(scenario), ""
    except (PollError, SeatRulesError, ValueError) as failure:
        result, error = None, str(failure)
    with transaction.atomic():
        current = Scenario.objects.select_for_update().filter(pk=scenario.pk).first()
        if current is None:
            return scenario  # deleted meanwhile
        if result is not None and fingerprint(current) != result["inputs"]:
            return current  # edited meanwhile: that edit asked for its own run
        current.result = result
        current.status = Status.DONE if result is not None else Status.FAILED
        current.error = error
        current.save(update_fields=["result", "status", "error"])
        audit.record(
            "scenario.run",
            acting_user=acting_user,
            target_type="scenario",
            target_id=current.pk,
            detail={"draws": current.draws, "status": current.status},
        )
    return current
