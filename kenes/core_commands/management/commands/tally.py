"""`kenes tally FILE --method M [--stv-rules R] [--seats N] [--format F] [--seed S] --json`."""

import json

from django.core.management.base import BaseCommand, CommandError

from kenes.core.tally import (
    ALL_STV_RULES,
    METHODS,
    BallotFileError,
    TallyError,
    count,
    decimal_string,
    irv,
    load_profile,
    minneapolis_stv,
    result_json,
)


class Command(BaseCommand):
    help = (
        "Count a ballot file (BLT, PrefLib .soc/.soi/.toc/.toi, CSV) by a voting method and "
        "explain each round. Needs no database. JSON shape: docs/tally.md."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="ballot file (.blt, .soc/.soi/.toc/.toi, .csv, or .gz)")
        parser.add_argument("--method", required=True, choices=METHODS)
        parser.add_argument("--stv-rules", choices=ALL_STV_RULES, default="scottish")
        parser.add_argument(
            "--seats", type=int, help="seats to fill (default: from the file, or 1)"
        )
        parser.add_argument(
            "--format", choices=["blt", "preflib", "csv"], help="default: by extension"
        )
        parser.add_argument("--seed", type=int, help="seed for lots (default: random, recorded)")
        only = "IRV and --stv-rules minneapolis only"
        parser.add_argument("--overvote", choices=["exhaust", "skip"], default="exhaust", help=only)
        parser.add_argument("--max-skipped", type=int, help=f"{only}: skipped ranks allowed")
        parser.add_argument("--batch", action="store_true", help=f"{only}: batch elimination")
        parser.add_argument(
            "--exclude-first", action="append", default=[], help=f"{only}: e.g. UWI"
        )
        parser.add_argument(
            "--decimal-places",
            type=int,
            default=4,
            help="--stv-rules minneapolis only: decimals of surplus arithmetic",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            profile = load_profile(options["file"], options["format"])
            irv_options = (
                options["overvote"] != "exhaust"
                or options["max_skipped"] is not None
                or options["batch"]
                or options["exclude_first"]
            )
            minneapolis = options["method"] == "stv" and options["stv_rules"] == "minneapolis"
            if minneapolis:
                result = minneapolis_stv(
                    profile,
                    options["seats"],
                    options["seed"],
                    overvote=options["overvote"],
                    max_skipped=options["max_skipped"],
                    batch=options["batch"],
                    exclude_first=options["exclude_first"],
                    decimal_places=options["decimal_places"],
                )
            elif options["method"] == "irv" and irv_options:
                result = irv(
                    profile,
                    options["seed"],
                    overvote=options["overvote"],
                    max_skipped=options["max_skipped"],
                    batch=options["batch"],
                    exclude_first=options["exclude_first"],
                )
            else:
                result = count(
                    profile,
                    options["method"],
                    seats=options["seats"],
                    seed=options["seed"],
                    stv_rules=options["stv_rules"],
                )
        except BallotFileError as exc:
            raise CommandError(f"{options['file']}, {exc}") from exc
        except (TallyError, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result_json(result), ensure_ascii=False))
            return
        names = result.candidates
        self.stdout.write(f"{result.method}, {result.seats} seat(s), seed {result.seed}")
        for r in result.rounds:
            self.stdout.write(f"Round {r.number}: {r.action}")
            for c, v in sorted(r.votes.items(), key=lambda cv: -cv[1]):
                self.stdout.write(f"  {names[c]:<40} {decimal_string(v):>18}")
            self.stdout.write(f"  {'exhausted':<40} {decimal_string(r.exhausted):>18}")
            for line in r.why:
                self.stdout.write(f"  - {line}")
        self.stdout.write("Winners: " + ", ".join(result.winner_names))
