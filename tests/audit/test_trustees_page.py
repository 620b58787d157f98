"""The receipts-and-trustees page: the admin registers keys and signs a receipt for a meeting,
a trustee attaches a countersignature made offline, the auditor reads; nobody else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kenes.audit import receipts, services, trustees
from kenes.audit.models import AuditEntry, Countersignature, Receipt, Trustee
from kenes.registry.services import do_grant_role

pytestmark = pytest.mark.django_db

# The site speaks Russian by default; these requests ask for English (LocaleMiddleware)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def client_for(officers):  # type: ignore[no-untyped-def]
    def make(role: str) -> Client:
        client = Client()
        client.force_login(officers[role])
        return client

    return make


@pytest.fixture
def trustee_client(officers) -> Client:  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user("trustee", password="pw-trustee-long-enough")
    do_grant_role(user, "trustee", acting_user="test")
    client = Client()
    client.force_login(user)
    return client


def _signed_receipt() -> receipts.ReceiptData:
    services.record_standalone("test.event", acting_user="tester", detail={"i": 1})
    return receipts.receipt_data(receipts.do_sign_receipt(acting_user="tester"))


def _key(tmp_path: Path, name: str) -> tuple[Path, str]:
    path = tmp_path / f"{name}.pem"
    return path, trustees.new_key_file(path)


@pytest.mark.parametrize(
    "role,status",
    [("admin", 200), ("regional", 403), ("group", 403), ("auditor", 200), ("nobody", 403)],
)
def test_who_sees_the_page(client_for, role, status):
    assert client_for(role).get(reverse("audit_trustees")).status_code == status


def test_a_trustee_sees_the_page_but_cannot_register_keys(trustee_client, tmp_path):
    assert trustee_client.get(reverse("audit_trustees")).status_code == 200
    _path, public = _key(tmp_path, "mine")
    response = trustee_client.post(
        reverse("audit_trustees"),
        {"step": "register", "register-name": "Я сам", "register-public_key": public},
    )
    assert response.status_code == 403
    assert not Trustee.objects.exists()


def test_the_auditor_cannot_register_sign_or_attach(client_for, tmp_path):
    auditor = client_for("auditor")
    _path, public = _key(tmp_path, "x")
    for data in (
        {"step": "register", "register-name": "X", "register-public_key": public},
        {"step": "sign"},
        {"step": "attach", "attach-text": "{}"},
    ):
        assert auditor.post(reverse("audit_trustees"), data).status_code == 403
    assert not Trustee.objects.exists() and not Receipt.objects.exists()


def test_the_admin_registers_a_key_and_signs_a_receipt_for_a_meeting(client_for, tmp_path):
    admin = client_for("admin")
    _path, public = _key(tmp_path, "aigerim")
    response = admin.post(
        reverse("audit_trustees"),
        {"step": "register", "register-name": "Айгерим", "register-public_key": public},
    )
    assert response.status_code == 302
    trustee = Trustee.objects.get()
    assert trustee.name == "Айгерим" and trustee.public_key == public
    entry = AuditEntry.objects.get(action="audit.trustee_registered")
    assert entry.actor == "admin"
    assert entry.detail["key_fingerprint"] == receipts.key_fingerprint(public)
    response = admin.post(
        reverse("audit_trustees"), {"step": "sign", "occasion": "Совет 3 декабря"}
    )
    assert response.status_code == 302
    receipt = Receipt.objects.get()
    signed = AuditEntry.objects.get(action="audit.receipt")
    assert signed.detail["occasion"] == "Совет 3 декабря"
    page = admin.get(reverse("audit_trustees")).content.decode()
    assert receipt.head[:16] in page and "Айгерим" in page


def test_a_bad_key_is_refused_with_a_sentence_and_nothing_stored(client_for):
    admin = client_for("admin")
    response = admin.post(
        reverse("audit_trustees"),
        {"step": "register", "register-name": "X", "register-public_key": "abc"},
        follow=True,
        **EN,
    )
    assert "not an Ed25519 key" in response.content.decode()
    assert not Trustee.objects.exists()


def test_a_trustee_attaches_a_countersignature_made_offline(trustee_client, tmp_path):
    key_path, public = _key(tmp_path, "mine")
    trustees.do_register_trustee("Айгерим", public, acting_user="test")
    receipt = _signed_receipt()
    # the trustee downloads the receipt file from the page, countersigns it at home
    download = trustee_client.get(reverse("audit_receipt_file", args=[receipt.seq]))
    assert download.status_code == 200
    data = receipts.parse(json.loads(download.content))
    signed = trustees.countersign(data, trustees.read_key_file(key_path))
    upload = SimpleUploadedFile("countersignature.json", json.dumps(signed).encode())
    response = trustee_client.post(
        reverse("audit_trustees"), {"step": "attach", "attach-file": upload}
    )
    assert response.status_code == 302
    row = Countersignature.objects.get()
    assert row.trustee.name == "Айгерим" and row.receipt.seq == receipt.seq
    assert AuditEntry.objects.get(action="audit.countersign").actor == "trustee"
    printable = trustee_client.get(reverse("audit_receipt_print", args=[receipt.seq]))
    html = printable.content.decode()
    assert "Айгерим" in html and receipts.key_fingerprint(public) in html


def test_a_countersignature_by_an_unregistered_key_is_refused_on_the_page(trustee_client, tmp_path):
    key_path, _public = _key(tmp_path, "stranger")
    receipt = _signed_receipt()
    signed = trustees.countersign(receipt, trustees.read_key_file(key_path))
    response = trustee_client.post(
        reverse("audit_trustees"),
        {"step": "attach", "attach-text": json.dumps(signed)},
        follow=True,
        **EN,
    )
    assert "not a registered trustee" in response.content.decode()
    assert not Countersignature.objects.exists()
    assert not AuditEntry.objects.filter(action="audit.countersign").exists()


def test_receipt_files_are_not_for_everyone(client_for):
    receipt = _signed_receipt()
    url = reverse("audit_receipt_file", args=[receipt.seq])
    assert client_for("nobody").get(url).status_code == 403
    assert client_for("group").get(url).status_code == 403
    assert client_for("auditor").get(url).status_code == 200
    assert client_for("admin").get(reverse("audit_receipt_file", args=[999])).status_code == 404
