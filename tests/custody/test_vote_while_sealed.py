"""Members vote with their codes while the server is sealed; only the close needs trustees.

Real processes hold the keys (`kenes keyholder`, `kenes custody init`, `kenes unseal`,
`kenes seal`: tests/custody/conftest.py); the pages are served by this test process, one
more worker whose settings point at the same var dir. The vote is opened while unsealed (its
private envelope key is sealed under the field key), then the server is sealed and the
members vote through their personal links. A scheduled close meets the sealed server and
waits; after the trustees unseal, it counts every ballot cast.

The adversary copies what a seizure of the sealed server yields after the voting — the
database, every file under the var dirs and the environment (without KENES_FIELD_KEYS, which
an operator removes after `kenes custody init`: kenes.W020) — and tries every key found in
them, as X25519 private key on each envelope, as AES key on the sealed private key of the
vote, and as the custody master: nothing opens.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import os
import re
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from kenes.ballots import envelopes, schedule, services
from kenes.ballots.models import Ballot, BallotEnvelope, Election, VoterRoll
from kenes.custody import store
from kenes.security import keys
from kenes.security.keys import Sealed, field_keys
from tests.ballots.conftest import make_members
from tests.custody.conftest import database_values, files_under

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
RECEIPT = re.compile(r'id="receipt"[^>]*>([^<]+)<')


def _vote(code: str, ranks: dict[str, str]) -> str:
    """As a member votes: the personal link, then the form; the receipt the page shows."""
    voter = Client()
    page = voter.get(f"/vote/{code}/", **EN)
    assert page.status_code == 200, page.content.decode()[:400]
    election = re.search(r'name="election" value="(\d+)"', page.content.decode())
    assert election, page.content.decode()[:400]
    done = voter.post(
        "/vote/cast/",
        {"code": code, "election": election.group(1)} | ranks,
        follow=True,
        **EN,
    )
    found = RECEIPT.search(done.content.decode())
    assert done.status_code == 200 and found, done.content.decode()[:400]
    return found.group(1).replace(" ", "").strip()


def _open_vote(groups, admin):  # type: ignore[no-untyped-def]
    members = make_members(groups["workers"], range(8))
    election = services.do_create_election(
        "Совет", method="stv", seats=1, cutoff_on=timezone.localdate(), acting_user=admin
    )
    for member in members[:3]:
        services.do_add_candidate(election, member, statement="", acting_user=admin)
    issued = services.do_open(election, acting_user=admin)
    return Election.objects.get(pk=election.pk), [i.code for i in issued]


def _candidate_keys(texts: list[str], blobs: list[bytes]) -> set[bytes]:
    """Every 32-byte value an adversary can pull out of what they copied."""
    found: set[bytes] = set()
    for text in texts:
        for token in re.findall(r"[A-Za-z0-9+/_=-]{40,}", text):
            for decode in (base64.urlsafe_b64decode, base64.b64decode):
                for candidate in (token, *token.split("$")):
                    try:
                        raw = decode(candidate + "=" * (-len(candidate) % 4))
                    except (binascii.Error, ValueError):
                        continue
                    if len(raw) == 32:
                        found.add(raw)
        found.add(hashlib.sha256(text.encode()).digest())
        # the service key made from SECRET_KEY when none is set (kenes.security.keys)
        found.add(hashlib.sha256(b"kenes service key from SECRET_KEY v1:" + text.encode()).digest())
    for blob in blobs:  # raw bytes anywhere: every 32-byte window
        found.update(blob[i : i + 32] for i in range(max(len(blob) - 31, 0)))
    return found


def _opens(key: bytes, election: Election, envelopes_found: list[tuple[str, bytes]]) -> bool:
    private = X25519PrivateKey.from_private_bytes(key)
    for slot, sealed in envelopes_found:
        try:
            envelopes.open_with_private(private, election.pk, slot, sealed)
            return True
        except envelopes.EnvelopeError:
            pass
    _, _, body = election.envelope_private_key.split("$", 2)
    raw = base64.urlsafe_b64decode(body)
    context = f"kenes-election-envelope:{election.pk}".encode()
    try:
        AESGCM(key).decrypt(raw[:12], raw[12:], context)
        return True
    except InvalidTag:
        return False


def test_members_vote_while_sealed_and_the_close_waits_for_the_trustees(custody, groups, officers):
    admin = officers["admin"]
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    assert custody.unseal(shares[:3]).returncode == 0
    election, codes = _open_vote(groups, admin)  # unsealed: its private key sealed
    assert election.envelope_public_key and election.envelope_private_key.startswith("v1$")
    assert custody.kenes("seal").returncode == 0
    keys._forget_check()  # what every request and task of a worker does first
    with pytest.raises(Sealed):  # the field keys are gone from this process too
        services.do_close(election, acting_user=admin)

    receipts = [_vote(code, {"rank_0": "1", "rank_2": "2"}) for code in codes[:5]]
    receipts.append(_vote(codes[0], {"rank_1": "1"}))  # a re-vote replaces the first ballot
    assert len(set(receipts)) == 6
    returning = Client().get(f"/vote/{codes[0]}/", **EN)
    assert returning.status_code == 200  # the returning voter's page, read with their code
    assert BallotEnvelope.objects.filter(election=election).count() == 5
    assert VoterRoll.objects.filter(election=election, has_voted=True).count() == 5

    # The adversary's copy of the sealed server, after the voting.
    copied_env = {
        k: v for k, v in os.environ.items() if k.startswith("KENES_") and k != "KENES_FIELD_KEYS"
    } | {k: v for k, v in custody.env.items() if k.startswith("KENES_") and k != "KENES_FIELD_KEYS"}
    files = files_under(custody.var) | files_under(Path(settings.VAR_DIR))
    texts, blobs = database_values()
    texts += list(copied_env.values()) + [b.decode("utf-8", "replace") for b in files.values()]
    blobs += list(files.values())
    candidates = _candidate_keys(texts, blobs)
    assert len(candidates) > 10  # the service key, the secret key, every wrapped key, ...
    record = store.read_record()
    sealed_rows = list(BallotEnvelope.objects.values_list("slot", "sealed"))
    sealed_rows = [(slot, bytes(sealed)) for slot, sealed in sealed_rows]
    election.refresh_from_db()
    opened = [c for c in candidates if _opens(c, election, sealed_rows) or record.matches(c)]
    assert opened == []
    for receipt in receipts:  # and no receipt is in the clear anywhere
        assert not [t for t in texts if receipt in t]

    # The worker meets the closing time while sealed: the close waits and says why.
    Election.objects.filter(pk=election.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1), scheduled_by=admin
    )
    keys._forget_check()
    (step,) = schedule.run_due()
    assert step.waiting and step.action == schedule.CLOSE
    election.refresh_from_db()
    assert election.phase == "open" and election.closes_at is not None
    assert "sealed" in election.schedule_problem
    officer = Client()  # the officers' page says why, while sealed
    officer.force_login(admin)
    page = officer.get(f"/elections/{election.pk}/", **EN)
    assert page.status_code == 200
    assert escape(election.schedule_problem) in page.content.decode()
    assert BallotEnvelope.objects.filter(election=election).count() == 5

    # The trustees unseal: the next run closes and counts every ballot cast.
    assert custody.unseal(shares[2:5]).returncode == 0
    # The harness is not blind: the field key the trustees unsealed opens the vote's key.
    keys._forget_check()
    assert [k for k in field_keys() if _opens(k.secret, election, sealed_rows)]
    (step,) = schedule.run_due()
    assert not step.problem and not step.waiting
    election.refresh_from_db()
    assert election.phase == "closed" and election.schedule_problem == ""
    assert election.envelope_private_key == "" and not BallotEnvelope.objects.exists()
    box = set(
        Ballot.objects.filter(election=election, paper=False).values_list("receipt", flat=True)
    )
    assert box == set(receipts[1:])  # each code's last ballot; the replaced one is gone
    assert sorted(
        Ballot.objects.filter(election=election, receipt=receipts[-1]).values_list(
            "ranking", flat=True
        )
    ) == [[[1]]]


def test_members_take_part_in_a_consultation_while_sealed(custody, groups, officers):
    from kenes.agenda import services as agenda
    from kenes.agenda.models import OpinionVote, Statement
    from tests.agenda.conftest import make_consultation

    admin = officers["admin"]
    members = make_members(groups["workers"], range(4))
    custody.start_holder()
    shares = custody.init(trustees=3, threshold=2)
    assert custody.unseal(shares[:2]).returncode == 0
    consultation = make_consultation(admin)
    issued = agenda.do_issue_codes(consultation, acting_user=admin)
    assert custody.kenes("seal").returncode == 0
    keys._forget_check()
    with pytest.raises(Sealed):
        field_keys()
    code = issued[0].code
    assert agenda.find_consultation(code) == consultation
    participant = agenda.participant_for_code(consultation, code)
    assert participant is not None and participant.region_code == members[0].region_code
    statement = Statement.objects.filter(consultation=consultation).first()
    agenda.do_vote(participant, statement.pk, agenda.AGREE)
    assert agenda.participant_for_code(consultation, code.lower()).pk == participant.pk
    assert OpinionVote.objects.filter(participant=participant).count() == 1


def test_a_vote_due_to_open_while_sealed_waits_for_the_trustees(custody, groups, officers):
    """Opening writes the roll's voter tokens and sealed member ids (kenes.participation.
    voters): while sealed the worker waits, says why, makes nothing, and opens it once the
    trustees unseal."""
    admin = officers["admin"]
    make_members(groups["workers"], range(4))
    custody.start_holder()
    shares = custody.init(trustees=3, threshold=2)
    assert custody.unseal(shares[:2]).returncode == 0
    election = services.do_create_election(
        "Резолюция", kind="motion", cutoff_on=timezone.localdate(), acting_user=admin
    )
    Election.objects.filter(pk=election.pk).update(
        opens_at=timezone.now() - datetime.timedelta(minutes=1), scheduled_by=admin
    )
    assert custody.kenes("seal").returncode == 0
    keys._forget_check()
    (step,) = schedule.run_due()
    assert step.waiting and step.action == schedule.OPEN
    election.refresh_from_db()
    assert election.phase == "draft" and election.opens_at is not None
    assert "making the voter roll needs the trustees" in election.schedule_problem
    assert not VoterRoll.objects.filter(election=election).exists()

    assert custody.unseal(shares[1:]).returncode == 0
    keys._forget_check()
    (step,) = schedule.run_due()
    assert not step.problem and not step.waiting
    election.refresh_from_db()
    assert election.phase == "open" and election.codes_pending
    assert VoterRoll.objects.filter(election=election).count() == election.electorate_size > 0
