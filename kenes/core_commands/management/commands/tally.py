"""`kenes tally FILE --method M [--stv-rules R] [--seats N] [--format F] [--seed S] --json`.

The arguments and the count live in kenes.core.tally.command, which the console script also
runs without Django (kenes.cli); this is the same command for `call_command("tally", ...)`.
"""

from django.core.management.base import BaseCommand, CommandError

from kenes.core.tally.command import HELP, TallyCommandError, add_arguments, run


class Command(BaseCommand):
    help = HELP
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        add_arguments(parser)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            text = run(options)
        except TallyCommandError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(text)
