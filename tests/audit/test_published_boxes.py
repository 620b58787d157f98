"""A published ballot box is checked against the chain's head recorded when it was published.

Publishing records the publication entry's number and hash with the box (an anchor) and
signs a receipt at once. The adversary holds the database: they change a ballot with raw
SQL, then the box's head, the publication's audit entry, every later hash, the chain head and
the anchor, so that the box, the chain and the record all agree again. The receipt signed at
publication cannot be re-signed without the server's key, and `kenes audit verify` names
the box.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from kenes.audit import anchors, services
from kenes.audit.models import Anchor, AuditEntry, ChainHead, Receipt
from kenes.ballots import box, casting
from kenes.ballots import services as ballots
from kenes.ballots.models import Ballot, Election
from tests.audit.test_receipts import _drop_triggers, _rewrite_quietly
from tests.ballots.conftest import make_members, open_election
from tests.custody.conftest import Custody, custody  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(groups):  # type: ignore[no-untyped-def]
    return make_members(groups["workers"], range(12))


def _published(members, admin) -> Election:  # type: ignore[no-untyped-def]
    election, codes = open_election(members, admin, method="plurality")
    for i, code in enumerate(list(codes.values())[:5]):
        casting.do_cast(election, code, [[i % 2]])
    ballots.do_close(election, acting_user=admin)
    return box.do_publish(election, acting_user=admin)


def _verify(capsys, *args: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    try:
        with translation.override("en"):
            call_command("audit", "verify", "--json", *args)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, json.loads(capsys.readouterr().out)


def _publication(election: Election) -> AuditEntry:
    return AuditEntry.objects.get(
        action="ballots.published", target_type="election", target_id=str(election.pk)
    )


def _change_a_ballot(election: Election) -> None:
    """Raw SQL: one ballot now marks the other candidate."""
    ballot = Ballot.objects.filter(election=election).order_by("receipt").first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Ballot._meta.db_table} SET ranking = %s WHERE receipt = %s",
            [json.dumps([[1 - ballot.ranking[0][0]]]), ballot.receipt],
        )


def test_publishing_records_the_chain_head_with_the_box_and_signs_a_receipt(members, officers):
    election = _published(members, officers["admin"])
    anchor = Anchor.objects.get(kind="ballot_box", target_id=str(election.pk))
    entry = _publication(election)
    assert anchor.digest == election.box_head == entry.detail["box_head"]
    assert anchor.entry_hash == entry.hash
    assert anchor.seq == AuditEntry.objects.filter(id__lte=entry.id).count()
    receipt = Receipt.objects.get()
    assert receipt.seq == anchor.seq  # signed right after the publication's entry
    (check,) = anchors.published_checks()
    assert check.receipt_seq == receipt.seq and check.problem == ""


def test_verify_is_clean_after_publication_and_later_entries(members, officers, capsys):
    election = _published(members, officers["admin"])
    services.record_standalone("test.event", acting_user="tester", detail={"after": 1})
    code, out = _verify(capsys)
    assert code == 0, out
    assert out["checks"]["published"] == {"checked": 1, "problems": []}
    assert out["checks"]["receipts"] == {"checked": 1, "problems": []}
    assert out["checks"]["ballot_boxes"]["checked"] == 1
    assert election.box_head


def test_a_ballot_changed_with_raw_sql_is_caught(members, officers, capsys):
    election = _published(members, officers["admin"])
    _change_a_ballot(election)
    code, out = _verify(capsys)
    assert code == 4
    (problem,) = out["checks"]["published"]["problems"]
    assert "has changed since it was published" in problem and election.title in problem


def test_a_changed_ballot_is_caught_even_with_the_box_the_entry_and_the_chain_recomputed(
    members, officers, capsys
):
    election = _published(members, officers["admin"])
    services.record_standalone("test.event", acting_user="tester", detail={"after": 1})
    _change_a_ballot(election)
    listing = box.ballot_box(election)
    new_head = listing[-1]["hash"]
    assert new_head != election.box_head
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Election._meta.db_table} SET box_head = %s WHERE id = %s",
            [new_head, election.pk],
        )
    entry = _publication(election)
    _rewrite_quietly(entry.id, {**entry.detail, "box_head": new_head})
    anchor = Anchor.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Anchor._meta.db_table} SET digest = %s, entry_hash = %s WHERE id = %s",
            [new_head, AuditEntry.objects.get(id=entry.id).hash, anchor.pk],
        )
    # the box, the chain and the record agree again: only the signed receipt disagrees
    assert services.verify().intact
    code, out = _verify(capsys)
    assert code == 4
    assert out["intact"] is True
    assert out["checks"]["ballot_boxes"]["problems"] == []
    (problem,) = out["checks"]["published"]["problems"]
    assert election.title in problem and "was changed after the receipt" in problem
    assert out["checks"]["receipts"]["problems"]  # and the receipt itself is not extended


def test_the_chain_cut_back_before_the_publication_is_caught(members, officers, capsys):
    election = _published(members, officers["admin"])
    publication = _publication(election)
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id >= %s", [publication.id])
        kept = AuditEntry.objects.order_by("-id").first()
        cursor.execute(
            f"UPDATE {ChainHead._meta.db_table} SET last_hash = %s, count = %s WHERE id = 1",
            [kept.hash, AuditEntry.objects.count()],
        )
    assert services.verify().intact
    code, out = _verify(capsys)
    assert code == 4
    assert any(
        "no longer holds" in p and election.title in p
        for p in out["checks"]["published"]["problems"]
    )


def test_a_forged_stored_receipt_is_reported(members, officers, capsys):
    _published(members, officers["admin"])
    receipt = Receipt.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Receipt._meta.db_table} SET head = %s WHERE id = %s",
            ["0" * 64, receipt.pk],
        )
    code, out = _verify(capsys)
    assert code == 4
    (problem,) = out["checks"]["receipts"]["problems"]
    assert "not signed by this server's key" in problem


def test_the_receipt_kept_outside_catches_a_rewrite_that_deleted_the_stored_receipts(
    members, officers, capsys, tmp_path
):
    """Whoever holds the database can delete receipts; the copy in the minutes remains."""
    election = _published(members, officers["admin"])
    call_command("audit", "receipt", "--show", "latest", "--json")
    kept = tmp_path / "minutes.json"
    kept.write_text(capsys.readouterr().out)
    _change_a_ballot(election)
    new_head = box.ballot_box(election)[-1]["hash"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Election._meta.db_table} SET box_head = %s WHERE id = %s",
            [new_head, election.pk],
        )
        cursor.execute(f"DELETE FROM {Receipt._meta.db_table}")
    entry = _publication(election)
    _rewrite_quietly(entry.id, {**entry.detail, "box_head": new_head})
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Anchor._meta.db_table} SET digest = %s, entry_hash = %s",
            [new_head, AuditEntry.objects.get(id=entry.id).hash],
        )
    code, out = _verify(capsys)
    assert code == 0  # nothing left inside the server disagrees...
    code, out = _verify(capsys, "--against", str(kept))
    assert code == 4  # ...but the receipt in the minutes does
    assert out["receipt"]["genuine"] is True and out["receipt"]["extended"] is False


def test_no_receipt_is_signed_over_a_chain_rewritten_since_the_last_one(members, officers):
    """Signing now would launder the rewrite: the worker, the command and a publication all
    refuse, and the publication itself still goes through."""
    admin = officers["admin"]
    _published(members, admin)
    services.record_standalone("test.event", acting_user="tester", detail={"i": 1})
    first = AuditEntry.objects.order_by("id").first()
    _rewrite_quietly(first.id, {"rewritten": True})
    assert services.verify().intact  # the chain alone looks fine
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("audit", "receipt")
    assert caught.value.returncode == 3 and "no longer holds" in str(caught.value)
    second, codes = open_election(members, admin, method="plurality")
    ballots.do_close(second, acting_user=admin)
    box.do_publish(second, acting_user=admin)
    assert Election.objects.get(pk=second.pk).phase == "published"
    assert Receipt.objects.count() == 1  # only the first publication's


def test_the_publication_receipt_checks_the_entries_since_the_last_receipt(members, officers):
    admin = officers["admin"]
    _published(members, admin)
    services.record_standalone("test.event", acting_user="tester", detail={"i": 1})
    latest = AuditEntry.objects.order_by("-id").first()
    _drop_triggers()
    with connection.cursor() as cursor:  # changed, hash not recomputed: the link breaks
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET detail = %s WHERE id = %s",
            [json.dumps({"i": 2}), latest.id],
        )
    second, _codes = open_election(members, admin, method="plurality")
    ballots.do_close(second, acting_user=admin)
    box.do_publish(second, acting_user=admin)
    assert Receipt.objects.count() == 1


def test_publishing_while_sealed_records_the_head_and_signs_later(
    members,
    officers,
    custody: Custody,  # noqa: F811
    capsys,
):
    admin = officers["admin"]
    election, codes = open_election(members, admin, method="plurality")
    for code in list(codes.values())[:3]:
        casting.do_cast(election, code, [[0]])
    ballots.do_close(election, acting_user=admin)
    custody.start_holder()
    custody.init(trustees=5, threshold=3)  # sealed from now on
    box.do_publish(election, acting_user=admin)
    assert Election.objects.get(pk=election.pk).phase == "published"
    assert Receipt.objects.count() == 0  # nothing signed while sealed...
    (check,) = anchors.published_checks()
    assert check.receipt_seq is None and check.problem == ""
    code, out = _verify(capsys)  # ...and verifying needs no unsealing
    assert code == 0, out
