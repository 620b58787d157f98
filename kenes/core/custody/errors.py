"""The one error the custody core raises: a sentence that says what is wrong and what to do."""

from __future__ import annotations


class CustodyError(Exception):
    """Shares that cannot be combined, share text that cannot be read, a blob that will not unwrap.

    The message is a plain sentence for the trustee or operator. It names positions
    (word 7, share 3) and never repeats a share's valid words or any key material,
    so it may be shown on a page or written to a log.
    """
