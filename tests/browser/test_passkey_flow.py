"""A security key in a real browser: Chromium's virtual authenticator (DevTools protocol,
WebAuthn.addVirtualAuthenticator) stands in for the key; the browser makes the credential
and the signatures, Kenes' server checks them.

The officer (a regional coordinator no other browser test logs in as: from now on the
server asks this account for its key) adds the key on the account page, logs out, logs in
with the password and then the key. The pages are opened on http://localhost (a passkey's
relying party must be a domain, not an IP address); no request may leave this machine.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.browser.conftest import Server

OFFICER = "coord-mangystau"


def _local(server: Server) -> str:
    return server.url.replace("127.0.0.1", "localhost")


def test_an_officer_adds_a_security_key_and_logs_in_with_it(browser, server):  # type: ignore[no-untyped-def]
    url = _local(server)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(20_000)
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    authenticator = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]

    page.goto(url + "/login/")
    page.fill("input[name=username]", OFFICER)
    page.fill("input[name=password]", server.logins[OFFICER])
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    page.goto(url + "/account/two-step/")
    page.click("#passkey-register-button")
    page.wait_for_selector("form[action*='/account/keys/'] button")  # reloaded with the key
    credentials = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1

    page.click("form.logout-form button")
    page.wait_for_url(re.compile(r".*/login/.*"))
    page.fill("input[name=username]", OFFICER)
    page.fill("input[name=password]", server.logins[OFFICER])
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(re.compile(r".*/account/second-step/$"))
    page.click("#passkey-verification-button")
    page.wait_for_url(url + "/")
    assert page.locator("form.logout-form").count() == 1  # logged in
    credentials = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert credentials["credentials"][0]["signCount"] >= 1
    context.close()

    foreign = [
        u
        for u in seen
        if urlsplit(u).hostname not in ("localhost", "127.0.0.1")
        and not u.startswith(("data:", "about:"))
    ]
    assert not foreign, f"requests left this machine: {foreign}"
