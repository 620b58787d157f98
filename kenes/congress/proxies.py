"""Proxies, where the kind of congress allows them (never at a founding congress: the law
asks founders to attend in person). OpenSlides #6825 asks for many at once; Kenes keeps
them simple and strict:

- a delegate who is not in the hall gives their vote to an eligible delegate who is; a
  holder carries at most the kind's `proxies_per_holder` mandates; no chains (a holder
  cannot give, a giver cannot hold);
- giving replaces the giver's voting code with a mandate code (the same voter, a new
  code), handed to the holder once: the holder casts one ballot per mandate, each with its
  own receipt, and a secret ballot stays secret;
- the giver's vote is on a hall vote's roll while the holder is in the hall;
- revoking (the giver arrives, or changes their mind) kills the mandate code and gives the
  giver a new voting code; a giver with a live proxy is not let in at the door until it is
  revoked, so one vote is never cast twice.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.congress.models import Congress, Delegate, Proxy, Status
from kenes.congress.services import CongressError
from kenes.participation import services as codes


def _purpose(congress_id: int) -> str:
    return f"congress:{congress_id}"


def live(congress: Congress) -> Any:
    return Proxy.objects.filter(congress=congress, revoked_at__isnull=True)


def do_give(giver: Delegate, holder: Delegate, *, acting_user: Any) -> tuple[Proxy, str]:
    """Record the proxy; returns it and the mandate code for the holder (shown once)."""
    with transaction.atomic():
        congress = Congress.objects.select_for_update().get(pk=giver.congress_id)
        rules = congress.rules
        if not rules.get("proxies"):
            raise CongressError(
                _("This kind of congress allows no proxies: delegates vote in person.")
            )
        if congress.status == Status.CLOSED:
            raise CongressError(_("The congress is closed: its votes are over."))
        giver = Delegate.objects.select_for_update().get(pk=giver.pk)
        holder = Delegate.objects.select_for_update().get(pk=holder.pk)
        if holder.congress_id != congress.pk or giver.pk == holder.pk:
            raise CongressError(_("A proxy goes to another delegate of the same congress."))
        if not giver.eligible or not holder.eligible:
            raise CongressError(_("Only eligible delegates give or hold proxies."))
        if giver.present:
            raise CongressError(_("The delegate is in the hall: they vote in person."))
        proxies = live(congress)
        if proxies.filter(giver=giver).exists():
            raise CongressError(_("This delegate has given a proxy already: revoke it first."))
        if proxies.filter(holder=giver).exists() or proxies.filter(giver=holder).exists():
            raise CongressError(_("A proxy cannot be passed on: no chains of proxies."))
        cap = int(rules.get("proxies_per_holder", 0))
        if proxies.filter(holder=holder).count() >= cap:
            raise CongressError(
                _("The holder carries %(n)s mandates already, the most this congress allows.")
                % {"n": cap}
            )
        proxy = Proxy.objects.create(
            congress=congress, giver=giver, holder=holder, given_at=timezone.now()
        )
        # The giver's code is replaced: the new one, for the giver's vote, goes to the holder.
        (mandate,) = codes.do_issue_codes(
            _purpose(congress.pk), [giver.member], acting_user=acting_user
        )
        audit.record(
            "congress.proxy_give",
            acting_user=acting_user,
            target_type="congress",
            target_id=congress.pk,
            detail={"giver": giver.pk, "holder": holder.pk},
        )
    return proxy, mandate.code


def do_revoke(proxy: Proxy, *, acting_user: Any) -> str:
    """End the proxy; returns the giver's new voting code (shown once)."""
    with transaction.atomic():
        locked = Proxy.objects.select_for_update().get(pk=proxy.pk)
        if locked.revoked_at is not None:
            raise CongressError(_("This proxy was revoked already."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        (own,) = codes.do_issue_codes(
            _purpose(locked.congress_id), [locked.giver.member], acting_user=acting_user
        )
        audit.record(
            "congress.proxy_revoke",
            acting_user=acting_user,
            target_type="congress",
            target_id=locked.congress_id,
            detail={"giver": locked.giver_id, "holder": locked.holder_id},
        )
    return own.code


def carried_member_ids(congress: Congress) -> list[int]:
    """Members whose vote a holder in the hall carries (for a hall vote's roll)."""
    return list(
        live(congress)
        .filter(holder__present=True, giver__present=False)
        .values_list("giver__member_id", flat=True)
    )
