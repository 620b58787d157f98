"""Which votes and consultations a member took part in, for their own data page
(kenes.web.views.my_data): never how they voted.

Here in the web layer because it joins two apps that may not import each other (ballots and
agenda) with the participation app below them. What it reads:

- votes (elections, motions): the voter roll, which says who may vote and who has voted and,
  deliberately, nothing about any ballot (docs/ballots-threat-model.md);
- consultations: the personal codes the member was given. Whether they gave opinions is not
  known by member (a consultation's participants are keyed by code, not by member), so the
  page says only that a code was issued.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from kenes.agenda.models import Consultation
from kenes.ballots.models import Election, VoterRoll
from kenes.participation.my_data import CodeUse
from kenes.participation.voters import tokens_of_member


@dataclass(frozen=True)
class VoteTakenPart:
    kind: str  # "election", "motion" or "consultation"
    title: str
    phase: str
    voted: bool | None  # None: not known by member (consultations)
    issued_on: datetime.date | None


def votes_of(member_id: int, codes: Sequence[CodeUse]) -> list[VoteTakenPart]:
    """The member's votes (on the roll: voted or not) and consultations (a code issued)."""
    issued = {use.purpose: use.issued_on for use in codes}
    rows: list[VoteTakenPart] = []
    purposes = [Election(pk=pk).purpose for pk in Election.objects.values_list("pk", flat=True)]
    roll = (
        VoterRoll.objects.filter(voter__in=list(tokens_of_member(purposes, member_id)))
        .order_by("-election__created_at", "-election_id")
        .values_list(
            "election_id", "election__title", "election__kind", "election__phase", "has_voted"
        )
    )
    for election_id, title, kind, phase, voted in roll:
        purpose = Election(pk=election_id).purpose
        rows.append(VoteTakenPart(kind, title, phase, voted, issued.get(purpose)))
    consultation_ids = [
        int(use.purpose.split(":", 1)[1])
        for use in codes
        if use.purpose.startswith("consultation:") and use.purpose.split(":", 1)[1].isdigit()
    ]
    for consultation in Consultation.objects.filter(pk__in=consultation_ids).order_by(
        "-created_at", "-pk"
    ):
        rows.append(
            VoteTakenPart(
                "consultation",
                consultation.title,
                consultation.phase,
                None,
                issued.get(consultation.purpose),
            )
        )
    return rows
