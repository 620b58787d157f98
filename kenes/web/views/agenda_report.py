"""The report of a consultation: the opinion map, what each opinion group stands for, what
unites everyone, what divides, and how each constituent group and region votes.

Who sees it is decided only by `kenes.agenda.rules.can_see_report`: the officers of the
consultation's electorate and auditors always (with the downloads); a participant, by the
personal link `/consult/<code>/report/`, once the consultation is in its report phase. A
report that may not be shown answers 404, never 403, so nobody learns that it exists.

Everything shown comes from the stored analysis (`Consultation.analysis`, contract in
kenes/agenda/analysis.py): the page never recomputes the opinion groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kenes.agenda import exports, services
from kenes.agenda.models import Consultation
from kenes.agenda.rules import can_see_report
from kenes.participation.codes import normalise
from kenes.registry.models import ConstituentGroup
from kenes.web.labels import region_name
from kenes.web.opinion_map import opinion_map
from kenes.web.views.codes import refuse_code
from kenes.web.views.vote import private

CODE_MAX = 64
#: Rows of the constituent-group and region tables: the statements most voted on.
TOP_STATEMENTS = 15
#: Divisive statements listed.
TOP_DIVISIVE = 5


def percent(share: float) -> str:
    return f"{round(100 * share)}%"


def bar_class(share: float) -> str:
    """A width class of report.css in steps of 5% (the CSP forbids inline widths)."""
    return f"share-w-{5 * round(20 * min(max(share, 0.0), 1.0))}"


def _cell(counts: Mapping[str, int] | None, minimum: int = 1) -> dict[str, Any]:
    """A share with its votes; under `minimum` votes only "few" (nobody's vote shows)."""
    counts = counts or {}
    seen = int(counts.get("seen", 0))
    if not seen:
        return {"seen": 0}
    if seen < minimum:
        return {"seen": 0, "few": True}
    share = counts["agree"] / seen
    return {"seen": seen, "share": percent(share), "bar": bar_class(share)}


def group_sentence(
    letter: str, direction: str, text: str, inside: float, others: float | None
) -> str:
    """The plain-language line for a representative statement (shares of raw votes)."""
    values = {
        "letter": letter,
        "statement": text,
        "group": percent(inside),
        "others": percent(others) if others is not None else "—",
    }
    if direction == "agree":
        return (
            _(
                "Group %(letter)s agrees with “%(statement)s” (%(group)s of the group, "
                "against %(others)s of everyone else)."
            )
            % values
        )
    return (
        _(
            "Group %(letter)s disagrees with “%(statement)s” (%(group)s of the group, "
            "against %(others)s of everyone else)."
        )
        % values
    )


def _opinion_groups(
    analysis: Mapping[str, Any], by_opinion: Mapping[str, Any], shown: Set[str]
) -> list[dict[str, Any]]:
    counts = {s["statement"]: s["counts"] for s in by_opinion.get("statements", [])}
    groups = []
    for index, group in enumerate(analysis.get("groups") or []):
        letter = exports.group_letter(group["id"])
        lines = []
        for rep in group.get("representative") or []:
            if rep["statement"] not in shown:
                continue
            direction = rep["direction"]
            seen = rep["agree"] + rep["disagree"] + rep["pass"]
            inside = rep[direction] / seen if seen else 0.0
            here = counts.get(rep["statement"], {})
            out_n = sum(c["seen"] for x, c in here.items() if x != letter)
            out_k = sum(c[direction] for x, c in here.items() if x != letter)
            others = out_k / out_n if out_n else None
            lines.append(
                {
                    "text": rep["text"],
                    "direction": direction,
                    "sentence": group_sentence(letter, direction, rep["text"], inside, others),
                }
            )
        groups.append({"letter": letter, "css": index % 5, "size": group["size"], "lines": lines})
    return groups


def _shares_by_group(counts: Mapping[str, Mapping[str, int]]) -> list[dict[str, Any]]:
    return [
        {"letter": letter, "css": i % 5, **_cell(counts.get(letter))}
        for i, letter in enumerate(sorted(counts))
    ]


def _uniting(
    analysis: Mapping[str, Any], by_opinion: Mapping[str, Any], shown: Set[str]
) -> list[dict[str, Any]]:
    """The consensus list of the analysis, keeping statements a majority of EVERY group backs."""
    counts = {s["statement"]: s["counts"] for s in by_opinion.get("statements", [])}
    found = []
    for entry in analysis.get("consensus") or []:
        here = counts.get(entry["statement"], {})
        if (
            entry["statement"] not in shown
            or not here
            or any(c["seen"] == 0 or 2 * c["agree"] <= c["seen"] for c in here.values())
        ):
            continue
        found.append(
            {
                "text": entry["text"],
                "share": percent(entry["agree"] / entry["seen"]) if entry["seen"] else "—",
                "seen": entry["seen"],
                "groups": _shares_by_group(here),
            }
        )
    return found


def _dividing(by_opinion: Mapping[str, Any], shown: Set[str]) -> list[dict[str, Any]]:
    statements = {s["statement"]: s for s in by_opinion.get("statements", [])}
    return [
        {"text": statements[s]["text"], "groups": _shares_by_group(statements[s]["counts"])}
        for s in [s for s in by_opinion.get("dividing") or [] if s in shown][:TOP_DIVISIVE]
        if s in statements
    ]


def label_table(
    breakdown: Mapping[str, Any] | None,
    top: Sequence[str],
    names: Mapping[str, str],
) -> dict[str, Any]:
    """Rows = the `top` statement ids, columns = the breakdown's labels by name; a cell of
    fewer than MIN_LABEL_VOTES votes shows no share (it would show how a few known people
    voted)."""
    breakdown = breakdown or {}
    labels = list(breakdown.get("labels") or [])
    statements = {s["statement"]: s for s in breakdown.get("statements") or []}
    columns = sorted(labels, key=lambda label: names.get(label, label).casefold())
    rows = [
        {
            "text": statements[s]["text"],
            "cells": [
                _cell(statements[s]["counts"].get(label), exports.MIN_LABEL_VOTES)
                for label in columns
            ],
        }
        for s in top
        if s in statements
    ]
    return {
        "columns": [names.get(label, label) for label in columns],
        "rows": rows,
        "minimum": exports.MIN_LABEL_VOTES,
    }


def report_context(consultation: Consultation) -> dict[str, Any]:
    """What the report page shows, from the stored analysis.

    Only statements approved NOW are shown: one hidden after the analysis was computed (for
    what it says) must not stay on the report until the next recompute.
    """
    analysis = consultation.analysis or {}
    context: dict[str, Any] = {"consultation": consultation, "analysis": bool(analysis)}
    if not analysis:
        return context
    by_opinion = exports.opinion_group_breakdown(consultation, analysis)
    totals = exports.statement_totals(consultation)
    shown = {str(pk) for pk in exports.approved_statements(consultation)}
    top = sorted(shown, key=lambda s: (-totals.get(int(s), exports.Counts()).seen, int(s)))[
        :TOP_STATEMENTS
    ]
    slugs = (analysis.get("by_group") or {}).get("labels") or []
    group_names = dict(ConstituentGroup.objects.filter(slug__in=slugs).values_list("slug", "name"))
    regions = (analysis.get("by_region") or {}).get("labels") or []
    context.update(
        computed_at=parse_datetime(analysis.get("computed_at") or ""),
        votes_counted=analysis.get("votes_counted", analysis.get("votes", 0)),
        participants=analysis.get("participants", 0),
        clustered=analysis.get("clustered_participants", 0),
        opinion_map=opinion_map(analysis),
        groups=_opinion_groups(analysis, by_opinion, shown),
        uniting=_uniting(analysis, by_opinion, shown),
        dividing=_dividing(by_opinion, shown),
        top=len(top),
        group_table=label_table(analysis.get("by_group"), top, group_names),
        region_table=label_table(
            analysis.get("by_region"), top, {code: region_name(code) for code in regions}
        ),
    )
    return context


def _visible(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    if not can_see_report(request.user, consultation):
        raise Http404
    return consultation


@require_GET
def agenda_report(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _visible(request, consultation_id)
    context = report_context(consultation)
    context["downloads"] = True
    return render(request, "web/agenda/report.html", context)


@require_GET
def agenda_report_csv(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _visible(request, consultation_id)
    response = HttpResponse(exports.report_csv(consultation), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="consultation-{consultation.pk}-report.csv"'
    )
    return response


@require_GET
def agenda_report_polis(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _visible(request, consultation_id)
    response = HttpResponse(exports.polis_zip(consultation), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="consultation-{consultation.pk}-polis.zip"'
    )
    return response


@private
@require_GET
def agenda_report_member(request: HttpRequest, code: str) -> HttpResponse:
    """A participant's personal link to the report: only in the report phase.

    Wrong codes count against the client address like everywhere else (throttle).
    """
    code = code[:CODE_MAX]
    consultation = services.find_consultation(code) if normalise(code) else None
    if consultation is None:
        return refuse_code(
            request,
            "agenda_start",
            lambda: render(request, "web/agenda/report_unavailable.html", status=404),
        )
    if not can_see_report(request.user, consultation, holds_code=True):
        return render(
            request,
            "web/agenda/report_unavailable.html",
            {"consultation": consultation, "not_yet": True},
            status=404,
        )
    return render(request, "web/agenda/report.html", report_context(consultation))
