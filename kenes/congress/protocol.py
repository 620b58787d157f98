"""The congress's protocol, generated from the record: attendance and the quorum over
time, each agenda item with its speakers and votes, each vote with entitled / present /
cast / for / against / abstained and the outcome under its stated rule, elections with
their rounds, the adopted texts in full, and for a founding congress the list of founding
delegates. Rendered as PDF (fpdf2 with the bundled DejaVu font: Cyrillic and Kazakh
letters) and as an editable OpenDocument text (odfpy).

The chair and the secretary sign it with their accounts once the congress is closed: each
signature records the SHA-256 of the protocol's content (`Protocol.digest`, computed from
the record, not from the file's bytes) and writes it into the audit chain, so a changed
record no longer matches its signatures. Names are opened from the sealed registry: the
server must be unsealed.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenes.audit import services as audit
from kenes.ballots.models import Base, Majority
from kenes.congress import amendments, kinds
from kenes.congress.hall import vote_row
from kenes.congress.models import (
    AgendaItem,
    Attendance,
    Congress,
    CongressText,
    Delegate,
    HallVote,
    NamedChoice,
    ProtocolSignature,
    Speaker,
    SpeakerKind,
    Status,
)
from kenes.congress.services import CongressError
from kenes.core.congress.quorum import evaluate
from kenes.core.rules import load_jurisdiction

ROLES = ("chair", "secretary")


@dataclass
class VoteRecord:
    title: str
    rule: str
    entitled: int | None
    present: int | None
    cast: int
    for_: int | None
    against: int | None
    abstained: int | None
    outcome: str
    rounds: list[str] = field(default_factory=list)


@dataclass
class ItemRecord:
    position: int
    title: str
    speakers: list[str]
    votes: list[VoteRecord]


@dataclass
class Protocol:
    title: str
    kind: str
    place: str
    opened: str
    closed: str
    standing_on: str
    entitled: int
    by_region: list[str]
    quorum_rule: str
    attendance: list[str]
    items: list[ItemRecord]
    other_votes: list[VoteRecord]
    texts: list[tuple[str, int, str]]
    founders: list[str]
    signatures: list[str] = field(default_factory=list)
    digest: str = ""  # of the content in the canonical language (`build`)

    def content_digest(self) -> str:
        data = asdict(self)
        data.pop("signatures")
        data.pop("digest")
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _when(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else "—"


def _region_name(code: str) -> str:
    try:
        return load_jurisdiction().region(code).name("ru")
    except ValueError:
        return code


def _attendance(congress: Congress) -> list[str]:
    """The hall's numbers at each change of the quorum, and at the first and last events."""
    rule = kinds.quorum_rule(congress)
    eligible = {
        d.pk: d.region_code
        for d in Delegate.objects.filter(congress=congress, checked_on__isnull=False, problems=[])
    }
    present: set[int] = set()
    lines: list[str] = []
    last_met: bool | None = None
    events = list(Attendance.objects.filter(congress=congress).order_by("at", "pk"))
    for n, event in enumerate(events):
        if event.delegate_id in eligible:
            (present.add if event.arrived else present.discard)(event.delegate_id)
        state = evaluate(
            rule,
            entitled_regions=eligible.values(),
            present_regions=[eligible[d] for d in present],
        )
        if state.met != last_met or n in (0, len(events) - 1):
            lines.append(
                _("%(when)s: %(present)s of %(entitled)s present, quorum %(state)s")
                % {
                    "when": _when(event.at),
                    "present": state.present,
                    "entitled": state.entitled,
                    "state": _("met") if state.met else _("not met"),
                }
            )
            last_met = state.met
    return lines


def _vote(vote: HallVote) -> VoteRecord:
    row = vote_row(vote)
    election = vote.election
    if election.is_motion:
        rule = _("%(majority)s of %(base)s") % {
            "majority": Majority(election.majority).label,
            "base": Base(election.base).label,
        }
    else:
        rule = ngettext(
            "%(method)s, %(seats)s seat", "%(method)s, %(seats)s seats", election.seats
        ) % {
            "method": election.method,
            "seats": election.seats,
        }
    rounds = []
    for r in (election.result or {}).get("rounds", []):
        counts = ", ".join(f"{name} {votes}" for name, votes in r.get("votes", {}).items())
        rounds.append(_("Round %(n)s: %(counts)s") % {"n": r.get("round"), "counts": counts})
    if not vote.secret:  # a named vote: who answered what is part of the record
        answers = NamedChoice.objects.filter(vote=vote).select_related("delegate__member")
        for choice, label in (("yes", _("For")), ("no", _("Against")), ("abstain", _("Abstained"))):
            names = sorted(a.delegate.member.full_name for a in answers if a.choice == choice)
            rounds.append(f"{label}: {', '.join(names) or '—'}")
    return VoteRecord(
        title=row["title"],
        rule=rule,
        entitled=row["entitled"],
        present=row["present"],
        cast=row["cast"],
        for_=row["for"],
        against=row["against"],
        abstained=row["abstained"],
        outcome=_outcome(row["result"]),
        rounds=rounds,
    )


def _outcome(result: str) -> str:
    """vote_row's stable English outcome, in the protocol's language."""
    if result == "carried":
        return _("carried")
    if result == "not carried":
        return _("not carried")
    if result.startswith("elected: "):
        return _("elected: %(names)s") % {"names": result.removeprefix("elected: ")}
    return _("not counted yet")


def _speaker_line(s: Speaker) -> str:
    seconds = int((s.ended_at - s.started_at).total_seconds()) if s.ended_at and s.started_at else 0
    return _("%(name)s (%(region)s), %(kind)s, %(min)s:%(sec)02d") % {
        "name": s.delegate.member.full_name,
        "region": _region_name(s.delegate.region_code),
        "kind": SpeakerKind(s.kind).label,
        "min": seconds // 60,
        "sec": seconds % 60,
    }


CANONICAL_LANGUAGE = "ru"


def build(congress: Congress) -> Protocol:
    """The protocol in the active language; its digest is of the content in Russian, so
    what was signed does not depend on the reader's language."""
    protocol = _assemble(congress)
    with translation.override(CANONICAL_LANGUAGE):
        protocol.digest = _assemble(congress).content_digest()
    return protocol


def _assemble(congress: Congress) -> Protocol:
    congress = Congress.objects.select_related("kind").get(pk=congress.pk)
    delegates = Delegate.objects.filter(
        congress=congress, checked_on__isnull=False, problems=[]
    ).select_related("member")
    regions: dict[str, int] = {}
    for d in delegates:
        regions[d.region_code] = regions.get(d.region_code, 0) + 1
    votes = list(
        HallVote.objects.filter(congress=congress).select_related("election").order_by("pk")
    )
    items = []
    for item in AgendaItem.objects.filter(congress=congress).order_by("position"):
        spoken = (
            Speaker.objects.filter(item=item, started_at__isnull=False)
            .select_related("delegate", "delegate__member")
            .order_by("started_at")
        )
        items.append(
            ItemRecord(
                item.position,
                item.title,
                [_speaker_line(s) for s in spoken],
                [_vote(v) for v in votes if v.item_id == item.pk],
            )
        )
    texts = []
    for text in CongressText.objects.filter(congress=congress).order_by("pk"):
        version = amendments.latest(text)
        texts.append((text.title, version.number, version.body))
    founding = congress.kind.key == "founding"
    return Protocol(
        title=congress.title,
        kind=congress.kind.label,
        place=congress.place,
        opened=_when(congress.opened_at),
        closed=_when(congress.closed_at),
        standing_on=congress.standing_on.strftime("%d.%m.%Y"),
        entitled=sum(regions.values()),
        by_region=[f"{_region_name(code)}: {n}" for code, n in sorted(regions.items())],
        quorum_rule=kinds.quorum_words(congress.rules),
        attendance=_attendance(congress),
        items=items,
        other_votes=[_vote(v) for v in votes if v.item_id is None],
        texts=texts,
        founders=[
            f"{d.member.full_name} ({_region_name(d.region_code)})"
            for d in sorted(delegates, key=lambda d: (d.region_code, d.pk))
        ]
        if founding
        else [],
        signatures=_signature_lines(congress),
    )


def _signature_lines(congress: Congress) -> list[str]:
    return [
        _("%(role)s: %(user)s, %(when)s, content %(digest)s")
        % {
            "role": _("Chair") if s.role == "chair" else _("Secretary"),
            "user": s.signer.get_username(),
            "when": _when(s.signed_at),
            "digest": s.digest[:16],
        }
        for s in ProtocolSignature.objects.filter(congress=congress).select_related("signer")
    ]


def signatures_hold(congress: Congress) -> bool:
    """Both roles signed, and what they signed is the protocol the record gives now."""
    signed = {s.role: s.digest for s in ProtocolSignature.objects.filter(congress=congress)}
    return set(signed) == set(ROLES) and set(signed.values()) == {build(congress).digest}


def do_sign(congress: Congress, role: str, *, acting_user: Any) -> ProtocolSignature:
    if role not in ROLES:
        raise CongressError(_("The protocol is signed by the chair and the secretary."))
    if Congress.objects.values_list("status", flat=True).get(pk=congress.pk) != Status.CLOSED:
        raise CongressError(_("The protocol is signed once the congress is closed."))
    if not getattr(acting_user, "pk", None):
        raise CongressError(_("The protocol is signed with the signer's own account."))
    other = ProtocolSignature.objects.filter(congress=congress).exclude(role=role).first()
    if other is not None and other.signer_id == acting_user.pk:
        raise CongressError(_("The chair and the secretary are two different people."))
    digest = build(congress).digest
    try:
        with transaction.atomic():
            signature = ProtocolSignature.objects.create(
                congress=congress,
                role=role,
                signer=acting_user,
                digest=digest,
                signed_at=timezone.now(),
            )
            audit.record(
                "congress.protocol_sign",
                acting_user=acting_user,
                target_type="congress",
                target_id=congress.pk,
                detail={"role": role, "digest": digest},
            )
    except IntegrityError:
        raise CongressError(_("The protocol is signed already in this role.")) from None
    return signature


# Rendering -----------------------------------------------------------------------------


def sections(p: Protocol) -> list[tuple[str, list[str]]]:
    """The protocol as headed sections of lines, shared by both renderers."""

    def vote_lines(v: VoteRecord) -> list[str]:
        numbers = _(
            "entitled %(entitled)s, present %(present)s, cast %(cast)s, for %(for)s, "
            "against %(against)s, abstained %(abstained)s"
        ) % {
            "entitled": v.entitled if v.entitled is not None else "—",
            "present": v.present if v.present is not None else "—",
            "cast": v.cast,
            "for": v.for_ if v.for_ is not None else "—",
            "against": v.against if v.against is not None else "—",
            "abstained": v.abstained if v.abstained is not None else "—",
        }
        return [
            f"{v.title} — {v.rule}",
            numbers,
            _("Outcome: %(outcome)s") % {"outcome": v.outcome},
            *v.rounds,
        ]

    sections: list[tuple[str, list[str]]] = [
        (
            p.title,
            [
                p.kind,
                _("Place: %(place)s") % {"place": p.place or "—"},
                _("Opened %(opened)s, closed %(closed)s")
                % {"opened": p.opened, "closed": p.closed},
                _("Delegates in good standing on %(day)s: %(n)s")
                % {"day": p.standing_on, "n": p.entitled},
                *p.by_region,
            ],
        ),
        (
            _("Attendance and quorum"),
            [_("Rule: %(rule)s") % {"rule": p.quorum_rule}, *p.attendance],
        ),
    ]
    for item in p.items:
        lines = [_("Speakers:"), *item.speakers] if item.speakers else []
        for v in item.votes:
            lines += vote_lines(v)
        sections.append((f"{item.position}. {item.title}", lines))
    if p.other_votes:
        lines = []
        for v in p.other_votes:
            lines += vote_lines(v)
        sections.append((_("Other votes"), lines))
    for title, number, body in p.texts:
        sections.append(
            (
                _("Adopted text: %(title)s (version %(n)s)") % {"title": title, "n": number},
                amendments.paragraphs(body),
            )
        )
    if p.founders:
        sections.append((_("Founding delegates"), p.founders))
    sections.append(
        (
            _("Signatures"),
            [*p.signatures, _("Content hash: %(digest)s") % {"digest": p.digest}],
        )
    )
    return sections


def to_pdf(p: Protocol) -> bytes:
    from fpdf import FPDF

    fonts = resources.files("kenes.congress.fonts")
    pdf = FPDF(format="A4")
    pdf.set_title(p.title)
    pdf.set_creation_date(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))  # stable bytes
    pdf.add_font("DejaVu", "", str(fonts.joinpath("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(fonts.joinpath("DejaVuSans-Bold.ttf")))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    for n, (heading, lines) in enumerate(sections(p)):
        pdf.set_font("DejaVu", "B", 15 if n == 0 else 12)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for line in lines:
            pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


def to_odt(p: Protocol) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.text import H, P

    doc = OpenDocumentText()
    heading = Style(name="Heading", family="paragraph")
    heading.addElement(TextProperties(fontsize="13pt", fontweight="bold"))
    doc.styles.addElement(heading)
    for title, lines in sections(p):
        doc.text.addElement(H(outlinelevel=1, stylename=heading, text=title))
        for line in lines:
            doc.text.addElement(P(text=line))
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def render(congress: Congress, suffix: str, *, acting_user: Any) -> bytes:
    """The protocol as a file; it names delegates and speakers, so making it is audited."""
    writers = {".pdf": to_pdf, ".odt": to_odt}
    if suffix not in writers:
        raise CongressError(_("A protocol is written as .pdf or .odt."))
    with transaction.atomic():
        protocol = build(congress)
        audit.record(
            "congress.protocol_export",
            acting_user=acting_user,
            target_type="congress",
            target_id=congress.pk,
            detail={"format": suffix.lstrip("."), "digest": protocol.digest},
        )
    return writers[suffix](protocol)
