"""`kenes congress list|show`: congresses for scripts (docs/congress.md).

    kenes congress list [--json]   -> {"congresses": [{"slug", "title", "kind", "status"}]}
    kenes congress show SLUG [--json]
        -> {"slug", "title", "kind", "status", "delegates": {"entitled", "checked_in", "flagged"},
            "quorum": {"met", "needed", "regions_present", "regions_needed"}, "votes": [...]}

    kenes congress protocol SLUG --out FILE   (.pdf or .odt by the file's extension)

An unknown SLUG exits 1 with one sentence.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kenes.congress.models import Congress
from kenes.congress.protocol import render
from kenes.congress.services import CongressError, as_json


class Command(BaseCommand):
    help = "Congresses: `list` all of them, `show SLUG` one with its delegates and quorum."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="every congress: slug, title, kind, status")
        listing.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="one congress: delegates, quorum, votes")
        show.add_argument("slug")
        show.add_argument("--json", action="store_true")
        protocol = sub.add_parser("protocol", help="write the protocol as PDF or ODT")
        protocol.add_argument("slug")
        protocol.add_argument("--out", required=True, type=Path, help="FILE.pdf or FILE.odt")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            rows = [
                {"slug": c.slug, "title": c.title, "kind": c.kind.key, "status": c.status}
                for c in Congress.objects.select_related("kind").order_by("pk")
            ]
            if options["json"]:
                self.stdout.write(json.dumps({"congresses": rows}, ensure_ascii=False))
            else:
                for row in rows:
                    self.stdout.write(f"{row['slug']:<24} {row['status']:<8} {row['title']}")
            return
        congress = Congress.objects.select_related("kind").filter(slug=options["slug"]).first()
        if congress is None:
            self.stderr.write(f"There is no congress {options['slug']!r}.")
            sys.exit(1)
        if options["action"] == "protocol":
            out: Path = options["out"]
            try:
                data = render(congress, out.suffix.lower(), acting_user="cli")
            except CongressError as exc:
                self.stderr.write(str(exc))
                sys.exit(1)
            out.write_bytes(data)
            self.stdout.write(f"Wrote {out} ({len(data)} bytes).")
            return
        shown = as_json(congress)
        if options["json"]:
            self.stdout.write(json.dumps(shown, ensure_ascii=False))
            return
        delegates, q = shown["delegates"], shown["quorum"]
        self.stdout.write(f"{shown['title']} ({shown['kind']}, {shown['status']})")
        self.stdout.write(
            f"delegates: {delegates['entitled']} entitled, {delegates['checked_in']} in the "
            f"hall, {delegates['flagged']} flagged"
        )
        self.stdout.write(
            f"quorum: {'met' if q['met'] else 'not met'} ({q['needed']} needed; regions "
            f"{q['regions_present']} of {q['regions_needed']} needed)"
        )
