"""Texts and amendments: tabling within the deadline by a badge or a group, the committee's
recommendations, the hall's decisions in the chair's order, merging into a new version,
and the diff between versions."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kenes.audit import services as audit
from kenes.congress import amendments as am
from kenes.congress import services
from kenes.congress.models import Amendment, TextVersion
from kenes.congress.services import CongressError
from tests.congress.conftest import make_congress

pytestmark = pytest.mark.django_db

CHARTER = """Партия объединяет граждан.

Член партии платит взносы.

Съезд избирает председателя."""


@pytest.fixture
def hall(people, officers):  # type: ignore[no-untyped-def]
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people[:3], acting_user=admin)
    text = am.do_add_text(
        congress,
        title="Устав",
        body=CHARTER,
        amendments_until=timezone.now() + datetime.timedelta(days=1),
        acting_user=admin,
    )
    return congress, text, [s.badge_code for s in seated], admin


def test_an_amendment_is_tabled_by_a_badge_or_a_group_and_numbered_in_order(hall, groups):
    _congress, text, badges, admin = hall
    first = am.do_table(
        text,
        paragraph=1,
        proposed="Член партии платит взносы раз в год.",
        badge=badges[0],
        acting_user="code",
    )
    second = am.do_table(text, paragraph=2, proposed="", group=groups["farmers"], acting_user=admin)
    assert (first.number, first.version) == (1, 1) and first.by_delegate is not None
    assert second.number == 2 and second.by_group == groups["farmers"] and second.proposed == ""
    entries = audit.entries_newest_first("congress.amendment_table")
    assert [e.detail["amendment"] for e in entries] == [2, 1]


@pytest.mark.parametrize(
    ("kwargs", "sentence"),
    [
        ({"paragraph": 3, "proposed": "x", "badge": "AAAA-AAAA"}, "not one of this congress"),
        ({"paragraph": 7, "proposed": "x"}, "paragraphs 1 to 3"),
        ({"paragraph": 0, "proposed": "Партия объединяет граждан."}, "changes nothing"),
        ({"paragraph": 0, "proposed": "x", "badge": None}, "by a delegate or by a group"),
    ],
)
def test_a_wrong_amendment_is_refused_with_a_sentence_and_nothing_tabled(hall, kwargs, sentence):
    _congress, text, badges, admin = hall
    kwargs = {"badge": badges[0], **kwargs}
    with pytest.raises(CongressError, match=sentence):
        am.do_table(text, acting_user=admin, **kwargs)
    assert not Amendment.objects.exists()


def test_after_the_deadline_nothing_is_tabled(hall):
    _congress, text, badges, admin = hall
    late = text.amendments_until + datetime.timedelta(seconds=1)
    with pytest.raises(CongressError, match="were due by"):
        am.do_table(text, paragraph=0, proposed="x", badge=badges[0], acting_user=admin, now=late)
    assert not Amendment.objects.exists()


def test_the_hall_adopts_in_the_chairs_order_and_the_merge_writes_a_new_version(hall, groups):
    _congress, text, badges, admin = hall
    a1 = am.do_table(
        text,
        paragraph=1,
        proposed="Член партии платит взносы раз в месяц.",
        badge=badges[0],
        acting_user="code",
    )
    a2 = am.do_table(text, paragraph=2, proposed="", badge=badges[1], acting_user="code")
    a3 = am.do_table(
        text,
        paragraph=0,
        proposed="Партия объединяет всех граждан.",
        group=groups["workers"],
        acting_user=admin,
    )
    a4 = am.do_table(
        text,
        paragraph=0,
        proposed="Партия объединяет граждан страны.",
        badge=badges[2],
        acting_user="code",
    )
    with pytest.raises(CongressError, match="cannot become"):
        am.do_decide(a1, True, acting_user=admin)  # the committee answers first
    am.do_recommend(
        a1, "adopt_modified", wording="Член партии платит взносы раз в квартал.", acting_user=admin
    )
    am.do_recommend(a2, "reject", acting_user=admin)
    am.do_recommend(a3, "adopt", acting_user=admin)
    am.do_merge_into(a4, a3, acting_user=admin)
    with pytest.raises(CongressError, match="each once: 1, 2, 3"):
        am.do_set_order(text, [3, 1], acting_user=admin)
    am.do_set_order(text, [3, 2, 1], acting_user=admin)
    am.do_decide(a3, True, acting_user=admin)
    am.do_decide(a2, False, acting_user=admin)
    am.do_decide(a1, True, acting_user=admin)
    with pytest.raises(CongressError, match="cannot become"):
        am.do_withdraw(a1, acting_user=admin)  # decided: too late

    merged = am.do_merge_adopted(text, acting_user=admin)
    assert merged.applied == [3, 1]  # the chair's order
    assert merged.version.number == 2
    assert am.paragraphs(merged.version.body) == [
        "Партия объединяет всех граждан.",
        "Член партии платит взносы раз в квартал.",  # the committee's wording
        "Съезд избирает председателя.",  # rejected deletion: the paragraph stays
    ]
    assert TextVersion.objects.get(text=text, number=1).body == am.join(am.paragraphs(CHARTER))
    assert {a.number: a.state for a in Amendment.objects.all()} == {
        1: "done",
        2: "rejected",
        3: "done",
        4: "merged",
    }
    with pytest.raises(CongressError, match="No adopted amendment"):
        am.do_merge_adopted(text, acting_user=admin)


def test_two_adopted_amendments_of_one_paragraph_are_refused_until_one_is_merged(hall):
    _congress, text, badges, admin = hall
    a1 = am.do_table(
        text, paragraph=0, proposed="Первый вариант.", badge=badges[0], acting_user="code"
    )
    a2 = am.do_table(
        text, paragraph=0, proposed="Второй вариант.", badge=badges[1], acting_user="code"
    )
    for a in (a1, a2):
        am.do_recommend(a, "adopt", acting_user=admin)
        am.do_decide(a, True, acting_user=admin)
    with pytest.raises(CongressError, match="Amendments 1 and 2 were both adopted for paragraph 1"):
        am.do_merge_adopted(text, acting_user=admin)
    assert TextVersion.objects.filter(text=text).count() == 1


def test_the_diff_marks_words_and_paragraphs_and_escapes_what_was_typed():
    before = "Партия объединяет граждан.\n\nСтарый абзац."
    after = "Партия объединяет <b>всех</b> граждан.\n\nНовый абзац.\n\nЕщё один."
    shown = am.diff_html(before, after)
    assert "<ins>&lt;b&gt;всех&lt;/b&gt; </ins>" in shown
    assert "<del>Старый</del><ins>Новый</ins> абзац." in shown
    assert "<p><ins>Ещё один.</ins></p>" in shown
    assert "<b>" not in shown


def test_the_programme_from_the_consultation_becomes_a_text_plank_by_plank(hall, officers):
    from kenes.agenda.programme import do_add_plank
    from tests.agenda.conftest import make_consultation

    congress, _text, badges, admin = hall
    consultation = make_consultation(admin)
    with pytest.raises(CongressError, match="no planks yet"):
        am.do_add_programme(congress, consultation, acting_user=admin)
    do_add_plank(
        consultation,
        title="Честные выборы",
        text="Открытые списки.",
        statement_ids=[],
        acting_user=admin,
    )
    do_add_plank(
        consultation, title="Суды", text="Независимые судьи.", statement_ids=[], acting_user=admin
    )
    text = am.do_add_programme(congress, consultation, acting_user=admin)
    assert consultation.title in text.title
    assert am.paragraphs(am.latest(text).body) == [
        "1. Честные выборы\nОткрытые списки.",
        "2. Суды\nНезависимые судьи.",
    ]
    amendment = am.do_table(
        text, paragraph=1, proposed="2. Суды\nВыборные судьи.", badge=badges[0], acting_user="code"
    )
    assert amendment.paragraph == 1
