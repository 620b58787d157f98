"""Shared fixtures: officers with each role, groups, and member lists written as real files."""

from __future__ import annotations

import csv
import datetime
import io
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from kenes.core.iin import make_iin

# Property tests draw the same examples on every run, so CI cannot meet a
# pathological example that the last run never saw (a slow peer, a flaky hang).
hypothesis_settings.register_profile("kenes", derandomize=True, deadline=None)
hypothesis_settings.load_profile("kenes")

HEADER = ["ФИО", "Дата рождения", "ИИН", "Телефон", "Регион", "Адрес"]


_LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"


def _letters(n: int) -> str:
    """A distinct lowercase Cyrillic tag for each n (names may not contain digits)."""
    tag = ""
    while True:
        n, rest = divmod(n, len(_LETTERS))
        tag = _LETTERS[rest] + tag
        if n == 0:
            return tag


def person(
    n: int, *, region: str = "Алматы", born: datetime.date | None = None, sex: str = "M"
) -> list[str]:
    """A valid row for the n-th test person (distinct IINs for distinct n)."""
    born = born or datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 9000)
    return [
        f"Тестов{'а' if sex == 'F' else ''} Ер{_letters(n)} Серикович",
        born.strftime("%d.%m.%Y"),
        make_iin(born, sex, (n * 7) % 9000),
        f"+7 701 {n % 1000:03d} {n % 100:02d} {(n // 100) % 100:02d}",
        region,
        f"г. Алматы, ул. Абая, д. {n % 200 + 1}",
    ]


def isolated_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any Kenes or database configuration, plus `extra`.

    For running `kenes` as a newcomer would: the test run's own settings
    (including a PostgreSQL DATABASE_URL) must not leak into it.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KENES_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(extra or {})
    return env


def write_csv(path: Path, rows: Iterable[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def member_csv(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(10_000))

    def make(rows: Iterable[list[str]], name: str | None = None) -> Path:
        return write_csv(tmp_path / (name or f"list-{next(counter)}.csv"), rows)

    return make


def csv_bytes(rows: Iterable[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def groups(db):  # type: ignore[no-untyped-def]
    from kenes.registry.services import do_add_group

    return {
        slug: do_add_group(slug, name=name, acting_user="test")
        for slug, name in (("workers", "Рабочие"), ("farmers", "Фермеры"), ("traders", "Торговцы"))
    }


@pytest.fixture
def officers(db, groups):  # type: ignore[no-untyped-def]
    """One user per role: admin, regional (Almaty city), group (workers), auditor, nobody."""
    from django.contrib.auth import get_user_model

    from kenes.registry.services import do_grant_role

    User = get_user_model()
    users = {}
    for name in ("admin", "regional", "group", "auditor", "nobody"):
        users[name] = User.objects.create_user(name, password="pw-" + name + "-long-enough")
    do_grant_role(users["admin"], "admin", acting_user="test")
    do_grant_role(users["regional"], "regional", region_code="KZ-75", acting_user="test")
    do_grant_role(users["group"], "group", group=groups["workers"], acting_user="test")
    do_grant_role(users["auditor"], "auditor", acting_user="test")
    return users


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    # Under KENES_TEST_DB=postgres every database test is also a PostgreSQL test.
    if os.environ.get("KENES_TEST_DB") == "postgres":
        for item in items:
            item.add_marker(pytest.mark.postgres)
