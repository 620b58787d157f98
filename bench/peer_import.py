"""One peer import in its own process: `python -m bench.peer_import FILE`.

Loads the CSV the way django-import-export's admin does (its CSV format class,
a tablib Dataset held in memory), imports it with
`import_data(dataset, dry_run=False, use_transactions=True)` and prints one
JSON line with the counts. Settings: bench.peer_settings (the database must
already be migrated).
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer_settings")
    import django

    django.setup()
    from import_export.formats.base_formats import CSV

    from bench.peer_app.models import PlainMember
    from bench.peer_app.resources import PlainMemberResource

    (path,) = argv
    with open(path, encoding="utf-8-sig") as fh:
        dataset = CSV().create_dataset(fh.read())
    result = PlainMemberResource().import_data(dataset, dry_run=False, use_transactions=True)
    totals = result.totals
    print(
        json.dumps(
            {
                "rows": len(dataset),
                "imported": PlainMember.objects.count(),
                "new": totals.get("new", 0),
                "invalid": totals.get("invalid", 0),
                "error": totals.get("error", 0),
                "has_errors": result.has_errors(),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
