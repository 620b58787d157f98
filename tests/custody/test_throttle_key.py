"""The wrong-code throttle under custody: keyed by the key holder's throttle key, which the
holder makes at random at its start (and at every seal), keeps in memory and never writes.

Real processes hold the keys (`kenes keyholder`, `kenes custody init`, `kenes unseal`,
`kenes seal`: tests/custody/conftest.py); this test process serves the pages, one more web
worker whose settings point at the same var dir. Wrong codes are typed on the voting page
from one address, as a guesser or a member who mistypes would.

The adversary copies what a seizure yields (the database, every file under the var dirs,
the environment) and tries every secret in it, and every file's bytes, as the HMAC key of
the address: no stored address hash comes out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kenes.participation import throttle
from kenes.participation.models import CodeAttempt
from kenes.security import keys
from kenes.security.sealing import service_index
from tests.custody.conftest import database_values, files_under

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ADDRESS = "198.51.100.23"
WRONG = "AAAAA-BBBBB-CCCCC"
LIMIT = throttle.FAILURE_LIMIT


def _guess(times: int, address: str = ADDRESS) -> list[int]:
    """Wrong codes on the voting page from `address`: 400 "wrong code" or 429 "too many"."""
    guesser = Client(REMOTE_ADDR=address)
    return [guesser.post(reverse("vote"), {"code": WRONG}, **EN).status_code for _ in range(times)]


def _stored() -> set[str]:
    return set(CodeAttempt.objects.values_list("address_index", flat=True))


def _old_keying(address: str) -> str:
    """How the rows were keyed before: the service key, which a copy holds."""
    return service_index(f"code-attempt:{address}")


def test_wrong_codes_are_throttled_while_sealed_and_unsealed_and_a_seal_forgives_them(custody):
    custody.start_holder()
    shares = custody.init(trustees=3, threshold=2)
    assert custody.sealed()
    assert _guess(LIMIT + 2) == [400] * LIMIT + [429] * 2  # sealed: members still vote
    assert CodeAttempt.objects.count() == LIMIT  # no write past the limit
    assert _old_keying(ADDRESS) not in _stored()

    assert custody.unseal(shares[:2]).returncode == 0
    assert not custody.sealed()
    assert _guess(1) == [429]  # an unseal keeps the key: the wrong codes still count
    assert _guess(1, "198.51.100.24") == [400]  # another address has its own count

    # A seal (duress, or a restart) makes a new key: the wrong codes so far are forgiven,
    # new ones count again.
    assert custody.kenes("seal").returncode == 0
    assert _guess(LIMIT + 1) == [400] * LIMIT + [429]
    assert CodeAttempt.objects.count() == 2 * LIMIT + 1


def test_a_holder_restart_forgives_old_wrong_codes_and_counts_new_ones(custody):
    holder = custody.start_holder()
    custody.init(trustees=3, threshold=2)
    assert _guess(LIMIT + 1) == [400] * LIMIT + [429]
    before = _stored()
    assert len(before) == 1

    custody.stop_holder(holder)
    custody.start_holder()
    assert _guess(1) == [400]  # the old rows no longer match: forgiven (docs/custody.md)
    assert len(_stored() - before) == 1  # a new row, under the new key
    assert _guess(LIMIT) == [400] * (LIMIT - 1) + [429]  # the new ones count


def test_every_worker_hashes_an_address_with_the_holders_one_key(custody):
    """Several web and task workers ask the one holder: the same key in each process, and
    a worker that cached it follows the holder's change at its next request."""
    script = (
        "from kenes.participation import throttle\n"
        f"print('INDEX:' + throttle._address_index({ADDRESS!r}))"
    )
    custody.start_holder()
    custody.init(trustees=3, threshold=2)

    def in_other_workers() -> set[str]:
        found = set()
        for _ in range(2):
            done = custody.kenes("shell", "-c", script)
            assert done.returncode == 0, done.stderr
            found.add(done.stdout.split("INDEX:", 1)[1].strip())
        return found

    mine = throttle._address_index(ADDRESS)
    assert in_other_workers() == {mine}
    assert mine != _old_keying(ADDRESS)

    assert custody.kenes("seal").returncode == 0  # a new key, told through the id file only
    _guess(1)  # a request: this worker looks at the holder's id file again
    changed = throttle._address_index(ADDRESS)
    assert changed != mine and in_other_workers() == {changed}


def test_with_custody_but_no_holder_serving_the_rows_are_not_keyed_by_the_service_key(custody):
    """The holder is down (a crash, a stop): this worker counts wrong codes under its own
    random key, in no file, until a holder serves again (kenes.security.keys)."""
    holder = custody.start_holder()
    custody.init(trustees=3, threshold=2)
    custody.stop_holder(holder)
    assert _guess(LIMIT + 1) == [400] * LIMIT + [429]
    assert _old_keying(ADDRESS) not in _stored()


# The seizure ----------------------------------------------------------------------------


def _candidate_keys(texts: list[str], blobs: list[bytes]) -> set[bytes]:
    """Every secret an adversary can pull out of the copy, as an HMAC key: each text and
    each file whole, each base64 token decoded, and the derivations Kenes makes from them."""
    found: set[bytes] = set(blobs)
    for text in texts:
        found.add(text.encode())
        found.add(text.strip().encode())
        for token in re.findall(r"[A-Za-z0-9+/_=-]{16,}", text):
            found.add(token.encode())
            for decode in (base64.urlsafe_b64decode, base64.b64decode):
                try:
                    found.add(decode(token + "=" * (-len(token) % 4)))
                except (binascii.Error, ValueError):
                    continue
    derived = set()
    for raw in found:
        derived.add(hashlib.sha256(b"kenes service key from SECRET_KEY v1:" + raw).digest())
    found |= derived
    for raw in list(found):  # the service index and the holder's derivations
        found.add(hmac.new(raw, b"kenes service index v1", hashlib.sha256).digest())
        found.add(hmac.new(raw, b"kenes throttle index v1", hashlib.sha256).digest())
    return found


def test_a_copy_of_the_server_cannot_tell_which_address_mistyped_a_code(custody):
    custody.start_holder()
    shares = custody.init(trustees=3, threshold=2)
    assert _guess(3) == [400] * 3  # sealed
    assert custody.unseal(shares[:2]).returncode == 0
    assert _guess(2) == [400] * 2  # unsealed: the same key
    assert len(_stored()) == 1 and CodeAttempt.objects.count() == 5

    # The seizure after a seal: the database, every file under the var dirs (the custody
    # folder, the holder's id file, var/service_key, var/secret_key, ...), the environment.
    assert custody.kenes("seal").returncode == 0
    environment = {k: v for k, v in os.environ.items() if k.startswith("KENES_")} | custody.env
    environment |= {"SECRET_KEY": settings.SECRET_KEY, "SERVICE": settings.KENES_SERVICE_KEY}
    files = files_under(custody.var) | files_under(Path(settings.VAR_DIR))
    assert any(p.name.endswith(".throttle") for p in files)  # the holder's id file is copied
    texts, blobs = database_values()
    texts += list(environment.values()) + [b.decode("utf-8", "replace") for b in files.values()]
    texts.append(json.dumps(environment))
    blobs += list(files.values())
    candidates = _candidate_keys(texts, blobs)

    stored = _stored()
    value = f"code-attempt:{ADDRESS}".encode()
    guesses = {hmac.new(c, value, hashlib.sha256).hexdigest() for c in candidates}
    # The harness is not blind: the old keying (the service key) is among its guesses.
    assert keys.service_index_secret() in candidates
    assert _old_keying(ADDRESS) in guesses
    assert not guesses & stored
