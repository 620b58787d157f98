"""Custody: the master key split among trustees, k of n, and the keys it wraps.

Pure cryptography, no Django. The key-holder process, the ``kenes custody`` /
``seal`` / ``unseal`` commands and :mod:`kenes.security.keys` are built on this API:

``kenes.core.custody.shamir``
    ``Share(index, threshold, value, set_id)`` — frozen dataclass: x coordinate
    1..255, k, f(index) for each byte of the secret (as long as the secret), and
    8 lowercase hex characters naming the split (its repr never shows the value).
    ``split(secret, *, shares, threshold, set_id=None) -> list[Share]`` —
    x = 1..shares, 2 <= threshold <= shares <= 255.
    ``combine(shares) -> bytes`` — Lagrange interpolation at 0; CustodyError when
    fewer than k, mixed sets, a repeated index, or (given more than k) a share that
    disagrees with the others.
    ``reshare(shares_k, *, shares, threshold) -> list[Share]`` — the same secret
    split again under a new set_id (a trustee leaves; nothing is re-encrypted).
    ``check_shares(shares)`` — the validation of ``combine`` without combining.
    ``new_set_id()``.

``kenes.core.custody.share_text``
    ``share_to_text(share) -> str`` — one line of BIP-39 English words with a
    33-bit checksum (31 words for a 32-byte key); ``share_words(share)``.
    ``share_from_text(text) -> Share`` — CustodyError naming the word at fault
    (a wrong, swapped, missing or doubled word); accepts any case, numbering,
    line breaks, four-letter prefixes, Cyrillic lookalikes and a Russian layout.
    ``share_qr_svg(share) -> str`` — the same words as an inline SVG QR code.
    ``words_for_length(n)``.

``kenes.core.custody.wrap``
    ``wrap(master, plaintext, *, purpose) -> bytes`` and
    ``unwrap(master, blob, *, purpose) -> bytes`` — AES-256-GCM, version byte,
    random 96-bit nonce, AAD = version || purpose; CustodyError on a wrong key,
    wrong purpose or tampering. ``master_check(master) -> str`` (a storable
    verifier, "v1:" + 32 hex), ``master_matches(master, check) -> bool``,
    ``new_master() -> bytes`` (32 random bytes).

``kenes.core.custody.errors``
    ``CustodyError(Exception)`` — ``str(e)`` is an English sentence for the trustee;
    ``e.code`` and ``e.params`` (e.g. ``"word_copied_wrongly", {"position": 7}``) let
    a page say it in Russian or Kazakh. Names positions, never key material.

``kenes.core.custody.field`` — ``add``, ``mul``, ``inverse``, ``div`` in GF(2^8).

The field is GF(2^8) with the AES polynomial 0x11B (:mod:`kenes.core.custody.field`);
see docs/security.md, "Custody", for the scheme, the share format and the vectors.
"""

from kenes.core.custody.errors import CustodyError
from kenes.core.custody.shamir import Share, combine, reshare, split
from kenes.core.custody.share_text import share_from_text, share_qr_svg, share_to_text
from kenes.core.custody.wrap import master_check, unwrap, wrap

__all__ = [
    "CustodyError",
    "Share",
    "combine",
    "master_check",
    "reshare",
    "share_from_text",
    "share_qr_svg",
    "share_to_text",
    "split",
    "unwrap",
    "wrap",
]
