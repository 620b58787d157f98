"""Paper ballots in the hall, counted twice (OpenSlides #6591: delegates without devices).

A hall vote marked `paper` is closed without publishing. Two tellers — two different
accounts — each enter the count of the paper ballots: for a motion the numbers for,
against and abstaining; for an election the ballots as a BLT file, as the ballots app reads
paper ballots. Each teller's latest entry counts. When two tellers agree, and the paper
ballots with the online ones do not exceed the delegates present at the close, the paper
ballots go into the box and the result is published; until then it is blocked, and a
disagreement or an overflow is recorded (audited) with the sentence the chair reads.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.ballots import box
from kenes.ballots.models import Ballot, Election
from kenes.ballots.services import BallotError, options, turnout
from kenes.congress import amendments
from kenes.congress.models import Amendment, HallVote, PaperCount
from kenes.congress.services import CongressError
from kenes.core.tally import build_profile, write_blt


def _canonical(vote: HallVote, *, counts: dict[str, int] | None, blt: str | None) -> list[Any]:
    election = vote.election
    names = list(options(election))
    if election.is_motion:
        if counts is None or set(counts) != {"yes", "no", "abstain"}:
            raise CongressError(_("Enter the numbers for, against and abstaining."))
        if any(int(v) < 0 for v in counts.values()):
            raise CongressError(_("A number of ballots is 0 or more."))
        rows = [(int(counts[k]), [[names[i]]]) for i, k in enumerate(("yes", "no", "abstain"))]
    else:
        try:
            read = box.read_paper_ballots(election, blt or "")
        except BallotError as exc:
            raise CongressError(str(exc)) from exc
        rows = [(n, [[names[c] for c in group] for group in ranking]) for n, ranking in read]
    merged: Counter[str] = Counter()
    shapes: dict[str, list[list[str]]] = {}
    for n, ranking in rows:
        key = repr(ranking)
        merged[key] += n
        shapes[key] = ranking
    return sorted([[n, shapes[k]] for k, n in merged.items() if n], key=repr)


def do_enter_count(
    vote: HallVote,
    *,
    counts: dict[str, int] | None = None,
    blt: str | None = None,
    acting_user: Any,
) -> str:
    """One teller's count; returns the vote's paper state after it."""
    if not getattr(acting_user, "pk", None):
        raise CongressError(_("A teller enters the count with their own account."))
    vote = HallVote.objects.select_related("election").get(pk=vote.pk)
    if not vote.paper or vote.paper_state not in ("counting", "mismatch"):
        raise CongressError(_("This vote is not waiting for a paper count."))
    ballots = _canonical(vote, counts=counts, blt=blt)
    with transaction.atomic():
        HallVote.objects.select_for_update().filter(pk=vote.pk).first()
        PaperCount.objects.update_or_create(
            vote=vote,
            teller=acting_user,
            defaults={
                "ballots": ballots,
                "total": sum(n for n, _ranking in ballots),
                "entered_at": timezone.now(),
            },
        )
        audit.record(
            "congress.paper_count",
            acting_user=acting_user,
            target_type="congress",
            target_id=vote.congress_id,
            detail={"election": vote.election_id, "ballots": sum(n for n, _r in ballots)},
        )
    return _reconcile(vote, acting_user=acting_user)


def _reconcile(vote: HallVote, *, acting_user: Any) -> str:
    with transaction.atomic():
        vote = HallVote.objects.select_for_update().select_related("election").get(pk=vote.pk)
        entries = list(PaperCount.objects.filter(vote=vote).order_by("entered_at", "pk"))
        if len(entries) < 2:
            return vote.paper_state
        problem = ""
        if any(e.ballots != entries[0].ballots for e in entries[1:]):
            problem = _(
                "The tellers' counts differ (%(totals)s ballots): count the paper ballots "
                "again; each teller enters their count anew."
            ) % {"totals": " / ".join(str(e.total) for e in entries)}
        else:
            online = turnout(vote.election)
            present = vote.present_at_close or 0
            if online + entries[0].total > present:
                problem = _(
                    "%(paper)s paper and %(online)s online ballots are more than the "
                    "%(present)s delegates present at the close: the result is blocked. "
                    "Count again."
                ) % {"paper": entries[0].total, "online": online, "present": present}
        if problem:
            HallVote.objects.filter(pk=vote.pk).update(
                paper_state="mismatch", paper_problem=problem
            )
            audit.record(
                "congress.paper_mismatch",
                acting_user=acting_user,
                target_type="congress",
                target_id=vote.congress_id,
                detail={"election": vote.election_id, "totals": [e.total for e in entries]},
            )
            return "mismatch"
        _enter(vote, entries[0].ballots, acting_user=acting_user)
        HallVote.objects.filter(pk=vote.pk).update(paper_state="entered", paper_problem="")
    published = box.do_publish(Election.objects.get(pk=vote.election_id), acting_user=acting_user)
    if vote.amendment_id is not None:
        carried = bool((published.result or {}).get("carried"))
        amendments.do_decide(
            Amendment.objects.get(pk=vote.amendment_id), carried, acting_user=acting_user
        )
    return "entered"


def _enter(vote: HallVote, ballots: list[Any], *, acting_user: Any) -> None:
    names = list(options(vote.election))
    profile = build_profile(
        names,
        [(n, [[names.index(c) for c in group] for group in ranking]) for n, ranking in ballots],
        title=vote.election.title,
        seats=vote.election.seats,
    )
    try:
        box.do_enter_paper_ballots(vote.election, write_blt(profile), acting_user=acting_user)
    except BallotError as exc:
        raise CongressError(str(exc)) from exc


def paper_total(vote: HallVote) -> int:
    return Ballot.objects.filter(election_id=vote.election_id, paper=True).count()
