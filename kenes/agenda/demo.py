"""The demo movement's consultation: "What must the party fight for?", answered and analysed.

About 25 statements in Russian carry the six constituent groups' concerns
(kenes/registry/demo.py GROUPS). The votes have real structure: each group agrees with its
own concerns (others mostly agree or pass), everyone agrees on fair courts and an open
budget, and the groups split on selling land, foreign investors, banks and imports. The
consultation ends in the report phase with its analysis stored, plus a few statements in
the moderation queue and a draft programme.

Participants are made as the pages make them (a keyed hash of consultation and member,
labels copied) but without typing codes, so the demo takes seconds for 5,600 members.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from django.utils import timezone

from kenes.agenda import analysis, moderation, phases, programme, services
from kenes.agenda.models import Consultation, OpinionVote, Participant, Statement
from kenes.registry.models import Member
from kenes.registry.selectors import group_slugs_by_member

ACTOR = "demo-seed"
PARTICIPANTS = 400
KEPT_CODES = 5
GROUPS = (
    "co-investors",
    "mortgage-holders",
    "factory-workers",
    "market-traders",
    "farmers",
    "shanyrak-residents",
)

OWN = "own"
ALL = "all"
# (text, kind, detail): OWN → the group whose concern it is; ALL → share agreeing;
# a dict → share agreeing per group (the statements that divide).
STATEMENTS: tuple[tuple[str, str, Any], ...] = (
    ("Вернуть деньги обманутым дольщикам за счёт имущества застройщиков.", OWN, "co-investors"),
    (
        "Уголовная ответственность для чиновников, покрывавших застройщиков-банкротов.",
        OWN,
        "co-investors",
    ),
    ("Государственный фонд достройки проблемных домов.", OWN, "co-investors"),
    ("Мораторий на выселение семей из единственного жилья.", OWN, "mortgage-holders"),
    ("Пересчитать валютную ипотеку по курсу на день выдачи.", OWN, "mortgage-holders"),
    ("Запретить банкам продавать долги граждан коллекторам.", OWN, "mortgage-holders"),
    ("Выплатить уволенным рабочим все долги по зарплате.", OWN, "factory-workers"),
    ("Не закрывать заводы без плана трудоустройства рабочих.", OWN, "factory-workers"),
    ("Независимые профсоюзы на каждом предприятии.", OWN, "factory-workers"),
    ("Отменить незаконные поборы с торговцев на рынках.", OWN, "market-traders"),
    ("Не закрывать рынки без согласия торговцев.", OWN, "market-traders"),
    ("Простой и низкий налог для мелких торговцев.", OWN, "market-traders"),
    ("Объявлять закупочные цены на зерно до посевной.", OWN, "farmers"),
    ("Поливная вода для фермеров по справедливым тарифам.", OWN, "farmers"),
    ("Дешёвые кредиты фермерам под посевную.", OWN, "farmers"),
    ("Узаконить дома жителей Шанырака и остановить снос.", OWN, "shanyrak-residents"),
    ("Провести в Шанырак воду, газ и дороги.", OWN, "shanyrak-residents"),
    ("Честные и независимые суды для всех.", ALL, 0.9),
    ("Отчёт о каждом тенге бюджета — в открытом доступе.", ALL, 0.88),
    ("Свобода мирных собраний без разрешения акимата.", ALL, 0.78),
    ("Выборные акимы городов и районов.", ALL, 0.82),
    (
        "Разрешить продажу сельскохозяйственной земли.",
        "split",
        {
            "farmers": 0.05,
            "shanyrak-residents": 0.2,
            "factory-workers": 0.3,
            "co-investors": 0.6,
            "mortgage-holders": 0.55,
            "market-traders": 0.8,
        },
    ),
    (
        "Привлекать иностранных инвесторов на закрытые заводы.",
        "split",
        {
            "factory-workers": 0.85,
            "market-traders": 0.75,
            "co-investors": 0.6,
            "mortgage-holders": 0.5,
            "farmers": 0.1,
            "shanyrak-residents": 0.25,
        },
    ),
    (
        "Национализировать крупные банки.",
        "split",
        {
            "mortgage-holders": 0.9,
            "co-investors": 0.85,
            "shanyrak-residents": 0.7,
            "factory-workers": 0.6,
            "farmers": 0.45,
            "market-traders": 0.1,
        },
    ),
    (
        "Ограничить ввоз импортных товаров, чтобы защитить своих производителей.",
        "split",
        {
            "farmers": 0.9,
            "factory-workers": 0.75,
            "market-traders": 0.05,
            "co-investors": 0.4,
            "mortgage-holders": 0.4,
            "shanyrak-residents": 0.45,
        },
    ),
)
# Added by members: two wait for moderation, one repeats a seed statement.
PENDING = (
    "Бесплатные юристы для членов партии в спорах с банками.",
    "Детские сады в каждом микрорайоне.",
)
DUPLICATE = "Суды должны быть честными и независимыми."


def _odds(kind: str, detail: Any, group: str) -> tuple[float, float]:
    """(share agreeing, share disagreeing) of a member of `group`; the rest pass."""
    if kind == OWN:
        return (0.93, 0.02) if group == detail else (0.5, 0.15)
    if kind == ALL:
        return float(detail), (1 - float(detail)) * 0.6
    agree = float(detail.get(group, 0.5))
    return agree, (1 - agree) * 0.85


def _vote(rng: random.Random, odds: tuple[float, float]) -> int:
    r = rng.random()
    return 1 if r < odds[0] else -1 if r < odds[0] + odds[1] else 0


OPEN_TITLE = "Как собирать взносы"
OPEN_STATEMENTS = (
    "Взнос должен быть не больше 500 тенге в месяц.",
    "Безработные и пенсионеры не платят взносов.",
    "Взносы наличными принимают только два координатора вместе.",
    "Каждый квартал партия публикует, на что потрачены взносы.",
    "Группа может освободить члена от взноса своим решением.",
    "Пожертвования от бизнеса принимать только открыто, с именем дарителя.",
    "Взносы можно платить раз в год.",
    "Часть взносов остаётся в группе, которая их собрала.",
)


def seed_demo_consultation(*, seed: int, admin: Any, codes_file: Path | None) -> None:
    """Create the demo consultations once (nothing happens if any consultation exists): one
    analysed, in its report phase; one open, for trying agree / disagree."""
    if Consultation.objects.exists():
        return
    _seed_reported_consultation(seed=seed, admin=admin, codes_file=codes_file)
    _seed_open_consultation(admin=admin, codes_file=codes_file)


def _seed_open_consultation(*, admin: Any, codes_file: Path | None) -> None:
    consultation = services.do_create_consultation(
        OPEN_TITLE,
        question="Как партии собирать взносы и пожертвования?",
        description="Соглашайтесь или нет с каждым утверждением и добавляйте свои.",
        cutoff_on=timezone.localdate(),
        acting_user=admin,
    )
    moderation.do_add_seed_statements(consultation, list(OPEN_STATEMENTS), acting_user=admin)
    if codes_file is not None:
        electorate = list(
            services.electorate(consultation).values_list("pk", flat=True)[:KEPT_CODES]
        )
        _keep_codes(consultation, electorate, admin, codes_file)


def _seed_reported_consultation(*, seed: int, admin: Any, codes_file: Path | None) -> None:
    rng = random.Random(seed)
    consultation = services.do_create_consultation(
        "Программа партии",
        question="За что должна бороться партия?",
        description="Соглашайтесь или не соглашайтесь с утверждениями, добавляйте свои. "
        "По итогам координаторы составят проект программы.",
        cutoff_on=timezone.localdate(),
        acting_user=admin,
    )
    consultation.seed = seed
    consultation.save(update_fields=["seed"])
    statements = moderation.do_add_seed_statements(
        consultation, [text for text, _, _ in STATEMENTS], acting_user=admin
    )
    # A few seed statements were in fact written by members (the demo's queue shows both).
    Statement.objects.filter(pk__in=[s.pk for s in statements[-4:-1]]).update(seeded=False)

    electorate = list(services.electorate(consultation).values_list("pk", "region_code"))
    if not electorate:
        return
    chosen = rng.sample(electorate, min(PARTICIPANTS, len(electorate)))
    slugs = group_slugs_by_member([pk for pk, _ in chosen])
    Participant.objects.bulk_create(
        [
            Participant(
                consultation=consultation,
                key=services.participant_key_of(consultation.pk, pk),
                groups=sorted(slugs.get(pk, [])),
                region_code=region,
            )
            for pk, region in chosen
        ],
        batch_size=1000,
    )
    people = list(Participant.objects.filter(consultation=consultation).order_by("pk"))
    votes: list[OpinionVote] = []
    for person in people:
        groups = person.groups or [rng.choice(GROUPS)]
        group = rng.choice(groups)  # one concern leads each member's votes
        answered = rng.sample(range(len(statements)), rng.randrange(10, len(statements) + 1))
        for j in answered:
            _, kind, detail = STATEMENTS[j]
            votes.append(
                OpinionVote(
                    statement=statements[j],
                    participant=person,
                    value=_vote(rng, _odds(kind, detail, group)),
                )
            )
    OpinionVote.objects.bulk_create(votes, batch_size=5000)

    first = people[0]
    for text in PENDING:
        services.do_add_statement(consultation, first, text)
    duplicate = services.do_add_statement(consultation, first, DUPLICATE)
    moderation.do_merge(duplicate, statements[17], acting_user=admin)
    hidden = services.do_add_statement(consultation, first, "Все чиновники — воры!!!")
    moderation.do_hide(hidden, "Оскорбление, а не предложение", acting_user=admin)

    if codes_file is not None:
        _keep_codes(consultation, [pk for pk, _ in chosen[:KEPT_CODES]], admin, codes_file)
    services.do_move_phase(consultation, phases.VOTE, acting_user=admin)
    services.do_move_phase(consultation, phases.REPORT, acting_user=admin)
    consultation.refresh_from_db()
    if consultation.analysis is None:  # the task runs later with a database task backend
        analysis.do_recompute(consultation.pk)
    for title, index in (("Независимый суд", 17), ("Открытый бюджет", 18)):
        programme.do_add_plank(
            consultation,
            title=title,
            text=STATEMENTS[index][0],
            statement_ids=[statements[index].pk],
            acting_user=admin,
        )


def _keep_codes(consultation: Consultation, member_ids: list[int], admin: Any, path: Path) -> None:
    """Codes of a few participants, appended to the demo's codes file (code, name, title)."""
    members = Member.objects.filter(pk__in=member_ids)
    issued = services.do_issue_codes(consultation, members=members, acting_user=admin)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.writelines(f"{i.code}\t{i.full_name}\t{consultation.title}\n" for i in issued)
    path.chmod(0o600)
