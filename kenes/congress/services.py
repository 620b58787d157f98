"""Creating a congress, seating its delegates, the door and the quorum. Every change is
audited in its own transaction; views and commands call only these.

A delegate's badge carries a short code (two groups of four, Crockford's alphabet) and the
same code as a QR code. It opens nothing but the door: a teller types or scans it to check
the delegate in or out. It is stored only as a keyed hash under the service key, so the
door works while the server is sealed.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import receipts
from kenes.audit import services as audit
from kenes.congress import kinds
from kenes.congress.eligibility import PROBLEMS, problems_of
from kenes.congress.models import Attendance, Congress, CongressKind, Delegate, Proxy, Status
from kenes.core.congress.quorum import QuorumState, evaluate
from kenes.participation import services as codes
from kenes.participation.codes import ALPHABET
from kenes.registry.models import Member
from kenes.security.sealing import service_index

BADGE_LENGTH = 8
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


class CongressError(Exception):
    """A refused step, as one sentence for the officer."""


def new_badge_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(BADGE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_badge(text: str) -> str | None:
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\u00a0\t").translate(_READ_AS)
    if len(cleaned) != BADGE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def _badge_index(congress_id: int, normalised: str) -> str:
    return service_index(f"congress-badge:{congress_id}:{normalised}")


def delegate_by_badge(congress: Congress, badge: str) -> Delegate | None:
    """The delegate of this congress whose badge code `badge` is (however typed), or None.
    By the keyed hash alone: works while sealed."""
    normalised = normalise_badge(badge)
    if normalised is None:
        return None
    return Delegate.objects.filter(
        congress=congress, badge_index=_badge_index(congress.pk, normalised)
    ).first()


# The congress --------------------------------------------------------------------------


def do_create_congress(
    *,
    slug: str,
    title: str,
    kind: str,
    standing_on: datetime.date,
    starts_at: datetime.datetime | None = None,
    place: str = "",
    acting_user: Any,
) -> Congress:
    kinds.ensure_kinds()
    found = CongressKind.objects.filter(key=kind).first()
    if found is None:
        known = ", ".join(CongressKind.objects.values_list("key", flat=True))
        raise CongressError(
            _("There is no kind of congress “%(kind)s”: use one of %(known)s.")
            % {"kind": kind, "known": known}
        )
    try:
        with transaction.atomic():
            congress = Congress.objects.create(
                slug=slug,
                title=title,
                kind=found,
                standing_on=standing_on,
                starts_at=starts_at,
                place=place,
                rules=kinds.rules_of(found),
            )
            audit.record(
                "congress.create",
                acting_user=acting_user,
                target_type="congress",
                target_id=congress.pk,
                detail={"slug": slug, "kind": kind, "standing_on": standing_on},
            )
    except IntegrityError:
        raise CongressError(
            _("A congress with the short name “%(slug)s” exists already.") % {"slug": slug}
        ) from None
    return congress


def _move(congress: Congress, to: str, *, acting_user: Any) -> Congress:
    allowed = {Status.PLANNED: Status.OPEN, Status.OPEN: Status.CLOSED}
    with transaction.atomic():
        locked = Congress.objects.select_for_update().get(pk=congress.pk)
        if allowed.get(Status(locked.status)) != to:
            raise CongressError(
                _("The congress is %(status)s: it cannot become %(to)s.")
                % {"status": Status(locked.status).label, "to": Status(to).label}
            )
        locked.status = to
        now = timezone.now()
        if to == Status.OPEN:
            locked.opened_at = now
        else:
            locked.closed_at = now
        locked.save(update_fields=["status", "opened_at", "closed_at"])
        state = quorum(locked)
        audit.record(
            "congress.open" if to == Status.OPEN else "congress.close",
            acting_user=acting_user,
            target_type="congress",
            target_id=locked.pk,
            detail={"present": state.present, "entitled": state.entitled, "quorate": state.met},
        )
    return locked


def do_open(congress: Congress, *, acting_user: Any) -> Congress:
    return _move(congress, Status.OPEN, acting_user=acting_user)


def do_close(congress: Congress, *, acting_user: Any) -> Congress:
    """Close the congress (refused while one of its votes is open); its voting codes are
    revoked, and the audit chain's head is signed at once for its minutes (an audit
    receipt), unless the server is sealed (the worker's next receipt covers it)."""
    if congress.votes.filter(election__phase="open").exists():
        raise CongressError(_("A vote of the congress is still open: close it first."))
    with transaction.atomic():
        closed = _move(congress, Status.CLOSED, acting_user=acting_user)
        codes.do_revoke_codes(f"congress:{closed.pk}", acting_user=acting_user)
    receipts.sign_for_event(acting_user=acting_user, occasion=f"congress:{closed.slug}")
    return closed


# Delegates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seated:
    delegate: Delegate
    badge_code: str  # shown once (badges), stored nowhere


def do_add_delegates(
    congress: Congress, members: Iterable[Member], *, acting_user: Any
) -> list[Seated]:
    """Seat members as delegates, each checked for eligibility now (flagged, not refused:
    the organisers see why and replace them). A member already seated is left as is."""
    if Congress.objects.values_list("status", flat=True).get(pk=congress.pk) == Status.CLOSED:
        raise CongressError(_("The congress is closed: its delegates can no longer change."))
    people = list(members)
    today = timezone.localdate()
    problems = problems_of(
        [m.pk for m in people], on=congress.standing_on, min_age=congress.rules["min_age"]
    )
    seated_already = set(
        Delegate.objects.filter(congress=congress).values_list("member_id", flat=True)
    )
    made: list[Seated] = []
    with transaction.atomic():
        for member in people:
            if member.pk in seated_already:
                continue
            code = new_badge_code()
            delegate = Delegate.objects.create(
                congress=congress,
                member=member,
                region_code=member.region_code,
                badge_index=_badge_index(congress.pk, normalise_badge(code) or ""),
                problems=problems[member.pk],
                checked_on=today,
            )
            seated_already.add(member.pk)
            made.append(Seated(delegate, code))
        audit.record(
            "congress.delegates_add",
            acting_user=acting_user,
            target_type="congress",
            target_id=congress.pk,
            detail={
                "added": len(made),
                "flagged": sum(1 for s in made if s.delegate.problems),
            },
        )
    return made


def do_check_eligibility(congress: Congress, *, acting_user: Any) -> dict[str, int]:
    """Check every delegate again (their record may have changed): problems per code."""
    delegates = list(Delegate.objects.filter(congress=congress))
    problems = problems_of(
        [d.member_id for d in delegates],
        on=congress.standing_on,
        min_age=congress.rules["min_age"],
    )
    today = timezone.localdate()
    counts: dict[str, int] = {}
    with transaction.atomic():
        for delegate in delegates:
            delegate.problems, delegate.checked_on = problems[delegate.member_id], today
            for code in delegate.problems:
                counts[code] = counts.get(code, 0) + 1
        Delegate.objects.bulk_update(delegates, ["problems", "checked_on"], batch_size=1000)
        audit.record(
            "congress.eligibility_check",
            acting_user=acting_user,
            target_type="congress",
            target_id=congress.pk,
            detail={"delegates": len(delegates), "problems": counts},
        )
    return counts


def do_new_badge(delegate: Delegate, *, acting_user: Any) -> str:
    """A new badge code for a lost badge; the old one no longer opens the door."""
    code = new_badge_code()
    with transaction.atomic():
        Delegate.objects.filter(pk=delegate.pk).update(
            badge_index=_badge_index(delegate.congress_id, normalise_badge(code) or "")
        )
        audit.record(
            "congress.badge_replace",
            acting_user=acting_user,
            target_type="congress",
            target_id=delegate.congress_id,
            detail={"delegate": delegate.pk},
        )
    return code


# The door ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoorResult:
    delegate: Delegate
    changed: bool  # False: the delegate was already in (or out): nothing recorded


def do_check_in(
    congress: Congress, badge: str, *, arriving: bool = True, acting_user: Any
) -> DoorResult:
    """Check a delegate in (or out) by their badge code. Checking in someone already in the
    hall records nothing (a second scan, a form sent twice). Works while sealed."""
    normalised = normalise_badge(badge)
    refused = CongressError(_("This badge code is not one of this congress's delegates."))
    if normalised is None:
        raise refused
    with transaction.atomic():
        locked = Congress.objects.select_for_update().get(pk=congress.pk)
        if locked.status == Status.CLOSED:
            raise CongressError(_("The congress is closed: the door is no longer kept."))
        delegate = (
            Delegate.objects.select_for_update()
            .filter(congress=locked, badge_index=_badge_index(locked.pk, normalised))
            .first()
        )
        if delegate is None:
            raise refused
        if delegate.present == arriving:
            return DoorResult(delegate, changed=False)
        if arriving and delegate_gave_proxy(delegate):
            raise CongressError(
                _(
                    "This delegate has given their vote by proxy: revoke the proxy first "
                    "(they get a new voting code), then let them in."
                )
            )
        if arriving and not delegate.eligible:
            raise CongressError(
                _(
                    "This delegate may not sit: %(problems)s. The organisers must resolve it "
                    "(or seat another delegate) first."
                )
                % {"problems": problem_text(delegate.problems)}
            )
        delegate.present = arriving
        delegate.save(update_fields=["present"])
        user = acting_user if getattr(acting_user, "pk", None) else None
        Attendance.objects.create(
            congress=locked, delegate=delegate, arrived=arriving, at=timezone.now(), by=user
        )
        audit.record(
            "congress.check_in" if arriving else "congress.check_out",
            acting_user=acting_user,
            target_type="congress",
            target_id=locked.pk,
            detail={"delegate": delegate.pk},
        )
    return DoorResult(delegate, changed=True)


def delegate_gave_proxy(delegate: Delegate) -> bool:
    return Proxy.objects.filter(giver=delegate, revoked_at__isnull=True).exists()


def problem_text(codes: Iterable[str]) -> str:
    return "; ".join(str(PROBLEMS.get(code, code)) for code in codes)


# The quorum ----------------------------------------------------------------------------


def quorum(congress: Congress) -> QuorumState:
    """The quorum now: eligible delegates are entitled; those in the hall are present."""
    rows = list(
        Delegate.objects.filter(congress=congress).values_list(
            "region_code", "present", "problems", "checked_on"
        )
    )
    entitled = [r for r, _p, problems, checked in rows if checked is not None and not problems]
    present = [
        r for r, here, problems, checked in rows if here and checked is not None and not problems
    ]
    return evaluate(kinds.quorum_rule(congress), entitled_regions=entitled, present_regions=present)


def as_json(congress: Congress) -> dict[str, Any]:
    """`kenes congress show --json` (docs/congress.md): a stable shape."""
    from kenes.congress.hall import vote_row  # the hall builds on this module

    state = quorum(congress)
    return {
        "slug": congress.slug,
        "title": congress.title,
        "kind": congress.kind.key,
        "status": congress.status,
        "delegates": {
            "entitled": state.entitled,
            "checked_in": state.present,
            "flagged": Delegate.objects.filter(congress=congress).exclude(problems=[]).count(),
        },
        "quorum": {
            "met": state.met,
            "needed": state.needed,
            "regions_present": state.regions_present,
            "regions_needed": state.regions_needed,
        },
        "votes": [vote_row(v) for v in congress.votes.select_related("election")],
    }


# Badges per region ---------------------------------------------------------------------


def do_new_badges_for_region(
    congress: Congress, region_code: str, *, acting_user: Any
) -> list[Seated]:
    """New badge codes for every delegate of `region_code` who is not in the hall, to print
    their badges: the codes they had stop opening the door. Those in the hall keep theirs
    (a new code would let nobody out). The codes are returned once and stored nowhere."""
    with transaction.atomic():
        locked = Congress.objects.select_for_update().get(pk=congress.pk)
        if locked.status == Status.CLOSED:
            raise CongressError(_("The congress is closed: no more badges are printed for it."))
        delegates = list(
            Delegate.objects.select_for_update()
            .filter(congress=locked, region_code=region_code, present=False)
            .order_by("pk")
        )
        made = []
        for delegate in delegates:
            code = new_badge_code()
            delegate.badge_index = _badge_index(locked.pk, normalise_badge(code) or "")
            made.append(Seated(delegate, code))
        Delegate.objects.bulk_update(delegates, ["badge_index"], batch_size=1000)
        audit.record(
            "congress.badges_region",
            acting_user=acting_user,
            target_type="congress",
            target_id=locked.pk,
            detail={"region": region_code, "badges": len(made)},
        )
    return made
