import json

from django.core.management.base import BaseCommand, CommandError

from kenes.audit import services, verifiers


class Command(BaseCommand):
    help = (
        "Audit log: `kenes audit verify [--json]` checks the hash chain, and that what it "
        "recorded elsewhere (e.g. each published ballot box's head) is unchanged."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = services.verify()
        checks = verifiers.run_all()
        broken = [p for check in checks.values() for p in check.problems]
        if options["json"]:
            shown = result.as_json()
            shown["checks"] = {name: check.as_json() for name, check in checks.items()}
            self.stdout.write(json.dumps(shown))
        elif result.intact:
            self.stdout.write(
                f"The audit chain is intact: {result.entries} entries, head {result.head}."
            )
        else:
            self.stdout.write(
                f"The audit chain is BROKEN at entry {result.first_bad_id}: {result.problem}. "
                f"{result.entries} entries before it are intact."
            )
        if not options["json"]:
            for name, check in checks.items():
                self.stdout.write(
                    f"{name}: {check.checked} checked, {len(check.problems)} changed."
                )
            for problem in broken:
                self.stdout.write(f"CHANGED: {problem}")
        if not result.intact:
            raise CommandError("audit chain broken", returncode=3)
        if broken:
            raise CommandError("recorded state changed", returncode=4)
