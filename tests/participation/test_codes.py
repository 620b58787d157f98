"""Personal codes: one live code per member and purpose, typed sloppily, stored only hashed."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection

from kenes.audit.models import AuditEntry
from kenes.participation.codes import LENGTH, new_code, normalise
from kenes.participation.codes_file import codes_csv
from kenes.participation.services import (
    do_issue_codes,
    do_revoke_codes,
    resolve_code,
)
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member
from tests.conftest import csv_bytes, person


def test_a_code_has_75_random_bits_in_three_groups_of_five():
    code = new_code()
    assert len(code) == LENGTH + 2 and code.count("-") == 2
    assert len({new_code() for _ in range(1000)}) == 1000


@pytest.mark.parametrize("typed", ["abcde-fghjk-mnpq0", " ABCDE FGHJK MNPQO ", "abcdefghjkmnpqo"])
def test_codes_typed_in_lower_case_with_spaces_or_o_for_zero_read_the_same(typed):
    assert normalise(typed) == "ABCDEFGHJKMNPQ0"


@pytest.mark.parametrize("typed", ["", "ABCDE", "ABCDE-FGHJK-MNPQU", "ABCDE-FGHJK-MNPQ0-1"])
def test_what_cannot_be_a_code_is_refused_before_any_lookup(typed):
    assert normalise(typed) is None


@pytest.fixture
def members(groups):
    do_import_members(
        io.BytesIO(csv_bytes([person(n) for n in range(3)])),
        filename="m.csv",
        group=groups["workers"],
        acting_user="t",
    )
    return list(Member.objects.order_by("pk"))


@pytest.mark.django_db
def test_each_member_resolves_by_their_code_for_that_purpose_only(members, officers):
    issued = do_issue_codes("election:1", members, acting_user=officers["admin"])
    for item, member in zip(issued, members, strict=True):
        assert resolve_code("election:1", item.code) == member
        assert resolve_code("election:1", item.code.lower().replace("-", " ")) == member
        assert resolve_code("consultation:1", item.code) is None
    # a count, never member ids beside a purpose that may name a group's vote
    assert AuditEntry.objects.get(action="codes.issue").detail == {"codes": len(members)}


@pytest.mark.django_db
def test_reissuing_revokes_the_earlier_code(members, officers):
    first = do_issue_codes("election:1", members[:1], acting_user=officers["admin"])[0]
    second = do_issue_codes("election:1", members[:1], acting_user=officers["admin"])[0]
    assert resolve_code("election:1", first.code) is None
    assert resolve_code("election:1", second.code) == members[0]


@pytest.mark.django_db
def test_revoking_a_purpose_closes_every_code(members, officers):
    issued = do_issue_codes("election:2", members, acting_user=officers["admin"])
    assert do_revoke_codes("election:2", acting_user=officers["admin"]) == 3
    assert all(resolve_code("election:2", i.code) is None for i in issued)


@pytest.mark.django_db
def test_the_database_holds_no_code_in_the_clear(members, officers):
    issued = do_issue_codes("election:3", members, acting_user=officers["admin"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM participation_personalcode")
        stored = repr(cursor.fetchall())
        cursor.execute("SELECT detail FROM audit_auditentry")
        stored += repr(cursor.fetchall())
    for item in issued:
        assert item.code not in stored and item.code.replace("-", "") not in stored


@pytest.mark.django_db
def test_the_csv_for_sms_and_mail_merge_has_name_phone_code_and_link(members, officers):
    issued = do_issue_codes("election:4", members, acting_user=officers["admin"])
    content = codes_csv(
        issued, link_base="https://kenes.example/v/", phones={members[0].pk: "+77010000000"}
    )
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == [i.code for i in issued]
    assert rows[0]["phone"] == "+77010000000"
    assert rows[0]["link"] == f"https://kenes.example/v/{issued[0].code}"
