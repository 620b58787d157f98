"""k of n trustees unseal a server; `kenes seal` drops the keys in every process at once.

Real processes: `kenes keyholder` holds the keys, `kenes custody init`, `kenes unseal` and
`kenes seal` run as an operator runs them. The pages are served by this test process with
its settings pointed at the same var dir: it is one more worker fetching keys from the
holder, and its cache must not outlive a seal.
"""

from __future__ import annotations

import stat

import pytest
from django.test import Client
from django.urls import reverse

from kenes.core.custody import share_from_text
from kenes.registry.models import Member
from tests.custody.conftest import Custody

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
SEALED = "The server is sealed: personal data cannot be read until 3 of the 5 trustees unseal it."


def _page(client, member):  # type: ignore[no-untyped-def]
    return client.get(reverse("member_detail", args=[member.pk]), **EN)


def test_three_of_five_unseal_and_seal_reaches_the_next_request(custody, client_for, registry):
    admin = client_for("admin")
    member = Member.objects.get(pk=registry["worker"].pk)
    address = member.address  # read with the environment's key, before custody
    assert address in _page(admin, member).content.decode()

    holder = custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    assert len(set(shares)) == 5
    keys_file = custody.var / "custody" / "keys.json"
    for path, mode in (
        (custody.socket, 0o600),
        (custody.socket.parent, 0o700),
        (keys_file, 0o600),
        (keys_file.parent, 0o700),
    ):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
    status = custody.status()
    assert status.pop("set_id") == share_from_text(shares[0]).set_id
    assert status == {"set_up": True, "sealed": True, "threshold": 3, "trustees": 5}
    # sealed is a state the server starts in, not a misconfiguration; keys left in the
    # environment beside custody are
    check = custody.kenes("check")
    assert check.returncode == 0, check.stderr
    assert "kenes.W020" in check.stderr + check.stdout
    sealed_page = _page(admin, member)
    assert sealed_page.status_code == 503
    assert SEALED in sealed_page.content.decode()
    assert address not in sealed_page.content.decode()

    done = custody.unseal([shares[4], shares[0], shares[2]])
    assert done.returncode == 0, done.stderr
    assert custody.status()["sealed"] is False
    page = _page(admin, member)
    assert page.status_code == 200
    assert address in page.content.decode()  # the holder's keys open what the old key sealed

    done = custody.kenes("seal")
    assert done.returncode == 0, done.stderr
    page = _page(admin, member)  # the very next request, in a process that cached the keys
    assert page.status_code == 503
    assert SEALED in page.content.decode()
    assert custody.status()["sealed"] is True
    assert custody.kenes("seal").returncode == 0  # sealing a sealed server is no error
    assert holder.poll() is None


def test_pages_without_personal_data_keep_working_while_sealed(custody, client_for, registry):
    custody.start_holder()
    custody.init()
    admin = client_for("admin")
    assert _page(admin, registry["worker"]).status_code == 503
    for name in ("dashboard", "groups", "elections", "results", "audit", "officers"):
        assert admin.get(reverse(name), **EN).status_code == 200, name
    visitor = Client()
    assert visitor.get(reverse("login"), **EN).status_code == 200
    login = visitor.post(
        reverse("login"), {"username": "regional", "password": "pw-regional-long-enough"}, **EN
    )
    assert login.status_code == 302
    assert visitor.get(reverse("dashboard"), **EN).status_code == 200
    api = admin.get(f"/api/v1/members/{registry['worker'].pk}", **EN)
    assert (api.status_code, api.json()) == (503, {"detail": SEALED, "sealed": True})
    # A personal code is found by its index under the service key (not in custody): a
    # member's link answers (here: a code that opens nothing), not the sealed page
    # (tests/custody/test_vote_while_sealed.py votes).
    assert Client().get(reverse("vote_link", args=["ABCD-EFGH-JKLM"]), **EN).status_code != 503


def test_bad_shares_and_a_second_init_change_nothing(custody, client_for, registry, tmp_path):
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    record = (custody.var / "custody" / "keys.json").read_bytes()

    done = custody.unseal(shares[:2])
    assert (done.returncode, done.stderr.strip()) == (
        1,
        "3 of the 5 trustees' shares are needed to unseal; 2 given. Nothing changed.",
    )
    assert custody.sealed()
    assert _page(client_for("admin"), registry["worker"]).status_code == 503

    words = shares[1].split()
    words[6] = "zoo" if words[6] != "zoo" else "zero"
    done = custody.unseal([shares[0], " ".join(words), shares[2]])
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Share 2 cannot be read:")
    assert "word 7" in lines[0] and lines[0].endswith("Nothing changed.")
    assert custody.sealed()

    done = custody.unseal([shares[0], shares[0], shares[1]])  # one trustee, not two
    assert done.returncode == 1 and "twice" in done.stderr
    assert custody.sealed()

    other = Custody(tmp_path, dict(custody.env, KENES_VAR_DIR=str(tmp_path)))
    done = custody.unseal(other.init(trustees=5, threshold=3)[:3])
    assert done.returncode == 1 and "another set of shares" in done.stderr
    assert custody.sealed()

    done = custody.kenes("custody", "init", "--trustees", "5", "--threshold", "3", "--json")
    assert done.returncode == 1 and done.stdout == ""
    assert "already set up" in done.stderr and "Nothing changed." in done.stderr
    assert (custody.var / "custody" / "keys.json").read_bytes() == record
    assert custody.unseal(shares[2:]).returncode == 0  # the first shares still unseal


def test_a_restarted_or_killed_holder_is_sealed(custody, client_for, registry):
    holder = custody.start_holder()
    shares = custody.init()
    assert custody.unseal(shares[:3]).returncode == 0
    admin = client_for("admin")
    assert _page(admin, registry["worker"]).status_code == 200
    custody.stop_holder(holder)
    assert custody.sealed()
    assert _page(admin, registry["worker"]).status_code == 503

    holder = custody.start_holder()
    assert custody.sealed()
    assert _page(admin, registry["worker"]).status_code == 503
    assert custody.unseal(shares[2:]).returncode == 0
    assert _page(admin, registry["worker"]).status_code == 200

    # SIGKILL leaves the holder no chance to clean up: `kenes seal` still stops every worker
    holder.kill()
    holder.wait(timeout=30)
    done = custody.kenes("seal")
    assert done.returncode == 0, done.stderr
    assert _page(admin, registry["worker"]).status_code == 503


def test_without_custody_seal_and_unseal_say_there_is_nothing_to_do(custody):
    assert custody.status() == {
        "set_up": False,
        "sealed": False,
        "threshold": None,
        "trustees": None,
        "set_id": None,
    }
    for done in (custody.kenes("seal"), custody.unseal(["abandon"])):
        assert done.returncode == 1
        assert "Custody is not set up" in done.stderr


def test_a_seal_reaches_a_task_in_a_worker_that_cached_the_keys(custody):
    """The task worker has no requests: each task starts with the same one-stat check."""
    from tests.custody.tasks_for_tests import count_field_keys

    custody.start_holder()
    assert custody.unseal(custody.init()[:3]).returncode == 0
    assert count_field_keys.enqueue().return_value == 1  # keys fetched and cached here
    assert custody.kenes("seal").returncode == 0
    result = count_field_keys.enqueue()
    assert result.status == "FAILED"
    assert result.errors[-1].exception_class_path == "kenes.custody.errors.Sealed"
