"""A count result in plain words: one sentence per event, in the reader's language.

Pure functions over the stable result JSON (docs/tally.md for elections,
`kenes.core.tally.motion.motion_result` for motions): nothing here reads the database, so
the same sentences can be built for a published result, a preview, or a downloaded file.
The core's own `why`/`action` texts are English for scripts; the pages build their own
sentences from the structured fields (elected, excluded, transfers, quota, lots, pairwise).
"""

from __future__ import annotations

import shlex
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from kenes.ballots.models import Base, Majority

CONDORCET = ("schulze", "ranked-pairs")
TWO_PLACES = Decimal("0.01")


def human(value: str | int | Decimal) -> str:
    """A vote figure for people: at most two decimals, grouped, in the reader's format.

    The exact decimal string stays available to the page (a `title`, the JSON download).
    """
    exact = Decimal(str(value))
    if exact == exact.to_integral_value():
        return number_format(exact, 0, force_grouping=True)
    shown = exact.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    places = max(0, -shown.normalize().as_tuple().exponent)  # type: ignore[operator]
    if shown == shown.to_integral_value():
        places = 2  # 5.999 must not read as a round 6
    return number_format(shown, places, force_grouping=True)


def votes(value: str | int | Decimal) -> str:
    """A number of votes with the word in the right form: "1 голос", "464 голоса", "2 617,5 голоса".

    Whole numbers take the language's plural rule; a fraction (an STV transfer, half of an
    odd electorate) takes the form the language uses after a fraction.
    """
    exact = Decimal(str(value))
    if exact == exact.to_integral_value():
        count = int(exact)
        return ngettext("%(n)s vote", "%(n)s votes", count) % {"n": human(exact)}
    return pgettext("a fractional number of votes", "%(n)s votes") % {"n": human(exact)}


def _whole(value: str | int | Decimal) -> int:
    """The count a plural form is chosen by (a fraction rounds down: "2.5" reads like 2)."""
    return int(Decimal(str(value)))


def percent(part: int | str, whole: int | str) -> str:
    """`part` as a percentage of `whole`, one decimal ("" when the whole is zero)."""
    whole_f = Fraction(str(whole))
    if not whole_f:
        return ""
    share = Fraction(str(part)) * 100 / whole_f
    shown = Decimal(share.numerator) / Decimal(share.denominator)
    return number_format(shown.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1)


def names_list(names: list[str]) -> str:
    return ", ".join(names)


def method_name(method: str, stv_rules: str = "") -> str:
    labels = {
        "plurality": _("plurality (most first choices)"),
        "approval": _("approval voting"),
        "irv": _("instant runoff"),
        "schulze": _("the Schulze method"),
        "ranked-pairs": _("ranked pairs"),
        "stv": _("single transferable vote"),
    }
    name = labels.get(method, method)
    if method == "stv":
        rules = {
            "scottish": _("Scottish rules"),
            "meek": _("Meek's rules"),
            "minneapolis": _("Minneapolis rules"),
        }
        return f"{name} ({rules.get(stv_rules, stv_rules)})"
    return name


def recount_command(
    *,
    filename: str,
    method: str,
    seats: int,
    stv_rules: str,
    seed: int | None,
    motion: dict[str, Any] | None = None,
) -> str:
    """The `kenes tally` command line that reproduces a result from the downloaded BLT.

    For a motion (`motion`: its result) the outcome depends on the electorate, the quorum,
    the majority and the base as well: the command carries them, so it says "not carried"
    where the platform did.
    """
    if motion is not None:
        return shlex.join(
            [
                "kenes",
                "tally",
                filename,
                "--method",
                "motion",
                "--electorate",
                str(motion["electorate"]),
                "--quorum-percent",
                str(motion["quorum_percent"]),
                "--majority",
                str(motion["majority"]),
                "--base",
                str(motion["base"]),
                "--json",
            ]
        )
    parts = ["kenes", "tally", filename, "--method", method, "--seats", str(seats)]
    if method == "stv":
        parts += ["--stv-rules", stv_rules]
    if seed is not None:
        parts += ["--seed", str(seed)]
    parts.append("--json")
    return shlex.join(parts)


# ---- elections: the rounds -------------------------------------------------------------


def _quota_of(result: dict[str, Any], rnd: dict[str, Any]) -> str | None:
    quota = rnd.get("quota", result.get("quota"))
    return str(quota) if quota is not None else None


def _surpluses(rnd: dict[str, Any], elected_before: set[str]) -> list[tuple[str, str]]:
    """Candidates elected earlier whose votes went down this round: their surplus moved on."""
    moved = []
    for name, change in rnd.get("transfers", {}).items():
        if name in elected_before and name not in rnd["excluded"] and Decimal(change) < 0:
            moved.append((name, str(-Decimal(change))))
    return moved


def _excluded_votes(rnd: dict[str, Any], name: str) -> str:
    """The excluded candidate's votes before the exclusion.

    Scottish STV shows a stage after its transfers (the excluded candidate at 0, the move as
    a negative transfer); IRV shows a round before its exclusion. Either way this is the
    figure the candidate was excluded on.
    """
    change = rnd.get("transfers", {}).get(name)
    if change is not None and Decimal(change) < 0:
        return str(-Decimal(change))
    return str(rnd["votes"].get(name, "0"))


def round_label(result: dict[str, Any], index: int) -> str:
    """A short heading for a round's column, from what happened in it."""
    rounds = result["rounds"]
    rnd = rounds[index]
    if result["method"] not in ("stv", "irv"):
        return _("count")
    if rnd["excluded"]:
        return _("exclusion of %(names)s") % {"names": names_list(rnd["excluded"])}
    elected_before = {n for r in rounds[:index] for n in r["elected"]}
    surplus = _surpluses(rnd, elected_before)
    if surplus:
        return _("surplus of %(names)s") % {"names": names_list([n for n, _v in surplus])}
    if index == 0:
        return _("first preferences")
    if rnd["elected"]:
        return _("election of %(names)s") % {"names": names_list(rnd["elected"])}
    return ""


def _intro(result: dict[str, Any]) -> list[str]:
    method = result["method"]
    rules = result.get("options", {}).get("stv_rules", "")
    out = [
        _("Counted by %(method)s. Seats to fill: %(seats)s.")
        % {"method": method_name(method, rules), "seats": result["seats"]}
    ]
    if method == "stv" and result.get("quota") is not None:
        out.append(
            _("To be elected a candidate needed the quota: %(quota)s.")
            % {"quota": votes(result["quota"])}
        )
    if method == "irv":
        out.append(
            _(
                "The candidate with the fewest votes is excluded round by round until one has "
                "more than half of the votes still in the count."
            )
        )
    if method in CONDORCET:
        out.append(_("Every pair of candidates is compared head to head on all ballots."))
    return out


def _round_events(result: dict[str, Any]) -> list[str]:
    out: list[str] = []
    elected_before: set[str] = set()
    method = result["method"]
    for rnd in result["rounds"]:
        stage = rnd["round"]
        for name, surplus in _surpluses(rnd, elected_before):
            out.append(
                _(
                    "At stage %(stage)s the surplus of %(name)s (%(votes)s) passed to the next "
                    "preferences on their ballots."
                )
                % {"stage": stage, "name": name, "votes": human(surplus)}
            )
        for name in rnd["excluded"]:
            out.append(
                _(
                    "%(name)s had the fewest votes at stage %(stage)s (%(votes)s) and was "
                    "excluded; their votes passed to the next preferences."
                )
                % {"name": name, "stage": stage, "votes": human(_excluded_votes(rnd, name))}
            )
        for name in rnd["elected"]:
            out.append(_elected_sentence(result, rnd, name, method))
        elected_before.update(rnd["elected"])
    return out


def _elected_sentence(result: dict[str, Any], rnd: dict[str, Any], name: str, method: str) -> str:
    quota_votes = rnd["votes"].get(name, "0")
    args = {"name": name, "stage": rnd["round"], "votes": human(quota_votes)}
    quota = _quota_of(result, rnd)
    if method == "stv" and quota is not None:
        if Decimal(quota_votes) >= Decimal(quota):
            return _(
                "%(name)s was elected at stage %(stage)s with %(votes)s, reaching the quota "
                "of %(quota)s."
            ) % {**args, "votes": votes(quota_votes), "quota": human(quota)}
        return _(
            "%(name)s was elected at stage %(stage)s with %(votes)s, below the quota: "
            "no more candidates were left than seats to fill."
        ) % {**args, "votes": votes(quota_votes)}
    if method == "irv":
        total = sum(Decimal(v) for v in rnd["votes"].values())
        return _(
            "%(name)s was elected in round %(stage)s with %(votes)s of the %(total)s votes "
            "still in the count, more than half."
        ) % {**args, "total": human(total)}
    if method == "approval":
        return (
            ngettext(
                "%(name)s won a seat, approved on %(votes)s ballot.",
                "%(name)s won a seat, approved on %(votes)s ballots.",
                _whole(quota_votes),
            )
            % args
        )
    return (
        ngettext(
            "%(name)s won a seat with %(votes)s first-choice vote.",
            "%(name)s won a seat with %(votes)s first-choice votes.",
            _whole(quota_votes),
        )
        % args
    )


def condorcet_winner(result: dict[str, Any]) -> str | None:
    """The candidate who beats every other head to head, if there is one."""
    names, matrix = result["candidates"], result.get("pairwise")
    if not matrix:
        return None
    for a, name in enumerate(names):
        if all(matrix[a][b] > matrix[b][a] for b in range(len(names)) if b != a):
            return str(name)
    return None


def _condorcet_events(result: dict[str, Any]) -> list[str]:
    if not result["winners"]:
        return []
    winner = result["winners"][0]
    if condorcet_winner(result) == winner:
        return [_("%(winner)s beats every other candidate head to head.") % {"winner": winner}]
    out = [
        _(
            "No candidate beats every other head to head: some pairs are tied, or the "
            "majorities go round in a cycle."
        )
    ]
    names = result["candidates"]
    w = names.index(winner)
    if result["method"] == "schulze" and result.get("strongest_paths"):
        paths = result["strongest_paths"]
        out.append(
            _(
                "%(winner)s wins by the Schulze method: against every rival, the strongest "
                "chain of head-to-head wins from %(winner)s is at least as strong as the "
                "rival's chain back."
            )
            % {"winner": winner}
        )
        for r, rival in enumerate(names):
            if r != w:
                out.append(
                    _(
                        "Strongest path from %(winner)s to %(rival)s: %(forward)s; "
                        "from %(rival)s back: %(back)s."
                    )
                    % {
                        "winner": winner,
                        "rival": rival,
                        "forward": human(paths[w][r]),
                        "back": human(paths[r][w]),
                    }
                )
    else:
        out.append(
            _(
                "%(winner)s wins by ranked pairs: the head-to-head majorities were locked in "
                "from the largest margin down, skipping any that would close a cycle, and no "
                "locked majority points at %(winner)s."
            )
            % {"winner": winner}
        )
    return out


def _lot_events(result: dict[str, Any]) -> list[str]:
    return [
        _(
            "A tie between %(among)s was settled by lot, drawn with seed %(seed)s: "
            "%(drawn)s was drawn."
        )
        % {"among": names_list(lot["among"]), "seed": result["seed"], "drawn": lot["drawn"]}
        for lot in result.get("lots", [])
    ]


def election_sentences(result: dict[str, Any]) -> list[str]:
    """How the winners were found, one sentence per event, in the active language."""
    out = _intro(result)
    if result["method"] in CONDORCET:
        out += _condorcet_events(result)
    else:
        out += _round_events(result)
    out += _lot_events(result)
    last = result["rounds"][-1] if result["rounds"] else None
    if result["method"] in ("stv", "irv") and last and Decimal(last["exhausted"]) > 0:
        out.append(
            _(
                "By the end %(votes)s were exhausted: those ballots ranked no candidate "
                "still in the count."
            )
            % {"votes": votes(last["exhausted"])}
        )
    if result["winners"]:
        out.append(
            _("Elected, in order of election: %(names)s.")
            % {"names": names_list(result["winners"])}
        )
    return out


# ---- motions ---------------------------------------------------------------------------


def base_label(base: str) -> str:
    return str(Base(base).label) if base in Base.values else base


def majority_label(majority: str) -> str:
    return str(Majority(majority).label) if majority in Majority.values else majority


def motion_sentences(result: dict[str, Any]) -> list[str]:
    """Turnout, quorum, base, majority and the outcome of a motion, in sentences."""
    counts = result["votes"]
    out = [
        ngettext(
            "%(cast)s of %(electorate)s member voted (turnout %(turnout)s%%).",
            "%(cast)s of %(electorate)s members voted (turnout %(turnout)s%%).",
            result["electorate"],
        )
        % {
            "cast": human(result["cast"]),
            "electorate": human(result["electorate"]),
            "turnout": percent(result["cast"], result["electorate"]) or "0",
        }
    ]
    if result["quorum_percent"]:
        args = {
            "percent": result["quorum_percent"],
            "needed": votes(result["quorum_votes"]),
            "cast": human(result["cast"]),
        }
        if result["quorum_met"]:
            out.append(
                _(
                    "The quorum was %(percent)s%% of the electorate, %(needed)s; "
                    "%(cast)s were cast, so the quorum was met."
                )
                % args
            )
        else:
            out.append(
                _(
                    "The quorum was %(percent)s%% of the electorate, %(needed)s; only "
                    "%(cast)s were cast, so the quorum was not met and the motion cannot pass."
                )
                % args
            )
    else:
        out.append(_("No quorum was required."))
    out.append(
        _("The base that counts as 100%% is %(base)s: %(votes)s.")
        % {"base": base_label(result["base"]), "votes": votes(result["base_votes"])}
    )
    out.append(
        _(
            "The motion needed %(majority)s of the base to vote yes; it received %(yes)s yes "
            "votes, %(share)s%% of the base (no: %(no)s, abstain: %(abstain)s)."
        )
        % {
            "majority": majority_label(result["majority"]),
            "yes": human(counts["yes"]),
            "share": percent(counts["yes"], result["base_votes"]) or "0",
            "no": human(counts["no"]),
            "abstain": human(counts["abstain"]),
        }
    )
    out.append(
        _("The motion was carried.") if result["carried"] else _("The motion was not carried.")
    )
    return out


def option_labels() -> dict[str, str]:
    """A motion's options as the ballot names them (yes, no, abstain), in the reader's words."""
    return {"yes": _("Yes"), "no": _("No"), "abstain": _("Abstain")}


def motion_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Yes, no, abstain: votes and their share of the base (none for outside the base)."""
    labels = option_labels()
    in_base = {"yes_no": ("yes", "no")}.get(result["base"], ("yes", "no", "abstain"))
    return [
        {
            "option": option,
            "label": labels[option],
            "votes": result["votes"][option],
            "percent": percent(result["votes"][option], result["base_votes"])
            if option in in_base
            else "",
        }
        for option in ("yes", "no", "abstain")
    ]
