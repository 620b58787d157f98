"""Russian and Kazakh pages read as written by a person: counts in their plural forms, no
gendered guesses about candidates, figures in the reader's format, no English and no codes.

Pages are rendered for real (published results, readiness, delegates, seat scenarios, the
audit log) in "ru" and "kk" and read as a person reads them: the visible text, tags removed.
"""

from __future__ import annotations

import ast
import html as html_lib
import json
import re
import tomllib
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import ngettext, override

from kenes.ballots import box, casting, services
from kenes.web import data_texts, explain, labels, numbers
from tests.ballots.conftest import make_members, open_election, open_motion

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["ru", "kk"]
NBSP = "\xa0"

#: English sentences (msgids) of these pages: none may reach a Russian or Kazakh reader.
ENGLISH = [
    "was elected",
    "had the fewest votes",
    "passed to the next preferences",
    "were exhausted",
    "Counted by",
    "quota of",
    "members voted",
    "The quorum was",
    "The base that counts",
    "The motion",
    "votes needed",
    "Stage ",
    "Round ",
    "amendments to the Law",
    "party-list seats",
    "runner-up",
    "OFFICIAL",
    "SECONDARY",
    "DERIVED",
    "Sources of the official results: Kazinform",
    "Member list imported",
    "Group created",
]
#: Russian that guesses a candidate's gender.
GENDERED = [
    "он исключён",
    "она исключена",
    "избран(а)",
    "его голоса перешли",
    "выпал(а)",
    "одобрен(а)",
]


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """What a reader sees: no tags, attributes, scripts or styles; entities decoded."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", body)
    body = re.sub(r"(?s)<!--.*?-->", " ", body)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"[ \t\r\n]+", " ", text)


def _page(client: Client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    return _text(client.get(url, HTTP_ACCEPT_LANGUAGE=language))


def _admin(officers) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(officers["admin"])
    return client


def _no_english_and_no_gender(text: str, language: str) -> None:
    found = [phrase for phrase in ENGLISH if phrase in text]
    assert found == [], f"English on a {language} page: {found}"
    if language == "ru":
        assert [g for g in GENDERED if g in text] == []


# ---- plural forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "russian"),
    [
        (1, "1 голос"),
        (2, "2 голоса"),
        (5, "5 голосов"),
        (11, "11 голосов"),
        (21, "21 голос"),
        (464, "464 голоса"),
        (1000, f"1{NBSP}000 голосов"),
    ],
)
def test_a_number_of_votes_takes_the_russian_plural_form_of_its_count(count, russian):
    with override("ru"):
        assert explain.votes(count) == russian
    with override("kk"):
        assert explain.votes(count) == russian.split(" ")[0] + " дауыс"


def test_a_fraction_of_votes_reads_as_russian_writes_fractions():
    with override("ru"):
        assert explain.votes("2617.5") == f"2{NBSP}617,5 голоса"
        assert explain.votes("418.9700") == "418,97 голоса"
    with override("en"):
        assert explain.votes("2617.5") == "2,617.5 votes"
        assert explain.votes(1) == "1 vote"


@pytest.mark.parametrize(
    ("count", "russian"),
    [
        (1, "Всего нужен ещё 1 полноправный член."),
        (2, "Всего нужно ещё 2 полноправных члена."),
        (5, "Всего нужно ещё 5 полноправных членов."),
        (21, "Всего нужен ещё 21 полноправный член."),
        (464, "Всего нужно ещё 464 полноправных члена."),
    ],
)
def test_the_readiness_shortfall_takes_the_plural_form_of_its_count(count, russian):
    with override("ru"):
        sentence = ngettext(
            "%(shown)s more member in good standing is needed in total.",
            "%(shown)s more members in good standing are needed in total.",
            count,
        ) % {"shown": count}
    assert sentence == russian


# ---- numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_figures_are_grouped_with_a_decimal_comma_and_no_needless_zeros(language):
    with override(language):
        assert numbers.localized("1320.5000") == f"1{NBSP}320,5"
        assert numbers.localized(2617.5) == f"2{NBSP}617,5"
        assert numbers.localized(5148074) == f"5{NBSP}148{NBSP}074"
        assert numbers.localized("4.0000") == "4"
        assert numbers.localized("не число") == "не число"
    with override("en"):
        assert numbers.localized("1320.5000") == "1,320.5"


# ---- pages ------------------------------------------------------------------------------


@pytest.fixture
def members(groups):  # type: ignore[no-untyped-def]
    return make_members(groups["workers"], range(11))


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_stv_result_page_has_no_english_no_gender_and_local_figures(members, officers, language):
    admin = officers["admin"]
    election, codes = open_election(members, admin, candidates=4, seats=2, method="stv")
    rankings = [[[0], [1]], [[1], [0]], [[2], [1]], [[1]], [[3], [2], [1]], [[0], [2]]]
    for i, code in enumerate(codes.values()):
        casting.do_cast(election, code, rankings[i % len(rankings)])
    services.do_close(election, acting_user=admin)
    box.do_publish(election, acting_user=admin)
    text = _page(_admin(officers), reverse("election_result", args=[election.pk]), language)
    _no_english_and_no_gender(text, language)
    word = "голос" if language == "ru" else "дауыс"
    assert re.search(rf"\d+(,\d+)? {word}", text), text
    assert not re.search(r"\d\.\d", text.split("kenes tally")[0]), "a '.' decimal on the page"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_motion_page_shows_a_half_vote_quorum_in_the_readers_format(members, officers, language):
    admin = officers["admin"]
    motion, codes = open_motion(members, admin, quorum_percent=50, majority="simple")
    for code, choice in zip(codes, [0, 0, 0, 0, 1, 2], strict=False):
        casting.do_cast(motion, code, [[choice]])
    services.do_close(motion, acting_user=admin)
    box.do_publish(motion, acting_user=admin)
    text = _page(_admin(officers), reverse("election_result", args=[motion.pk]), language)
    _no_english_and_no_gender(text, language)
    assert "5,5" in text and "5.5" not in text  # 50 % of 11 members, in both places
    if language == "ru":
        assert "5,5 голоса" in text and "6 голосов" not in text.split("Кворум")[1][:80]


@pytest.mark.parametrize("language", LANGUAGES)
def test_readiness_names_the_law_not_its_id(client_for, registry, language):
    text = _page(client_for("admin"), reverse("readiness"), language)
    assert "kz-2022" not in text and "kz-2002" not in text
    _no_english_and_no_gender(text, language)
    law = {"ru": "Поправки 2022 года к Закону", "kk": "Заңға 2022 жылғы өзгерістер"}[language]
    assert law in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_delegates_count_a_shared_member_as_a_local_fraction(client_for, registry, language):
    # Person 5 is in both groups: each group counts 4.5 members.
    text = _page(client_for("admin"), reverse("delegates"), language)
    assert "4,5" in text
    assert "4.5" not in text and "4.5000" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_seat_scenario_pages_name_rules_and_sources_in_the_readers_language(officers, language):
    client = _admin(officers)
    text = _page(client, reverse("historical"), language)
    _no_english_and_no_gender(text, language)
    assert "kz-majilis" not in text
    assert "Мажилис 2023" in text or "Мәжіліс 2023" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_audit_log_shows_actions_and_details_as_words(client_for, registry, language):
    text = _page(client_for("admin"), reverse("audit"), language)
    _no_english_and_no_gender(text, language)
    assert "members.import" not in text and "group.add" not in text
    assert not re.search(r"\b[a-z]+\.[a-z_]+\b", text.split("Kenes")[0]), "a raw action code"
    assert '{"' not in text and '": ' not in text  # no JSON
    imported = {"ru": "Список членов импортирован", "kk": "Мүшелер тізімі импортталды"}
    assert imported[language] in text


# ---- every shown text has a translation -------------------------------------------------


def _shown_data_texts() -> set[str]:
    jurisdictions = ROOT / "kenes" / "jurisdictions"
    found: set[str] = set()
    kz = tomllib.loads((jurisdictions / "kz.toml").read_text(encoding="utf-8"))
    for rule in kz["registration_rules"]:
        found |= {rule["law"], rule["status"]}
    for path in jurisdictions.glob("parliament-*.toml"):
        for rules in tomllib.loads(path.read_text(encoding="utf-8"))["rules"]:
            found |= {rules["name"], *rules.get("unconfirmed", [])}
    results = json.loads(
        (ROOT / "kenes" / "parliament" / "data" / "majilis-results.json").read_text("utf-8")
    )
    found |= set(results["sources"])
    found |= {row["party"] for e in results["elections"] for row in e["lists"]}
    return found


def test_every_text_the_data_shows_is_in_the_catalogue_list():
    missing = _shown_data_texts() - set(data_texts.DATA_TEXTS)
    assert missing == set(), "add them to kenes/web/data_texts.py and translate them"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_the_data_shows_is_translated(language):
    with override(language):
        untranslated = [t for t in _shown_data_texts() if labels.data_text(t) == t]
    # Names written the same in every alphabet would be allowed; none of ours are.
    assert untranslated == []


def _action_codes_in_code() -> set[str]:
    """The literal audit action codes the code records (record/record_standalone calls)."""
    codes: set[str] = set()
    for path in (ROOT / "kenes").rglob("*.py"):
        if "migrations" in path.parts or "core" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in ("record", "record_standalone"):
                continue
            for const in ast.walk(node.args[0]):
                if (
                    isinstance(const, ast.Constant)
                    and isinstance(const.value, str)
                    and re.fullmatch(r"[a-z_]+\.[a-z_]+", const.value)
                ):
                    codes.add(const.value)
    return codes


def test_every_audit_action_the_code_records_has_a_label():
    codes = _action_codes_in_code()
    assert len(codes) > 20
    assert sorted(codes - set(labels.AUDIT_ACTIONS)) == []
    with override("ru"):
        assert [c for c in labels.AUDIT_ACTIONS if labels.audit_action(c) == c] == []
