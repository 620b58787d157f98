"""The scenario form: rules, poll figures as a table of rows (or an uploaded CSV), alliances.

Works without JavaScript: the table has a fixed number of blank rows (POLL_ROWS, or more when
a saved scenario has more figures). Rows and files are checked by kenes.parliament.scenarios,
whose sentences (with row or line numbers) become the form's errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kenes.core.seats import all_seat_rules
from kenes.parliament.historical import (
    HistoricalError,
    decode_upload,
    own_result,
    read_results,
    replay_own,
)
from kenes.parliament.scenarios import (
    MAX_DRAWS,
    ScenarioError,
    check_poll_rows,
    parse_alliance_line,
    read_poll_upload,
)
from kenes.web import labels

POLL_ROWS = 12
ALLIANCE_ROWS = 4
MAX_UPLOAD = 256 * 1024


def rules_choices() -> list[tuple[str, str]]:
    """Preset names with the years they served, e.g. "Majilis 2023: … (2023)"."""
    choices = []
    for rules in all_seat_rules().values():
        years = ", ".join(str(y) for y in rules.elections)
        name = labels.data_text(rules.name)
        choices.append((rules.id, f"{name} ({years})" if years else name))
    return choices


def _number(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


#: The largest seed (32 bits: every random generator takes it, the database stores it).
MAX_SEED = 2**32 - 1


class ScenarioForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    rules_id = forms.ChoiceField(label=_("Seat rules"))
    our_party = forms.CharField(
        label=_("Our party"),
        max_length=120,
        required=False,
        help_text=_("As spelled in the poll figures; the page then says what share it needs."),
    )
    draws = forms.IntegerField(
        label=_("Draws"),
        min_value=100,
        max_value=MAX_DRAWS,
        initial=20_000,
        help_text=_("Simulated elections; more draws are steadier but slower."),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        initial=1,
        min_value=0,
        max_value=MAX_SEED,
        help_text=_("The same seed gives the same figures again."),
        error_messages={
            "min_value": _("The seed is a whole number, 0 or more."),
            "max_value": _("The seed is a whole number up to %(limit_value)s."),
        },
    )
    polls_file = forms.FileField(
        label=_("Or upload poll figures (CSV)"),
        required=False,
        help_text=_(
            "Columns party,share and optionally sample_size, shares in percent. "
            "A file replaces the rows of the table."
        ),
    )

    def __init__(self, *args: Any, scenario: Any = None, **kwargs: Any) -> None:
        if scenario is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(scenario)
        super().__init__(*args, **kwargs)
        self.fields["rules_id"].choices = rules_choices()
        filled = len(scenario.polls) if scenario is not None else 0
        self.poll_count = max(POLL_ROWS, filled + 3)
        for i in range(self.poll_count):
            self.fields[f"party_{i}"] = forms.CharField(required=False, max_length=120)
            self.fields[f"share_{i}"] = forms.CharField(required=False, max_length=12)
            self.fields[f"sample_size_{i}"] = forms.CharField(required=False, max_length=12)
        for i in range(ALLIANCE_ROWS):
            self.fields[f"alliance_{i}"] = forms.CharField(required=False, max_length=250)
            self.fields[f"retention_{i}"] = forms.CharField(required=False, max_length=8)
        # The table's columns name its inputs for screen readers: "Party 3", "Sample size 3".
        columns = {
            "party": _("Party"),
            "share": _("Share in percent"),
            "sample_size": _("Sample size"),
            "alliance": _("Joint list"),
            "retention": _("Retention in percent"),
        }
        for name, field in self.fields.items():
            column, _sep, row = name.rpartition("_")
            if column in columns and row.isdigit():
                field.widget.attrs["aria-label"] = f"{columns[column]} {int(row) + 1}"
                if column in ("share", "retention"):
                    field.widget.attrs["inputmode"] = "decimal"
                elif column == "sample_size":
                    field.widget.attrs["inputmode"] = "numeric"

    @staticmethod
    def initial_from(scenario: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": scenario.title,
            "rules_id": scenario.rules_id,
            "our_party": scenario.our_party,
            "draws": scenario.draws,
            "seed": scenario.seed,
        }
        for i, row in enumerate(scenario.polls):
            initial[f"party_{i}"] = row["party"]
            initial[f"share_{i}"] = _number(row["share"])
            initial[f"sample_size_{i}"] = _number(row.get("sample_size"))
        for i, entry in enumerate(scenario.alliances[:ALLIANCE_ROWS]):
            initial[f"alliance_{i}"] = "+".join(entry["parties"])
            initial[f"retention_{i}"] = _number(round(100 * float(entry["retention"]), 2))
        return initial

    def poll_rows(self) -> list[tuple[int, Any, Any, Any]]:
        return [
            (i + 1, self[f"party_{i}"], self[f"share_{i}"], self[f"sample_size_{i}"])
            for i in range(self.poll_count)
        ]

    def alliance_rows(self) -> list[tuple[int, Any, Any]]:
        return [
            (i + 1, self[f"alliance_{i}"], self[f"retention_{i}"]) for i in range(ALLIANCE_ROWS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("polls_file")
        try:
            if upload:
                if upload.size > MAX_UPLOAD:
                    raise ScenarioError(_("The file is too large for poll figures."))
                data["polls"] = check_poll_rows(read_poll_upload(upload.read()))
            else:
                data["polls"] = check_poll_rows(
                    [
                        {
                            "party": data.get(f"party_{i}"),
                            "share": data.get(f"share_{i}"),
                            "sample_size": data.get(f"sample_size_{i}"),
                        }
                        for i in range(self.poll_count)
                    ]
                )
        except ScenarioError as error:
            self.add_error("polls_file" if upload else None, str(error))
        alliances = []
        for i in range(ALLIANCE_ROWS):
            text = (data.get(f"alliance_{i}") or "").strip()
            if not text:
                continue
            try:
                alliances.append(parse_alliance_line(text, data.get(f"retention_{i}")))
            except ScenarioError as error:
                self.add_error(None, str(error))
        data["alliances"] = alliances
        return data

    def scenario_fields(self) -> dict[str, Any]:
        """What the services take: do_create_scenario(**fields) / do_update(**fields)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "rules_id": data["rules_id"],
            "draws": data["draws"],
            "seed": data["seed"],
            "polls": data["polls"],
            "alliances": data["alliances"],
            "our_party": data.get("our_party", "").strip(),
        }


class OwnResultsForm(forms.Form):
    """Results the user types or uploads, replayed under other rules; nothing is stored.

    Lines are checked by kenes.parliament.historical (read_results), whose sentences name the
    line; the replay itself is computed in clean() so that "no list passes" is a form error too.
    """

    results = forms.CharField(
        label=_("Results (CSV)"),
        required=False,
        max_length=MAX_UPLOAD,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "One line per list: party,votes and optionally official_seats, e.g. "
            "“Nur Otan,6183757,84”. A line “against all,12345” gives the votes against all."
        ),
    )
    results_file = forms.FileField(
        label=_("Or upload the results (CSV)"),
        required=False,
        help_text=_("The same columns, UTF-8. A file replaces the typed lines."),
    )
    held_rules = forms.ChoiceField(label=_("Held under the rules"))
    replay_rules = forms.ChoiceField(label=_("Replay under the rules"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_rules"].choices = rules_choices()
        self.fields["replay_rules"].choices = rules_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("results_file")
        field = "results_file" if upload else "results"
        try:
            if upload:
                if upload.size > MAX_UPLOAD:
                    raise HistoricalError(_("The file is too large for election results."))
                text = decode_upload(upload.read())
            else:
                text = data.get("results") or ""
            if not text.strip():
                raise HistoricalError(_("Type the results or upload a CSV file."))
            if "held_rules" in data and "replay_rules" in data:
                own = own_result(*read_results(text), data["held_rules"])
                data["own"] = own
                data["replay"] = replay_own(own, data["replay_rules"])
        except HistoricalError as error:
            self.add_error(field, str(error))
        return data
