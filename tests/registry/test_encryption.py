"""Personal data is sealed at rest: the database file alone reveals no name, IIN, phone or
address."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from kenes.registry.importing import do_import_members
from kenes.registry.keyrotation import do_rotate_keys
from kenes.registry.models import Member
from kenes.registry.services import find_members_by_iin
from kenes.security.keys import new_key
from tests.conftest import csv_bytes, person

pytestmark = pytest.mark.django_db


def _seed(groups, n=3):
    import io

    rows = [person(i) for i in range(n)]
    do_import_members(
        io.BytesIO(csv_bytes(rows)), filename="x.csv", group=groups["workers"], acting_user="test"
    )
    return rows


def _raw_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_member")
        return cursor.fetchall()


def test_no_iin_phone_or_address_appears_in_the_stored_rows(groups):
    rows = _seed(groups)
    stored = repr(_raw_rows())
    for name, _born, iin, phone, _region, address in rows:
        assert iin not in stored
        assert phone.replace(" ", "")[2:] not in stored.replace(" ", "")
        assert address not in stored
        assert name not in stored  # sealed too: searched through the name tokens
        assert name.split()[0] not in stored


def test_sealed_fields_read_back_as_plaintext(groups):
    rows = _seed(groups, 1)
    member = Member.objects.get()
    assert member.iin == rows[0][2]
    assert member.address == rows[0][5]
    assert member.birth_date.strftime("%d.%m.%Y") == rows[0][1]


def test_filtering_on_a_sealed_field_is_refused(groups):
    with pytest.raises(TypeError):
        Member.objects.filter(iin="850115300001").count()


def test_iin_search_uses_the_blind_index(groups, officers):
    rows = _seed(groups)
    found = find_members_by_iin(rows[1][2], acting_user=officers["admin"])
    assert [m.full_name for m in found] == [rows[1][0]]


def test_rotate_keys_reseals_under_the_new_key_and_old_key_can_then_go(groups, officers, settings):
    rows = _seed(groups)
    old = settings.KENES_FIELD_KEYS[0]
    fresh = new_key()
    before = repr(_raw_rows())
    with override_settings(KENES_FIELD_KEYS=[fresh, old]):
        # Before rotation the old rows are still found through the old key's index.
        found = find_members_by_iin(rows[0][2], acting_user=officers["admin"])
        assert [m.full_name for m in found] == [rows[0][0]]
        result = do_rotate_keys(acting_user="test")
        assert result["members"] == 3
    after = repr(_raw_rows())
    assert before != after
    with override_settings(KENES_FIELD_KEYS=[fresh]):
        iins = sorted(Member.objects.values_list("iin", flat=True))
        assert iins == sorted(r[2] for r in rows)
        found = find_members_by_iin(rows[0][2], acting_user=officers["admin"])
        assert [m.full_name for m in found] == [rows[0][0]]


def test_a_database_without_the_key_cannot_be_read(groups):
    _seed(groups, 1)
    with override_settings(KENES_FIELD_KEYS=[new_key()]):
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured):
            list(Member.objects.values_list("iin", flat=True))
