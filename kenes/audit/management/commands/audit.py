import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenes.audit import printing, receipts, services, trustees, verifiers
from kenes.audit.management.commands import _trustees
from kenes.audit.models import Receipt


class Command(BaseCommand):
    help = (
        "Audit log: `kenes audit verify [--json] [--against RECEIPT]` checks the hash chain, "
        "that what it recorded elsewhere (e.g. each published ballot box's head) is unchanged, "
        "and that the chain extends a signed receipt; `kenes audit receipt [--json] "
        "[--html FILE]` signs the chain's head (server unsealed); `kenes audit public-key` "
        "prints the key receipts are signed with. Trustees: `kenes audit trustee-key new --out "
        "FILE [--passphrase-file FILE | --no-passphrase]` (on their own machine; the key file "
        "is encrypted with a passphrase), `kenes audit trustee add|list|retire` (national "
        "admin), `kenes audit countersign RECEIPT --key FILE` (offline), `kenes audit "
        "attach-countersignature FILE` (server)."
    )

    def execute(self, *args, **options):  # type: ignore[no-untyped-def]
        if options.get("action") in _trustees.OFFLINE:
            options["skip_checks"] = True  # a trustee's machine has no Kenes database
        return super().execute(*args, **options)

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "action",
            choices=[
                "verify",
                "receipt",
                "public-key",
                "trustee-key",
                "trustee",
                "countersign",
                "attach-countersignature",
            ],
        )
        parser.add_argument(
            "operands",
            nargs="*",
            help="trustee-key new; trustee add|list|"
            "retire N; countersign RECEIPT; attach-countersignature FILE",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--against",
            metavar="FILE",
            help="verify: a receipt printed by `kenes audit receipt --json` the chain must extend",
        )
        parser.add_argument(
            "--html", metavar="FILE", help="receipt: also write a printable page to FILE"
        )
        parser.add_argument(
            "--show",
            metavar="SEQ",
            help="receipt: print the stored receipt of entry SEQ (or 'latest') with the "
            "countersignatures attached so far, instead of signing a new one",
        )
        parser.add_argument("--key", metavar="FILE", help="countersign: the trustee's key file")
        parser.add_argument("--out", metavar="FILE", help="trustee-key, countersign: output file")
        parser.add_argument(
            "--passphrase-file",
            metavar="FILE",
            help="trustee-key, countersign: read the key file's passphrase from FILE's first "
            "line (else KENES_KEY_PASSPHRASE, else it is asked on the terminal)",
        )
        parser.add_argument(
            "--no-passphrase",
            action="store_true",
            help="trustee-key: write the key file unencrypted (whoever copies it can countersign)",
        )
        parser.add_argument("--name", help="trustee add: the trustee's name, printed on receipts")
        parser.add_argument("--public-key", help="trustee add: the key trustee-key new printed")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["action"] == "receipt":
            return self._receipt(options)
        if options["action"] == "public-key":
            return self._public_key(options)
        trustee_actions = {
            "trustee-key": _trustees.trustee_key,
            "countersign": _trustees.countersign,
            "attach-countersignature": _trustees.attach,
            "trustee": _trustees.trustee,
        }
        if options["action"] in trustee_actions:
            return trustee_actions[options["action"]](self, options["operands"], options)
        return self._verify(options)

    # verify -------------------------------------------------------------------------------

    def _verify(self, options: dict[str, Any]) -> None:
        against = None
        if options["against"]:
            against = _read_receipt(options["against"])
        result = services.verify()
        checks = verifiers.run_all()
        broken = [p for check in checks.values() for p in check.problems]
        receipt = receipts.check_receipt(against) if against is not None else None
        signers = trustees.check_countersignatures(against) if against is not None else []
        refused = [c for c in signers if c.status in ("invalid", "unregistered")]
        if options["json"]:
            shown = result.as_json()
            shown["checks"] = {name: check.as_json() for name, check in checks.items()}
            if receipt is not None:
                shown["receipt"] = receipt.as_json()
                shown["receipt"]["countersignatures"] = [c.as_json() for c in signers]
            self.stdout.write(json.dumps(shown))
        elif result.intact:
            self.stdout.write(
                f"The audit chain is intact: {result.entries} entries, head {result.head}."
            )
        else:
            self.stdout.write(
                f"The audit chain is BROKEN at entry {result.first_bad_id}: {result.problem}. "
                f"{result.entries} entries before it are intact."
            )
        if not options["json"]:
            for name, check in checks.items():
                self.stdout.write(
                    f"{name}: {check.checked} checked, {len(check.problems)} changed."
                )
            for problem in broken:
                self.stdout.write(f"CHANGED: {problem}")
            if receipt is not None and receipt.genuine and receipt.extended:
                self.stdout.write(
                    ngettext(
                        "The chain extends the receipt of %(time)s: its first %(seq)s entry "
                        "ends in the signed head %(head)s (key %(fingerprint)s).",
                        "The chain extends the receipt of %(time)s: its first %(seq)s entries "
                        "end in the signed head %(head)s (key %(fingerprint)s).",
                        receipt.seq,
                    )
                    % {
                        "time": receipt.time,
                        "seq": receipt.seq,
                        "head": receipt.head,
                        "fingerprint": receipt.key_fingerprint,
                    }
                )
            elif receipt is not None:
                self.stdout.write(
                    ("REFUSED: " if not receipt.genuine else "CHANGED: ") + receipt.problem
                )
            for signer in signers:
                if signer.status == "valid":
                    self.stdout.write(
                        _("Countersigned by %(name)s (key %(fingerprint)s).")
                        % {"name": signer.name, "fingerprint": signer.key_fingerprint}
                    )
                else:
                    label = "MISSING: " if signer.status == "missing" else "REFUSED: "
                    self.stdout.write(label + signer.problem)
        if not result.intact:
            raise CommandError("audit chain broken", returncode=3)
        if broken:
            raise CommandError("recorded state changed", returncode=4)
        if receipt is not None and not receipt.genuine:
            raise CommandError(receipt.problem, returncode=1)
        if receipt is not None and not receipt.extended:
            raise CommandError(receipt.problem, returncode=4)
        if refused:
            raise CommandError(refused[0].problem, returncode=1)

    # receipt ------------------------------------------------------------------------------

    def _receipt(self, options: dict[str, Any]) -> None:
        if options["show"]:
            receipt = _stored_receipt(options["show"])
        else:
            try:
                receipt = receipts.do_sign_receipt(acting_user="command line")
            except receipts.ChainBroken as exc:
                raise CommandError(str(exc), returncode=3) from exc
        data = receipts.receipt_data(receipt).as_json()
        if options["html"]:
            Path(options["html"]).write_text(printing.printable(data), encoding="utf-8")
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
        else:
            self.stdout.write(
                ngettext(
                    "Receipt signed: %(seq)s entry, head %(head)s, at %(time)s.\n"
                    "Signature: %(signature)s\nPublic key: %(key)s (fingerprint %(fingerprint)s)",
                    "Receipt signed: %(seq)s entries, head %(head)s, at %(time)s.\n"
                    "Signature: %(signature)s\nPublic key: %(key)s (fingerprint %(fingerprint)s)",
                    data["seq"],
                )
                % {
                    "seq": data["seq"],
                    "head": data["head"],
                    "time": data["time"],
                    "signature": data["signature"],
                    "key": data["public_key"],
                    "fingerprint": data["key_fingerprint"],
                }
            )

    # public-key ---------------------------------------------------------------------------

    def _public_key(self, options: dict[str, Any]) -> None:
        key = receipts.server_key()
        if key is None:
            raise CommandError(
                _(
                    "This server has no audit signing key yet: the first `kenes audit receipt` "
                    "(with the server unsealed) creates it."
                ),
                returncode=1,
            )
        shown = {
            "server_id": key.server_id,
            "public_key": key.public_key,
            "key_fingerprint": receipts.key_fingerprint(key.public_key),
            "created_at": key.created_at.isoformat(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(shown))
        else:
            self.stdout.write(
                _("Audit signing key of server %(server)s: %(key)s (fingerprint %(fingerprint)s)")
                % {
                    "server": shown["server_id"],
                    "key": shown["public_key"],
                    "fingerprint": shown["key_fingerprint"],
                }
            )


def _read_receipt(path: str) -> receipts.ReceiptData:
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(
            _("The receipt file %(path)s cannot be read (%(error)s).")
            % {"path": path, "error": exc.strerror},
            returncode=1,
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise CommandError(
            _("The receipt file %(path)s is not JSON as `kenes audit receipt --json` prints it.")
            % {"path": path},
            returncode=1,
        ) from exc
    try:
        return receipts.parse(payload)
    except receipts.ReceiptProblem as exc:
        raise CommandError(str(exc), returncode=1) from exc


def _stored_receipt(seq: str) -> Receipt:
    stored = Receipt.objects.order_by("-seq", "-id")
    if seq != "latest":
        if not seq.isdigit():
            raise CommandError(
                _("--show takes an entry number (the receipt's seq) or 'latest'."), returncode=2
            )
        stored = stored.filter(seq=int(seq))
    receipt = stored.first()
    if receipt is None:
        raise CommandError(
            _("No receipt is stored for entry %(seq)s.") % {"seq": seq}, returncode=1
        )
    return receipt
