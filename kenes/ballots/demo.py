"""The demo movement's votes: a published council election, a published motion, an open
leader election with a few personal codes kept so a newcomer can vote.

Ballots are cast through `casting.do_cast` with real codes, exactly as voters would, so
the demo's results, ballot box and receipts are the real thing.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from django.utils import timezone

from kenes.ballots import box, casting, services
from kenes.ballots.models import Election
from kenes.registry.models import Member

ACTOR = "demo-seed"

STATEMENTS = (
    "Вернуть вкладчикам их деньги: суд, прокуратура и открытая проверка застройщиков.",
    "Мораторий на выселение семей с ипотекой, пока не принят закон о реструктуризации.",
    "Профсоюзы на каждом заводе и рынке: зарплата не ниже прожиточного минимума.",
    "Земля — тем, кто на ней живёт: узаконить дома в Шаныраке и провести воду и свет.",
    "Честные выборы внутри партии: ни одного решения без голосования членов.",
    "Кредиты фермерам под посевную и закупочные цены, объявленные заранее.",
    "Бесплатная юридическая помощь каждому члену партии в споре с банком.",
    "Отчёт о каждом потраченном тенге — на сайте партии, раз в месяц.",
    "Переговоры о совместном списке с другими оппозиционными партиями.",
)


def _ranking(rng: random.Random, n: int, faction: list[int]) -> list[list[int]]:
    """A voter ranks their faction's candidates first, then a few others; some stop early."""
    own = faction[:]
    rng.shuffle(own)
    others = [c for c in range(n) if c not in faction]
    rng.shuffle(others)
    order = own + others[: rng.randrange(0, len(others) + 1)]
    if rng.random() < 0.2:
        order = order[: rng.randrange(1, len(order) + 1)]
    return [[c] for c in order]


def _cast(
    election: Election, codes: list[str], turnout: float, rng: random.Random, vote: Any
) -> None:
    for code in codes:
        if rng.random() < turnout:
            casting.do_cast(election, code, vote())


def seed_demo_elections(*, seed: int, admin: Any, codes_file: Path) -> None:
    """Create the demo's votes once (nothing happens if any election exists)."""
    if Election.objects.exists():
        return
    rng = random.Random(seed)
    cutoff = timezone.localdate()  # members joined today are in good standing today
    people = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    if len(people) < 20:
        return
    chosen = Member.objects.filter(pk__in=rng.sample(people, 13)).order_by("pk")
    candidates = list(chosen)

    council = services.do_create_election(
        "Политический совет партии",
        description="Девять кандидатов, пять мест. Голосование по методу единого передаваемого "
        "голоса (STV): ставьте 1 тому, кого хотите больше всего, 2 — следующему и так далее.",
        method="stv",
        seats=5,
        cutoff_on=cutoff,
        acting_user=admin,
    )
    for i, member in enumerate(candidates[:9]):
        services.do_add_candidate(council, member, statement=STATEMENTS[i], acting_user=admin)
    issued = services.do_open(council, acting_user=admin)
    factions = [[0, 1, 6], [2, 5], [3], [4, 7, 8]]
    weights = [0.35, 0.3, 0.15, 0.2]
    _cast(
        council,
        [i.code for i in issued],
        0.45,
        rng,
        lambda: _ranking(rng, 9, rng.choices(factions, weights)[0]),
    )
    services.do_close(council, acting_user=admin)
    box.do_publish(council, acting_user=admin)

    statute = services.do_create_election(
        "Принять устав партии в редакции съезда",
        description="Устав принимается, если проголосовала половина членов и не менее двух "
        "третей проголосовавших сказали «за».",
        kind="motion",
        cutoff_on=cutoff,
        quorum_percent=50,
        majority="two_thirds",
        base="cast",
        acting_user=admin,
    )
    issued = services.do_open(statute, acting_user=admin)
    _cast(
        statute,
        [i.code for i in issued],
        0.6,
        rng,
        lambda: [[rng.choices([0, 1, 2], [0.74, 0.18, 0.08])[0]]],
    )
    services.do_close(statute, acting_user=admin)
    box.do_publish(statute, acting_user=admin)

    leader = services.do_create_election(
        "Председатель партии",
        description="Один руководитель. Подсчёт по методу Шульце: побеждает кандидат, которого "
        "большинство предпочитает каждому другому.",
        method="schulze",
        seats=1,
        cutoff_on=cutoff,
        acting_user=admin,
    )
    for i, member in enumerate(candidates[9:13]):
        services.do_add_candidate(leader, member, statement=STATEMENTS[i + 4], acting_user=admin)
    issued = services.do_open(leader, acting_user=admin)
    kept, cast = issued[:10], issued[10:]
    _cast(
        leader,
        [i.code for i in cast],
        0.3,
        rng,
        lambda: _ranking(rng, 4, rng.choices([[0], [1], [2, 3]], [0.4, 0.35, 0.25])[0]),
    )
    codes_file.parent.mkdir(parents=True, exist_ok=True)
    codes_file.write_text(
        "".join(f"{i.code}\t{i.full_name}\t{leader.title}\n" for i in kept), encoding="utf-8"
    )
    codes_file.chmod(0o600)


def demo_codes_lines(codes_file: Path) -> list[str]:
    """The lines of the demo's codes file: code, member's name, what the code opens."""
    if not codes_file.exists():
        return []
    return [line for line in codes_file.read_text(encoding="utf-8").splitlines() if line]


def demo_codes(codes_file: Path) -> list[str]:
    return [line.split("\t", 1)[0] for line in demo_codes_lines(codes_file)]
