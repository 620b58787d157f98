"""The ballot without JavaScript says nothing about tapping (issue 10, finding 15).

The ranking script shows "tap the candidates" only when it runs; without it the paragraph
must stay hidden. It carried `hidden`, but `.help { display: block }` overrode the
attribute, so a phone without JavaScript told voters to tap names that do nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.ballots.conftest import make_members, open_election

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _stylesheets(html: str) -> str:
    css = ""
    for href in re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html):
        found = finders.find(href.removeprefix(settings.STATIC_URL))
        assert found, href
        css += Path(found).read_text()
    return css


def test_the_tap_instruction_is_hidden_without_javascript(groups, officers):
    members = make_members(groups["workers"], range(6))
    _election, codes = open_election(members, officers["admin"], candidates=3)
    html = Client().get(reverse("vote_link", args=[next(iter(codes.values()))]), **EN).text
    tags = [m for m in re.findall(r"<(\w+)([^>]*)>([^<]*)<", html) if "tap" in m[2].lower()]
    assert tags, "the script's instruction is on the page"
    for _name, attrs, text in tags:
        assert re.search(r"\shidden(\s|$|=)", attrs), text

    css = _stylesheets(html)
    hides = re.findall(r"\[hidden\]\s*{[^}]*display:\s*none\s*!important", css)
    assert hides, "a class that sets display (.help) must not undo the hidden attribute"
