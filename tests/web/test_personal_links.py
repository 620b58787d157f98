"""Personal links keep the code out of every server log: it travels after `#`.

The slips and the codes file an officer gets when a vote opens are read as a member's
phone would use them: what the browser sends to the server for a link is its path and
query, never the fragment; the code must not be there. The page the path opens carries
the script that sends the fragment's code in a POST, and that POST opens the ballot.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from kenes.ballots import services
from tests.web.handout import codes_csv_text
from tests.web.test_election_pages import CONFIRM, _workers, elections  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _opened_codes_page(client_for, elections, registry) -> tuple[str, str]:  # type: ignore[no-untyped-def]  # noqa: F811
    """(the codes file, the slips file) handed out when the vote opened."""
    election = elections["group"]
    for member in _workers(registry):
        services.do_add_candidate(election, member, acting_user="test")
    client = client_for("group")
    response = client.post(reverse("election_open", args=[election.pk]), CONFIRM)
    content, slips = codes_csv_text(client, response)
    return content, unescape(slips)


def test_no_personal_link_puts_the_code_where_the_server_logs_it(
    client_for,
    elections,  # noqa: F811
    registry,
):
    content, html = _opened_codes_page(client_for, elections, registry)
    rows = list(csv.DictReader(io.StringIO(content)))
    slip_links = re.findall(r'<p class="slip__link">([^<]+)</p>', html)
    assert len(rows) == len(slip_links) == 5
    for row, slip_link in zip(rows, slip_links, strict=True):
        for link in (row["link"], slip_link):
            parts = urlsplit(link)
            sent_to_server = parts.path + "?" + parts.query
            assert row["code"] not in sent_to_server
            assert parts.path == reverse("vote") and parts.fragment == "/" + row["code"]
        assert row["link"] == slip_link


def test_the_link_opens_a_page_whose_script_posts_the_code_and_the_ballot_opens(
    client_for,
    elections,  # noqa: F811
    registry,
):
    _content, html = _opened_codes_page(client_for, elections, registry)
    link = re.findall(r'<p class="slip__link">([^<]+)</p>', html)[0]
    parts = urlsplit(link)
    member = Client()
    page = member.get(parts.path + (("?" + parts.query) if parts.query else ""))
    assert page.status_code == 200
    script = re.search(r'<script src="([^"]*code-link[^"]*)"', page.content.decode())
    assert script is not None, "the code page loads the script that reads the fragment"
    source = b"".join(member.get(script.group(1)).streaming_content).decode()
    assert "location.hash" in source and "replaceState" in source and ".submit()" in source
    assert "<noscript>" in page.content.decode()  # and says where the code is without it
    code = parts.fragment.lstrip("/")  # what the script reads and POSTs
    ballot = member.post(reverse("vote"), {"code": code})
    assert ballot.status_code == 200 and 'name="election"' in ballot.content.decode()
