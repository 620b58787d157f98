"""The one error the custody core raises: a sentence that says what is wrong and what to do."""

from __future__ import annotations

from collections.abc import Mapping


class CustodyError(Exception):
    """Shares that cannot be combined, share text that cannot be read, a blob that will not unwrap.

    ``str(error)`` is a plain English sentence for the trustee or operator. ``code``
    names the case and ``params`` its numbers (word and share positions, counts,
    set ids), so the web layer can say the same in Russian or Kazakh without parsing
    English. Neither ever holds a valid share word or key material, so both may be
    shown on a page or written to a log.

    Codes: share text — ``too_few_words``, ``unknown_word`` (position, word as typed),
    ``word_copied_wrongly`` (position), ``words_swapped`` (position, next),
    ``word_repeated`` (position, of), ``word_extra`` (position), ``word_missing``
    (after: 0 = before the first), ``checksum`` (words, expected), ``not_a_share``,
    ``unknown_version`` (version); combining — ``no_shares``, ``mixed_sets``
    (first, other), ``mismatched_share`` (index, first), ``duplicate_share`` (index),
    ``too_few_shares`` (needed, given), ``disagreeing_share`` (index), ``bad_share``;
    splitting — ``bad_counts`` (shares, threshold), ``empty_secret``, ``bad_set_id``;
    wrapping — ``bad_master``, ``bad_blob``, ``unknown_version``, ``does_not_open``
    (purpose), ``no_purpose``.
    """

    def __init__(
        self, message: str, *, code: str = "custody", params: Mapping[str, int | str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.params: dict[str, int | str] = dict(params or {})
