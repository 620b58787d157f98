"""`kenes retention apply [--dry-run] [--json]`: clear what the retention schedule says is due.

The same as the worker does once a day (kenes.retention.services), at once and for every
kind. Needs no field key: it runs while the server is sealed. The JSON shape is in
docs/retention.md.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenes.retention import services
from kenes.retention.kinds import BY_KEY


class Command(BaseCommand):
    help = (
        "Retention: `kenes retention apply [--dry-run] [--json]` clears every kind of data "
        "whose time is up (contacts of members who left, uploaded lists, codes of closed "
        "votes, logs), one audit entry per kind; --dry-run only counts."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("action", choices=["apply"])
        parser.add_argument("--dry-run", action="store_true", help="count only; change nothing")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        run = services.do_apply(acting_user="command line", dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(run.as_json(), ensure_ascii=False))
            return
        for kind in run.kinds:
            title = BY_KEY[kind.kind].title
            if not kind.enabled:
                self.stdout.write(_("%(title)s: kept (the rule is off).") % {"title": title})
            elif run.dry_run:
                self.stdout.write(
                    ngettext(
                        "%(title)s: %(count)s item due (days kept: %(days)s).",
                        "%(title)s: %(count)s items due (days kept: %(days)s).",
                        kind.due,
                    )
                    % {"title": title, "count": kind.due, "days": kind.days}
                )
            else:
                self.stdout.write(
                    ngettext(
                        "%(title)s: %(count)s item cleared (days kept: %(days)s).",
                        "%(title)s: %(count)s items cleared (days kept: %(days)s).",
                        kind.cleared,
                    )
                    % {"title": title, "count": kind.cleared, "days": kind.days}
                )
        if run.dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
