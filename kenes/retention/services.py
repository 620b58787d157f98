"""The retention schedule: its rules (set by the national admin) and applying them.

`do_apply` clears every kind that is due (kenes.retention.kinds), one transaction per kind,
each with one audit entry of counts (no personal data); the worker calls `apply_if_due`
(at most once per `RUN_EVERY` per kind, whatever number of workers run), `kenes retention
apply` calls `do_apply` at once. Nothing here needs a field key: it runs while sealed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.retention.kinds import BY_KEY, KINDS, MAX_DAYS, Kind
from kenes.retention.models import RetentionRule

RUN_EVERY = datetime.timedelta(hours=24)
"""How often the worker applies the schedule: the rules count in days."""


class RetentionError(ValueError):
    """A rule that cannot be set; the message is a sentence for the officer."""


@dataclass(frozen=True)
class KindRun:
    kind: str
    enabled: bool
    days: int
    due: int  # what this run found due (a dry run: what it would clear)
    cleared: int  # what it cleared (0 in a dry run)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "enabled": self.enabled,
            "days": self.days,
            "due": self.due,
            "cleared": self.cleared,
        }


@dataclass(frozen=True)
class Run:
    at: datetime.datetime
    dry_run: bool
    kinds: tuple[KindRun, ...]

    @property
    def cleared(self) -> int:
        return sum(k.cleared for k in self.kinds)

    @property
    def due(self) -> int:
        return sum(k.due for k in self.kinds)

    def as_json(self) -> dict[str, Any]:
        """The shape `kenes retention apply --json` prints (docs/retention.md)."""
        return {
            "at": self.at.isoformat(),
            "dry_run": self.dry_run,
            "due": self.due,
            "cleared": self.cleared,
            "kinds": [k.as_json() for k in self.kinds],
        }


def _default(kind: Kind) -> RetentionRule:
    return RetentionRule(kind=kind.key, days=kind.default_days, enabled=True)


def rules() -> dict[str, RetentionRule]:
    """The rule of every kind: the stored one, or its default (not stored) if never set."""
    stored = {rule.kind: rule for rule in RetentionRule.objects.filter(kind__in=BY_KEY)}
    return {kind.key: stored.get(kind.key) or _default(kind) for kind in KINDS}


def _locked_rule(kind: Kind) -> RetentionRule:
    """The kind's rule row, locked until the transaction ends (made with defaults if none)."""
    RetentionRule.objects.bulk_create([_default(kind)], ignore_conflicts=True)
    return RetentionRule.objects.select_for_update().get(kind=kind.key)


def count_due(kind: Kind, rule: RetentionRule, at: datetime.datetime) -> int:
    """How many items of `kind` a run at `at` would clear under `rule`."""
    if not rule.enabled:
        return 0
    return sum(rows.count() for rows in kind.due(at, rule.days))


def check_rule(kind_key: str, days: Any) -> Kind:
    """The kind, if `days` is a rule it may have; otherwise RetentionError with a sentence."""
    kind = BY_KEY.get(kind_key)
    if kind is None:
        raise RetentionError(_("There is no kind of data “%(kind)s”.") % {"kind": kind_key})
    if isinstance(days, bool) or not isinstance(days, int):
        raise RetentionError(_("Enter the number of days as a whole number."))
    if not kind.min_days <= days <= MAX_DAYS:
        raise RetentionError(
            _("Enter between %(low)s and %(high)s days for “%(title)s”.")
            % {"title": kind.title, "low": kind.min_days, "high": MAX_DAYS}
        )
    return kind


def do_set_rule(kind_key: str, *, days: int, enabled: bool, acting_user: Any) -> RetentionRule:
    """Change how long a kind is kept (audited with the old and new rule)."""
    kind = check_rule(kind_key, days)
    with transaction.atomic():
        rule = _locked_rule(kind)
        old = {"days": rule.days, "enabled": rule.enabled}
        new = {"days": days, "enabled": bool(enabled)}
        if old == new:
            return rule
        rule.days, rule.enabled = days, bool(enabled)
        rule.changed_at = timezone.now()
        user = acting_user if getattr(acting_user, "is_authenticated", False) else None
        rule.changed_by = user
        rule.save(update_fields=["days", "enabled", "changed_at", "changed_by"])
        audit.record(
            "retention.rule",
            acting_user=acting_user,
            target_type="retention",
            target_id=kind.key,
            detail={"old": old, "new": new},
        )
    return rule


def _run_due(rule: RetentionRule, now: datetime.datetime) -> bool:
    return rule.last_run_at is None or rule.last_run_at <= now - RUN_EVERY


def _apply_kind(
    kind: Kind, *, now: datetime.datetime, acting_user: Any, only_if_due: bool
) -> KindRun | None:
    with transaction.atomic():
        rule = _locked_rule(kind)
        if only_if_due and not _run_due(rule, now):
            return None  # another worker ran it meanwhile
        cleared = (
            sum(kind.clear(rows, now) for rows in kind.due(now, rule.days)) if rule.enabled else 0
        )
        audit.record(
            "retention.applied",
            acting_user=acting_user,
            target_type="retention",
            target_id=kind.key,
            detail={"cleared": cleared, "days": rule.days, "enabled": rule.enabled},
        )
        rule.last_run_at, rule.last_cleared = now, cleared
        rule.save(update_fields=["last_run_at", "last_cleared"])
    return KindRun(kind.key, rule.enabled, rule.days, cleared, cleared)


def do_apply(
    *,
    acting_user: Any,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
    only_if_due: bool = False,
) -> Run:
    """Clear what is due of every kind; a dry run only counts it and writes nothing.

    `only_if_due`: skip kinds applied within the last RUN_EVERY (the worker's rounds).
    """
    now = now or timezone.now()
    if dry_run:
        current = rules()
        return Run(
            now,
            True,
            tuple(
                KindRun(
                    kind.key,
                    current[kind.key].enabled,
                    current[kind.key].days,
                    count_due(kind, current[kind.key], now),
                    0,
                )
                for kind in KINDS
            ),
        )
    kinds = KINDS
    if only_if_due:  # most rounds find nothing due: no write transaction for them
        current = rules()
        kinds = tuple(kind for kind in KINDS if _run_due(current[kind.key], now))
    done = [
        _apply_kind(kind, now=now, acting_user=acting_user, only_if_due=only_if_due)
        for kind in kinds
    ]
    return Run(now, False, tuple(run for run in done if run is not None))


def apply_if_due(now: datetime.datetime | None = None) -> Run:
    """For the worker's housekeeping: apply the kinds not applied within RUN_EVERY."""
    return do_apply(acting_user="worker", now=now, only_if_due=True)


@dataclass(frozen=True)
class ScheduleRow:
    kind: Kind
    rule: RetentionRule
    next_run_at: datetime.datetime | None
    due_next: int


def schedule(now: datetime.datetime | None = None) -> list[ScheduleRow]:
    """Each kind with its rule, its last run and what the next run will clear."""
    now = now or timezone.now()
    current = rules()
    rows = []
    for kind in KINDS:
        rule = current[kind.key]
        next_run = None
        if rule.enabled:
            next_run = now if rule.last_run_at is None else max(now, rule.last_run_at + RUN_EVERY)
        rows.append(
            ScheduleRow(kind, rule, next_run, count_due(kind, rule, next_run) if next_run else 0)
        )
    return rows
