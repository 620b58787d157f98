"""Every page renders, anonymous users are sent to log in, nothing is loaded from elsewhere."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kenes.registry.batches import do_upload
from tests.conftest import csv_bytes, person

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def every_page(registry, groups, officers):  # type: ignore[no-untyped-def]
    """The URL of every GET page, with real objects behind the detail pages."""
    batch = do_upload(
        csv_bytes([person(1)]),
        filename="one.csv",
        group=groups["workers"],
        strict=False,
        acting_user=officers["admin"],
    )
    return [
        reverse("dashboard"),
        reverse("groups"),
        reverse("group_add"),
        reverse("group_detail", args=["workers"]),
        reverse("members"),
        reverse("members") + "?q=Тестов&status=member&region=KZ-75&group=workers",
        reverse("member_detail", args=[registry["worker"].pk]),
        reverse("import"),
        reverse("import_batch", args=[batch.pk]),
        reverse("import_batch_status", args=[batch.pk]),
        reverse("readiness"),
        reverse("readiness") + "?rules=kz-2009",
        reverse("members") + "?defect=consent_missing&rules=kz-2022",
        reverse("audit"),
    ]


def test_every_page_renders_for_an_admin(client_for, every_page):
    client = client_for("admin")
    for url in every_page:
        response = client.get(url, **EN)
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    "name,args",
    [
        ("dashboard", []),
        ("groups", []),
        ("group_add", []),
        ("group_detail", ["workers"]),
        ("members", []),
        ("member_detail", [1]),
        ("import", []),
        ("import_batch", ["0b7c55c2-54b1-4a0f-8f38-4c4f1f0d9a11"]),
        ("readiness", []),
        ("readiness_dossier", []),
        ("audit", []),
    ],
)
def test_anonymous_is_redirected_to_login(client, groups, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_login_page_renders_and_logs_in(client, officers):
    page = client.get(reverse("login"), **EN)
    assert page.status_code == 200
    assert b'name="username"' in page.content and b'name="password"' in page.content
    response = client.post(
        reverse("login"), {"username": "admin", "password": "pw-admin-long-enough"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_logout_is_a_post(client_for):
    client = client_for("admin")
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_repeated_wrong_passwords_lock_the_account_with_a_page_in_russian(
    client, officers, settings
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": "admin", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="ru"
        )
    response = client.post(
        reverse("login"), {"username": "admin", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 429
    text = response.content.decode()
    assert "web/locked_out.html" in [t.name for t in response.templates]
    assert "заблокирован" in text and "30" in text


_URL_ATTR = re.compile(
    r"""(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*([^"'\s>]+)""", re.IGNORECASE
)


def _foreign_urls(html: str) -> list[str]:
    return [
        u
        for u in _URL_ATTR.findall(html)
        if re.match(r"(?:https?:)?//", u) and not re.match(r"(?:https?:)?//testserver[/:]", u)
    ]


def test_no_page_loads_or_links_anything_from_another_host(client, client_for, every_page):
    pages = {url: client_for("admin").get(url, **EN).content.decode() for url in every_page}
    pages["login"] = client.get(reverse("login")).content.decode()
    for url, html in pages.items():
        assert _foreign_urls(html) == [], url
        assert "http://" not in html and "https://" not in html, url


def test_pages_have_no_inline_scripts_or_styles_and_send_a_strict_csp(client_for, every_page):
    client = client_for("admin")
    for url in every_page:
        response = client.get(url, **EN)
        html = response.content.decode()
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, url
        assert re.search(r"\sstyle\s*=", html) is None, url
        assert "<style" not in html, url
        assert re.search(r"\son[a-z]+\s*=", html) is None, url


def test_htmx_and_the_stylesheet_are_served_by_kenes(client_for):
    html = client_for("admin").get(reverse("dashboard")).content.decode()
    assert 'src="/static/kenes/htmx.min.js"' in html
    assert 'href="/static/kenes/kenes.css"' in html
    assert '"includeIndicatorStyles": false' in html  # htmx would inject a <style> otherwise


def test_russian_is_the_default_and_follows_accept_language(client_for):
    client = client_for("admin")
    russian = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="ru">' in russian
    assert "Обзор" in russian and "Члены партии" in russian
    assert "Overview" not in russian
    english = client.get(reverse("dashboard"), **EN).content.decode()
    assert '<html lang="en">' in english and "Overview" in english
    kazakh = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert '<html lang="kk">' in kazakh and "Шолу" in kazakh


def test_the_language_switch_sets_the_cookie_and_the_next_page_follows_it(client_for, settings):
    client = client_for("admin")
    response = client.post(
        reverse("set_language"), {"language": "kk", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "kk"
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="kk">' in page


def test_a_user_without_a_role_is_told_whom_to_ask(client_for):
    client = client_for("nobody")
    page = client.get(reverse("dashboard"), **EN).content.decode()
    assert "no role yet" in page
    assert client.get(reverse("members")).status_code == 403
    assert client.get(reverse("readiness")).status_code == 403
    forbidden = client.get(reverse("audit"), **EN)
    assert forbidden.status_code == 403
    assert "ask the national coordinator" in forbidden.content.decode()
