"""The printable receipt (one A4 page for the minutes): the server's signature, each
trustee's countersignature with name and key fingerprint, and lines to sign by hand."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kenes.audit import receipts, trustees
from kenes.custody import store as custody_store
from kenes.custody.errors import CustodyProblem


def printable(data: dict[str, Any]) -> str:
    """`data`: the receipt as `ReceiptData.as_json` gives it."""
    try:
        shares = custody_store.read_record().trustees
    except CustodyProblem:
        shares = 5
    signed = {item["public_key"] for item in data["countersignatures"]}
    missing = [
        {"name": t.name, "key_fingerprint": receipts.key_fingerprint(t.public_key)}
        for t in trustees.active_trustees()
        if t.public_key not in signed
    ]
    return render_to_string(
        "audit/receipt_print.html",
        {"receipt": data, "lines": range(1, shares + 1), "missing": missing},
    )
