"""The consultation report page: who sees it, and that it shows what the votes say."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.test import Client
from django.urls import reverse

from kenes.agenda import services
from kenes.agenda.analysis import do_recompute
from kenes.agenda.models import Consultation
from kenes.agenda.moderation import do_hide
from kenes.core.consensus import Statement, VoteMatrix
from kenes.participation.models import CodeAttempt
from kenes.participation.services import do_issue_codes
from kenes.web.views.agenda_report import bar_class
from tests.agenda.test_exports import hand_case, load_votes, new_consultation, planted
from tests.web.test_pages import _foreign_urls

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ROLES = ("admin", "regional", "group", "auditor", "nobody")


def _page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url, **EN)
    assert response.status_code == status, url
    return response.content.decode()


def _section(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"(.*?)</(?:section|table|details)>', html, re.S)
    assert found is not None, element_id
    return found.group(1)


def _items(html: str, css: str) -> list[str]:
    """The statement text of each <li class="css">, before its explanation."""
    return [
        htmllib.unescape(t.strip())
        for t in re.findall(rf'<li class="{css}">(.*?)<span', html, re.S)
    ]


def _small(groups, **fields) -> Consultation:  # type: ignore[no-untyped-def]
    """The hand-counted case of tests/agenda/test_exports.py (shares in its docstring)."""
    consultation = new_consultation(**fields)
    hand_case(consultation)
    return consultation


# -- who sees it ------------------------------------------------------------------------


def _urls(consultation: Consultation) -> list[str]:
    return [
        reverse(name, args=[consultation.pk])
        for name in ("agenda_report", "agenda_report_csv", "agenda_report_polis")
    ]


@pytest.mark.parametrize(
    ("electorate", "allowed"),
    [
        ({"group": "workers"}, {"admin", "group", "auditor"}),
        ({"region_code": "KZ-75"}, {"admin", "regional", "auditor"}),
    ],
)
def test_report_and_downloads_are_for_the_electorates_officers_and_auditors(
    client, client_for, groups, electorate, allowed
):
    fields = dict(electorate)
    if "group" in fields:
        fields["group"] = groups[fields["group"]]
    consultation = _small(groups, **fields)
    for role in ROLES:
        for url in _urls(consultation):
            expected = 200 if role in allowed else 404
            assert client_for(role).get(url, **EN).status_code == expected, (role, url)
    for url in _urls(consultation):
        assert client.get(url, **EN).status_code == 404, url


def test_officers_get_the_download_links_on_the_report(client_for, groups):
    consultation = _small(groups, group=groups["workers"])
    html = _page(client_for("group"), reverse("agenda_report", args=[consultation.pk]))
    downloads = _section(html, "report-downloads")
    assert reverse("agenda_report_csv", args=[consultation.pk]) in downloads
    assert reverse("agenda_report_polis", args=[consultation.pk]) in downloads


def test_a_participants_link_opens_the_report_only_in_the_report_phase(
    client, officers, groups, registry
):
    consultation = _small(groups, group=groups["workers"])
    (issued,) = do_issue_codes(consultation.purpose, [registry["worker"]], acting_user="test")
    url = reverse("agenda_report_member", args=[issued.code])

    not_yet = _page(client, url, 404)
    assert "opens once voting has ended" in not_yet

    services.do_move_phase(consultation, "report", acting_user=officers["admin"])
    response = client.get(url, **EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert consultation.title in html
    assert 'id="constituent-groups"' in html
    assert "report-downloads" not in html, "downloads are for officers and auditors"

    services.do_move_phase(consultation, "closed", acting_user=officers["admin"])
    assert client.get(url, **EN).status_code == 404, "codes stop working once closed"


def test_a_wrong_code_does_not_open_a_report_and_counts_as_a_failure(client, groups):
    _small(groups, phase="report")
    html = _page(client, reverse("agenda_report_member", args=["00000-00000-00000"]), 404)
    assert "does not open a report" in html
    assert CodeAttempt.objects.count() == 1


# -- what it shows ----------------------------------------------------------------------


def test_the_constituent_group_table_shows_agree_shares_counted_by_hand(client_for, groups):
    consultation = _small(groups)
    html = _page(client_for("admin"), reverse("agenda_report", args=[consultation.pk]))
    table = _section(html, "group-table")

    columns = re.findall(r'<th scope="col">(.*?)</th>', table)
    assert columns == ["Statement", "Рабочие", "Торговцы", "Фермеры"]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S)
    cells = {
        text: re.findall(r'<td class="share[^"]*">(.*?)</td>', row, re.S) for text, row in rows
    }
    # Statement 0 has more votes, so it comes first.
    assert [text for text, _ in rows] == ["Statement 0", "Statement 1"]
    shown = {text: [re.sub(r"<[^>]+>", "", c).split() for c in row] for text, row in cells.items()}
    assert shown["Statement 0"] == [["67%", "of", "6"], ["under", "5", "votes"], ["33%", "of", "6"]]
    assert shown["Statement 1"] == [["83%", "of", "6"], ["—"], ["80%", "of", "5"]]
    assert re.findall(
        r'class="(share-w-\d+)"', cells["Statement 0"][0] + cells["Statement 0"][2]
    ) == [
        "share-w-65",
        "share-w-35",
    ]
    regions = _section(html, "region-table")
    assert len(re.findall(r'<th scope="col">', regions)) == 3, "Statement + 2 regions"


def test_bar_widths_come_in_steps_of_five_percent():
    assert [bar_class(s) for s in (0.0, 0.024, 0.026, 0.5, 0.82, 1.0)] == [
        "share-w-0",
        "share-w-0",
        "share-w-5",
        "share-w-50",
        "share-w-80",
        "share-w-100",
    ]


def test_the_report_of_a_planted_conversation_shows_the_planted_groups_and_common_ground(
    client_for,
):
    consultation = new_consultation()
    conversation, (participants, statements) = planted(consultation)
    html = _page(client_for("auditor"), reverse("agenda_report", args=[consultation.pk]))

    groups = consultation.analysis["groups"]
    assert len(groups) == 2
    for group, letter in zip(groups, "AB", strict=True):
        assert f"Group {letter}: {group['size']} participants" in html
    # each found group is mostly one planted group
    row_of = {str(p.pk): i for i, p in enumerate(participants)}
    for group in groups:
        planted_of = [int(conversation.groups[row_of[p]]) for p in group["participants"]]
        assert max(planted_of.count(0), planted_of.count(1)) >= 0.9 * len(planted_of)

    common = {statements[j].text for j in conversation.common_ground.tolist()}
    assert set(_items(_section(html, "uniting"), "consensus-statement")) == common
    divisive = set(_items(_section(html, "dividing"), "divisive-statement"))
    assert divisive and not divisive & common

    sentences = re.findall(
        r"Group ([AB]) (agrees|disagrees) with “(.*?)” \((\d+)% of the group, "
        r"against (\d+)% of everyone else\)\.",
        htmllib.unescape(html),
    )
    assert {s[0] for s in sentences} == {"A", "B"}
    for _letter, _direction, _text, inside, others in sentences:
        assert int(inside) > int(others), "what sets a group apart: more of it than of the rest"

    svg = _section(html, "opinion-map")
    assert svg.count('class="map-mark opinion-group-0"') >= 1
    assert svg.count('class="map-mark opinion-group-1"') >= 1


def test_a_report_before_any_analysis_says_it_is_not_ready(client_for, groups):
    consultation = new_consultation(group=groups["workers"])
    html = _page(client_for("admin"), reverse("agenda_report", args=[consultation.pk]))
    assert 'id="no-analysis"' in html


def test_the_report_has_no_inline_styles_or_scripts_and_nothing_from_another_host(
    client_for, groups
):
    consultation = new_consultation()
    planted(consultation, participants=40)
    html = _page(client_for("admin"), reverse("agenda_report", args=[consultation.pk]))
    assert "style=" not in html
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert _foreign_urls(html) == []
    assert "http://" not in html and "https://" not in html


def test_a_report_computed_before_any_vote_says_so_instead_of_a_map(client_for, groups):
    consultation = new_consultation()
    load_votes(consultation, VoteMatrix.from_votes([], [Statement("0", "Statement 0")]))
    do_recompute(consultation.pk)
    html = _page(client_for("admin"), reverse("agenda_report", args=[consultation.pk]))
    assert "Too few votes yet to draw the opinion map." in html
    assert "<svg" not in html
    assert "No statement has a majority in every opinion group yet." in html


def test_a_statement_hidden_after_the_analysis_leaves_the_report_at_once(client_for, officers):
    consultation = new_consultation()
    conversation, (_participants, statements) = planted(consultation)
    common = statements[int(conversation.common_ground[0])]
    url = reverse("agenda_report", args=[consultation.pk])
    shown = re.compile(rf"{re.escape(common.text)}(?!\d)")
    assert shown.search(_page(client_for("admin"), url))

    do_hide(common, "personal data", acting_user=officers["admin"])

    assert not shown.search(_page(client_for("admin"), url))
