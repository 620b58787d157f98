"""Moderation: approve, hide with a reason, merge duplicates; audited; only for coordinators."""

from __future__ import annotations

import pytest

from kenes.agenda import moderation, rules, services
from kenes.agenda.models import OpinionVote, Statement, StatementStatus
from kenes.agenda.services import AgendaError
from kenes.audit import services as audit
from tests.agenda.conftest import make_consultation


@pytest.fixture
def pending(consultation, codes, members):  # type: ignore[no-untyped-def]
    participant = services.participant_for_code(consultation, codes[members[0].pk])
    return services.do_add_statement(consultation, participant, "Бесплатная медицина")


def test_every_moderation_action_is_audited_with_the_officer(consultation, pending, officers):
    admin = officers["admin"]
    kept = Statement.objects.filter(consultation=consultation).first()
    moderation.do_approve(pending, acting_user=admin)
    moderation.do_hide(pending, "Повтор", acting_user=admin)
    moderation.do_merge(pending, kept, acting_user=admin)
    entries = [e for e in audit.entries_newest_first("agenda.") if e.target_id == str(pending.pk)]
    assert [e.action for e in entries] == ["agenda.merge", "agenda.hide", "agenda.approve"]
    assert all(e.actor == "admin" for e in entries)
    assert entries[1].detail["reason"] == "Повтор"
    assert audit.verify().intact


def test_hiding_needs_a_reason(pending, officers):
    with pytest.raises(AgendaError):
        moderation.do_hide(pending, "   ", acting_user=officers["admin"])
    pending.refresh_from_db()
    assert pending.status == StatementStatus.PENDING


def test_a_merged_statement_keeps_its_votes_out_of_the_count_and_its_voters_see_the_kept_one(
    consultation, codes, members, officers
):
    first, second, _ = Statement.objects.filter(consultation=consultation)
    voter = services.participant_for_code(consultation, codes[members[1].pk])
    services.do_vote(voter, second.pk, services.AGREE)
    moderation.do_merge(second, first, acting_user=officers["admin"])
    second.refresh_from_db()
    assert second.status == StatementStatus.MERGED and second.merged_into == first
    # The vote is not moved to the kept statement, and no longer counts.
    assert OpinionVote.objects.filter(statement=second).count() == 1
    assert OpinionVote.objects.filter(statement=first).count() == 0
    assert services.votes_now(consultation) == 0
    # The voter is now asked about the kept statement.
    shown = set()
    while (s := services.next_statement(voter)) is not None:
        shown.add(s.pk)
        services.do_vote(voter, s.pk, services.PASS)
    assert first.pk in shown and second.pk not in shown


def test_merging_into_a_statement_that_is_not_approved_is_refused(consultation, pending, officers):
    kept = Statement.objects.filter(consultation=consultation).first()
    with pytest.raises(AgendaError):
        moderation.do_merge(kept, pending, acting_user=officers["admin"])


def test_merges_stay_one_level_deep(consultation, officers):
    a, b, c = Statement.objects.filter(consultation=consultation)
    moderation.do_merge(c, b, acting_user=officers["admin"])
    moderation.do_merge(b, a, acting_user=officers["admin"])
    c.refresh_from_db()
    assert c.merged_into == a


@pytest.mark.parametrize(
    ("role", "own_group", "allowed"),
    [
        ("admin", False, True),
        ("group", True, True),  # coordinator of workers, consultation of workers
        ("group", False, False),  # ... but not of farmers
        ("regional", False, False),  # regional coordinator of Almaty, a farmers' consultation
        ("auditor", True, False),
        ("nobody", True, False),
    ],
)
def test_only_the_electorates_officers_may_moderate(
    officers, members, groups, role, own_group, allowed
):
    consultation = make_consultation(
        officers["admin"], group=groups["workers" if own_group else "farmers"]
    )
    assert rules.can(officers[role], rules.Action.MANAGE, consultation) is allowed
    assert rules.can(officers[role], rules.Action.VIEW, consultation) is (
        allowed or role == "auditor"
    )


def test_seed_statements_skip_repeats_and_blank_lines(consultation, officers):
    added = moderation.do_add_seed_statements(
        consultation, ["", "честные суды для всех", "Новая мысль"], acting_user=officers["admin"]
    )
    assert [s.text for s in added] == ["Новая мысль"]
