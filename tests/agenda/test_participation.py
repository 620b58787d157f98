"""Taking part: pseudonymous participants, phases, votes that replace earlier votes."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from kenes.agenda import services
from kenes.agenda.models import OpinionVote, Participant, Statement, StatementStatus
from kenes.agenda.services import AgendaError
from kenes.registry.models import Member


def test_a_participant_row_holds_no_member_reference(consultation, codes, members):
    member = members[6]  # pk 7: distinct from the participant's and consultation's ids
    participant = services.participant_for_code(consultation, codes[member.pk])
    for model in apps.get_app_config("agenda").get_models():
        for field in model._meta.get_fields():
            assert getattr(field, "related_model", None) is not Member, (model, field)
    columns = {f.column for f in Participant._meta.get_fields() if hasattr(f, "column")}
    assert columns == {"id", "consultation_id", "key", "groups", "region_code"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM agenda_participant")
        row_text = " ".join(str(v) for v in cursor.fetchone())
    assert str(member.pk) not in row_text.split()
    assert member.full_name not in row_text
    assert participant.key == services.participant_key_for_code(consultation.pk, codes[member.pk])
    # Not computable from the member id under any key a seized copy holds (service key):
    assert participant.key != services.participant_key(consultation, member)
    assert participant.key != str(member.pk) and len(participant.key) == 64


def test_labels_are_copied_at_first_participation(consultation, codes, members):
    both = members[0]  # a worker who is also a farmer, in Almaty city
    participant = services.participant_for_code(consultation, codes[both.pk])
    assert participant.groups == ["farmers", "workers"]
    assert participant.region_code == both.region_code


def test_a_reissued_code_is_a_new_participant_the_old_one_keeps_its_votes(
    consultation, codes, members, officers
):
    """The participant is keyed by the code (under the service key, which works while sealed
    and which a seized copy holds), not by the member: a reissued code starts afresh."""
    member = members[1]
    first = services.participant_for_code(consultation, codes[member.pk])
    statement = Statement.objects.filter(consultation=consultation).first()
    services.do_vote(first, statement.pk, services.AGREE)
    (new,) = services.do_issue_codes(consultation, members=[member], acting_user=officers["admin"])
    assert services.participant_for_code(consultation, codes[member.pk]) is None  # old code dead
    again = services.participant_for_code(consultation, new.code)
    assert again.pk != first.pk and again.region_code == first.region_code
    assert again.groups == first.groups
    assert list(OpinionVote.objects.values_list("participant", flat=True)) == [first.pk]


def test_the_same_member_is_a_different_participant_in_another_consultation(
    consultation, codes, members, officers
):
    from tests.agenda.conftest import make_consultation

    other = make_consultation(officers["admin"], statements=["Другое"])
    (code,) = services.do_issue_codes(other, members=[members[2]], acting_user=officers["admin"])
    here = services.participant_for_code(consultation, codes[members[2].pk])
    there = services.participant_for_code(other, code.code)
    assert here.key != there.key


def test_a_new_vote_replaces_the_earlier_one(consultation, codes, members):
    participant = services.participant_for_code(consultation, codes[members[0].pk])
    statement = Statement.objects.filter(consultation=consultation).first()
    services.do_vote(participant, statement.pk, services.AGREE)
    services.do_vote(participant, statement.pk, services.DISAGREE)
    assert list(OpinionVote.objects.values_list("value", flat=True)) == [-1]


def test_the_next_statement_is_one_not_yet_voted_on_until_none_is_left(
    consultation, codes, members
):
    participant = services.participant_for_code(consultation, codes[members[0].pk])
    seen = []
    while (statement := services.next_statement(participant)) is not None:
        assert statement.pk not in seen
        seen.append(statement.pk)
        services.do_vote(participant, statement.pk, services.PASS)
    assert len(seen) == 3
    assert services.progress(participant) == (3, 3)


def test_adding_a_statement_is_refused_in_the_vote_phase(consultation, codes, members, officers):
    participant = services.participant_for_code(consultation, codes[members[0].pk])
    services.do_move_phase(consultation, "vote", acting_user=officers["admin"])
    consultation.refresh_from_db()
    with pytest.raises(AgendaError):
        services.do_add_statement(consultation, participant, "Новое предложение")
    statement = Statement.objects.filter(consultation=consultation).first()
    services.do_vote(participant, statement.pk, services.AGREE)  # voting still allowed


def test_voting_is_refused_once_the_report_is_out(consultation, codes, members, officers):
    participant = services.participant_for_code(consultation, codes[members[0].pk])
    services.do_move_phase(consultation, "report", acting_user=officers["admin"])
    statement = Statement.objects.filter(consultation=consultation).first()
    with pytest.raises(AgendaError):
        services.do_vote(participant, statement.pk, services.AGREE)
    assert not OpinionVote.objects.exists()


def test_closing_revokes_the_codes(consultation, codes, members, officers):
    services.do_move_phase(consultation, "report", acting_user=officers["admin"])
    services.do_move_phase(consultation, "closed", acting_user=officers["admin"])
    assert services.find_consultation(codes[members[0].pk]) is None


def test_phases_do_not_go_back(consultation, officers):
    services.do_move_phase(consultation, "vote", acting_user=officers["admin"])
    with pytest.raises(AgendaError):
        services.do_move_phase(consultation, "collect", acting_user=officers["admin"])


def test_a_members_statement_waits_for_approval_when_moderation_is_on(consultation, codes, members):
    participant = services.participant_for_code(consultation, codes[members[0].pk])
    statement = services.do_add_statement(consultation, participant, "  Бесплатная   медицина ")
    assert statement.text == "Бесплатная медицина"
    assert statement.status == StatementStatus.PENDING and not statement.seeded
    with pytest.raises(AgendaError):
        services.do_vote(participant, statement.pk, services.AGREE)


def test_without_moderation_a_members_statement_is_shown_at_once(officers, members):
    from tests.agenda.conftest import make_consultation

    consultation = make_consultation(officers["admin"], moderation=False)
    (code,) = services.do_issue_codes(consultation, members=[members[0]], acting_user="test")
    participant = services.participant_for_code(consultation, code.code)
    statement = services.do_add_statement(consultation, participant, "Бесплатная медицина")
    assert statement.status == StatementStatus.APPROVED


def test_codes_go_only_to_the_electorate(officers, members, groups):
    from tests.agenda.conftest import make_consultation

    consultation = make_consultation(officers["admin"], group=groups["farmers"])
    issued = services.do_issue_codes(consultation, acting_user=officers["admin"])
    assert len(issued) == 5  # four farmers and the worker who is also a farmer
