"""A vote's period: officers set an opening and a closing time, the worker keeps them.

`do_set_schedule` records the times (audited) and asks the background worker to look again
at each of them (`kenes.ballots.tasks.run_schedule`, deferred to that moment). `run_due`
takes every step whose time has come through the services the officers' buttons use —
`services.do_open` and `services.do_close` — in the name of the officer who set the
schedule, with an extra audit entry saying the schedule took the step. `kenes schedule run`
calls the same function (cron, or a host without a worker).

Several workers and processes may run `run_due` at once: each step is claimed under the
election's row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers), and the phase is read again under that lock, so a vote is opened or
closed once, whoever comes second finds nothing left to do.

Personal codes: `do_open` issues them and returns them once. Nobody is there to see the
codes of a scheduled opening, so they are dropped unseen (only keyed hashes are stored,
never a code in the clear) and the election is marked `codes_pending`; an officer hands the
codes out from the election's page (`do_hand_out_codes`: new codes for every member who
has not voted, the unseen ones revoked, shown once).

A step that cannot be taken (too few candidates, the officer lost their role) is not tried
again and again: the time is cleared and `schedule_problem` says why, for the officers.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.ballots import phases, services
from kenes.ballots.models import Election, VoterRoll
from kenes.ballots.rules import runs
from kenes.ballots.services import BallotError
from kenes.participation import services as codes
from kenes.registry.models import Member
from kenes.security.keys import Sealed

logger = logging.getLogger(__name__)

#: How far ahead a vote may be scheduled (the same horizon as a cut-off date).
HORIZON = datetime.timedelta(days=2 * 366)
OPEN = "open"
CLOSE = "close"


@dataclass(frozen=True)
class Step:
    """One scheduled step `run_due` took or tried: `problem` is empty when it was taken."""

    election_id: int
    action: str  # OPEN or CLOSE
    due_at: datetime.datetime
    problem: str = ""
    waiting: bool = False  # a close that needs the server unsealed: tried again, not dropped

    def as_json(self) -> dict[str, Any]:
        return {
            "election": self.election_id,
            "action": self.action,
            "due_at": self.due_at.isoformat(),
            "done": not self.problem,
            "problem": self.problem,
        }


def check_schedule(
    election: Election,
    *,
    opens_at: datetime.datetime | None,
    closes_at: datetime.datetime | None,
    now: datetime.datetime | None = None,
) -> None:
    """Refuse a period that cannot be kept, with a sentence that says what to do."""
    now = now or timezone.now()
    if opens_at is not None and election.phase != phases.DRAFT:
        raise BallotError(_("This vote is open already: only its closing time can be set."))
    if closes_at is not None and election.phase not in (phases.DRAFT, phases.OPEN):
        raise BallotError(_("This vote is closed: its period can no longer be changed."))
    for moment in (opens_at, closes_at):
        if moment is not None and moment <= now:
            raise BallotError(
                _("That time has passed: choose a later one, or use the button to act now.")
            )
        if moment is not None and moment > now + HORIZON:
            raise BallotError(_("Choose a time within the next two years."))
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise BallotError(_("The vote must close after it opens."))


def do_set_schedule(
    election: Election,
    *,
    opens_at: datetime.datetime | None,
    closes_at: datetime.datetime | None,
    acting_user: Any,
) -> Election:
    """Set (or clear, with None) the opening and closing times; audited.

    The times are kept in the name of `acting_user`, who must run the electorate then too.
    """
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.phase != phases.DRAFT:
            opens_at = election.opens_at  # the past opening stays as it was
            check_schedule(election, opens_at=None, closes_at=closes_at)
        else:
            check_schedule(election, opens_at=opens_at, closes_at=closes_at)
        old = {"opens_at": election.opens_at, "closes_at": election.closes_at}
        election.opens_at, election.closes_at = opens_at, closes_at
        election.scheduled_by = acting_user if getattr(acting_user, "pk", None) else None
        election.schedule_problem = ""
        election.save(update_fields=["opens_at", "closes_at", "scheduled_by", "schedule_problem"])
        audit.record(
            "ballots.schedule",
            acting_user=acting_user,
            target_type="election",
            target_id=election.pk,
            detail={"old": old, "new": {"opens_at": opens_at, "closes_at": closes_at}},
        )
        from kenes.ballots import tasks  # the task module imports this one

        for moment in (opens_at, closes_at) if election.phase == phases.DRAFT else (closes_at,):
            if moment is not None:
                transaction.on_commit(lambda at=moment: tasks.look_again_at(at))
    return election


def due(now: datetime.datetime | None = None) -> list[int]:
    """The elections with a step whose time has come, oldest first."""
    now = now or timezone.now()
    return list(
        Election.objects.filter(
            Q(phase=phases.DRAFT, opens_at__lte=now) | Q(phase=phases.OPEN, closes_at__lte=now)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def run_due(now: datetime.datetime | None = None) -> list[Step]:
    """Take every step whose time has come; each exactly once, whoever else runs this."""
    now = now or timezone.now()
    steps = []
    for election_id in due(now):
        step = _run_one(election_id, now)
        if step is not None:
            steps.append(step)
            if step.problem:
                logger.warning(
                    "The scheduled %s of election %s was not taken: %s",
                    step.action,
                    step.election_id,
                    step.problem,
                )
    return steps


def _actor(election: Election) -> Any:
    return election.scheduled_by if election.scheduled_by_id else "schedule"


def _run_one(election_id: int, now: datetime.datetime) -> Step | None:
    with transaction.atomic():
        # The claim: the row lock, then the phase and the time read again under it. A
        # runner that waited here finds the step taken (or the schedule changed) and leaves.
        election = (
            Election.objects.select_for_update(of=("self",))
            .select_related("scheduled_by")
            .filter(pk=election_id)
            .first()
        )
        if election is None:
            return None
        if election.phase == phases.DRAFT and election.opens_at and election.opens_at <= now:
            action, due_at = OPEN, election.opens_at
        elif election.phase == phases.OPEN and election.closes_at and election.closes_at <= now:
            action, due_at = CLOSE, election.closes_at
        else:
            return None
        actor = _actor(election)
        problem = ""
        if action == OPEN and election.closes_at is not None and election.closes_at <= now:
            # Opening now would close at once: a vote nobody could cast in.
            problem = _(
                "The whole period of this vote passed before it could be opened (was the "
                "background worker running?): set a new period."
            )
        elif election.scheduled_by_id is not None and not runs(election.scheduled_by, election):
            problem = _(
                "The officer who set this time no longer runs this electorate: an officer "
                "of it must set the time again or act with the button."
            )
        else:
            try:
                with transaction.atomic():  # a refused step leaves no half of itself
                    if action == OPEN:
                        unseen = services.do_open(election, acting_user=actor)
                        del unseen  # shown to nobody, stored nowhere: see the module docstring
                        Election.objects.filter(pk=election.pk).update(codes_pending=True)
                    else:
                        services.do_close(election, acting_user=actor)
            except BallotError as error:
                problem = str(error)
            except Sealed:
                # The close opens the envelopes with the vote's private key, and the opening
                # writes the roll's voter tokens and sealed member ids, both under custody:
                # the step waits (a vote past its time takes no ballot), and the worker tries
                # again until trustees unseal. Said once on the officers' page; not audited
                # at every try.
                if action == OPEN:
                    waiting = _(
                        "The vote's time to open has come but it is not open yet: the server "
                        "is sealed, and making the voter roll needs the trustees to unseal "
                        "it. It will be opened as soon as they do."
                    )
                else:
                    waiting = _(
                        "The vote's time is over but it is not counted yet: the server is "
                        "sealed, and opening the envelopes needs the trustees to unseal it. "
                        "It will be closed as soon as they do."
                    )
                if election.schedule_problem != waiting:
                    Election.objects.filter(pk=election.pk).update(schedule_problem=waiting)
                return Step(election.pk, action, due_at, waiting, waiting=True)
        fields = {"schedule_problem": problem}
        if problem:  # not tried again: the officers read why and decide
            fields["opens_at" if action == OPEN else "closes_at"] = None
        Election.objects.filter(pk=election.pk).update(**fields)
        audit.record(
            "ballots.scheduled_step",
            acting_user=actor,
            target_type="election",
            target_id=election.pk,
            detail={"action": action, "due_at": due_at, "done": not problem, "problem": problem},
        )
    return Step(election_id, action, due_at, problem)


def do_hand_out_codes(election: Election, *, acting_user: Any) -> list[codes.IssuedCode]:
    """The codes of a vote the schedule opened: new codes for every member on the roll who
    has not voted (the unseen ones revoked), returned once. Refused after the first time."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.phase != phases.OPEN or not election.codes_pending:
            raise BallotError(
                _(
                    "The codes of this vote were handed out already. "
                    "Issue a new code to a member who lost theirs."
                )
            )
        waiting = VoterRoll.objects.filter(election=election, has_voted=False)
        member_ids = [int(m) for m in waiting.values_list("member", flat=True)]  # Sealed first
        voters = Member.objects.filter(pk__in=member_ids).order_by("pk")
        issued = codes.do_issue_codes(election.purpose, voters, acting_user=acting_user)
        Election.objects.filter(pk=election.pk).update(codes_pending=False)
        audit.record(
            "ballots.hand_out_codes",
            acting_user=acting_user,
            target_type="election",
            target_id=election.pk,
            detail={"codes": len(issued)},
        )
    return issued
