import datetime
import getpass

from django.core.management.base import BaseCommand, CommandError

from kenes.core.roster import UnreadableFile, check_file
from kenes.core.rules import UnknownRules
from kenes.registry.importing import StrictImportRefused, do_import_members
from kenes.registry.management.commands._output import emit
from kenes.registry.models import ConstituentGroup


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class Command(BaseCommand):
    help = (
        "Member lists. `kenes members check FILE [--rules ID] --json` checks a CSV/XLSX "
        "without a database; `kenes members import FILE --group SLUG [--strict] --json` imports it."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="report every defect of every row")
        check.add_argument("file")
        check.add_argument("--rules", help="registration rules id, e.g. kz-2022 (default: newest)")
        check.add_argument("--reference-date", type=_date, help="date for age checks (ISO)")
        check.add_argument("--json", action="store_true")
        imp = sub.add_parser("import", help="import valid rows into a constituent group")
        imp.add_argument("file")
        imp.add_argument("--group", required=True, help="the group's short name (slug)")
        imp.add_argument(
            "--strict", action="store_true", help="refuse the whole file if any row is invalid"
        )
        imp.add_argument("--rules")
        imp.add_argument("--reference-date", type=_date)
        imp.add_argument("--json", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self._json = options["json"]
        try:
            if options["action"] == "check":
                self._check(options)
            else:
                self._import(options)
        except UnreadableFile as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except UnknownRules as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"There is no file {options['file']}.", returncode=2) from exc

    def _check(self, options):  # type: ignore[no-untyped-def]
        report = check_file(
            options["file"],
            filename=options["file"],
            rule_id=options["rules"],
            reference_date=options["reference_date"],
        )
        lines = [f"{report.rows} rows: {report.valid} valid, {report.invalid} invalid."]
        lines += [f"row {d.row}: {d.field}: {d.code}: {d.message}" for d in report.defects]
        emit(self, report.as_json(), "\n".join(lines))
        if report.invalid:
            raise SystemExit(1)

    def _import(self, options):  # type: ignore[no-untyped-def]
        group = ConstituentGroup.objects.filter(slug=options["group"]).first()
        if group is None:
            raise CommandError(
                f"There is no group {options['group']}; add it with `kenes groups add`.",
                returncode=2,
            )
        try:
            with open(options["file"], "rb") as stream:
                result = do_import_members(
                    stream,
                    filename=options["file"],
                    group=group,
                    acting_user=f"cli:{getpass.getuser()}",
                    strict=options["strict"],
                    rule_id=options["rules"],
                    reference_date=options["reference_date"],
                )
        except StrictImportRefused as exc:
            emit(
                self, exc.result.as_json() | {"imported": 0, "merged": 0, "unchanged": 0}, str(exc)
            )
            raise SystemExit(1) from exc
        text = (
            f"{result.rows} rows: {result.imported} new members, {result.merged} already known "
            f"and added to {group.slug}, {result.unchanged} unchanged, {result.rejected} rejected."
        )
        text += "".join(f"\nrow {d.row}: {d.field}: {d.code}: {d.message}" for d in result.defects)
        emit(self, result.as_json(), text)
