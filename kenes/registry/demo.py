"""The demo movement: six constituent groups and about 5,000 members.

Members go in the way real ones do: each group's list is written as a CSV
and imported through the same import service officers use, so the demo's
audit log, memberships and merges are the real thing. People in more than
one group appear in several lists and are merged. Regions are uneven on
purpose: some fall short of the newest period's per-region minimum.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from kenes.core.iin import make_iin
from kenes.core.rules import load_jurisdiction
from kenes.registry.importing import do_import_members
from kenes.registry.models import ConstituentGroup
from kenes.registry.services import do_add_group, do_grant_role

GROUPS = [
    (
        "co-investors",
        "Обманутые дольщики",
        "Вернуть сбережения дольщикам обанкротившихся застройщиков",
        0.27,
    ),
    (
        "mortgage-holders",
        "Ипотечники под угрозой выселения",
        "Остановить изъятие единственного жилья у ипотечных заёмщиков",
        0.24,
    ),
    (
        "factory-workers",
        "Уволенные рабочие заводов",
        "Вернуть рабочие места и выплатить долги по зарплате",
        0.18,
    ),
    (
        "market-traders",
        "Рыночные торговцы",
        "Защитить торговцев от закрытия рынков и поборов",
        0.13,
    ),
    ("farmers", "Фермеры", "Справедливые цены, доступ к земле и воде", 0.10),
    (
        "shanyrak-residents",
        "Жители посёлка Шанырак",
        "Узаконить дома жителей самостроя, остановить снос",
        0.08,
    ),
]

# Share of members per region (ISO code): uneven, so that Ulytau, Mangystau,
# North Kazakhstan, Abai and Jetisu fall short of 200 although the party as a whole has enough.
REGION_WEIGHTS = {
    "KZ-75": 0.11,
    "KZ-71": 0.08,
    "KZ-79": 0.065,
    "KZ-19": 0.065,
    "KZ-35": 0.06,
    "KZ-61": 0.06,
    "KZ-31": 0.055,
    "KZ-55": 0.052,
    "KZ-63": 0.052,
    "KZ-39": 0.052,
    "KZ-15": 0.052,
    "KZ-33": 0.052,
    "KZ-23": 0.052,
    "KZ-11": 0.052,
    "KZ-27": 0.052,
    "KZ-43": 0.052,
    "KZ-10": 0.036,
    "KZ-59": 0.030,
    "KZ-47": 0.028,
    "KZ-62": 0.018,
}
TOWNS = {
    "KZ-75": "г. Алматы",
    "KZ-71": "г. Астана",
    "KZ-79": "г. Шымкент",
    "KZ-19": "г. Конаев",
    "KZ-35": "г. Караганда",
    "KZ-61": "г. Туркестан",
    "KZ-31": "г. Тараз",
    "KZ-55": "г. Павлодар",
    "KZ-63": "г. Усть-Каменогорск",
    "KZ-39": "г. Костанай",
    "KZ-15": "г. Актобе",
    "KZ-33": "г. Талдыкорган",
    "KZ-23": "г. Атырау",
    "KZ-11": "г. Кокшетау",
    "KZ-27": "г. Уральск",
    "KZ-43": "г. Кызылорда",
    "KZ-10": "г. Семей",
    "KZ-59": "г. Петропавловск",
    "KZ-47": "г. Актау",
    "KZ-62": "г. Жезказган",
}
KAZAKH_SURNAMES = [
    "Абенов",
    "Ахметов",
    "Байжанов",
    "Бекмуханов",
    "Досанов",
    "Жумабаев",
    "Иманалиев",
    "Кайратов",
    "Кенжебаев",
    "Мамырбеков",
    "Нурланов",
    "Оспанов",
    "Сарсенбаев",
    "Серикбаев",
    "Тулегенов",
    "Утепов",
    "Есимов",
    "Жаксылыков",
    "Калиев",
    "Муканов",
    "Садыков",
    "Толеубаев",
    "Шарипов",
]
KAZAKH_MALE = [
    "Айдар",
    "Асхат",
    "Болат",
    "Ерлан",
    "Данияр",
    "Мурат",
    "Нурлан",
    "Серик",
    "Талгат",
    "Ержан",
    "Канат",
    "Бауыржан",
    "Арман",
    "Жандос",
]
KAZAKH_FEMALE = [
    "Айгуль",
    "Алия",
    "Гульнара",
    "Динара",
    "Жанар",
    "Мадина",
    "Сауле",
    "Асель",
    "Гульмира",
    "Айжан",
    "Камила",
    "Назгуль",
    "Ботагоз",
]
KAZAKH_FATHERS = ["Серик", "Болат", "Нурлан", "Ерлан", "Кайрат", "Мурат", "Темир", "Асан"]
RUSSIAN_SURNAMES = [
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Ким",
    "Пак",
    "Шевченко",
]
RUSSIAN_MALE = ["Александр", "Сергей", "Андрей", "Дмитрий", "Владимир", "Николай", "Игорь", "Олег"]
RUSSIAN_FEMALE = ["Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Марина"]
RUSSIAN_FATHERS = ["Иван", "Пётр", "Сергей", "Николай", "Владимир", "Александр", "Михаил"]
STREETS = [
    "Абая",
    "Толе би",
    "Сейфуллина",
    "Байтурсынова",
    "Жибек жолы",
    "Ленина",
    "Гагарина",
    "Мира",
    "Победы",
    "Сатпаева",
    "Рыскулова",
    "Момышулы",
    "Достык",
    "Кабанбай батыра",
]
CONSENT_METHODS = ["подписанное заявление", "заявление на собрании", "онлайн-форма с подписью ЭЦП"]


def _patronymic(father: str, female: bool, kazakh: bool) -> str:
    if kazakh:
        return father + ("кызы" if female else "улы")
    stem = father.rstrip("йь")
    if father.endswith(("й", "ь")):
        return stem + ("евна" if female else "евич")
    if father.endswith("р") and father == "Пётр":
        return "Петровна" if female else "Петрович"
    return stem + ("овна" if female else "ович")


def _phone(rng: random.Random) -> str:
    operator = rng.choice(["700", "701", "702", "705", "707", "747", "775", "778"])
    return (
        f"+7 {operator} {rng.randrange(1000):03d} {rng.randrange(100):02d} {rng.randrange(100):02d}"
    )


@dataclass
class DemoPerson:
    name: str
    iin: str
    birth: datetime.date
    phone: str
    address: str
    region: str
    status: str
    consent: datetime.date | None
    consent_method: str
    joined: datetime.date


def make_people(n: int, rng: random.Random) -> list[DemoPerson]:
    regions = list(REGION_WEIGHTS)
    weights = list(REGION_WEIGHTS.values())
    people: list[DemoPerson] = []
    serials: dict[tuple[datetime.date, str], int] = {}
    for _ in range(n):
        female = rng.random() < 0.52
        kazakh = rng.random() < 0.7
        if kazakh:
            surname = rng.choice(KAZAKH_SURNAMES) + ("а" if female else "")
            first = rng.choice(KAZAKH_FEMALE if female else KAZAKH_MALE)
            patronymic = _patronymic(rng.choice(KAZAKH_FATHERS), female, True)
        else:
            surname = rng.choice(RUSSIAN_SURNAMES)
            if female and surname[-2:] in ("ов", "ев", "ин"):
                surname += "а"
            first = rng.choice(RUSSIAN_FEMALE if female else RUSSIAN_MALE)
            patronymic = _patronymic(rng.choice(RUSSIAN_FATHERS), female, False)
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 55))
        sex = "F" if female else "M"
        serial = serials.get((birth, sex), rng.randrange(0, 5000))
        iin = make_iin(birth, sex, serial)
        serials[(birth, sex)] = int(iin[7:11]) + 1
        region = rng.choices(regions, weights)[0]
        joined = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 600))
        roll = rng.random()
        status = (
            "member"
            if roll < 0.93
            else "applicant"
            if roll < 0.97
            else "suspended"
            if roll < 0.99
            else "left"
        )
        has_consent = rng.random() < 0.96
        people.append(
            DemoPerson(
                name=f"{surname} {first} {patronymic}",
                iin=iin,
                birth=birth,
                phone=_phone(rng),
                address=f"{TOWNS[region]}, ул. {rng.choice(STREETS)}, д. {rng.randrange(1, 200)}"
                + (f", кв. {rng.randrange(1, 150)}" if rng.random() < 0.6 else ""),
                region=region,
                status=status,
                consent=joined if has_consent else None,
                consent_method=rng.choice(CONSENT_METHODS) if has_consent else "",
                joined=joined,
            )
        )
    return people


def _csv_for(people: list[DemoPerson]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "ФИО",
            "Дата рождения",
            "ИИН",
            "Телефон",
            "Регион",
            "Адрес",
            "Статус",
            "Дата согласия",
            "Способ согласия",
            "Дата вступления",
        ]
    )
    status_ru = {
        "member": "член партии",
        "applicant": "заявитель",
        "suspended": "приостановлен",
        "left": "выбыл",
    }
    for p in people:
        writer.writerow(
            [
                p.name,
                p.birth.strftime("%d.%m.%Y"),
                p.iin,
                p.phone,
                p.region,
                p.address,
                status_ru[p.status],
                p.consent.strftime("%d.%m.%Y") if p.consent else "",
                p.consent_method,
                p.joined.strftime("%d.%m.%Y"),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _user(username: str, *, superuser: bool = False):  # type: ignore[no-untyped-def]
    """Create a demo login with a fresh random password; returns (user, password)."""
    password = "demo-" + secrets.token_urlsafe(6)
    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username)
    user.is_staff = superuser
    user.is_superuser = superuser
    user.set_password(password)
    user.save()
    return user, password


def seed_demo(
    *, members: int = 5600, seed: int = 2026, logins_file: Path
) -> list[tuple[str, str, str]]:
    """Create the demo movement (once). Returns (username, password, role description)."""
    if ConstituentGroup.objects.exists():
        return _read_logins(logins_file)
    rng = random.Random(seed)
    actor = "demo-seed"
    groups = {}
    for slug, name, concern, _share in GROUPS:
        groups[slug] = do_add_group(slug, name=name, concern=concern, acting_user=actor)
    people = make_people(members, rng)
    lists: dict[str, list[DemoPerson]] = {slug: [] for slug in groups}
    shares = [g[3] for g in GROUPS]
    for person in people:
        first = rng.choices([g[0] for g in GROUPS], shares)[0]
        lists[first].append(person)
        if rng.random() < 0.12:  # people who carry two concerns
            second = rng.choice([g[0] for g in GROUPS if g[0] != first])
            lists[second].append(person)
    # Shanyrak is a settlement on the edge of Almaty: its residents live there.
    for person in lists["shanyrak-residents"]:
        person.region = "KZ-75"
        person.address = (
            f"г. Алматы, мкр. Шанырак-{rng.randrange(1, 7)}, "
            f"ул. {rng.choice(STREETS)}, д. {rng.randrange(1, 300)}"
        )
    for slug, group_people in lists.items():
        do_import_members(
            io.BytesIO(_csv_for(group_people)),
            filename=f"{slug}.csv",
            group=groups[slug],
            acting_user=actor,
        )
    logins = []
    with transaction.atomic():
        admin, password = _user("admin", superuser=True)
        do_grant_role(admin, "admin", acting_user=actor)
        logins.append(("admin", password, "national admin, superuser"))
        # A second national admin: a bulk read (the dossier, codes files, member lists) is
        # made only once another officer approves it (docs/bulk-reads.md).
        deputy, password = _user("admin2")
        do_grant_role(deputy, "admin", acting_user=actor)
        logins.append(("admin2", password, "national admin: approves the other's bulk reads"))
        for username, slug in (("coord-investors", "co-investors"), ("coord-farmers", "farmers")):
            user, password = _user(username)
            do_grant_role(user, "group", group=groups[slug], acting_user=actor)
            logins.append((username, password, f"group coordinator: {groups[slug].name}"))
        for username, code in (("coord-almaty", "KZ-75"), ("coord-mangystau", "KZ-47")):
            user, password = _user(username)
            do_grant_role(user, "regional", region_code=code, acting_user=actor)
            region = load_jurisdiction("kz").region(code)
            logins.append(
                (username, password, f"regional coordinator: {region.name('ru')} ({code})")
            )
        auditor, password = _user("auditor")
        do_grant_role(auditor, "auditor", acting_user=actor)
        logins.append(("auditor", password, "auditor (aggregates only)"))
    logins_file.parent.mkdir(parents=True, exist_ok=True)
    logins_file.write_text("".join(f"{u}\t{p}\t{d}\n" for u, p, d in logins))
    logins_file.chmod(0o600)
    return logins


def _read_logins(path: Path) -> list[tuple[str, str, str]]:
    if not path.exists():
        return []
    return [tuple(line.split("\t", 2)) for line in path.read_text().splitlines() if line]  # type: ignore[misc]
