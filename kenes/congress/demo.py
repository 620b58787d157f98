"""The demo's congresses: the founding congress, held and closed, with its votes and a
signed protocol; and an ordinary congress a week ahead, its delegates seated by region in
proportion to the members in good standing (`kenes delegates --by region`), their badge
codes in var/demo-badges.txt so a newcomer can keep the door."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from kenes.congress.models import Congress
from kenes.congress.services import do_add_delegates, do_create_congress
from kenes.parliament.delegates import apportion_delegates
from kenes.registry.models import Member
from kenes.registry.readiness import good_standing

SEATS = 60
SLUG = "s-2027"
FOUNDING = "founding"
FOUNDERS, IN_THE_HALL = 760, 720
CHARTER = (
    "Партия объединяет граждан Казахстана, которые хотят честных выборов.\n\n"
    "Член партии платит взносы, размер которых устанавливает съезд.\n\n"
    "Съезд избирает председателя партии тайным голосованием."
)


def seed_demo_congress(*, admin: Any, badges_file: Path, secretary: Any = None) -> Congress | None:
    """Once: nothing happens if any congress exists. The founding congress needs a movement
    large enough for the law's initiative group (a demo made with fewer members, as some
    tests make it, has only the upcoming congress)."""
    if Congress.objects.exists() or not Member.objects.exists():
        return None
    if secretary is not None and Member.objects.count() >= FOUNDERS:
        seed_founding_congress(admin=admin, secretary=secretary)
    today = timezone.localdate()
    congress = do_create_congress(
        slug=SLUG,
        title="Очередной съезд 2027 года",
        kind="ordinary",
        standing_on=today,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        place="Алматы, Дворец студентов",
        acting_user=admin,
    )
    seats = apportion_delegates(SEATS, by="region", on=today).delegates
    chosen: list[Member] = []
    for region, n in sorted(seats.items()):
        members = Member.objects.filter(good_standing(today), region_code=region)
        chosen += list(members.exclude(consent_on__isnull=True).order_by("pk")[:n])
    seated = do_add_delegates(congress, chosen, acting_user=admin)
    lines = [f"{s.badge_code}\t{s.delegate.region_code}\n" for s in seated]
    badges_file.write_text("".join(lines), encoding="utf-8")
    return congress


def seed_founding_congress(*, admin: Any, secretary: Any) -> Congress:
    """The founding congress as it went: 760 founders from the regions (the law asks for an
    initiative group of at least 700, kenes/jurisdictions/congress-kz.toml), 720 in the hall, the
    charter amended and adopted, the chair elected (Schulze), one founder voting on paper,
    closed and its protocol signed by the chair (admin) and the secretary."""
    from kenes.ballots import casting
    from kenes.ballots import services as ballots
    from kenes.congress import amendments, hall, paper, protocol, services, speakers

    today = timezone.localdate()
    congress = do_create_congress(
        slug=FOUNDING,
        title="Учредительный съезд",
        kind="founding",
        standing_on=today,
        starts_at=timezone.now(),
        place="Алматы",
        acting_user=admin,
    )
    founders: list[Member] = []
    for region, n in sorted(apportion_delegates(FOUNDERS, by="region", on=today).delegates.items()):
        members = Member.objects.filter(good_standing(today), region_code=region)
        founders += list(members.exclude(consent_on__isnull=True).order_by("-pk")[:n])
    seated = do_add_delegates(congress, founders, acting_user=admin)
    services.do_open(congress, acting_user=admin)
    for s in seated[:IN_THE_HALL]:
        services.do_check_in(congress, s.badge_code, acting_user=admin)
    code_of = {i.member_id: i.code for i in hall.do_issue_voting_codes(congress, acting_user=admin)}
    here = [s for s in seated[:IN_THE_HALL] if s.delegate.eligible]
    text = amendments.do_add_text(congress, title="Устав", body=CHARTER, acting_user=admin)
    item = speakers.do_add_item(congress, title="Принятие устава", text=text, acting_user=admin)
    speakers.do_make_current(item, acting_user=admin)
    amendment = amendments.do_table(
        text,
        paragraph=1,
        proposed="Член партии платит взносы; безработные и студенты освобождаются от них.",
        badge=here[0].badge_code,
        acting_user="delegate",
    )
    amendments.do_recommend(amendment, "adopt", acting_user=admin)
    for s, kind in ((here[0], "pro"), (here[1], "contra")):
        speakers.do_ask_for_floor(item, s.delegate, kind, acting_user=admin)
        speakers.do_next_speaker(item, acting_user=admin)
    speakers.do_stop_speaker(item, acting_user=admin)
    on_amendment = hall.do_create_vote(
        congress, title="Поправка 1 к уставу", item=item, amendment=amendment, acting_user=admin
    )
    hall.do_open_vote(on_amendment, acting_user=admin)
    for n, s in enumerate(here):
        casting.do_cast(on_amendment.election, code_of[s.delegate.member_id], [[0 if n % 4 else 1]])
    hall.do_close_vote(on_amendment, acting_user=admin)
    amendments.do_merge_adopted(text, acting_user=admin)
    adopt = hall.do_create_vote(
        congress,
        title="Принять устав",
        item=item,
        majority="two_thirds",
        paper=True,
        acting_user=admin,
    )
    hall.do_open_vote(adopt, acting_user=admin)
    online = here[:-1]  # the last founder has no phone: a paper ballot
    for n, s in enumerate(online):
        casting.do_cast(adopt.election, code_of[s.delegate.member_id], [[0 if n % 6 else 2]])
    hall.do_close_vote(adopt, acting_user=admin)
    for teller in (admin, secretary):
        paper.do_enter_count(adopt, counts={"yes": 1, "no": 0, "abstain": 0}, acting_user=teller)
    chair_item = speakers.do_add_item(congress, title="Выборы председателя", acting_user=admin)
    speakers.do_make_current(chair_item, acting_user=admin)
    leader = hall.do_create_vote(
        congress,
        title="Председатель партии",
        kind="election",
        method="schulze",
        item=chair_item,
        acting_user=admin,
    )
    for s in here[:3]:
        ballots.do_add_candidate(
            leader.election, s.delegate.member, statement="", acting_user=admin
        )
    hall.do_open_vote(leader, acting_user=admin)
    orders = ([[0], [1], [2]], [[1], [0], [2]], [[0], [2], [1]])
    for n, s in enumerate(here):
        casting.do_cast(leader.election, code_of[s.delegate.member_id], orders[n % 3])
    hall.do_close_vote(leader, acting_user=admin)
    services.do_close(congress, acting_user=admin)
    protocol.do_sign(congress, "chair", acting_user=admin)
    protocol.do_sign(congress, "secretary", acting_user=secretary)
    return congress
