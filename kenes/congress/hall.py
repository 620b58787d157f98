"""Votes in the hall: ballots elections whose voters are the congress's delegates.

Each eligible delegate gets ONE voting code for the whole congress (purpose
"congress:<id>", kenes.participation), handed out on a slip apart from the badge: a badge is
seen by everyone in the hall, a voting code must not be. Every hall vote shares that
purpose (`Election.code_purpose`), so the same code opens whichever vote is open — one
at a time per congress. Its roll is the eligible delegates in the hall when it opens;
entitled (every eligible delegate), present at the opening and at the close are kept on
the vote for the protocol. Closing counts and publishes at once (kenes.ballots.box), which
chains the box and signs an audit receipt. The congress's close revokes the codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.ballots import box
from kenes.ballots import phases as ballot_phases
from kenes.ballots import services as ballots
from kenes.ballots.models import Ballot, Election, Kind
from kenes.congress import amendments, proxies
from kenes.congress.models import (
    AgendaItem,
    Amendment,
    Congress,
    Delegate,
    HallVote,
    NamedChoice,
    Status,
)
from kenes.congress.services import CongressError, quorum
from kenes.core.tally import build_profile, write_blt
from kenes.participation import services as codes
from kenes.registry.models import Member


def purpose(congress: Congress) -> str:
    return f"congress:{congress.pk}"


def _status(congress: Congress) -> str:
    """As stored now (the object in hand may predate an opening or a close)."""
    return str(Congress.objects.values_list("status", flat=True).get(pk=congress.pk))


def _eligible(congress: Congress) -> Any:
    return Delegate.objects.filter(congress=congress, checked_on__isnull=False, problems=[])


def do_issue_voting_codes(
    congress: Congress, *, delegates: Iterable[Delegate] | None = None, acting_user: Any
) -> list[codes.IssuedCode]:
    """Voting codes for the eligible delegates (or some of them: a lost slip), returned
    once. A delegate's new code replaces their old one."""
    if _status(congress) == Status.CLOSED:
        raise CongressError(_("The congress is closed: its votes are over."))
    chosen = _eligible(congress)
    if delegates is not None:
        chosen = chosen.filter(pk__in=[d.pk for d in delegates])
    members = Member.objects.filter(pk__in=chosen.values("member_id")).order_by("pk")
    return codes.do_issue_codes(purpose(congress), members, acting_user=acting_user)


def do_create_vote(
    congress: Congress,
    *,
    title: str,
    kind: str = Kind.MOTION,
    item: AgendaItem | None = None,
    description: str = "",
    method: str = "schulze",
    seats: int = 1,
    majority: str = "simple",
    base: str = "yes_no",
    amendment: Amendment | None = None,
    paper: bool = False,
    secret: bool = True,
    acting_user: Any,
) -> HallVote:
    """A vote of the congress (a draft until opened). On an amendment it is a motion whose
    outcome decides the amendment when the vote closes."""
    if amendment is not None and (kind != Kind.MOTION or amendment.text.congress_id != congress.pk):
        raise CongressError(_("A vote on an amendment is a motion of the same congress."))
    if not secret and (kind != Kind.MOTION or paper):
        raise CongressError(_("A named vote is a motion, answered aloud: no paper ballots."))
    if _status(congress) == Status.CLOSED:
        raise CongressError(_("The congress is closed: its votes are over."))
    with transaction.atomic():
        election = ballots.do_create_election(
            title,
            description=description,
            kind=kind,
            method=method,
            seats=seats,
            cutoff_on=congress.standing_on,
            majority=majority,
            base=base,
            acting_user=acting_user,
        )
        Election.objects.filter(pk=election.pk).update(code_purpose=purpose(congress))
        vote = HallVote.objects.create(
            congress=congress,
            item=item,
            election=election,
            amendment=amendment,
            paper=paper,
            secret=secret,
        )
        audit.record(
            "congress.vote_create",
            acting_user=acting_user,
            target_type="congress",
            target_id=congress.pk,
            detail={"election": election.pk, "title": title, "kind": kind},
        )
    return vote


def do_open_vote(vote: HallVote, *, acting_user: Any) -> HallVote:
    """Open the vote to the eligible delegates in the hall now; refused while another vote
    of the congress is open, or before the congress is opened."""
    with transaction.atomic():
        congress = Congress.objects.select_for_update().get(pk=vote.congress_id)
        if congress.status != Status.OPEN:
            raise CongressError(_("Open the congress before its votes."))
        if open_votes(congress).exclude(pk=vote.pk).exists():
            raise CongressError(_("Another vote of the congress is open: close it first."))
        eligible = _eligible(congress)
        here = list(eligible.filter(present=True).values_list("member_id", flat=True))
        carried = proxies.carried_member_ids(congress)  # votes given to a holder in the hall
        if not here:
            raise CongressError(_("No eligible delegate is in the hall."))
        state = quorum(congress)
        if not state.met:  # a decision without a quorum would not bind the party
            raise CongressError(
                _(
                    "The hall is not quorate (%(present)s present, %(needed)s needed; regions "
                    "%(regions)s of %(regions_needed)s): the vote cannot open."
                )
                % {
                    "present": state.present,
                    "needed": state.needed,
                    "regions": state.regions_present,
                    "regions_needed": state.regions_needed,
                }
            )
        if vote.secret:
            voters = list(Member.objects.filter(pk__in=[*here, *carried]).order_by("pk"))
            election = Election.objects.get(pk=vote.election_id)
            ballots.do_open(election, voters=voters, acting_user=acting_user)
        elif HallVote.objects.get(pk=vote.pk).present_at_open is not None:
            raise CongressError(_("This named vote was held already."))
        HallVote.objects.filter(pk=vote.pk).update(
            entitled=eligible.count(),
            present_at_open=len(here),
            entitled_delegates=sorted(eligible.values_list("pk", flat=True)),
        )
    vote.refresh_from_db()
    return vote


def do_close_vote(vote: HallVote, *, acting_user: Any) -> HallVote:
    """Close, count and publish the vote; the hall's numbers at this moment are kept. A vote
    with paper ballots waits for the tellers' counts instead (kenes.congress.paper)."""
    with transaction.atomic():
        election = Election.objects.get(pk=vote.election_id)
        in_hall = sorted(_eligible(vote.congress).filter(present=True).values_list("pk", flat=True))
        present = len(in_hall)
        if not vote.secret:
            _named_into_the_box(vote, election, acting_user=acting_user)
        else:
            ballots.do_close(election, acting_user=acting_user)
        HallVote.objects.filter(pk=vote.pk).update(
            present_at_close=present,
            present_delegates=in_hall,
            paper_state="counting" if vote.paper else "",
        )
    if vote.paper:
        vote.refresh_from_db()
        return vote
    published = box.do_publish(Election.objects.get(pk=vote.election_id), acting_user=acting_user)
    if vote.amendment_id is not None:
        amendment = Amendment.objects.get(pk=vote.amendment_id)
        carried = bool((published.result or {}).get("carried"))
        amendments.do_decide(amendment, carried, acting_user=acting_user)
    vote.refresh_from_db()
    return vote


def open_votes(congress: Congress) -> Any:
    """Votes under way: a secret one open in the ballots app, or a named one being called."""
    return HallVote.objects.filter(congress=congress).filter(
        Q(election__phase=ballot_phases.OPEN)
        | Q(secret=False, present_at_open__isnull=False, present_at_close__isnull=True)
    )


CHOICES = ("yes", "no", "abstain")


def do_record_named(
    vote: HallVote, delegate: Delegate, choice: str, *, acting_user: Any
) -> NamedChoice:
    """A delegate's answer in a named vote, as the secretary records it at the roll call (a
    second answer replaces the first until the close)."""
    if choice not in CHOICES:
        raise CongressError(_("Record for, against or abstain."))
    with transaction.atomic():
        locked = HallVote.objects.select_for_update().get(pk=vote.pk)
        if locked.secret or locked.present_at_open is None or locked.present_at_close is not None:
            raise CongressError(_("This named vote is not being called."))
        d = Delegate.objects.get(pk=delegate.pk)
        if d.congress_id != locked.congress_id or not d.eligible or not d.present:
            raise CongressError(_("Only an eligible delegate in the hall answers a named vote."))
        user = acting_user if getattr(acting_user, "pk", None) else None
        named, _created = NamedChoice.objects.update_or_create(
            vote=locked,
            delegate=d,
            defaults={"choice": choice, "recorded_at": timezone.now(), "recorded_by": user},
        )
        audit.record(
            "congress.named_choice",
            acting_user=acting_user,
            target_type="congress",
            target_id=locked.congress_id,
            detail={"election": locked.election_id, "delegate": d.pk, "choice": choice},
        )
    return named


def _named_into_the_box(vote: HallVote, election: Election, *, acting_user: Any) -> None:
    """At the close of a named vote: its answers become the vote's ballots (entered as the
    ballots app enters a hall's count), so it is counted and published like any other."""
    answers = list(NamedChoice.objects.filter(vote=vote).select_related("delegate"))
    if not answers:
        raise CongressError(_("Nobody has answered this named vote yet."))
    voters = list(
        Member.objects.filter(pk__in=[a.delegate.member_id for a in answers]).order_by("pk")
    )
    ballots.do_open(election, voters=voters, acting_user=acting_user)
    names = list(ballots.options(election))
    counts = {c: sum(1 for a in answers if a.choice == c) for c in CHOICES}
    profile = build_profile(
        names,
        [(counts[c], [[i]]) for i, c in enumerate(CHOICES) if counts[c]],
        title=election.title,
    )
    ballots.do_close(Election.objects.get(pk=election.pk), acting_user=acting_user)
    box.do_enter_paper_ballots(
        Election.objects.get(pk=election.pk), write_blt(profile), acting_user=acting_user
    )


def vote_row(vote: HallVote) -> dict[str, Any]:
    """One vote as `kenes congress show --json` lists it (docs/congress.md)."""
    election = vote.election
    result = election.result or {}
    cast = Ballot.objects.filter(election=election).count()
    counts = result.get("votes", {}) if election.is_motion else {}
    if election.phase != ballot_phases.PUBLISHED:
        outcome = election.phase
    elif election.is_motion:
        outcome = "carried" if result.get("carried") else "not carried"
    else:
        outcome = "elected: " + ", ".join(result.get("winners", []))
    return {
        "title": election.title,
        "entitled": vote.entitled,
        "present": vote.present_at_close
        if vote.present_at_close is not None
        else vote.present_at_open,
        "cast": cast,
        "for": counts.get("yes"),
        "against": counts.get("no"),
        "abstained": counts.get("abstain"),
        "result": outcome,
    }
