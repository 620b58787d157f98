"""Setup and the chair's actions for bench.congress_load, run in Kenes' environment.

    DJANGO_SETTINGS_MODULE=kenes.settings python -m bench.congress_setup setup \
        --delegates N --csv FILE --codes FILE
    DJANGO_SETTINGS_MODULE=kenes.settings python -m bench.congress_setup chair --congress SLUG

`setup` (not timed), on a migrated, empty database: N members imported through the real
import service (bench.ballots_setup's generated CSV), an ordinary congress with all of them
seated as delegates, opened, every delegate checked in at the door by their badge code,
voting codes issued (`kenes.congress.hall`), one agenda item made current with five
speakers asking for the floor and the first one speaking, and one secret motion opened.
The voting codes go one per line to --codes; a JSON summary is printed last.

`chair` is the chair's console for the run: it starts Django once, prints "ready", then
reads commands from stdin — `next` (the next speaker), `close` (close and publish the
motion) — and answers each with the `time.monotonic()` (system-wide on Linux) taken just
after the change was committed, so the load driver can time how long the hall's state
takes to show it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

SLUG = "bench-congress"
MOTION = "Принять регламент съезда (bench)"


def setup(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from bench.ballots_setup import write_members
    from kenes.congress import hall, services, speakers
    from kenes.registry.importing import do_import_members
    from kenes.registry.models import Member
    from kenes.registry.services import do_add_group

    write_members(args.csv, args.delegates, args.seed)
    group = do_add_group("delegates", name="Bench delegates", acting_user="bench")
    with open(args.csv, "rb") as fh:
        do_import_members(fh, filename=args.csv.name, group=group, acting_user="bench")
    Member.objects.update(consent_on=timezone.localdate())  # an import records none
    members = list(Member.objects.order_by("pk"))
    if len(members) != args.delegates:
        raise SystemExit(f"imported {len(members)} of {args.delegates} members")
    congress = services.do_create_congress(
        slug=SLUG,
        title="Очередной съезд (bench)",
        kind="ordinary",
        standing_on=timezone.localdate(),
        acting_user="bench",
    )
    seated = services.do_add_delegates(congress, members, acting_user="bench")
    services.do_open(congress, acting_user="bench")
    for s in seated:  # at the door, one by one, as the door app does
        services.do_check_in(congress, s.badge_code, acting_user="bench")
    issued = hall.do_issue_voting_codes(congress, acting_user="bench")
    item = speakers.do_add_item(congress, title="Регламент съезда", acting_user="bench")
    speakers.do_make_current(item, acting_user="bench")
    for s, kind in zip(seated[:5], ["pro", "contra", "general", "pro", "contra"], strict=True):
        speakers.do_ask_for_floor(item, s.delegate, kind, acting_user="bench")
    speakers.do_next_speaker(item, acting_user="bench")
    vote = hall.do_create_vote(congress, title=MOTION, item=item, acting_user="bench")
    vote = hall.do_open_vote(vote, acting_user="bench")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would a minute after the bulk inserts
    codes = [i.code for i in issued]
    random.Random(args.seed).shuffle(codes)
    args.codes.write_text("\n".join(codes) + "\n")
    print(
        json.dumps(
            {
                "congress": SLUG,
                "delegates": len(seated),
                "present": vote.present_at_open,
                "codes": len(codes),
                "election": vote.election_id,
                "vote": vote.pk,
                "item": item.pk,
            }
        )
    )
    return 0


def chair(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from kenes.congress import hall, speakers
    from kenes.congress.models import AgendaItem, Congress, HallVote

    congress = Congress.objects.get(slug=args.congress)
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "next":
            item = AgendaItem.objects.get(congress=congress, current=True)
            speakers.do_next_speaker(item, acting_user="bench")
        elif command == "close":
            vote = HallVote.objects.filter(congress=congress).order_by("-pk").first()
            assert vote is not None
            hall.do_close_vote(vote, acting_user="bench")
        elif command == "quit":
            return 0
        else:
            print(f"unknown {command}", flush=True)
            continue
        print(f"done {time.monotonic():.6f}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    made = sub.add_parser("setup")
    made.add_argument("--delegates", type=int, required=True)
    made.add_argument("--csv", type=Path, required=True)
    made.add_argument("--codes", type=Path, required=True)
    made.add_argument("--seed", type=int, default=2026)
    console = sub.add_parser("chair")
    console.add_argument("--congress", default=SLUG)
    args = parser.parse_args(argv)
    return setup(args) if args.command == "setup" else chair(args)


if __name__ == "__main__":
    raise SystemExit(main())
