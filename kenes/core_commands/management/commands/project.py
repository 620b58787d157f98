"""`kenes project POLLS.csv --rules ID [--draws N] [--seed S] [--alliance "A+B:0.8"]... --json`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kenes.core.seats import ApportionmentError, SeatRulesError, all_seat_rules, load_seat_rules
from kenes.core.seats.files import FileFormatError, parse_alliance, read_polls_csv
from kenes.core.seats.polls import PollError, ShareModel, pool_polls
from kenes.core.seats.projection import merge_poll, project, share_needed
from kenes.core.seats.report import projection_json


class Command(BaseCommand):
    help = (
        "Monte-Carlo seat projection from POLLS.csv (party,share[,sample_size][,margin]), "
        "alone and in alliance scenarios. Needs no database."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("polls", help="CSV file: party,share[,sample_size][,margin] (percent)")
        parser.add_argument("--rules", required=True, help=", ".join(sorted(all_seat_rules())))
        parser.add_argument("--draws", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--alliance",
            action="append",
            default=[],
            help='joint list "A+B" with optional retention per partner: "A+B:0.8"',
        )
        parser.add_argument("--model", choices=[m.value for m in ShareModel], default=None)
        parser.add_argument("--sample-size", type=int, default=None, help="for rows without one")
        parser.add_argument(
            "--target", type=float, default=0.9, help="pass probability for share_needed"
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            text = Path(options["polls"]).read_text(encoding="utf-8")
            figures = read_polls_csv(text, options["sample_size"])
            poll = pool_polls(figures)
            rules = load_seat_rules(options["rules"])
            alliances = [parse_alliance(a) for a in options["alliance"]]
            if options["model"]:
                model = ShareModel(options["model"])
            elif any(f.margin is not None for f in figures):
                model = ShareModel.LOGISTIC_NORMAL
            else:
                model = ShareModel.DIRICHLET
            projection = project(
                poll,
                rules,
                draws=options["draws"],
                seed=options["seed"],
                model=model,
                alliances=alliances,
            )
            seed = 0 if options["seed"] is None else options["seed"]
            needed = {
                party: share_needed(
                    poll, rules, party, target=options["target"], seed=seed, model=model
                )
                for party, eligible in zip(poll.parties, poll.seat_eligible, strict=True)
                if eligible
            }
            for alliance in alliances:
                merged = merge_poll(poll, alliance)
                needed[alliance.name] = share_needed(
                    merged, rules, alliance.name, target=options["target"], seed=seed, model=model
                )
        except OSError as error:
            raise CommandError(f"Cannot read {options['polls']}: {error.strerror}.") from error
        except (ApportionmentError, SeatRulesError, FileFormatError, PollError, ValueError) as e:
            raise CommandError(str(e)) from e
        payload = projection_json(
            projection,
            rules_id=rules.id,
            seats=rules.seats,
            joint_lists=rules.joint_lists.value,
            target=options["target"],
            share_needed=needed,
        )
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"{rules.name}: {projection.draws} draws, model {model.value}")
        header = (
            "party",
            "P(pass)",
            "seats mean",
            "5%",
            "50%",
            "95%",
            f"share for {options['target']:.0%}",
        )
        self.stdout.write("  ".join(header))
        for row in payload["parties"]:
            self.stdout.write(
                f"{row['party']}  {row['p_pass']:.3f}  {row['seats_mean']:.1f}  "
                f"{row['seats_p05']}  {row['seats_p50']}  {row['seats_p95']}  "
                f"{row.get('share_needed', '-')}%"
            )
        if alliances and rules.joint_lists.value != "allowed":
            self.stdout.write(
                f"Note: joint lists (blocs) are {rules.joint_lists.value} under {rules.id}; "
                "an alliance may have to run as one party."
            )
        for scenario in payload["scenarios"]:
            joint = scenario["joint"]
            alone = ", ".join(
                f"{a['party']} {a['p_pass']:.3f} / {a['seats_mean']:.1f}" for a in scenario["alone"]
            )
            self.stdout.write(
                f"{scenario['alliance']}: P(pass) {joint['p_pass']:.3f}, seats "
                f"{joint['seats_mean']:.1f} (alone: {alone})"
            )
