"""A member's own data and their corrections (kenes.participation.my_data): the rules, without
the pages (tests/web/test_my_data_pages.py drives those)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kenes.audit import services as audit
from kenes.participation import my_data
from kenes.participation.models import CorrectionRequest, CorrectionState
from kenes.registry.models import Member
from kenes.registry.services import do_grant_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def farmers_officer(groups):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user("farmers-coordinator", password="pw-long-enough-1")
    do_grant_role(user, "group", group=groups["farmers"], acting_user="test")
    return user


def _actions(member: Member) -> list[str]:
    entries = audit.entries_about_member(member.pk)
    return list(entries.order_by("id").values_list("action", flat=True))


def _code_for(member: Member, officer) -> str:  # type: ignore[no-untyped-def]
    (issued,) = my_data.do_issue_data_codes([member], acting_user=officer)
    return issued.code


def test_an_officer_issues_data_codes_only_to_members_whose_record_their_group_keeps(
    registry, officers
):
    issued = my_data.do_issue_data_codes(
        [registry["worker"], registry["farmer"], registry["both"]], acting_user=officers["group"]
    )
    assert sorted(i.member_id for i in issued) == sorted(
        [registry["worker"].pk, registry["both"].pk]
    )
    # The regional coordinator and the auditor answer nobody's requests.
    for role in ("regional", "auditor", "nobody"):
        assert my_data.do_issue_data_codes([registry["worker"]], acting_user=officers[role]) == []


def test_a_code_opens_only_its_own_member_and_a_new_code_revokes_the_old_one(registry, officers):
    worker, both = registry["worker"], registry["both"]
    first = _code_for(worker, officers["group"])
    other = _code_for(both, officers["group"])
    assert my_data.member_for_code(first) == worker.pk
    assert my_data.member_for_code(first.lower().replace("-", " ")) == worker.pk
    assert my_data.member_for_code(other) == both.pk
    second = _code_for(worker, officers["group"])
    assert my_data.member_for_code(first) is None  # lost slip: the new code replaces it
    assert my_data.member_for_code(second) == worker.pk


def test_a_vote_code_does_not_open_the_data(registry, officers):
    from kenes.participation.services import do_issue_codes

    (vote_code,) = do_issue_codes("election:1", [registry["worker"]], acting_user="test")
    assert my_data.member_for_code(vote_code.code) is None


def test_the_look_up_does_the_same_work_for_right_wrong_revoked_and_vote_codes(registry, officers):
    from kenes.participation.services import do_issue_codes

    worker = registry["worker"]
    revoked = _code_for(worker, officers["group"])
    right = _code_for(worker, officers["group"])
    (vote,) = do_issue_codes("election:1", [worker], acting_user="test")
    shapes = []
    for text in (right, "ABCDE-FGHJK-MNPQR", revoked, vote.code):
        with CaptureQueriesContext(connection) as queries:
            my_data.member_for_code(text)
        # The same statement, differing only in its parameters (the keyed hashes).
        shapes.append([q["sql"].split(" WHERE ")[0] for q in queries.captured_queries])
    assert shapes[0] and all(shape == shapes[0] for shape in shapes)


def test_the_own_record_is_the_members_and_the_look_is_audited(registry, officers):
    worker = registry["worker"]
    record = my_data.read_own_record(worker.pk)
    assert record.member.pk == worker.pk
    assert record.groups == ["Рабочие"]
    assert _actions(worker)[-1] == "member.self_view"
    assert record.own_looks is not None and record.own_looks.count == 1
    both = my_data.read_own_record(registry["both"].pk)
    assert both.groups == sorted(["Рабочие", "Фермеры"])


def test_officers_looks_are_counted_by_kind_and_day_without_names(registry, officers):
    from kenes.registry.services import get_member_for_viewing

    worker = registry["worker"]
    for _ in range(3):
        get_member_for_viewing(worker.pk, acting_user=officers["admin"])
    get_member_for_viewing(registry["farmer"].pk, acting_user=officers["admin"])  # another's
    record = my_data.read_own_record(worker.pk)
    (look,) = [item for item in record.officers_looks if item.action == "member.view"]
    assert look.count == 3
    assert look.days == [timezone.localdate()]
    assert not any(hasattr(item, "actor") for item in record.officers_looks)


def test_iin_is_masked_but_its_last_four_digits():
    assert my_data.mask_iin("850305300123") == "••••••••0123"
    assert my_data.mask_iin(None) == ""


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("phone", "8 701 234 56 78", "+77012345678"),
        ("birth_date", "05.03.1985", datetime.date(1985, 3, 5)),
        ("region", "Карагандинская область", "KZ-35"),
        ("full_name", "  Тестов   Ерлан  ", "Тестов Ерлан"),
    ],
)
def test_a_correction_is_read_as_the_registry_would(field, typed, stored):
    assert my_data.check_correction(field, typed) == stored


@pytest.mark.parametrize(
    ("field", "typed"),
    [("iin", "850305300123"), ("phone", "12345"), ("birth_date", "31.02.1985"), ("region", "")],
)
def test_a_correction_that_cannot_be_read_is_refused_and_nothing_is_kept(registry, field, typed):
    with pytest.raises(ValidationError) as error:
        my_data.do_request_correction(registry["worker"].pk, field, typed)
    assert error.value.messages[0].endswith(".")
    assert CorrectionRequest.objects.count() == 0
    assert "correction.request" not in _actions(registry["worker"])


def test_what_the_member_typed_is_sealed_at_rest(registry):
    my_data.do_request_correction(
        registry["worker"].pk, "address", "ул. Сейфуллина 7", "переехал весной"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value, note FROM {CorrectionRequest._meta.db_table}")
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert "Сейфуллина" not in raw and "переехал" not in raw
    (request,) = CorrectionRequest.objects.all()
    assert (request.value, request.note) == ("ул. Сейфуллина 7", "переехал весной")


def test_the_same_request_sent_twice_is_one_request_and_open_ones_are_limited(registry):
    worker = registry["worker"].pk
    first = my_data.do_request_correction(worker, "address", "ул. Абая 1")
    again = my_data.do_request_correction(worker, "address", "ул. Абая 1")
    assert first.pk == again.pk
    for n in range(2, my_data.OPEN_LIMIT + 1):
        my_data.do_request_correction(worker, "address", f"ул. Абая {n}")
    with pytest.raises(ValidationError):
        my_data.do_request_correction(worker, "address", "ул. Абая 99")
    assert CorrectionRequest.objects.count() == my_data.OPEN_LIMIT


def test_applying_changes_the_record_through_the_registry_once(registry, officers):
    worker = registry["worker"]
    request = my_data.do_request_correction(worker.pk, "phone", "+7 702 111 22 33")
    my_data.do_apply_correction(request.pk, acting_user=officers["group"])
    worker.refresh_from_db()
    assert worker.phone == "+77021112233"
    request.refresh_from_db()
    assert request.state == CorrectionState.DONE
    actions = _actions(worker)
    assert actions[-2:] == ["member.update", "correction.apply"]
    with pytest.raises(ValidationError):  # the form sent again
        my_data.do_apply_correction(request.pk, acting_user=officers["group"])
    assert _actions(worker) == actions


def test_an_officer_of_another_group_can_neither_see_nor_answer(registry, farmers_officer):
    worker = registry["worker"]
    request = my_data.do_request_correction(worker.pk, "phone", "+7 702 111 22 33")
    assert my_data.read_requests(farmers_officer) == []
    before = worker.phone
    for answer in (
        lambda: my_data.do_apply_correction(request.pk, acting_user=farmers_officer),
        lambda: my_data.do_refuse_correction(request.pk, "нет", acting_user=farmers_officer),
    ):
        with pytest.raises(PermissionDenied):
            answer()
    worker.refresh_from_db()
    request.refresh_from_db()
    assert worker.phone == before and request.state == CorrectionState.OPEN
    refused = audit.entries_newest_first("scope.refused").filter(target_type="correction")
    assert refused.count() == 2


def test_a_group_that_joined_a_record_made_by_another_does_not_answer_for_it(
    registry, officers, farmers_officer
):
    both = registry["both"]  # the workers made the record; the farmers joined it
    request = my_data.do_request_correction(both.pk, "address", "ул. Абая 5")
    with pytest.raises(PermissionDenied):
        my_data.do_apply_correction(request.pk, acting_user=farmers_officer)
    assert [r.pk for r in my_data.read_requests(officers["group"])] == [request.pk]


def test_refusing_needs_a_reason_the_member_reads(registry, officers):
    worker = registry["worker"]
    request = my_data.do_request_correction(worker.pk, "full_name", "Иванов Иван")
    with pytest.raises(ValidationError):
        my_data.do_refuse_correction(request.pk, "  ", acting_user=officers["group"])
    my_data.do_refuse_correction(
        request.pk, "Принесите удостоверение", acting_user=officers["group"]
    )
    (seen,) = my_data.read_own_record(worker.pk).corrections
    assert (seen.state, seen.reason) == (CorrectionState.REFUSED, "Принесите удостоверение")
    assert "correction.refuse" in _actions(worker)


# Who answers whose requests: role x member (the worker's record was made by the workers; the
# farmer's by the farmers; "both" by the workers, the farmers joined it).
ANSWERS = {
    "admin": {"worker", "farmer", "both"},
    "regional": set(),
    "group": {"worker", "both"},
    "auditor": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("role", sorted(ANSWERS))
def test_who_answers_whose_data_requests(registry, officers, role):
    from kenes.registry.scoping import Action, can

    answered = {
        name
        for name in ("worker", "farmer", "both")
        if can(officers[role], Action.ANSWER_DATA_REQUESTS, registry[name])
    }
    assert answered == ANSWERS[role]
    assert can(officers[role], Action.ANSWER_DATA_REQUESTS) == (role in {"admin", "group"})
