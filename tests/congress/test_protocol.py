"""The protocol: generated from the record, as PDF (Cyrillic and Kazakh letters readable
back out of the file) and ODT, signed by the chair and the secretary on its content hash."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation
from pypdf import PdfReader

from kenes.audit import services as audit
from kenes.ballots import casting
from kenes.ballots import services as ballots
from kenes.congress import amendments as am
from kenes.congress import hall, protocol, services
from kenes.congress import speakers as sp
from kenes.congress.models import Delegate
from kenes.congress.services import CongressError
from tests.congress.conftest import make_congress

pytestmark = pytest.mark.django_db

KAZAKH = "Әділетті Қазақстан үшін: ғ, қ, ң, ө, ұ, ү, һ, і."


@pytest.fixture
def closed_congress(people, officers):  # type: ignore[no-untyped-def]
    admin = officers["admin"]
    from kenes.congress.kinds import ensure_kinds
    from kenes.congress.models import CongressKind

    ensure_kinds()  # nine founders here, not the law's 700: the kind's data corrected
    CongressKind.objects.filter(key="founding").update(minimum_present=0)
    congress = make_congress(admin, kind="founding", slug="f")
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    services.do_open(congress, acting_user=admin)
    for s in seated[:6]:
        services.do_check_in(congress, s.badge_code, acting_user=admin)
    code_of = {i.member_id: i.code for i in hall.do_issue_voting_codes(congress, acting_user=admin)}
    text = am.do_add_text(
        congress, title="Программа", body=f"Мы за честность.\n\n{KAZAKH}", acting_user=admin
    )
    item = sp.do_add_item(congress, title="Принятие программы", text=text, acting_user=admin)
    speaker_d = Delegate.objects.get(pk=seated[0].delegate.pk)
    sp.do_ask_for_floor(item, speaker_d, "pro", acting_user=admin)
    sp.do_next_speaker(item, acting_user=admin)
    sp.do_stop_speaker(item, acting_user=admin)
    motion = hall.do_create_vote(congress, title="Принять программу", item=item, acting_user=admin)
    hall.do_open_vote(motion, acting_user=admin)
    for s, marks in zip(seated[:5], [[[0]], [[0]], [[0]], [[1]], [[2]]], strict=True):
        casting.do_cast(motion.election, code_of[s.delegate.member_id], marks)
    hall.do_close_vote(motion, acting_user=admin)
    council = hall.do_create_vote(
        congress, title="Совет", kind="election", method="stv", seats=1, acting_user=admin
    )
    for s in seated[:2]:
        ballots.do_add_candidate(
            council.election, s.delegate.member, statement="", acting_user=admin
        )
    hall.do_open_vote(council, acting_user=admin)
    for s in seated[:3]:
        casting.do_cast(council.election, code_of[s.delegate.member_id], [[0], [1]])
    hall.do_close_vote(council, acting_user=admin)
    services.do_close(congress, acting_user=admin)
    return congress, seated, admin


def test_the_protocol_holds_the_record(closed_congress):
    congress, seated, _admin = closed_congress
    with translation.override("ru"):
        p = protocol.build(congress)
    assert p.entitled == 9 and p.kind == "Учредительный съезд"
    (item,) = p.items
    assert item.title == "Принятие программы" and len(item.speakers) == 1
    assert seated[0].delegate.member.full_name in item.speakers[0]
    (motion,) = item.votes
    assert (motion.entitled, motion.present, motion.cast) == (9, 6, 5)
    assert (motion.for_, motion.against, motion.abstained) == (3, 1, 1)
    (council,) = p.other_votes
    assert council.cast == 3 and council.rounds
    assert seated[0].delegate.member.full_name in council.outcome  # the winner, named
    assert p.texts == [("Программа", 1, f"Мы за честность.\n\n{KAZAKH}")]
    assert len(p.founders) == 9  # a founding congress lists its founders for the dossier
    assert any("6 of 9 present" in line or "6 из 9" in line for line in p.attendance)


def test_the_pdf_and_the_odt_carry_cyrillic_and_kazakh_letters(closed_congress, tmp_path):
    congress, seated, _admin = closed_congress
    pdf_path, odt_path = tmp_path / "p.pdf", tmp_path / "p.odt"
    with translation.override("ru"):
        call_command(
            "congress", "protocol", congress.slug, "--out", str(pdf_path), stdout=io.StringIO()
        )
        call_command(
            "congress", "protocol", congress.slug, "--out", str(odt_path), stdout=io.StringIO()
        )
    exports = audit.entries_newest_first("congress.protocol_export")
    assert [e.detail["format"] for e in exports] == ["odt", "pdf"]
    text = "".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    flat = " ".join(text.split())
    assert "Принять программу" in flat and "Учредительный съезд" in flat
    assert "Әділетті Қазақстан" in flat and "ғ, қ, ң, ө, ұ, ү, һ, і" in flat
    assert seated[0].delegate.member.full_name in flat
    with zipfile.ZipFile(odt_path) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        content = odt.read("content.xml").decode()
    assert KAZAKH in content and "Принять программу" in content
    with pytest.raises(SystemExit):
        call_command(
            "congress",
            "protocol",
            congress.slug,
            "--out",
            str(tmp_path / "p.txt"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_the_chair_and_the_secretary_sign_the_content_hash(closed_congress, officers):
    congress, _seated, admin = closed_congress
    secretary = get_user_model().objects.create_user("secretary", password="secretary-pw-long")
    with pytest.raises(CongressError, match="two different people"):
        protocol.do_sign(congress, "chair", acting_user=admin)
        protocol.do_sign(congress, "secretary", acting_user=admin)
    protocol.do_sign(congress, "secretary", acting_user=secretary)
    with pytest.raises(CongressError, match="signed already"):
        protocol.do_sign(congress, "secretary", acting_user=secretary)
    assert protocol.signatures_hold(congress)
    digest = protocol.build(congress).digest
    for language in ("en", "kk"):  # what was signed does not depend on the reader's language
        with translation.override(language):
            assert protocol.build(congress).digest == digest
    entries = audit.entries_newest_first("congress.protocol_sign")
    assert {e.detail["digest"] for e in entries} == {digest} and entries.count() == 2
    # The record changes after signing: the signatures no longer hold.
    Delegate.objects.filter(congress=congress).update(region_code="KZ-11")
    assert not protocol.signatures_hold(congress)


def test_an_open_congress_is_not_signed(people, officers):
    admin = officers["admin"]
    congress = make_congress(admin)
    with pytest.raises(CongressError, match="once the congress is closed"):
        protocol.do_sign(congress, "chair", acting_user=admin)


def test_the_dossier_carries_the_founding_congress_and_its_ineligible_founders(
    closed_congress, officers
):
    from openpyxl import load_workbook

    from kenes.registry.dossier import export_dossier
    from kenes.registry.models import Member

    congress, seated, admin = closed_congress
    secretary = get_user_model().objects.create_user("secretary", password="secretary-pw-long")
    protocol.do_sign(congress, "chair", acting_user=admin)
    protocol.do_sign(congress, "secretary", acting_user=secretary)
    # A founder's record goes bad after the congress; the check before filing shows it.
    Member.objects.filter(pk=seated[2].delegate.member_id).update(status="left")
    services.do_check_eligibility(congress, acting_user=admin)
    with translation.override("en"):
        content = export_dossier(acting_user=admin, rule_id="kz-2022")
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert "Founding congress" in book.sheetnames
    rows = list(book["Founding congress"].iter_rows(values_only=True))
    assert rows[2][1] == protocol.build(congress).digest
    founders = [r for r in rows if r and isinstance(r[0], int)]
    assert len(founders) == 9
    flagged = [r for r in founders if r[5]]
    assert [r[1] for r in flagged] == [seated[2].delegate.member.full_name]
    assert "good standing" in flagged[0][5]
