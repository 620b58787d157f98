"""`kenes schedule run [--json]`: take the scheduled openings and closings that are due."""

import json

from django.core.management.base import BaseCommand

from kenes.ballots import schedule


class Command(BaseCommand):
    help = (
        "Votes' schedules: `kenes schedule run [--json]` opens and closes the votes whose "
        "time has come (each once, however many run it at the same moment). The background "
        "worker (`kenes worker`) does this on time by itself; run this from cron where "
        "no worker runs, or as a safety net beside one."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        steps = schedule.run_due()
        if options["json"]:
            self.stdout.write(json.dumps({"steps": [step.as_json() for step in steps]}))
            return
        if not steps:
            self.stdout.write("Nothing was due.")
        for step in steps:
            done = "done" if not step.problem else f"NOT taken: {step.problem}"
            self.stdout.write(
                f"election {step.election_id}: {step.action} due {step.due_at:%Y-%m-%d %H:%M} "
                f"— {done}"
            )
