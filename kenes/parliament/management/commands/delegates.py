import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from kenes.core.seats import ApportionmentError, Method
from kenes.parliament.delegates import apportion_delegates


class Command(BaseCommand):
    help = (
        "Apportion congress delegates among groups or regions by members in good standing: "
        "kenes delegates SEATS [--by group|region] [--method M] [--on DATE] --json"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("seats", type=int)
        parser.add_argument("--by", choices=["group", "region"], default="group")
        parser.add_argument("--method", choices=[m.value for m in Method], default="sainte-lague")
        parser.add_argument("--on", type=datetime.date.fromisoformat)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            result = apportion_delegates(
                options["seats"],
                by=options["by"],
                method=Method(options["method"]),
                on=options["on"],
            )
        except ApportionmentError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        data = result.as_json()
        self.stdout.write(f"{result.seats} delegates by {result.by} ({result.method.value}):")
        for name, n in result.delegates.items():
            self.stdout.write(f"  {name:<24} {data['counts'][name]:>10}  {n}")
