"""A delegate's badge code as a QR code, for the printed badge (kenes.web.views.congress).

The QR code holds the short code exactly as printed beside it ("ABCD-EFGH"): upper-case
letters, digits and a hyphen, QR's compact alphanumeric mode. A USB scanner at the door
types it into the door's field like a keyboard, then Enter.
"""

from __future__ import annotations

import segno


def badge_qr_svg(code: str, *, title: str = "") -> str:
    """An inline SVG element (no XML declaration) of `code`; error correction level M, so a
    worn or creased badge still reads."""
    qr = segno.make_qr(code.upper(), error="m", boost_error=False)
    return str(qr.svg_inline(scale=4, border=4, title=title or code.upper()))
