"""The hall's live state: what the delegates' phones and the projector show, as a plain dict.

`hall_state(congress)` answers with the status of the congress, the current agenda item,
who speaks and since when (`clock` counts their seconds left), the next three speakers,
the quorum, the vote under way (its title, kind, whether secret: nothing about how anyone
voted) or the last result (counts and outcome). Speakers' names are the only personal data:
they are public in the hall. A named vote's answers are never in it, only its counts once
published.

Caching: a thousand phones poll every two seconds, so the state is computed at most once
per `MAX_AGE` second per process and congress (`LiveState`: the dict, its JSON body and its
ETag), then served from memory. One thread recomputes while the others wait for it; a
second process computes its own copy (nothing is shared between processes, nothing needs
to be: the database is the truth). A change is therefore seen within `MAX_AGE` second by
every process, without the services having to bump anything. The state holds when the
speaker began, not their seconds left, so it (and its ETag) stays the same while nothing
happens: a phone that polls gets 304. The state uses codes ("open",
"carried", "pro"), never translated words: one copy serves every language.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kenes.ballots import phases as ballot_phases
from kenes.ballots.models import Ballot
from kenes.congress import hall, services, speakers
from kenes.congress.models import AgendaItem, Congress, HallVote, Speaker, Status
from kenes.security.keys import Sealed

MAX_AGE = 1.0  # seconds a computed state is served before it is computed again
NEXT_SPEAKERS = 3
FORMAT = "kenes-hall-state/1"


@dataclass(frozen=True)
class LiveState:
    state: dict[str, Any]
    body: bytes  # the JSON served at /hall/<slug>/state.json
    etag: str  # a quoted strong ETag of the body
    computed_at: float  # time.monotonic()


_cache: dict[str, LiveState] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop every cached state (tests; a process that wants the next read fresh)."""
    with _lock:
        _cache.clear()


def live_state(slug: str, *, max_age: float = MAX_AGE) -> LiveState | None:
    """The congress's state, computed at most once per `max_age` seconds in this process;
    None when no congress has this slug (not cached: an unknown slug holds no memory)."""
    found = _cache.get(slug)
    if found is not None and time.monotonic() - found.computed_at < max_age:
        return found
    with _lock:
        found = _cache.get(slug)  # another thread may have computed it meanwhile
        if found is not None and time.monotonic() - found.computed_at < max_age:
            return found
        congress = Congress.objects.filter(slug=slug).first()
        if congress is None:
            _cache.pop(slug, None)
            return None
        state = compute(congress)
        body = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        found = LiveState(state, body, etag, time.monotonic())
        _cache[slug] = found
        return found


def hall_state(congress: Congress, *, max_age: float = MAX_AGE) -> dict[str, Any]:
    """The hall's state as a dict (cached: see the module's docstring)."""
    found = live_state(congress.slug, max_age=max_age)
    return found.state if found is not None else compute(congress)


def compute(congress: Congress) -> dict[str, Any]:
    """The state now, from the database (uncached)."""
    item = AgendaItem.objects.filter(congress=congress, current=True).first()
    quorum = services.quorum(congress)
    return {
        "format": FORMAT,
        "congress": {"slug": congress.slug, "title": congress.title, "status": congress.status},
        "item": {"position": item.position, "title": item.title} if item else None,
        "speaker": _speaker(item) if item and congress.status == Status.OPEN else None,
        "next_speakers": (
            [_speaker_row(s) for s in speakers.queue(item)[:NEXT_SPEAKERS]]
            if item and congress.status == Status.OPEN
            else []
        ),
        "quorum": {
            "entitled": quorum.entitled,
            "present": quorum.present,
            "needed": quorum.needed,
            "regions_present": quorum.regions_present,
            "regions_needed": quorum.regions_needed,
            "met": quorum.met,
        },
        "vote": _vote_under_way(congress),
        "last_result": _last_result(congress),
    }


def _name(speaker: Speaker) -> str | None:
    """The speaker's name, or None while the server is sealed (names are sealed)."""
    try:
        return str(speaker.delegate.member.full_name)
    except Sealed:
        return None


def _speaker_row(speaker: Speaker) -> dict[str, Any]:
    return {"name": _name(speaker), "kind": speaker.kind}


def _speaker(item: AgendaItem) -> dict[str, Any] | None:
    """Who speaks, with what their clock started from: the seconds left are counted from
    `started_at` when shown (`clock`), so the state stays the same while they speak."""
    timer = speakers.timer(item)
    if timer.speaker is None or timer.speaker.started_at is None:
        return None
    had = None if timer.delegation_left is None else timer.delegation_left + timer.elapsed
    return {
        **_speaker_row(timer.speaker),
        "started_at": timer.speaker.started_at.isoformat(),
        "allowed": timer.allowed,  # seconds; None: no limit
        "delegation_had": had,  # seconds the delegation had left when they began; None: no limit
    }


@dataclass(frozen=True)
class Clock:
    elapsed: int
    left: int | None  # negative: over time; None: no limit
    delegation_left: int | None

    @property
    def over_time(self) -> bool:
        return self.left is not None and self.left < 0


def clock(speaker: dict[str, Any], *, now: datetime.datetime | None = None) -> Clock:
    """The speaker's timer at `now` (the server's clock), from the state's speaker."""
    now = now or timezone.now()
    started = datetime.datetime.fromisoformat(speaker["started_at"])
    elapsed = max(0, int((now - started).total_seconds()))
    allowed, had = speaker["allowed"], speaker["delegation_had"]
    return Clock(
        elapsed,
        None if allowed is None else allowed - elapsed,
        None if had is None else had - elapsed,
    )


def _vote_under_way(congress: Congress) -> dict[str, Any] | None:
    """The open vote (or one closed and waiting for the tellers' paper count)."""
    open_vote = (
        HallVote.objects.filter(congress=congress)
        .filter(election__phase__in=[ballot_phases.OPEN, ballot_phases.CLOSED])
        .select_related("election", "item")
        .order_by("-pk")
        .first()
    )
    named = (
        hall.open_votes(congress).filter(secret=False).select_related("election", "item").first()
    )
    vote = named or open_vote
    if vote is None:
        return None
    election = vote.election
    if not vote.secret:
        state = "calling"  # a named vote: the secretary calls the roll
    elif election.phase == ballot_phases.OPEN:
        state = "open"
    else:
        state = "counting"  # closed: its count (paper ballots) is not published yet
    return {
        "title": election.title,
        "kind": election.kind,
        "secret": vote.secret,
        "paper": vote.paper,
        "state": state,
        "majority": election.majority if election.is_motion else None,
        "base": election.base if election.is_motion else None,
        "item": vote.item.position if vote.item is not None else None,
    }


def _last_result(congress: Congress) -> dict[str, Any] | None:
    """The most recently published vote of the congress: counts and outcome only."""
    vote = (
        HallVote.objects.filter(congress=congress, election__phase=ballot_phases.PUBLISHED)
        .select_related("election")
        .order_by("-pk")
        .first()
    )
    if vote is None:
        return None
    election = vote.election
    result = election.result or {}
    row: dict[str, Any] = {
        "title": election.title,
        "kind": election.kind,
        "secret": vote.secret,
        "entitled": vote.entitled,
        "present": vote.present_at_close,
        "cast": Ballot.objects.filter(election=election).count(),
    }
    if election.is_motion:
        counts = result.get("votes", {})
        row.update(
            {
                "outcome": "carried" if result.get("carried") else "not_carried",
                "for": counts.get("yes", 0),
                "against": counts.get("no", 0),
                "abstained": counts.get("abstain", 0),
                "majority": election.majority,
                "base": election.base,
            }
        )
    else:
        row.update(outcome="elected", winners=list(result.get("winners", [])))
    return row
