"""Names are sealed and found through their blind index: by a part, a prefix, in any case,
ё or е, Kazakh letters typed as Russian ones; never outside the searcher's scope; still
after `kenes rotate-keys`; and every write path (import, hand entry, edit, conflict
correction) keeps the index in step with the name."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import override_settings

from kenes.core.iin import make_iin
from kenes.registry.conflicts import do_resolve_conflict
from kenes.registry.importing import do_import_members
from kenes.registry.keyrotation import do_rotate_keys
from kenes.registry.models import MemberNameToken, MergeConflict
from kenes.registry.name_search import name_order, with_name
from kenes.registry.names import name_parts, name_tokens, query_parts
from kenes.registry.scoping import members_for
from kenes.registry.services import do_update_member
from kenes.security.keys import current_key, new_key
from tests.conftest import csv_bytes
from tests.named import member_named

pytestmark = pytest.mark.django_db

PEOPLE = [
    # name, region, group
    ("Семёнов Пётр Иванович", "Алматы", "workers"),
    ("Ёлкина Әсел Нұрланқызы", "Алматы", "workers"),
    ("Семенова Анна Петровна", "Астана", "farmers"),
    ("Нұрланов Қайрат Серікұлы", "Астана", "farmers"),
    ("Ли Ан", "Алматы", "farmers"),
    ("Иванова-Петрова Мария Олеговна", "Астана", "workers"),
]


def _row(n: int, name: str, region: str) -> list[str]:
    import datetime

    born = datetime.date(1980, 1, 1) + datetime.timedelta(days=37 * n)
    iin = make_iin(born, "M", 100 + n)
    return [name, born.strftime("%d.%m.%Y"), iin, f"+7 701 555 {n:02d} {n:02d}", region, "ул. 1"]


@pytest.fixture
def people(groups):  # type: ignore[no-untyped-def]
    for slug in ("workers", "farmers"):
        rows = [_row(n, name, region) for n, (name, region, g) in enumerate(PEOPLE) if g == slug]
        do_import_members(
            io.BytesIO(csv_bytes(rows)), filename="x.csv", group=groups[slug], acting_user="test"
        )
    return {name: member_named(name) for name, _r, _g in PEOPLE}


def _found(members, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.full_name for m in with_name(members, query)}


def test_name_parts_fold_case_yo_and_kazakh_letters():
    assert name_parts("ЁЛКИНА Әсел  Нұрланқызы") == ["елкина", "асел", "нурланкызы"]
    assert name_parts("Иванова-Петрова") == ["иванова", "петрова"]
    assert name_parts("O'Brien Şahin") == ["obrien", "sahin"]
    assert name_parts("Йорданов") == ["йорданов"]  # й is a letter of its own, not и


def test_short_query_parts_are_ignored_beside_long_ones_and_whole_otherwise():
    assert query_parts("Иванов А.") == ["иванов"]
    assert query_parts("Ли Ан") == ["ли", "ан"]


def test_a_part_a_prefix_another_case_and_yo_all_find_the_member(people):
    everyone = members_for_admin()
    assert _found(everyone, "семенов") == {"Семёнов Пётр Иванович", "Семенова Анна Петровна"}
    # Пётр is also the start of Петровна and Петрова: every part is a prefix.
    assert _found(everyone, "СЕМЁНОВ пётр") == {"Семёнов Пётр Иванович", "Семенова Анна Петровна"}
    assert _found(everyone, "пётр ИВАНОВИЧ") == {"Семёнов Пётр Иванович"}
    assert _found(everyone, "Петр") == {
        "Семёнов Пётр Иванович",
        "Семенова Анна Петровна",
        "Иванова-Петрова Мария Олеговна",
    }
    assert _found(everyone, "елк") == {"Ёлкина Әсел Нұрланқызы"}
    assert _found(everyone, "Асель") == set()  # a longer word is not a prefix of Әсел
    assert _found(everyone, "асел нурлан") == {"Ёлкина Әсел Нұрланқызы"}
    assert _found(everyone, "нурлан") == {"Ёлкина Әсел Нұрланқызы", "Нұрланов Қайрат Серікұлы"}
    assert _found(everyone, "Қайрат серикулы") == {"Нұрланов Қайрат Серікұлы"}
    assert _found(everyone, "петрова") == {"Иванова-Петрова Мария Олеговна"}
    assert _found(everyone, "Ли") == {"Ли Ан"}
    assert _found(everyone, "Семенов Мария") == set()  # every part must match


def members_for_admin():  # type: ignore[no-untyped-def]
    from kenes.registry.models import Member

    return Member.objects.all()


def test_search_never_leaves_the_searchers_scope(people, officers):
    # The regional coordinator (Almaty city) and the workers' coordinator search names
    # that exist inside and outside their scope.
    regional = members_for(officers["regional"])
    assert _found(regional, "семенов") == {"Семёнов Пётр Иванович"}
    assert _found(regional, "нурлан") == {"Ёлкина Әсел Нұрланқызы"}
    assert _found(regional, "кайрат") == set()
    group = members_for(officers["group"])
    assert _found(group, "семенов") == {"Семёнов Пётр Иванович"}
    assert _found(group, "ли") == set()
    assert _found(group, "петрова") == {"Иванова-Петрова Мария Олеговна"}
    assert _found(members_for(officers["auditor"]), "семенов") == set()


def test_lists_are_in_name_order_however_the_rows_were_entered(people):
    ids = name_order(members_for_admin())
    assert ids is not None
    names = [members_for_admin().get(pk=pk).full_name for pk in ids]
    assert names == sorted(names, key=lambda n: n.casefold().replace("ё", "е"))
    assert name_order(members_for_admin(), limit=2) is None  # too many to open: by id


def test_an_edited_name_is_found_by_the_new_name_only(people, officers):
    member = people["Ли Ан"]
    do_update_member(member, {"full_name": "Пак Виктор"}, acting_user=officers["admin"])
    assert _found(members_for_admin(), "пак") == {"Пак Виктор"}
    assert _found(members_for_admin(), "ли") == set()


def test_a_corrected_conflict_moves_the_index_to_the_entered_name(people, groups, officers):
    row = _row(0, "Семёнов Пётр Ильич", "Алматы")  # the IIN of Семёнов Пётр Иванович
    do_import_members(
        io.BytesIO(csv_bytes([row])), filename="x.csv", group=groups["farmers"], acting_user="test"
    )
    conflict = MergeConflict.objects.get()
    do_resolve_conflict(conflict.pk, "corrected", acting_user=officers["admin"])
    assert _found(members_for_admin(), "ильич") == {"Семёнов Пётр Ильич"}
    assert _found(members_for_admin(), "иванович") == set()


def test_rotate_keys_reindexes_names_so_search_works_without_the_old_key(people, settings):
    old = list(settings.KENES_FIELD_KEYS)
    newest = new_key()
    with override_settings(KENES_FIELD_KEYS=[newest, *old]):
        # Before the rotation, names indexed under the old key are still found.
        assert _found(members_for_admin(), "семенов") == {
            "Семёнов Пётр Иванович",
            "Семенова Анна Петровна",
        }
        result = do_rotate_keys(acting_user="test")
        assert result["name_tokens"] == MemberNameToken.objects.count() > 0
        key = current_key()
    with override_settings(KENES_FIELD_KEYS=[newest]):
        assert _found(members_for_admin(), "петр иванович") == {"Семёнов Пётр Иванович"}
        assert _found(members_for_admin(), "кайрат") == {"Нұрланов Қайрат Серікұлы"}
        stored = set(MemberNameToken.objects.values_list("token", flat=True))
        assert stored == {t for name in people for t in name_tokens(name, key)}


def test_the_stored_tokens_are_the_names_parts_and_prefixes_only(people):
    key = current_key()
    member = people["Ли Ан"]
    stored = set(MemberNameToken.objects.filter(member=member).values_list("token", flat=True))
    assert stored == name_tokens("Ли Ан", key) and len(stored) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM registry_member")
        raw = " ".join(value for (value,) in cursor.fetchall())
    for name in people:
        for part in name.split():
            assert part not in raw


def test_a_query_part_is_looked_up_by_its_first_eight_letters(people):
    everyone = members_for_admin()
    # Нұрланқызы: "нурланкызы" and "нурланкыз" share their first eight letters with it.
    assert _found(everyone, "Нурланкыз") == {"Ёлкина Әсел Нұрланқызы"}
    assert _found(everyone, "Нурланкызымбек") == {"Ёлкина Әсел Нұрланқызы"}
    assert _found(everyone, "Нурланкызым Асел") == {"Ёлкина Әсел Нұрланқызы"}
    assert _found(everyone, "Нурланкызым Анна") == set()


@pytest.mark.parametrize("role", ["admin", "regional", "group"])
def test_few_or_many_matches_the_search_finds_the_same_members(people, officers, role):
    """A rare first part is intersected among its few members; a common one by the
    database (LISTED_IDS): both ways must give the same members, within scope."""
    from kenes.registry import name_search

    scope = members_for(officers[role])
    queries = ["семенов", "петр", "нурлан асел", "иванова петрова", "ли", "сем ив", "кайрат"]
    few = {q: _found(scope, q) for q in queries}
    limits = name_search.LISTED_IDS, name_search.LISTED_IDS_NATIONAL
    try:  # every query as if its first part were common
        name_search.LISTED_IDS = name_search.LISTED_IDS_NATIONAL = 0
        assert {q: _found(scope, q) for q in queries} == few
    finally:
        name_search.LISTED_IDS, name_search.LISTED_IDS_NATIONAL = limits
