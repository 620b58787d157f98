import json

from django.core.management.base import BaseCommand, CommandError

from kenes.audit import services


class Command(BaseCommand):
    help = "Audit log: `kenes audit verify [--json]` checks the hash chain."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = services.verify()
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json()))
        elif result.intact:
            self.stdout.write(
                f"The audit chain is intact: {result.entries} entries, head {result.head}."
            )
        else:
            self.stdout.write(
                f"The audit chain is BROKEN at entry {result.first_bad_id}: {result.problem}. "
                f"{result.entries} entries before it are intact."
            )
        if not result.intact:
            raise CommandError("audit chain broken", returncode=3)
