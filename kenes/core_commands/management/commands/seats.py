"""`kenes seats VOTES.csv (--rules ID | --seats N --method M [--threshold PCT]) --json`."""

import json
from fractions import Fraction
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kenes.core.seats import (
    ApportionmentError,
    Method,
    SeatRulesError,
    Threshold,
    ThresholdBase,
    all_seat_rules,
    allocate,
    load_seat_rules,
)
from kenes.core.seats.files import FileFormatError, read_votes_csv
from kenes.core.seats.report import allocation_json


class Command(BaseCommand):
    help = (
        "Allocate seats from VOTES.csv (party,votes) by a preset (--rules) or a method. "
        "Needs no database."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("votes", help="CSV file with the columns party,votes")
        parser.add_argument("--rules", help="preset id: " + ", ".join(sorted(all_seat_rules())))
        parser.add_argument("--seats", type=int, help="number of seats (without --rules)")
        parser.add_argument("--method", choices=[m.value for m in Method])
        parser.add_argument("--threshold", help="threshold in percent (without --rules)")
        parser.add_argument(
            "--threshold-base",
            choices=[b.value for b in ThresholdBase],
            default=ThresholdBase.VALID_PARTY_VOTES.value,
        )
        parser.add_argument("--against-all", type=int, default=None, help='"against all" votes')
        parser.add_argument("--ballots-cast", type=int, default=None)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            text = Path(options["votes"]).read_text(encoding="utf-8")
            votes, against_all_rows = read_votes_csv(text)
            against_all = options["against_all"]
            if against_all is None:
                against_all = against_all_rows
            elif against_all_rows:
                raise CommandError('Give "against all" either in the file or with --against-all.')
            if options["rules"]:
                if options["seats"] or options["method"] or options["threshold"]:
                    raise CommandError("Give either --rules or --seats/--method, not both.")
                rules = load_seat_rules(options["rules"])
                result = rules.allocate(
                    votes, against_all=against_all, ballots_cast=options["ballots_cast"]
                )
                payload = allocation_json(
                    result,
                    rules_id=rules.id,
                    method=rules.method,
                    seats=rules.seats,
                    threshold=rules.threshold,
                    unconfirmed=rules.unconfirmed,
                )
            else:
                if not options["seats"] or not options["method"]:
                    raise CommandError("Give --rules ID, or --seats N and --method M.")
                threshold = None
                if options["threshold"]:
                    threshold = Threshold(
                        Fraction(options["threshold"]), ThresholdBase(options["threshold_base"])
                    )
                method = Method(options["method"])
                result = allocate(
                    votes,
                    options["seats"],
                    method,
                    threshold,
                    against_all=against_all,
                    ballots_cast=options["ballots_cast"],
                )
                payload = allocation_json(
                    result,
                    rules_id=None,
                    method=method,
                    seats=options["seats"],
                    threshold=threshold,
                )
        except OSError as error:
            raise CommandError(f"Cannot read {options['votes']}: {error.strerror}.") from error
        except (ApportionmentError, SeatRulesError, FileFormatError, ValueError) as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        for party, won in payload["seats"].items():
            mark = "" if party in payload["passed"] else "  (below threshold)"
            self.stdout.write(f"{party}: {won}{mark}")
        if payload["quota"] is not None:
            self.stdout.write(f"quota: {payload['quota']:.4f}")
