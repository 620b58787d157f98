"""The `kenes` console script: Django's management utility with Kenes' settings.

Commands that only compute (tally, seats, project, consensus) need no database and no
configuration: they start with a minimal settings object holding just the app that
defines them, which skips loading the web platform (about half a second per run, which
matters when a script recounts many ballot files). `kenes tally` skips Django altogether
(kenes.core.tally.command, plain argparse): counting a file is then mostly reading it.
"""

import os
import sys

COMPUTE_ONLY = frozenset({"tally", "seats", "project", "consensus"})
# Django's own options that need Django: with them, `kenes tally` goes through Django too
_DJANGO_ONLY = ("--settings", "--pythonpath", "--version")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    configured = "DJANGO_SETTINGS_MODULE" in os.environ
    if (
        args
        and args[0] == "tally"
        and not configured
        and not any(a.startswith(_DJANGO_ONLY) for a in args[1:])
    ):
        from kenes.core.tally.command import main as tally

        sys.exit(tally(args[1:]))
    if args and args[0] in COMPUTE_ONLY and not configured:
        from django.conf import settings

        settings.configure(
            INSTALLED_APPS=["kenes.core_commands"],
            USE_TZ=True,
            LOGGING_CONFIG=None,
        )
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenes.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kenes", *args])


if __name__ == "__main__":
    main()
