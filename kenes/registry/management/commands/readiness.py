import datetime

from django.core.management.base import BaseCommand, CommandError

from kenes.core.rules import UnknownRules
from kenes.registry.management.commands._output import emit
from kenes.registry.readiness import compute_readiness


class Command(BaseCommand):
    help = (
        "Registration readiness against a period's thresholds: kenes readiness [--rules ID] --json"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--rules", help="kz-2002, kz-2009, kz-2020, kz-2022 (default: newest)")
        parser.add_argument("--on", type=datetime.date.fromisoformat, help="reference date (ISO)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self._json = options["json"]
        try:
            result = compute_readiness(options["rules"], on=options["on"])
        except UnknownRules as exc:
            raise CommandError(str(exc), returncode=2) from exc
        lines = [
            f"Rules {result.rule.id}: {result.total} of {result.required_total} members "
            f"({'ready' if result.ready else 'not ready'})."
        ]
        for r in result.regions:
            lines.append(
                f"{r.code}\t{r.members:>7}/{r.required:<6} short {r.shortfall:<6} {r.name}"
            )
        emit(self, result.as_json(), "\n".join(lines))
