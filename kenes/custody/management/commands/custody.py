"""`kenes custody init|status|reshare|rotate-master|add-key`: the keys in the trustees' hands.

    kenes custody init --trustees N --threshold K [--json] [--sheets DIR]
    kenes custody status [--json]
    kenes custody reshare --trustees N --threshold K [--json] [--sheets DIR]   (k shares on stdin)
    kenes custody rotate-master [--trustees N --threshold K] [--json] [--sheets DIR]   (k shares)
    kenes custody add-key [--json]                                             (k shares on stdin)
    kenes custody drop-key KEY_ID [--json]          (unsealed; no sealed value may name the key)

Bad shares, too few shares or a lost race exit 1 with one sentence, and nothing changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kenes.custody import client, sheets, signals, store
from kenes.custody.errors import CustodyProblem


class Command(BaseCommand):
    help = (
        "Keys held by trustees. `init` wraps the field keys under a new master key, splits it "
        "into N shares of which K unseal the server, and prints the shares once; `status` "
        "says whether the server is sealed; `reshare` (a trustee leaves) and `rotate-master` "
        "(an old share may not be destroyed) give new shares for K current ones; `add-key` "
        "adds a new field key for `kenes rotate-keys`; `drop-key` removes an old one that no "
        "sealed value names any more."
    )
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="put the field keys into the trustees' custody")
        init.add_argument("--trustees", type=int, required=True, help="how many shares (n)")
        init.add_argument("--threshold", type=int, required=True, help="how many unseal (k)")
        _outputs(init)
        status = sub.add_parser("status", help="sealed or not, k, n and the set id")
        status.add_argument("--json", action="store_true")
        reshare = sub.add_parser(
            "reshare",
            help="k current shares on stdin -> n new shares of the same master (a new set id)",
        )
        reshare.add_argument("--trustees", type=int, required=True, help="new number of shares")
        reshare.add_argument("--threshold", type=int, required=True, help="new k")
        _outputs(reshare)
        rotate = sub.add_parser(
            "rotate-master",
            help="k current shares on stdin -> a new master, the field keys re-wrapped, new shares",
        )
        rotate.add_argument("--trustees", type=int, help="new number of shares (default: same)")
        rotate.add_argument("--threshold", type=int, help="new k (default: same)")
        _outputs(rotate)
        add_key = sub.add_parser(
            "add-key", help="k current shares on stdin -> a new field key, first in line"
        )
        add_key.add_argument("--json", action="store_true")
        drop_key = sub.add_parser(
            "drop-key",
            help="remove an old field key from keys.json and the key holder, once no sealed "
            "value names it (after `kenes rotate-keys`); the server must be unsealed",
        )
        drop_key.add_argument("key_id", metavar="KEY_ID", help="the 8-digit id of the key")
        drop_key.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(options)
        except CustodyProblem as exc:
            self.stderr.write(str(exc))
            sys.exit(1)

    # --- init ---------------------------------------------------------------------------

    def _init(self, options: dict[str, Any]) -> None:
        trustees, threshold = options["trustees"], options["threshold"]
        writer = _SheetWriter(options["sheets"])
        shares = writer.run(
            lambda: store.create(
                list(settings.KENES_FIELD_KEYS),
                trustees=trustees,
                threshold=threshold,
                before_commit=writer,
            )
        )
        self._print_shares(options, shares, threshold=threshold, trustees=trustees)
        writer.report(self.stderr)
        self._retire_plain_keys()
        self._tell(
            "init",
            set_id=store.read_record().set_id,
            threshold=threshold,
            trustees=trustees,
            sheets=len(writer.written),
        )

    def _retire_plain_keys(self) -> None:
        """The development key file now lives in custody: leaving it would defeat it."""
        dev_file = Path(settings.VAR_DIR) / "field_keys"
        if dev_file.exists() and dev_file.read_text().strip() == ",".join(
            settings.KENES_FIELD_KEYS
        ):
            dev_file.unlink()
            self.stderr.write(f"Removed {dev_file}: the trustees' shares now open these keys.")
        else:
            self.stderr.write(
                "The server is sealed from now on. Remove KENES_FIELD_KEYS from its "
                "environment: the key holder serves the keys once k trustees unseal it."
            )

    # --- changes that take k shares -----------------------------------------------------

    def _reshare(self, options: dict[str, Any]) -> None:
        texts = self._read_shares(options)
        writer = _SheetWriter(options["sheets"])
        record, shares = writer.run(
            lambda: store.reshare(
                texts,
                trustees=options["trustees"],
                threshold=options["threshold"],
                before_commit=writer,
            )
        )
        self._print_shares(options, shares, threshold=record.threshold, trustees=record.trustees)
        writer.report(self.stderr)
        self.stderr.write(
            f"Re-shared: set {record.retired_sets[0]} is retired and its shares are refused "
            "from now on; nothing was re-encrypted. Ask every trustee to destroy their old "
            "share: k old shares still rebuild the master key (use "
            "`kenes custody rotate-master` if one may not be destroyed)."
        )
        self._tell_change("reshare", record, writer)

    def _rotate_master(self, options: dict[str, Any]) -> None:
        texts = self._read_shares(options)
        writer = _SheetWriter(options["sheets"])
        record, shares = writer.run(
            lambda: store.rotate_master(
                texts,
                trustees=options["trustees"],
                threshold=options["threshold"],
                before_commit=writer,
            )
        )
        self._print_shares(options, shares, threshold=record.threshold, trustees=record.trustees)
        writer.report(self.stderr)
        self.stderr.write(
            "New master key: the field keys are wrapped under it, set "
            f"{record.retired_sets[0]} is retired, and old shares open no copy of the new "
            "keys.json. Copies of the old keys.json (backups) still open with k old shares: "
            "destroy them too."
        )
        self._tell_change("rotate_master", record, writer)

    def _add_key(self, options: dict[str, Any]) -> None:
        texts = self._read_shares(options)
        record, new_id = store.add_key(texts)
        holder = self._refresh_holder(texts)
        if options["json"]:
            payload = {"key_id": new_id, "keys": [k.key_id for k in record.keys], "holder": holder}
            self.stdout.write(json.dumps(payload))
        else:
            self.stdout.write(f"Field key {new_id} added, first of {len(record.keys)}.")
        if holder == "serves":
            self.stderr.write(
                "The key holder serves the new key: new data is sealed under it. Run "
                "`kenes rotate-keys` to re-seal the old data under it."
            )
        else:
            self.stderr.write(
                "The key holder is sealed: it serves the new key once k trustees unseal it; "
                "then run `kenes rotate-keys` to re-seal the old data under it."
            )
        self._tell("add_key", key_id=new_id, keys=len(record.keys), holder=holder)

    def _drop_key(self, options: dict[str, Any]) -> None:
        key_id = options["key_id"].strip()
        if not store.is_set_up():
            raise CustodyProblem(
                "Custody is not set up: the field keys come from KENES_FIELD_KEYS. Remove the "
                "old key from there once `kenes rotate-keys --json` shows it in "
                "keys_still_used with no column left. Nothing changed."
            )
        try:
            sealed = bool(client.call({"op": "status"}).get("sealed", True))
        except client.HolderUnavailable:
            sealed = True
        if sealed:
            raise CustodyProblem(
                "The server is sealed: a field key is dropped only while k trustees have "
                "unsealed it, so that the key holder stops serving it at once (`kenes "
                "unseal`, then run this again). Nothing changed."
            )
        counted: dict[str, Any] = {}

        def check(record: store.CustodyRecord) -> None:
            answer = signals.count_key_uses(key_id)
            if answer is None:
                raise CustodyProblem(
                    "No part of Kenes counted the sealed values in the database, so nobody "
                    "can tell that this key opens none of them. Nothing changed."
                )
            if answer["uses"]:
                raise CustodyProblem(_still_used(key_id, answer["uses"]))
            counted.update(answer)

        record = store.drop_key(key_id, check=check)
        holder = self._forget_in_holder()
        keys = [k.key_id for k in record.keys]
        if options["json"]:
            payload = {
                "key_id": key_id,
                "keys": keys,
                "columns_checked": counted["columns"],
                "values_checked": counted["values"],
                "holder": holder,
            }
            self.stdout.write(json.dumps(payload))
        else:
            self.stdout.write(
                f"Field key {key_id} dropped: no sealed value names it ({counted['values']} "
                f"values in {counted['columns']} columns checked); keys.json holds "
                f"{', '.join(keys)}."
            )
        if holder != "forgot":
            self.stderr.write(
                "The key holder could not be told: it serves the dropped key until the "
                "server is sealed and unsealed again (`kenes seal`, then `kenes unseal`)."
            )
        self._tell(
            "drop_key",
            key_id=key_id,
            keys=len(keys),
            columns_checked=counted["columns"],
            values_checked=counted["values"],
        )

    def _forget_in_holder(self) -> str:
        """The running holder drops the key from memory under a new generation: every
        worker fetches the keys again at its next request and stops offering it."""
        try:
            answer = client.call({"op": "forget"})
        except client.HolderUnavailable:
            return "not told"
        return "forgot" if answer.get("ok") else "not told"

    def _tell_change(self, action: str, record: store.CustodyRecord, writer: _SheetWriter) -> None:
        self._tell(
            action,
            old_set=record.retired_sets[0],
            set_id=record.set_id,
            threshold=record.threshold,
            trustees=record.trustees,
            sheets=len(writer.written),
        )

    def _tell(self, action: str, **detail: Any) -> None:
        """An audit row (kenes.registry.custody writes it): never a share, never a key."""
        note = signals.tell(action, detail={"origin": "command", **detail})
        if note:
            self.stderr.write(note)

    def _refresh_holder(self, texts: list[str]) -> str:
        """An unsealed holder keeps the keys it unwrapped: seal it and unseal it again with
        the same shares, so it serves the new key first. A sealed holder stays sealed."""
        try:
            if client.call({"op": "status"}).get("sealed", True):
                return "sealed"
            client.call({"op": "seal"})
            answer = client.call({"op": "unseal", "shares": texts})
        except client.HolderUnavailable:
            return "sealed"
        if not answer.get("ok"):
            raise CustodyProblem(
                "The field key was added, but the key holder did not unseal again "
                f"({answer.get('error')}): the server is sealed; unseal it with `kenes unseal`."
            )
        return "serves"

    def _read_shares(self, options: dict[str, Any]) -> list[str]:
        stdin: IO[str] = options.get("stdin") or sys.stdin
        if stdin.isatty():
            self.stderr.write("Type or paste one share per line; end with Ctrl-D.")
        return [line.strip() for line in stdin.read().splitlines() if line.strip()]

    def _print_shares(
        self, options: dict[str, Any], shares: list[str], *, threshold: int, trustees: int
    ) -> None:
        if options["json"]:
            payload = {"shares": shares, "threshold": threshold, "trustees": trustees}
            self.stdout.write(json.dumps(payload))
            return
        self.stdout.write(
            f"Give one share to each trustee; any {threshold} of the {trustees} unseal "
            "the server. They are shown this once and stored nowhere.\n"
        )
        for number, text in enumerate(shares, 1):
            self.stdout.write(f"Trustee {number}: {text}")

    # --- status -------------------------------------------------------------------------

    def _status(self, options: dict[str, Any]) -> None:
        if not store.is_set_up():
            payload: dict[str, Any] = {
                "set_up": False,
                "sealed": False,
                "threshold": None,
                "trustees": None,
                "set_id": None,
            }
        else:
            record = store.read_record()
            try:
                sealed = bool(client.call({"op": "status"}).get("sealed", True))
            except client.HolderUnavailable:
                sealed = True  # no holder, no keys
            payload = {
                "set_up": True,
                "sealed": sealed,
                "threshold": record.threshold,
                "trustees": record.trustees,
                "set_id": record.set_id,
            }
        if options["json"]:
            self.stdout.write(json.dumps(payload))
        elif not payload["set_up"]:
            self.stdout.write("Custody is not set up: the field keys come from KENES_FIELD_KEYS.")
        else:
            state = "sealed" if payload["sealed"] else "unsealed"
            self.stdout.write(
                f"The server is {state}; {payload['threshold']} of "
                f"{payload['trustees']} trustees unseal it (shares of set {payload['set_id']})."
            )


def _still_used(key_id: str, uses: dict[str, int]) -> str:
    columns = ", ".join(f"{label} ({count})" for label, count in sorted(uses.items()))
    total = sum(uses.values())
    signing = any(label.startswith("audit_signingkey.") for label in uses)
    receipt = (
        " The audit signing key moves to the newest key when the next receipt is signed "
        "(`kenes audit receipt`, docs/security.md)."
        if signing
        else ""
    )
    if any(label.startswith("ballots_election.") for label in uses):
        receipt += " An open vote's keys stay under it until the vote closes."
    return (
        f"Field key {key_id} still seals {total} values: {columns}. Run `kenes rotate-keys` "
        f"to re-seal them under the newest key, then run this again.{receipt} Nothing changed."
    )


def _outputs(parser: CommandParser) -> None:
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--sheets",
        type=Path,
        metavar="DIR",
        help="also write one printable page per trustee into DIR (not inside var/); "
        "print them, then delete them",
    )


class _SheetWriter:
    """Writes the share sheets just before custody changes, and removes them if it fails."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.written: list[Path] = []
        if directory is not None:
            sheets.check_directory(directory)  # refuse before any share is read

    def __call__(self, texts: list[str], record: store.CustodyRecord) -> None:
        if self.directory is not None:
            self.written = sheets.write_sheets(self.directory, texts, trustees=record.trustees)

    def run(self, change: Any) -> Any:
        try:
            return change()
        except BaseException:
            sheets.remove_sheets(self.written)
            self.written = []
            raise

    def report(self, stderr: Any) -> None:
        if self.written:
            stderr.write(
                f"Wrote {len(self.written)} share sheets to {self.written[0].parent}. Print "
                "each for its trustee, then delete the files: each one is a share."
            )
