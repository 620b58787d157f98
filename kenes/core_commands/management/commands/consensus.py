"""`kenes consensus PATH [--seed S] [--json]`: opinion groups and consensus of a Pol.is export.

Needs no database: it reads the folder, runs `kenes.core.consensus.analyse` and prints.
The JSON shape is documented in docs/consensus.md.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from kenes.core.consensus import ConsensusInputError, analyse, as_json, read_polis_export


class Command(BaseCommand):
    help = (
        "Opinion groups, representative and consensus statements of a Pol.is export folder "
        "(comments.csv + votes.csv, or participants-votes.csv)."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("path", help="a Pol.is export folder")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--top", type=int, default=10, help="consensus statements to list (default 10)"
        )
        parser.add_argument(
            "--strict-moderation",
            action="store_true",
            help="analyse only statements a moderator accepted",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            matrix = read_polis_export(options["path"])
        except ConsensusInputError as error:
            raise CommandError(str(error)) from error
        analysis = analyse(
            matrix, seed=options["seed"], strict_moderation=options["strict_moderation"]
        )
        result = as_json(analysis, top=options["top"])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"{result['participants']} participants, {result['statements']} statements, "
            f"{result['votes']} votes; {result['clustered_participants']} clustered into "
            f"{len(result['groups'])} opinion groups."
        )
        for group in result["groups"]:
            self.stdout.write(f"\nGroup {group['id']} ({group['size']} participants):")
            for statement in group["representative"]:
                self.stdout.write(
                    f"  {statement['direction']:>8} {statement['agree']:>5}+ "
                    f"{statement['disagree']:>5}-  [{statement['statement']}] {statement['text']}"
                )
        self.stdout.write("\nConsensus across groups:")
        for statement in result["consensus"]:
            self.stdout.write(
                f"  {statement['score']:.3f}  [{statement['statement']}] {statement['text']}"
            )
