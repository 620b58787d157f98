"""The trustees' part of `kenes audit`: keys made off the server, registration,
countersigning offline and attaching on the server (kenes.audit.trustees)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kenes.audit import receipts, trustees
from kenes.audit.trustees import TrusteeProblem
from kenes.security import passphrase
from kenes.security.passphrase import PassphraseProblem

#: Actions a trustee runs on their own machine: no database, no system checks.
OFFLINE = frozenset({"trustee-key", "countersign"})


def _refused(exc: Exception) -> CommandError:
    return CommandError(str(exc), returncode=1)


def _one(operands: list[str], usage: str) -> str:
    if len(operands) != 1:
        raise CommandError(_("Usage: %(usage)s") % {"usage": usage}, returncode=2)
    return operands[0]


def trustee_key(command: BaseCommand, operands: list[str], options: dict[str, Any]) -> None:
    """`kenes audit trustee-key new --out FILE [--passphrase-file FILE | --no-passphrase]`:
    on the trustee's machine, never the server. The key file is encrypted with a passphrase
    unless `--no-passphrase` is given (kenes.security.passphrase)."""
    usage = "kenes audit trustee-key new --out FILE [--passphrase-file FILE | --no-passphrase]"
    if (
        operands != ["new"]
        or not options["out"]
        or (options["no_passphrase"] and options["passphrase_file"])
    ):
        raise CommandError(_("Usage: %(usage)s") % {"usage": usage}, returncode=2)
    out = Path(options["out"])
    try:
        trustees.check_new_key_path(out)
        secret = None
        if not options["no_passphrase"]:
            secret = passphrase.read(options["passphrase_file"], new=True)
        public = trustees.new_key_file(out, secret)
    except (TrusteeProblem, PassphraseProblem) as exc:
        raise _refused(exc) from exc
    shown = {
        "public_key": public,
        "key_fingerprint": receipts.key_fingerprint(public),
        "key_file": options["out"],
        "encrypted": secret is not None,
    }
    if options["json"]:
        command.stdout.write(json.dumps(shown))
        return
    command.stdout.write(
        _(
            "Your private key is in %(file)s: keep it off the server, on a medium only you "
            "hold.\nPublic key (give it to the national admin to register): %(key)s\n"
            "Fingerprint (read it aloud when it is registered): %(fingerprint)s\n"
            'The national admin registers it with: kenes audit trustee add --name "…" '
            "--public-key=%(key)s"
        )
        % {"file": options["out"], "key": public, "fingerprint": shown["key_fingerprint"]}
    )
    if secret is not None:
        command.stdout.write(
            _(
                "The key file is encrypted with your passphrase: `kenes audit countersign` asks "
                "for it. Nobody can recover a forgotten passphrase (the key is then retired and "
                "replaced)."
            )
        )
    else:
        command.stdout.write(
            _(
                "The key file is NOT protected by a passphrase: whoever copies it can countersign "
                "as you."
            )
        )


def countersign(command: BaseCommand, operands: list[str], options: dict[str, Any]) -> None:
    """`kenes audit countersign RECEIPT.json --key FILE [--out FILE] [--passphrase-file FILE]`,
    offline; the passphrase is asked only if the key file is encrypted."""
    usage = "kenes audit countersign RECEIPT.json --key FILE [--out FILE] [--passphrase-file FILE]"
    path = _one(operands, usage)
    if not options["key"]:
        raise CommandError(_("Usage: %(usage)s") % {"usage": usage}, returncode=2)
    try:
        data = receipts.parse(trustees.read_json(Path(path)))
        key = trustees.read_key_file(
            Path(options["key"]), passphrase.source(options["passphrase_file"])
        )
        signed = trustees.countersign(data, key)
    except (TrusteeProblem, receipts.ReceiptProblem) as exc:
        raise _refused(exc) from exc
    text = json.dumps(signed, indent=2)
    if options["out"]:
        Path(options["out"]).write_text(text + "\n", encoding="utf-8")
        command.stdout.write(
            _(
                "Countersigned the receipt of %(time)s (entry %(seq)s, head %(head)s) with key "
                "%(fingerprint)s: %(file)s. Bring this file to the server."
            )
            % {
                "time": data.time,
                "seq": data.seq,
                "head": data.head,
                "fingerprint": signed["key_fingerprint"],
                "file": options["out"],
            }
        )
    else:
        command.stdout.write(text)


def attach(command: BaseCommand, operands: list[str], options: dict[str, Any]) -> None:
    """`kenes audit attach-countersignature FILE`, on the server."""
    path = _one(operands, "kenes audit attach-countersignature FILE")
    try:
        row, created = trustees.do_attach_countersignature(
            trustees.read_json(Path(path)), acting_user="command line"
        )
    except TrusteeProblem as exc:
        raise _refused(exc) from exc
    shown = {
        "attached": created,
        "seq": row.receipt.seq,
        "trustee": row.trustee.name,
        "key_fingerprint": receipts.key_fingerprint(row.trustee.public_key),
    }
    if options["json"]:
        command.stdout.write(json.dumps(shown))
    else:
        command.stdout.write(trustees.attached_sentence(row, created))


def trustee(command: BaseCommand, operands: list[str], options: dict[str, Any]) -> None:
    """`kenes audit trustee add --name NAME --public-key KEY | list | retire ID`."""
    usage = (
        "kenes audit trustee add --name NAME --public-key KEY | kenes audit trustee list | "
        "kenes audit trustee retire NUMBER-OR-FINGERPRINT"
    )
    verb = operands[0] if operands else ""
    try:
        if verb == "add" and len(operands) == 1 and options["name"] and options["public_key"]:
            row = trustees.do_register_trustee(
                options["name"], options["public_key"], acting_user="command line"
            )
            _print_trustees(command, [row], options)
        elif verb == "list" and len(operands) == 1:
            from kenes.audit.models import Trustee

            _print_trustees(command, list(Trustee.objects.all()), options)
        elif verb == "retire" and len(operands) == 2:
            row = trustees.do_retire_trustee(
                trustees.find_trustee(operands[1]), acting_user="command line"
            )
            _print_trustees(command, [row], options)
        else:
            raise CommandError(_("Usage: %(usage)s") % {"usage": usage}, returncode=2)
    except TrusteeProblem as exc:
        raise _refused(exc) from exc


def _print_trustees(command: BaseCommand, rows: list[Any], options: dict[str, Any]) -> None:
    shown = [
        {
            "id": row.pk,
            "name": row.name,
            "public_key": row.public_key,
            "key_fingerprint": receipts.key_fingerprint(row.public_key),
            "registered_at": row.registered_at.isoformat(),
            "retired_at": row.retired_at.isoformat() if row.retired_at else None,
        }
        for row in rows
    ]
    if options["json"]:
        command.stdout.write(json.dumps(shown))
        return
    for item in shown:
        state = _("retired") if item["retired_at"] else _("in office")
        command.stdout.write(f"{item['id']}. {item['name']} — {item['key_fingerprint']} ({state})")
