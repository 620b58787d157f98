"""The custody page: each trustee enters their own share from their own account, Seal now
reaches every worker at its next request, and the audit log records every step without a
word of any share.

Real processes: `kenes keyholder` holds the keys and the shares entered so far; this test
process serves the pages (one more worker) with its settings pointed at the same var dir.
"""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from mnemonic import Mnemonic

from kenes.audit.services import entries_newest_first, verify
from kenes.custody import client as holder_client
from kenes.registry.models import Member, Role, RoleKind
from kenes.registry.scoping import Action, can, members_for, records_for
from kenes.registry.services import do_grant_role
from tests.custody.conftest import wait_for

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CUSTODY = "/custody/"


@pytest.fixture
def trustees(officers):  # type: ignore[no-untyped-def]
    """Three trustees, each with their own account (and nothing else)."""
    User = get_user_model()
    users = []
    for number in (1, 2, 3):
        user = User.objects.create_user(f"trustee{number}", password=f"pw-trustee{number}-long")
        do_grant_role(user, RoleKind.TRUSTEE, acting_user="test")
        users.append(user)
    return users


def _logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def _refusal(response) -> str:  # type: ignore[no-untyped-def]
    found = re.findall(r'<p class="notice notice--bad" role="alert">(.*?)</p>', _text(response))
    assert len(found) == 1, found
    return found[0]


def _entered(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get(CUSTODY, **EN)
    assert page.status_code == 200
    found = re.search(r"(\d+ of \d+ shares? entered\.)", _text(page))
    assert found, _text(page)
    return found.group(1)


def _member_page(client, member):  # type: ignore[no-untyped-def]
    return client.get(reverse("member_detail", args=[member.pk]), **EN)


def _share_runs(share: str) -> list[str]:
    """The share and every two words of it in a row: what a page must never show."""
    words = share.split()
    return [share] + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def _custody_rows() -> list[dict[str, object]]:
    return [
        {
            "action": e.action,
            "actor": e.actor,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "detail": e.detail,
        }
        for e in entries_newest_first("custody.")
    ]


def _assert_no_share_words(shares: list[str]) -> None:
    """No word of any share in the custody rows (nor any word of the BIP-39 list); no
    share, nor two words of one, anywhere in the audit table (a word alone may be a common
    English word elsewhere: "group")."""
    rows = [
        [e.actor, e.action, e.target_type, e.target_id, e.detail]
        for e in entries_newest_first("custody.")
    ]
    tokens = set(re.findall(r"[a-z]+", json.dumps(rows).lower()))
    for share in shares:
        assert not tokens & set(share.split()), (tokens & set(share.split()), rows)
    # not by chance: no word of the share word list at all, whatever the shares drawn
    assert not tokens & set(Mnemonic("english").wordlist), rows
    everything = json.dumps(
        [[e.actor, e.action, e.target_type, e.target_id, e.detail] for e in entries_newest_first()],
        ensure_ascii=False,
    ).lower()
    for share in shares:
        for run in _share_runs(share):
            assert run not in everything


def _typo(share: str, position: int) -> str:
    words = share.split()
    words[position - 1] = "zoo" if words[position - 1] != "zoo" else "zero"
    return " ".join(words)


def test_three_trustees_each_enter_their_share_and_unseal(custody, trustees, registry, client_for):
    member = Member.objects.get(pk=registry["worker"].pk)
    address = member.address  # read with the environment's key, before custody
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    admin = client_for("admin")
    assert _member_page(admin, member).status_code == 503
    first, second, third = (_logged_in(t) for t in trustees)
    responses = []

    assert _entered(first) == "0 of 3 shares entered."
    done = first.post(reverse("custody_enter"), {"share": shares[0]}, **EN)
    assert done.status_code == 302
    responses.append(first.get(CUSTODY, **EN))
    assert "Your share is counted: 1 of 3 shares entered." in _text(responses[-1])
    assert _entered(first) == "1 of 3 shares entered."

    # the same share again from the same account counts once
    again = first.post(reverse("custody_enter"), {"share": shares[0]}, follow=True, **EN)
    responses.append(again)
    assert "Your share was already counted; it counts once." in _text(again)
    assert _entered(second) == "1 of 3 shares entered."
    assert holder_client.holder_status()["entered"] == 1

    # a typo: one sentence naming the word, nothing counted
    typo = second.post(reverse("custody_enter"), {"share": _typo(shares[1], 7)}, **EN)
    responses.append(typo)
    assert typo.status_code == 400
    sentence = _refusal(typo)
    assert sentence.startswith("Word 7 "), sentence
    assert sentence.endswith(".") and sentence.count(". ") == 0, sentence
    assert _entered(second) == "1 of 3 shares entered."
    swapped = shares[1].split()
    swapped[9], swapped[10] = swapped[10], swapped[9]
    refused = second.post(reverse("custody_enter"), {"share": " ".join(swapped)}, **EN)
    assert _refusal(refused) == "Words 10 and 11 are swapped: compare them with the paper."
    # a second share from one account is refused: one trustee, one share
    other = first.post(reverse("custody_enter"), {"share": shares[3]}, **EN)
    assert _refusal(other) == (
        "You have already entered a share; another trustee must enter theirs."
    )
    assert _entered(first) == "1 of 3 shares entered."
    # another trustee typing in a share already entered does not count it twice
    same = second.post(reverse("custody_enter"), {"share": shares[0]}, **EN)
    assert _refusal(same) == "This share has already been entered by another trustee."
    assert _entered(second) == "1 of 3 shares entered."

    assert second.post(reverse("custody_enter"), {"share": shares[1]}).status_code == 302
    assert _entered(third) == "2 of 3 shares entered."
    assert custody.sealed()
    assert _member_page(admin, member).status_code == 503
    last = third.post(reverse("custody_enter"), {"share": shares[2]}, follow=True, **EN)
    responses.append(last)
    assert "The server is unsealed: your share was the last one needed." in _text(last)
    assert "The server is unsealed" in _text(admin.get(CUSTODY, **EN))
    assert not custody.sealed()
    page = _member_page(admin, member)
    assert page.status_code == 200
    assert address in page.content.decode()

    # no page ever shows a share back, nor the typo'd one
    for response in responses:
        body = response.content.decode().lower()
        for share in shares + [_typo(shares[1], 7)]:
            for run in _share_runs(share):
                assert run not in body

    rows = _custody_rows()
    entered = [(r["actor"], r["detail"]) for r in rows if r["action"] == "custody.entered"]
    assert sorted(entered) == [
        ("trustee1", {"entered": 1, "needed": 3}),
        ("trustee2", {"entered": 2, "needed": 3}),
        ("trustee3", {"entered": 3, "needed": 3}),
    ]
    refused = [r["actor"] for r in rows if r["action"] == "custody.refused"]
    assert sorted(refused) == ["trustee1", "trustee2", "trustee2", "trustee2"]
    (unseal,) = [r for r in rows if r["action"] == "custody.unseal"]
    assert unseal["actor"] == "trustee3"
    assert unseal["detail"] == {
        "origin": "website",
        "trustees": ["trustee1", "trustee2", "trustee3"],
    }
    page = admin.get(CUSTODY, **EN)
    assert "by trustee1, trustee2, trustee3" in _text(page)
    log = _text(admin.get(reverse("audit"), **EN))
    for label in ("Trustee's share entered", "Trustee's share refused", "Server unsealed"):
        assert label in log
    _assert_no_share_words(shares)
    assert verify().intact


def test_seal_now_from_a_trustee_reaches_the_next_request_of_another_client(
    custody, trustees, registry, client_for
):
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    assert custody.unseal(shares[:3]).returncode == 0
    admin = client_for("admin")
    member = registry["worker"]
    assert _member_page(admin, member).status_code == 200  # this worker caches the keys
    address = Member.objects.get(pk=member.pk).address
    trustee = _logged_in(trustees[0])

    # without the CSRF token nothing happens
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(trustees[0])
    assert forged.post(reverse("custody_seal"), {"confirm": "1"}).status_code == 403
    assert not custody.sealed()
    # the first click only asks
    ask = trustee.post(reverse("custody_seal"), **EN)
    assert ask.status_code == 200 and "Seal the server now?" in _text(ask)
    assert not custody.sealed()
    assert _member_page(admin, member).status_code == 200

    done = trustee.post(reverse("custody_seal"), {"confirm": "1"}, **EN)
    assert done.status_code == 302
    sealed = _member_page(admin, member)  # the very next request of another client
    assert sealed.status_code == 503
    assert address not in sealed.content.decode()
    assert custody.sealed()
    rows = [r for r in _custody_rows() if r["action"] == "custody.seal"]
    assert [(r["actor"], r["detail"]) for r in rows] == [
        ("trustee1", {"origin": "website", "previously": "unsealed"})
    ]
    assert "by trustee1" in _text(admin.get(CUSTODY, **EN))

    # a seal also ends a collection of shares under way; the admin may seal as well
    assert trustee.post(reverse("custody_enter"), {"share": shares[0]}).status_code == 302
    assert _entered(trustee) == "1 of 3 shares entered."
    assert admin.post(reverse("custody_seal"), {"confirm": "1"}).status_code == 302
    assert _entered(trustee) == "0 of 3 shares entered."
    _assert_no_share_words(shares)


def test_only_the_admin_and_trustees_keep_custody(custody, trustees, client_for):
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    for role in ("group", "regional", "auditor", "nobody"):
        officer = client_for(role)
        assert officer.get(CUSTODY, **EN).status_code == 403, role
        assert officer.post(reverse("custody_seal"), {"confirm": "1"}).status_code == 403, role
        refused = officer.post(reverse("custody_enter"), {"share": shares[0]})
        assert refused.status_code == 403, role
        assert 'href="/custody/"' not in officer.get(reverse("dashboard"), **EN).content.decode()
    anonymous = Client().get(CUSTODY)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert custody.sealed() and holder_client.holder_status()["entered"] == 0
    # the admin sees the page and may seal, but enters no share: that is for trustees
    admin = client_for("admin")
    assert 'href="/custody/"' in admin.get(reverse("dashboard"), **EN).content.decode()
    assert admin.post(reverse("custody_enter"), {"share": shares[0]}).status_code == 403
    trustee = _logged_in(trustees[0])
    assert 'href="/custody/"' in trustee.get(reverse("dashboard"), **EN).content.decode()
    assert holder_client.holder_status()["entered"] == 0


def test_shares_entered_are_forgotten_after_the_window(custody, trustees):
    custody.env["KENES_UNSEAL_WINDOW_SECONDS"] = "2"
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    first, second, third = (_logged_in(t) for t in trustees)
    done = first.post(reverse("custody_enter"), {"share": shares[0]}, follow=True, **EN)
    assert "Your share is counted: 1 of 3 shares entered." in _text(done)
    wait_for(lambda: holder_client.holder_status()["entered"] == 0, "the window to close")
    assert _entered(first) == "0 of 3 shares entered."
    # the forgotten share no longer counts: the next one starts again at 1
    done = second.post(reverse("custody_enter"), {"share": shares[1]}, follow=True, **EN)
    assert "Your share is counted: 1 of 3 shares entered." in _text(done)
    assert custody.sealed()


def test_kenes_seal_and_unseal_write_audit_rows(custody, monkeypatch):
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(s + "\n" for s in shares[:3])))
    call_command("unseal", stdout=io.StringIO(), stderr=io.StringIO())
    assert not custody.sealed()
    call_command("seal", stdout=io.StringIO(), stderr=io.StringIO())
    assert custody.sealed()
    rows = [(r["action"], r["actor"], r["detail"]) for r in reversed(_custody_rows())]
    assert rows == [
        ("custody.unseal", "kenes unseal", {"origin": "command", "entered": 3}),
        ("custody.seal", "kenes seal", {"origin": "command"}),
    ]
    _assert_no_share_words(shares)


def test_kenes_seal_seals_when_the_audit_log_cannot_be_written(custody):
    """Duress: a database that cannot be reached must not stop a seal."""
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    assert custody.unseal(shares[:3]).returncode == 0  # its var dir has no migrated database
    assert not custody.sealed()
    done = custody.kenes("seal")
    assert done.returncode == 0, done.stderr
    assert custody.sealed()
    assert "Not written to the audit log" in done.stderr


def test_a_trustee_sees_no_personal_data_by_that_role(trustees, registry, client_for):
    trustee = trustees[0]
    member = registry["worker"]
    assert members_for(trustee).count() == 0
    assert records_for(trustee).count() == 0
    for action in (Action.LIST_MEMBERS, Action.EXPORT_DOSSIER, Action.VIEW_AUDIT_LOG):
        assert not can(trustee, action), action
    assert not can(trustee, Action.VIEW_MEMBER, member)
    assert not can(trustee, Action.EDIT_MEMBER, member)
    assert can(trustee, Action.KEEP_CUSTODY)
    client = _logged_in(trustee)
    assert client.get(reverse("members"), **EN).status_code == 403
    assert client.get(reverse("member_detail", args=[member.pk]), **EN).status_code in (403, 404)
    assert client.get(reverse("audit"), **EN).status_code == 403
    assert client.get(reverse("readiness_dossier"), **EN).status_code == 403


def test_a_trustee_has_no_region_and_no_group(trustees, groups):
    user = trustees[0]
    for scope in ({"region_code": "KZ-75"}, {"group": groups["workers"]}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Role.objects.create(user=user, kind=RoleKind.TRUSTEE, **scope)


def test_a_forged_share_of_the_right_set_unseals_nothing_and_is_forgotten(custody, trustees):
    """A share with a valid checksum and this server's set id, but a made-up value: the
    k shares then rebuild another key, which the master check refuses; nothing is
    unsealed and every share entered is forgotten (which one was forged cannot be told)."""
    import dataclasses
    import secrets as random_bytes

    from kenes.core.custody.share_text import share_from_text, share_to_text

    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    real = share_from_text(shares[2])
    forged = share_to_text(dataclasses.replace(real, value=random_bytes.token_bytes(32)))
    first, second, third = (_logged_in(t) for t in trustees)
    assert first.post(reverse("custody_enter"), {"share": shares[0]}).status_code == 302
    assert second.post(reverse("custody_enter"), {"share": shares[1]}).status_code == 302
    refused = third.post(reverse("custody_enter"), {"share": forged}, **EN)
    assert refused.status_code == 400
    assert _refusal(refused) == (
        "These shares do not rebuild this server's key, so they were all forgotten: "
        "every trustee must enter their share again."
    )
    assert custody.sealed()
    assert _entered(third) == "0 of 3 shares entered."
    assert not [r for r in _custody_rows() if r["action"] == "custody.unseal"]
    # the real shares still unseal, entered again
    for client, share in zip((first, second, third), shares[:3], strict=True):
        assert client.post(reverse("custody_enter"), {"share": share}).status_code == 302
    assert not custody.sealed()
    _assert_no_share_words(shares + [forged])


def test_a_trustee_without_a_passkey_is_told_to_add_one(custody, trustees):
    """Sealed, app codes cannot be checked: a key is how a trustee logs in to unseal."""
    from django_otp_webauthn.models import WebAuthnCredential

    custody.start_holder()
    custody.init(trustees=5, threshold=3)
    page = _logged_in(trustees[0]).get(CUSTODY, **EN).content.decode()
    assert 'id="needs-passkey"' in page and reverse("two_step") in page
    WebAuthnCredential.objects.create(
        user=trustees[0],
        name="key",
        confirmed=True,
        credential_type="public-key",
        credential_id=b"\x01" * 16,
        public_key=b"\x02" * 77,
        transports=["usb"],
        sign_count=0,
        backup_eligible=False,
        backup_state=False,
        aaguid="00000000-0000-0000-0000-000000000000",
        credential_id_sha256="0" * 64,
    )
    assert 'id="needs-passkey"' not in _logged_in(trustees[0]).get(CUSTODY, **EN).content.decode()
    # the admin, who is no trustee, is not told
    admin_page = _logged_in(trustees[0].__class__.objects.get(username="admin")).get(CUSTODY, **EN)
    assert 'id="needs-passkey"' not in admin_page.content.decode()
