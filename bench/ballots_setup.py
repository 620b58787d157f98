"""Setup for bench.ballots_load, run in Kenes' environment (not timed).

    DJANGO_SETTINGS_MODULE=kenes.settings python -m bench.ballots_setup \
        --members N --csv FILE --codes FILE

On a migrated, empty database: one constituent group, N members imported through
the real import service (a generated CSV of valid rows), then an open STV election
with 8 candidates built through kenes.ballots.services; the issued personal codes
are written one per line to --codes. Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import random
from pathlib import Path

_SURNAMES = ["Ахметов", "Омаров", "Нурланов", "Жумабаев", "Касымов", "Ким", "Абенов", "Мусин"]
_GIVEN = ["Ерлан", "Айдос", "Данияр", "Асхат", "Марат", "Тимур", "Серик", "Арман"]
_FATHERS = ["Серик", "Нурлан", "Болат", "Ерлан", "Марат", "Кайрат"]
CANDIDATES = 8
SEATS = 2


def write_members(path: Path, count: int, seed: int) -> None:
    """`count` valid rows (distinct IINs with real check digits), as Excel writes CSV."""
    from kenes.core.iin import make_iin

    rng = random.Random(seed)
    first, span = datetime.date(1950, 1, 1), 20_000
    seen: set[str] = set()
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ФИО", "Дата рождения", "ИИН", "Телефон", "Регион", "Адрес"])
        n = 0
        while len(seen) < count:
            born = first + datetime.timedelta(days=n % span)
            iin = make_iin(born, "M" if n % 2 else "F", (n // span * 7) % 10000)
            n += 1
            if iin in seen:
                continue
            seen.add(iin)
            writer.writerow(
                [
                    f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)} {rng.choice(_FATHERS)}ович",
                    born.strftime("%d.%m.%Y"),
                    iin,
                    f"+7 701 {rng.randrange(1000):03d} {rng.randrange(100):02d} "
                    f"{rng.randrange(100):02d}",
                    "Алматы",
                    f"г. Алматы, ул. Абая, д. {rng.randrange(1, 200)}",
                ]
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--codes", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.utils import timezone

    from kenes.ballots import services
    from kenes.registry.importing import do_import_members
    from kenes.registry.models import Member
    from kenes.registry.services import do_add_group

    write_members(args.csv, args.members, args.seed)
    group = do_add_group("voters", name="Bench voters", acting_user="bench")
    with open(args.csv, "rb") as fh:
        report = do_import_members(fh, filename=args.csv.name, group=group, acting_user="bench")
    if Member.objects.count() != args.members:
        raise SystemExit(f"imported {Member.objects.count()} of {args.members} members: {report}")
    election = services.do_create_election(
        "Совет (bench)",
        method="stv",
        seats=SEATS,
        cutoff_on=timezone.localdate(),
        acting_user="bench",
    )
    for member in Member.objects.order_by("pk")[:CANDIDATES]:
        services.do_add_candidate(election, member, acting_user="bench")
    issued = services.do_open(election, acting_user="bench")
    from django.db import connection

    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum gives them within a minute of a bulk insert:
        # without them the code look-up scans every code of the election (see README).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(args.seed)
    codes = [i.code for i in issued]
    rng.shuffle(codes)  # voters arrive in no particular order
    args.codes.write_text("\n".join(codes) + "\n")
    print(
        json.dumps(
            {
                "election": election.pk,
                "members": Member.objects.count(),
                "electorate": len(issued),
                "candidates": CANDIDATES,
                "seats": SEATS,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
