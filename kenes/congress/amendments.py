"""Texts and amendments: tabled paragraph by paragraph within a deadline, answered by the
drafting committee, decided by the hall in the chair's order, merged into a new version.

A text's body is split into paragraphs at blank lines. An amendment names the version and
the paragraph it changes and gives the paragraph as it should read ("" deletes it). The
states and the steps between them are data (amendment-workflow.toml). Merging writes the
adopted amendments of one version into the next, each in the committee's wording when it
recommended "adopt_modified"; two adopted amendments of one paragraph are refused until the
committee merges one into the other. Every version stays readable, with a word-level diff
(Python's difflib).
"""

from __future__ import annotations

import datetime
import difflib
import html
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.congress.models import Amendment, Congress, CongressText, Status, TextVersion
from kenes.congress.services import CongressError, delegate_by_badge

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@cache
def workflow() -> dict[str, Any]:
    raw = resources.files("kenes.congress").joinpath("amendment-workflow.toml").read_text()
    return tomllib.loads(raw)


def allowed(state: str, to: str, by: str) -> bool:
    return any(s["from"] == state and s["to"] == to and s["by"] == by for s in workflow()["steps"])


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in _PARAGRAPH_BREAK.split(body.strip()) if p.strip()]


def join(parts: list[str]) -> str:
    return "\n\n".join(parts)


def latest(text: CongressText) -> TextVersion:
    return text.versions.order_by("-number").first() or TextVersion(text=text, number=0, body="")


# Texts ---------------------------------------------------------------------------------


def do_add_text(
    congress: Congress,
    *,
    title: str,
    body: str,
    amendments_until: datetime.datetime | None = None,
    acting_user: Any,
) -> CongressText:
    if not paragraphs(body):
        raise CongressError(_("The text is empty: paste the text to adopt."))
    with transaction.atomic():
        text = CongressText.objects.create(
            congress=congress, title=title, amendments_until=amendments_until
        )
        TextVersion.objects.create(text=text, number=1, body=join(paragraphs(body)), note="draft")
        audit.record(
            "congress.text_add",
            acting_user=acting_user,
            target_type="congress",
            target_id=congress.pk,
            detail={"text": text.pk, "title": title, "paragraphs": len(paragraphs(body))},
        )
    return text


def do_add_programme(
    congress: Congress,
    consultation: Any,
    *,
    amendments_until: datetime.datetime | None = None,
    acting_user: Any,
) -> CongressText:
    """The programme drafted from a consultation's consensus (the agenda app's programme
    builder: kenes.agenda.programme) as a text for the congress to amend and adopt; each
    plank is one paragraph."""
    from kenes.agenda.programme import programme_text

    body = programme_text(consultation)
    if not body:
        raise CongressError(_("The consultation's programme has no planks yet."))
    return do_add_text(
        congress,
        title=_("Programme: %(title)s") % {"title": consultation.title},
        body=body,
        amendments_until=amendments_until,
        acting_user=acting_user,
    )


# Tabling -------------------------------------------------------------------------------


def do_table(
    text: CongressText,
    *,
    paragraph: int,
    proposed: str,
    reason: str = "",
    badge: str | None = None,
    group: Any = None,
    acting_user: Any,
    now: datetime.datetime | None = None,
) -> Amendment:
    """Table an amendment to one paragraph of the latest version, by a delegate's badge code
    or for a group; refused after the deadline or once the congress is closed."""
    now = now or timezone.now()
    congress = text.congress
    if congress.status == Status.CLOSED:
        raise CongressError(_("The congress is closed: amendments are no longer tabled."))
    if text.amendments_until is not None and now > text.amendments_until:
        raise CongressError(
            _("Amendments to “%(title)s” were due by %(when)s.")
            % {"title": text.title, "when": timezone.localtime(text.amendments_until)}
        )
    delegate = None
    if badge is not None:
        delegate = delegate_by_badge(congress, badge)
        if delegate is None:
            raise CongressError(_("This badge code is not one of this congress's delegates."))
    elif group is None:
        raise CongressError(_("An amendment is tabled by a delegate or by a group."))
    version = latest(text)
    parts = paragraphs(version.body)
    if not 0 <= paragraph < len(parts):
        raise CongressError(
            _("The text has paragraphs 1 to %(n)s: choose one of them.") % {"n": len(parts)}
        )
    proposed = join(paragraphs(proposed))
    if proposed == parts[paragraph]:
        raise CongressError(_("The amendment changes nothing in the paragraph."))
    with transaction.atomic():
        CongressText.objects.select_for_update().filter(pk=text.pk).first()  # numbers in order
        last = Amendment.objects.filter(text=text).aggregate(n=Max("number"))["n"] or 0
        amendment = Amendment.objects.create(
            text=text,
            number=last + 1,
            version=version.number,
            paragraph=paragraph,
            proposed=proposed,
            reason=reason.strip(),
            by_delegate=delegate,
            by_group=group,
            tabled_at=now,
        )
        audit.record(
            "congress.amendment_table",
            acting_user=acting_user,
            target_type="congress",
            target_id=congress.pk,
            detail={"text": text.pk, "amendment": amendment.number, "paragraph": paragraph + 1},
        )
    return amendment


# The committee, the proposer and the hall ----------------------------------------------


STEP_ACTIONS = {
    "recommended": "congress.amendment_recommended",
    "withdrawn": "congress.amendment_withdrawn",
    "merged": "congress.amendment_merged",
    "adopted": "congress.amendment_adopted",
    "rejected": "congress.amendment_rejected",
}


def _step(amendment: Amendment, to: str, by: str, *, acting_user: Any, **fields: Any) -> None:
    with transaction.atomic():
        locked = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if not allowed(locked.state, to, by):
            raise CongressError(
                _("Amendment %(n)s is “%(state)s”: it cannot become “%(to)s” now.")
                % {
                    "n": locked.number,
                    "state": workflow()["states"].get(locked.state, locked.state),
                    "to": workflow()["states"].get(to, to),
                }
            )
        locked.state = to
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        audit.record(
            STEP_ACTIONS[to],
            acting_user=acting_user,
            target_type="congress",
            target_id=locked.text.congress_id,
            detail={"text": locked.text_id, "amendment": locked.number},
        )
    amendment.refresh_from_db()


def do_recommend(
    amendment: Amendment, recommendation: str, *, wording: str = "", acting_user: Any
) -> None:
    if recommendation not in workflow()["recommendations"] or recommendation == "merged":
        raise CongressError(_("Recommend one of: adopt, adopt modified, reject."))
    if recommendation == "adopt_modified" and not wording.strip():
        raise CongressError(_("Write the committee's wording of the paragraph."))
    _step(
        amendment,
        "recommended",
        "committee",
        acting_user=acting_user,
        recommendation=recommendation,
        recommended_text=join(paragraphs(wording)) if recommendation == "adopt_modified" else "",
    )


def do_merge_into(amendment: Amendment, other: Amendment, *, acting_user: Any) -> None:
    if other.text_id != amendment.text_id or other.pk == amendment.pk:
        raise CongressError(_("An amendment is merged into another amendment of the same text."))
    _step(
        amendment,
        "merged",
        "committee",
        acting_user=acting_user,
        recommendation="merged",
        merged_into=other,
    )


def do_withdraw(amendment: Amendment, *, acting_user: Any) -> None:
    _step(amendment, "withdrawn", "proposer", acting_user=acting_user)


def do_set_order(text: CongressText, numbers: list[int], *, acting_user: Any) -> None:
    """The chair's order of the votes on the amendments (by their numbers)."""
    waiting = {a.number: a for a in Amendment.objects.filter(text=text, state="recommended")}
    if sorted(numbers) != sorted(waiting):
        raise CongressError(
            _("Put every recommended amendment in the order, each once: %(numbers)s.")
            % {"numbers": ", ".join(str(n) for n in sorted(waiting))}
        )
    with transaction.atomic():
        for position, number in enumerate(numbers, start=1):
            Amendment.objects.filter(pk=waiting[number].pk).update(vote_position=position)
        audit.record(
            "congress.amendment_order",
            acting_user=acting_user,
            target_type="congress",
            target_id=text.congress_id,
            detail={"text": text.pk, "order": numbers},
        )


def do_decide(amendment: Amendment, adopted: bool, *, acting_user: Any) -> None:
    """The hall's decision (from its vote)."""
    _step(amendment, "adopted" if adopted else "rejected", "hall", acting_user=acting_user)


# Merging -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Merged:
    version: TextVersion
    applied: list[int]  # amendment numbers


def do_merge_adopted(text: CongressText, *, acting_user: Any) -> Merged:
    """A new version with every adopted amendment of the latest version written in."""
    with transaction.atomic():
        CongressText.objects.select_for_update().filter(pk=text.pk).first()
        version = latest(text)
        adopted = list(
            Amendment.objects.filter(text=text, state="adopted", version=version.number).order_by(
                "vote_position", "number"
            )
        )
        if not adopted:
            raise CongressError(_("No adopted amendment waits to be written into the text."))
        by_paragraph: dict[int, Amendment] = {}
        for a in adopted:
            other = by_paragraph.get(a.paragraph)
            if other is not None:
                raise CongressError(
                    _(
                        "Amendments %(a)s and %(b)s were both adopted for paragraph %(p)s: "
                        "the committee must merge one into the other first."
                    )
                    % {"a": other.number, "b": a.number, "p": a.paragraph + 1}
                )
            by_paragraph[a.paragraph] = a
        parts = paragraphs(version.body)
        new_parts: list[str] = []
        for i, part in enumerate(parts):
            change = by_paragraph.get(i)
            if change is None:
                new_parts.append(part)
                continue
            wording = (
                change.recommended_text
                if change.recommendation == "adopt_modified"
                else change.proposed
            )
            new_parts.extend(paragraphs(wording))  # "" deletes the paragraph
        new = TextVersion.objects.create(
            text=text,
            number=version.number + 1,
            body=join(new_parts),
            note=_("amendments %(numbers)s written in")
            % {"numbers": ", ".join(str(a.number) for a in adopted)},
        )
        Amendment.objects.filter(pk__in=[a.pk for a in adopted]).update(state="done")
        audit.record(
            "congress.text_version",
            acting_user=acting_user,
            target_type="congress",
            target_id=text.congress_id,
            detail={
                "text": text.pk,
                "version": new.number,
                "amendments": [a.number for a in adopted],
            },
        )
    return Merged(new, [a.number for a in adopted])


# Showing changes -----------------------------------------------------------------------

_WORDS = re.compile(r"\s+|[^\s]+")


def _words_diff(before: str, after: str) -> str:
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def diff_html(before: str, after: str) -> SafeString:
    """`after` against `before`: paragraphs matched first, then words within a changed
    paragraph; deleted words in <del>, new ones in <ins>, each paragraph a <p>. Escaped:
    the texts are what people typed."""
    pa, pb = paragraphs(before), paragraphs(after)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, pa, pb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [f"<p>{html.escape(p)}</p>" for p in pa[i1:i2]]
            continue
        old, new = pa[i1:i2], pb[j1:j2]
        for k in range(max(len(old), len(new))):
            if k < len(old) and k < len(new):
                out.append(f"<p>{_words_diff(old[k], new[k])}</p>")
            elif k < len(old):
                out.append(f"<p><del>{html.escape(old[k])}</del></p>")
            else:
                out.append(f"<p><ins>{html.escape(new[k])}</ins></p>")
    return mark_safe("".join(out))  # noqa: S308 (every piece of text above is escaped)
