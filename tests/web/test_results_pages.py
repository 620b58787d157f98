"""Results and the published ballot box: who sees what when, and that anyone can recount."""

from __future__ import annotations

import io
import json
import re
import shlex
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from kenes.audit.models import AuditEntry
from kenes.ballots import box, casting, services
from kenes.ballots.models import Ballot
from kenes.web.explain import recount_command
from tests.ballots.conftest import make_members, open_election, open_motion
from tests.web.test_pages import _foreign_urls

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
RANKINGS = [[[0], [1]], [[1], [0]], [[2], [1]], [[1]], [[3], [2], [1]], [[0], [2]]]


@pytest.fixture
def members(groups):  # type: ignore[no-untyped-def]
    return make_members(groups["workers"], range(12))


def _cast_all(election, codes, rankings=RANKINGS):  # type: ignore[no-untyped-def]
    return [
        casting.do_cast(election, code, rankings[i % len(rankings)])
        for i, code in enumerate(codes.values())
    ]


def _published(members, admin, *, method="stv", seats=2, rankings=RANKINGS):  # type: ignore[no-untyped-def]
    election, codes = open_election(members, admin, candidates=4, seats=seats, method=method)
    receipts = _cast_all(election, codes, rankings)
    services.do_close(election, acting_user=admin)
    return box.do_publish(election, acting_user=admin), receipts


def _html(client: Client, url: str) -> str:
    response = client.get(url, **EN)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_published_stv_result_shows_the_winners_in_order_and_one_column_per_round(
    client, members, officers
):
    election, _receipts = _published(members, officers["admin"])
    html = _html(client, reverse("election_result", args=[election.pk]))
    winners = re.search(r'<ol class="winners" id="winners">(.*?)</ol>', html, re.S)
    assert winners is not None
    assert re.findall(r"<li>(.*?)</li>", winners.group(1)) == election.result["winners"]
    header = re.search(r'<table class="rounds" id="rounds">\s*<thead>(.*?)</thead>', html, re.S)
    assert header is not None
    assert header.group(1).count('class="num round-col"') == len(election.result["rounds"])
    assert len(election.result["rounds"]) > 1
    assert "Quota" in html and "preview-mark" not in html


def test_kenes_tally_with_the_command_on_the_page_reproduces_every_round(
    client, members, officers, tmp_path, capsys
):
    election, _receipts = _published(members, officers["admin"])
    blt = client.get(reverse("election_box_blt", args=[election.pk]))
    assert blt["Content-Type"] == "text/plain; charset=utf-8"
    assert blt["Content-Disposition"] == f'attachment; filename="election-{election.pk}.blt"'
    path = tmp_path / f"election-{election.pk}.blt"
    path.write_bytes(blt.content)
    html = _html(client, reverse("election_result", args=[election.pk]))
    shown = re.search(r'<code id="recount-command">(.*?)</code>', html, re.S)
    assert shown is not None
    command = shown.group(1)
    assert command == recount_command(
        filename=path.name, method="stv", seats=2, stv_rules="scottish", seed=election.seed
    )
    assert f"--seed {election.seed}" in command and "--stv-rules scottish" in command
    program, sub, filename, *options = shlex.split(command)
    assert (program, sub, filename) == ("kenes", "tally", path.name)
    call_command("tally", str(path), *options)
    recount = json.loads(capsys.readouterr().out)
    assert recount["winners"] == election.result["winners"]
    assert [r["votes"] for r in recount["rounds"]] == [
        r["votes"] for r in election.result["rounds"]
    ]
    assert recount == {k: v for k, v in election.result.items() if k != "kind"}


def test_the_receipt_search_finds_a_real_receipt_however_it_is_typed(client, members, officers):
    election, receipts = _published(members, officers["admin"])
    receipt = receipts[0]
    typed = f" {receipt[:5].lower()}-{receipt[5:10]} {receipt[10:]} "
    url = reverse("election_box", args=[election.pk])
    html = client.get(url, {"receipt": typed}, **EN).content.decode()
    assert 'id="receipt-found"' in html and 'id="receipt-missing"' not in html
    entry = next(e for e in box.ballot_box(election) if e["receipt"] == receipt)
    counted_as = "; ".join(f"{i}. {' = '.join(g)}" for i, g in enumerate(entry["ballot"], 1))
    found = re.search(r'id="receipt-found">(.*?)</div>', html, re.S)
    assert found is not None and counted_as in found.group(1)
    assert 'class="is-found"' in html


def test_the_receipt_search_says_clearly_when_a_receipt_is_not_in_the_box(
    client, members, officers
):
    election, receipts = _published(members, officers["admin"])
    made_up = "0" * 20
    assert made_up not in receipts
    html = client.get(
        reverse("election_box", args=[election.pk]), {"receipt": made_up}, **EN
    ).content.decode()
    assert 'id="receipt-missing"' in html and 'id="receipt-found"' not in html


def test_the_box_page_shows_the_intact_chain_and_its_head(client, members, officers):
    election, _receipts = _published(members, officers["admin"])
    html = _html(client, reverse("election_box", args=[election.pk]))
    assert 'id="chain-intact"' in html and 'id="chain-broken"' not in html
    assert election.box_head in html
    assert html.count("<tr>") - 1 == len(box.ballot_box(election))  # rows + the header row


def test_an_altered_ballot_row_makes_the_box_page_show_the_broken_chain_warning(
    client, members, officers
):
    election, receipts = _published(members, officers["admin"])
    Ballot.objects.filter(receipt=receipts[3]).update(ranking=[[3], [2]])
    html = _html(client, reverse("election_box", args=[election.pk]))
    assert 'id="chain-broken"' in html and 'id="chain-intact"' not in html
    assert "has changed since the result was published" in html
    assert election.box_head in html


def test_a_box_changed_together_with_its_stored_head_is_caught_against_the_audit_chain(
    client, members, officers
):
    """Finding 9: rewrite a ballot AND `election.box_head` so the box agrees with itself;
    the head recorded in the audit chain at publication still tells."""
    election, receipts = _published(members, officers["admin"])
    out = io.StringIO()
    call_command("audit", "verify", "--json", stdout=out)
    before = json.loads(out.getvalue())
    assert before["checks"]["ballot_boxes"] == {"checked": 1, "problems": []}
    Ballot.objects.filter(receipt=receipts[3]).update(ranking=[[3], [2]])
    election.box_head = box.ballot_box(election)[-1]["hash"]
    election.save(update_fields=["box_head"])
    assert box.verify_box(election).intact  # consistent with itself...
    html = _html(client, reverse("election_box", args=[election.pk]))
    assert 'id="chain-broken"' in html and 'id="changed-since-publication"' in html
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--json", stdout=out)
    after = json.loads(out.getvalue())
    assert after["intact"] is True  # the chain itself is untouched...
    (problem,) = after["checks"]["ballot_boxes"]["problems"]  # ...and says the box changed
    assert election.title in problem


@pytest.mark.parametrize("phase", ["open", "closed"])
def test_before_publication_anonymous_users_and_members_without_a_role_get_404(
    client, client_for, members, officers, phase
):
    election, codes = open_election(members, officers["admin"])
    _cast_all(election, codes)
    if phase == "closed":
        services.do_close(election, acting_user=officers["admin"])
    for who in (client, client_for("nobody")):
        for name in ("election_result", "election_box", "election_box_blt", "election_box_json"):
            assert who.get(reverse(name, args=[election.pk])).status_code == 404, name


def test_while_open_even_an_admin_sees_only_the_turnout(client_for, members, officers):
    election, codes = open_election(members, officers["admin"])
    _cast_all(election, codes)
    html = _html(client_for("admin"), reverse("election_result", args=[election.pk]))
    assert 'id="turnout"' in html
    assert f"{len(codes)} of {len(codes)} members have voted" in html
    for marker in ('id="winners"', 'id="rounds"', 'id="result-chart"', 'id="explanation"'):
        assert marker not in html
    for name in services.options(election):
        assert name not in html
    assert client_for("admin").get(reverse("election_box", args=[election.pk])).status_code == 404


def test_once_closed_an_auditor_sees_a_preview_marked_as_not_published(
    client_for, members, officers
):
    election, codes = open_election(members, officers["admin"], seats=2)
    _cast_all(election, codes)
    services.do_close(election, acting_user=officers["admin"])
    html = _html(client_for("auditor"), reverse("election_result", args=[election.pk]))
    assert 'id="preview-mark"' in html and "Preview, not published." in html
    assert 'id="winners"' in html and 'id="recount-command"' not in html
    assert client_for("auditor").get(reverse("election_box", args=[election.pk])).status_code == 404


def test_a_condorcet_result_shows_the_pairwise_matrix_and_strongest_paths(
    client, members, officers
):
    election, _receipts = _published(members, officers["admin"], method="schulze", seats=1)
    html = _html(client, reverse("election_result", args=[election.pk]))
    matrix = re.search(r'<table class="pairwise" id="pairwise">(.*?)</table>', html, re.S)
    assert matrix is not None
    names = election.result["candidates"]
    body = matrix.group(1).split("<tbody>")[1]
    assert body.count("<tr>") == len(names)
    first_row = re.findall(r'<td class="num[^"]*">(.*?)</td>', body.split("</tr>")[0])
    assert first_row[1:] == [str(v) for v in election.result["pairwise"][0][1:]]
    assert 'id="strongest-paths"' in html
    assert "--stv-rules" not in html


def test_a_motion_result_states_quorum_base_and_majority(client, members, officers):
    admin = officers["admin"]
    motion, codes = open_motion(members, admin, quorum_percent=50, majority="two_thirds")
    for code, choice in zip(codes, [0, 0, 0, 0, 0, 1, 1, 2], strict=False):
        casting.do_cast(motion, code, [[choice]])
    services.do_close(motion, acting_user=admin)
    box.do_publish(motion, acting_user=admin)
    html = _html(client, reverse("election_result", args=[motion.pk]))
    assert "The quorum was 50% of the electorate, 6 votes; 8 were cast, so the quorum was met." in (
        html
    )
    assert "The base that counts as 100% is yes and no votes: 7 votes." in html
    assert "at least two thirds" in html and "5 yes votes, 71.4% of the base" in html
    assert 'id="motion-outcome"' in html and "The motion was carried." in html
    box_html = _html(client, reverse("election_box", args=[motion.pk]))
    assert "1. Yes" in box_html and "1. Abstain" in box_html


def test_the_recount_command_of_a_motion_that_missed_its_quorum_says_not_carried(
    client, members, officers, tmp_path, capsys
):
    """Finding 16: the page's command printed winners ["yes"] for a motion that failed."""
    admin = officers["admin"]
    motion, codes = open_motion(members, admin, quorum_percent=50, base="cast")
    for code in codes[:3]:  # 3 of 12 vote, all yes: a majority, but no quorum
        casting.do_cast(motion, code, [[0]])
    services.do_close(motion, acting_user=admin)
    box.do_publish(motion, acting_user=admin)
    motion.refresh_from_db()
    assert motion.result["carried"] is False and motion.result["quorum_met"] is False
    path = tmp_path / f"election-{motion.pk}.blt"
    path.write_bytes(client.get(reverse("election_box_blt", args=[motion.pk])).content)
    html = _html(client, reverse("election_result", args=[motion.pk]))
    shown = re.search(r'<code id="recount-command">(.*?)</code>', html, re.S)
    assert shown is not None
    program, sub, filename, *options = shlex.split(shown.group(1).replace("&quot;", '"'))
    assert (program, sub, filename) == ("kenes", "tally", path.name)
    call_command("tally", str(path), *options)
    recount = json.loads(capsys.readouterr().out)
    assert recount == motion.result
    assert recount["carried"] is False and "winners" not in recount


def test_the_svg_chart_is_valid_xml_with_one_bar_per_candidate(client, members, officers):
    election, _receipts = _published(members, officers["admin"])
    html = _html(client, reverse("election_result", args=[election.pk]))
    svg = re.search(r'<svg class="chart result-chart".*?</svg>', html, re.S)
    assert svg is not None
    root = ET.fromstring(svg.group(0))
    rects = root.findall(".//rect")
    finals = [r for r in rects if "bar-final" in r.get("class", "")]
    firsts = [r for r in rects if "bar-first" in r.get("class", "")]
    assert len(finals) == len(firsts) == len(election.result["candidates"])
    winners = [r for r in finals if "bar-winner" in r.get("class", "")]
    assert len(winners) == len(election.result["winners"])
    assert root.find(".//line") is not None  # the quota


def test_the_box_json_has_the_documented_shape_and_its_chain_verifies(client, members, officers):
    election, receipts = _published(members, officers["admin"])
    document = client.get(reverse("election_box_json", args=[election.pk])).json()
    assert document["format"] == "kenes-ballot-box/1"
    assert document["election"]["id"] == election.pk
    assert document["election"]["seed"] == election.seed
    assert document["election"]["candidates"] == list(services.options(election))
    assert document["head"] == election.box_head
    assert {e["receipt"] for e in document["entries"]} == set(receipts)
    assert set(document["entries"][0]) == {"receipt", "ballot", "ranking", "paper", "hash"}
    assert box.verify_entries(document["entries"], document["head"]).intact
    assert document["result"] == election.result
    # where the audit chain recorded the publication: the entry that holds the box's head
    anchor = document["audit_anchor"]
    entry = AuditEntry.objects.order_by("id")[anchor["seq"] - 1]
    assert entry.hash == anchor["entry_hash"] and anchor["digest"] == document["head"]
    assert document["head"] in json.dumps(entry.detail)
    page = client.get(reverse("election_box", args=[election.pk])).content.decode()
    shown = re.search(r'<p class="small" id="audit-anchor">(.*?)</p>', page, re.S)
    assert shown and str(anchor["seq"]) in shown.group(1) and anchor["entry_hash"] in shown.group(1)


def test_published_list_shows_published_votes_only_newest_first(client, members, officers):
    admin = officers["admin"]
    first, _r = _published(members, admin)
    second, _r = _published(members, admin, method="irv", seats=1)
    unpublished, _codes = open_election(members, admin)
    html = _html(client, reverse("results"))
    links = re.findall(r'href="/elections/(\d+)/result/"', html)
    assert links == [str(second.pk), str(first.pk)]
    assert str(unpublished.pk) not in links
    assert ", ".join(first.result["winners"]) in html


def test_result_and_box_pages_contain_no_url_of_another_host(client, members, officers):
    election, receipts = _published(members, officers["admin"])
    urls = [
        reverse("results"),
        reverse("election_result", args=[election.pk]),
        reverse("election_box", args=[election.pk]) + f"?receipt={receipts[0]}",
    ]
    for url in urls:
        response = client.get(url, **EN)
        html = response.content.decode()
        assert _foreign_urls(html) == [], url
        assert "http://" not in html and "https://" not in html, url
        assert re.search(r"\sstyle\s*=", html) is None and "<style" not in html, url


@pytest.mark.parametrize(
    ("method", "seats"), [("irv", 1), ("plurality", 1), ("approval", 2), ("ranked-pairs", 1)]
)
def test_every_method_has_a_result_page_with_its_winners_and_rounds(
    client, members, officers, method, seats
):
    election, _receipts = _published(members, officers["admin"], method=method, seats=seats)
    html = _html(client, reverse("election_result", args=[election.pk]))
    for name in election.result["winners"]:
        assert f"<li>{name}</li>" in html
    assert html.count('class="num round-col"') == len(election.result["rounds"])
    assert f"--method {method} --seats {seats} --seed {election.seed} --json" in html
    if method == "irv":
        assert "More than half" in html  # the majority threshold row
    if method == "ranked-pairs":
        assert 'id="pairwise"' in html and 'id="strongest-paths"' not in html
        assert election.result["locked"] and 'id="locked-pairs"' in html
