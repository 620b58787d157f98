"""Reading the plain ballot lines of a BLT file ('<weight> <c> <c> ... 0', digits and
blanks only) in numpy, as count software writes them by the million.

The file's bytes are read half a megabyte at a time (the arrays stay in the processor's
cache): token starts and first digits, which token begins a line, and each line's order
of candidates packed into one 64-bit word (4 bits a candidate, up to 15 candidates);
identical orders are merged by sorting those words, and the rank matrix of the distinct
orders is spread out a candidate at a time. Anything else (equal rankings, skipped
positions, ids, a bad line) is left to the line-by-line reader in `blt`, which names the
line of an error: every function here answers None rather than guess.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

_PLAIN_BYTES = b"0123456789 \t\r\n"  # all a plain ballot line holds
_ZERO, _LF, _CR = ord("0"), ord("\n"), ord("\r")
_Keys = npt.NDArray[np.integer[Any]]  # a ballot's order of candidates in one integer


def read_ballot_lines(
    data: bytes, begin: int, end: int, n_candidates: int
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64], bool] | None:
    """Vectorised reading of the plain ballot lines `data[begin:end]` (digits and blanks);
    None if the slow path is needed.

    `data[begin:end]` must be whole lines after a line end, and `data[end]` must exist.
    Returns (ranks, counts, merged): `merged` says identical ballots are already merged.
    A line that is not '<weight> <candidates> 0' with each candidate 1..n at most once
    returns None: the slow path reads line by line and names the line of the error. Blank
    lines are skipped, as the slow path skips them; CR and LF both end a line, as for
    str.splitlines.

    No Python loop over lines or tokens: numpy finds each token's first digit (a digit
    after a non-digit), its value, and which tokens begin a line, about half a megabyte
    at a time, so that its arrays stay in the processor's cache.
    """
    if (
        n_candidates > 60_000
        or not 0 < begin < end < len(data)
        or data[end - 1] not in b"\r\n"
        or len(data.translate(None, _PLAIN_BYTES))
        != len(data[:begin].translate(None, _PLAIN_BYTES))
        + len(data[end:].translate(None, _PLAIN_BYTES))
    ):
        return None
    whole = np.frombuffer(data, dtype=np.uint8)
    bits = 4 if n_candidates < 16 else n_candidates.bit_length()
    parts: list[_Lines] = []
    low = begin
    while low < end:
        high = data.find(b"\n", low + _CHUNK, end) + 1 if end - low > _CHUNK else 0
        high = high or end
        part = _read_lines(whole, low, high, n_candidates, bits)
        if part is None:
            return None
        if part.keys is not None or part.ranks is not None:
            parts.append(part)
        low = high
    if not parts:
        return None  # no ballot at all
    longest = max(p.longest for p in parts)
    weights = np.concatenate([p.weights for p in parts])
    if all(p.keys is not None for p in parts):
        keys = np.concatenate([p.keys for p in parts])
        return _merged_by_order(keys, weights, n_candidates, longest, bits)
    # some ballot is too long for one integer: a row per line, merged by the caller
    rows: list[npt.NDArray[np.int16]] = []
    for p in parts:
        row = p.ranks if p.keys is None else _spread(p.keys, n_candidates, longest, bits)
        if row is None:
            return None
        rows.append(row)
    return np.concatenate(rows), weights, False


_CHUNK = 1 << 19


class _Lines(NamedTuple):
    """What `_read_lines` read of some ballot lines: each line's weight, and its order of
    candidates either as one integer (`keys`) or as a row of ranks."""

    weights: npt.NDArray[np.int64]
    longest: int
    keys: _Keys | None = None
    ranks: npt.NDArray[np.int16] | None = None


def _read_lines(
    whole: npt.NDArray[np.uint8], low: int, high: int, n_candidates: int, bits: int
) -> _Lines | None:
    """Read the ballot lines `whole[low:high]`; None if one is not plain and right."""
    b = whole[low:high]
    digit = b >= _ZERO  # the rest is blanks and line ends
    start = np.empty_like(digit)
    start[0] = digit[0]
    np.greater(digit[1:], digit[:-1], out=start[1:])
    at = np.flatnonzero(start)  # each token's first digit
    if len(at) == 0:
        return _Lines(np.zeros(0, dtype=np.int64), 0)
    values = b[at] - np.uint8(_ZERO)  # its value, if it has one digit
    if n_candidates >= 255:
        values = values.astype(np.uint16)
    first_at = _first_of_lines(b, whole[low - 1 : high - 1][at], at)
    last_at = np.empty_like(first_at)  # the terminating 0
    last_at[:-1] = first_at[1:] - 1
    last_at[-1] = len(at) - 1
    n_ranked = last_at - first_at - 1
    if n_ranked.min() < 0:  # a line of one number
        return None
    n_digits = np.count_nonzero(digit)
    if n_digits == len(at):  # one digit each
        weights = values[first_at].astype(np.int64)
    else:
        second = whole[low + 1 : high + 1][at] - np.uint8(_ZERO)  # the byte after the first
        two = second < 10
        if two[last_at].any():  # a line ended by "00", not by 0
            return None
        if n_digits == len(at) + np.count_nonzero(two):  # two digits at most (up to 99)
            values = np.where(two, values * 10 + second, values)
            weights = values[first_at].astype(np.int64)
        else:
            where = np.flatnonzero(two)
            number = _numbers(b, digit, at[where])
            if number is None:
                return None
            weights = values[first_at].astype(np.int64)
            values[where] = np.minimum(number, n_candidates + 1)  # n + 1: out of range too
            is_weight = np.zeros(len(at), dtype=bool)
            is_weight[first_at] = True
            is_weight = is_weight[where]
            weights[np.searchsorted(first_at, where[is_weight])] = number[is_weight]
    if values[last_at].any():  # a line not ended by 0
        return None
    bad = (values - 1) >= n_candidates  # 0 wraps round to the largest value
    bad[first_at] = False
    bad[last_at] = False
    if bad.any():  # not a candidate number
        return None
    longest = int(n_ranked.max())
    if bits == 4 and longest <= 16:
        return _Lines(weights, longest, keys=_packed_orders(values, first_at, n_ranked, longest))
    # each token's place on its line (the weight 0, the first candidate 1, ...): a running
    # sum of 1s that drops back to 0 at each line's first token
    step = np.ones(len(values), dtype=np.int8 if longest < 120 else np.int32)
    step[0] = 0
    step[first_at[1:]] = -(n_ranked[:-1] + 1)
    position = np.cumsum(step, dtype=step.dtype)
    if bits * longest <= 62:
        # the candidate at place p in bits p - 1 times `bits`: a sum over the line's tokens
        # (the weight and the terminating 0 count 0)
        scale = np.zeros(longest + 2, dtype=np.int64)
        scale[1 : longest + 1] = np.left_shift(1, bits * np.arange(longest, dtype=np.int64))
        terms = scale[position]
        terms *= values
        return _Lines(weights, longest, keys=np.add.reduceat(terms, first_at))
    middle = np.ones(len(values), dtype=bool)
    middle[first_at] = False
    middle[last_at] = False
    line = np.repeat(np.arange(len(first_at)), n_ranked + 2)
    ranks = np.zeros((len(first_at), n_candidates), dtype=np.int16)
    ranks[line[middle], values[middle].astype(np.int64) - 1] = position[middle]
    if ((ranks > 0).sum(axis=1) != n_ranked).any():  # a candidate ranked twice
        return None
    return _Lines(weights, longest, ranks=ranks)


def _first_of_lines(
    b: npt.NDArray[np.uint8], before: npt.NDArray[np.uint8], at: npt.NDArray[np.intp]
) -> npt.NDArray[np.intp]:
    """Which tokens begin a line, in order; `at`: where the tokens start in the lines `b`,
    `before`: the byte before each (the first token begins a line whatever it is)."""
    before[0] = _LF
    first_at = np.flatnonzero(before == _LF)
    # That is every line if every LF is just before a digit (or ends the bytes) and every CR
    # just before such an LF; else a line starts with blanks, or a CR alone ends a line.
    lead = b[: at[0]]
    ends_lf = b[-1] == _LF
    ends_crlf = ends_lf and len(b) > 1 and b[-2] == _CR
    if (
        not ((lead == _LF) | (lead == _CR)).any()
        and len(first_at) - 1 + ends_lf == np.count_nonzero(b == _LF)
        and np.count_nonzero(b[at[first_at[1:]] - 2] == _CR) + ends_crlf
        == np.count_nonzero(b == _CR)
    ):
        return first_at
    # the first token after each line end
    after_end = np.searchsorted(at, np.flatnonzero((b == _LF) | (b == _CR)))
    first = np.zeros(len(at), dtype=bool)
    first[0] = True
    first[after_end[after_end < len(at)]] = True
    return np.flatnonzero(first)


def _numbers(
    b: npt.NDArray[np.uint8], digit: npt.NDArray[np.bool_], begin: npt.NDArray[np.intp]
) -> npt.NDArray[np.int64] | None:
    """The numbers whose first digits are at `begin` in the lines `b`; None if one is too
    long for int64 (the slow path reads it)."""
    number = b[begin].astype(np.int64) - _ZERO
    going = np.arange(len(begin))
    k = 1
    while len(going):
        if k > 18:
            return None
        going = going[digit[begin[going] + k]]  # the lines end with a line end
        number[going] = number[going] * 10 + (b[begin[going] + k] - _ZERO)
        k += 1
    return number


_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)


def _packed_orders(
    values: npt.NDArray[np.unsignedinteger],
    first_at: npt.NDArray[np.intp],
    n_ranked: npt.NDArray[np.intp],
    longest: int,
) -> npt.NDArray[np.uint64]:
    """Each line's order of up to 16 candidates (numbers below 16) as one integer.

    The token values are bytes in a row, so the 8 after a line's weight are one unaligned
    little-endian uint64: byte p - 1 holds the candidate at place p; the candidates at
    places 9 to 16 go into the high 4 bits of bytes 0 to 7.
    """
    padded = np.zeros(len(values) + 17, dtype=np.uint8)
    padded[: len(values)] = values
    words = np.ndarray((len(values) + 9,), dtype="<u8", buffer=padded, strides=(1,))
    keys: npt.NDArray[np.uint64] = words[first_at + 1] & _BYTE_MASKS[np.minimum(n_ranked, 8)]
    if longest > 8:
        high = words[first_at + 9] & _BYTE_MASKS[np.clip(n_ranked - 8, 0, 8)]
        keys |= high << np.uint64(4)
    return keys


def _merged_by_order(
    keys: _Keys,
    weights: npt.NDArray[np.int64],
    n_candidates: int,
    longest: int,
    bits: int,
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64], bool] | None:
    """Merge identical ballots before building the rank matrix.

    `keys` holds each line's order of candidates as one integer (`bits` a candidate, as
    `_read_lines` packs them): identical integers are identical ballots. Only the distinct
    ballots are then spread into a matrix, usually far fewer rows than lines.
    """
    if (weights == 1).all():  # one line per voter: sorting the keys alone is enough
        ordered = np.sort(keys)
        first = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        counts = np.diff(np.append(first, len(ordered)))
        distinct = ordered[first]
    else:
        order = np.argsort(keys)
        ordered = keys[order]
        first = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        counts = np.add.reduceat(weights[order], first)
        distinct = ordered[first]
    ranks = _spread(distinct, n_candidates, longest, bits)  # a ballot of weight 0 too
    if ranks is None:
        return None
    keep = counts > 0
    if not keep.all():
        ranks, counts = ranks[keep], counts[keep]
    return ranks, counts.astype(np.int64), True


def _spread(
    keys: _Keys, n_candidates: int, longest: int, bits: int
) -> npt.NDArray[np.int16] | None:
    """The rank matrix of orders packed as `_read_lines` packs them; None if a candidate is
    ranked twice."""
    if bits == 4:
        return _spread_nibbles(keys.astype(np.uint64, copy=False), n_candidates)
    ranks = np.zeros((len(keys), n_candidates + 1), dtype=np.int16)  # column 0: no one
    flat = ranks.reshape(-1)
    row_start = np.arange(0, ranks.size, n_candidates + 1)
    ranked = np.zeros(len(keys), dtype=np.int64)
    for place in range(1, longest + 1):
        candidate = (keys >> (bits * (place - 1))) & ((1 << bits) - 1)
        flat[row_start + candidate] = place
        ranked += candidate != 0
    ranks = np.ascontiguousarray(ranks[:, 1:])
    if (np.count_nonzero(ranks, axis=1) != ranked).any():
        return None  # a candidate ranked twice
    return ranks


_NIBBLES = [np.uint64(v * 0x1111111111111111) for v in (1, 7, 8)]
# the bit below a single set bit b (4 nibble + 3) counted -> that nibble's place; none -> 0
_PLACE_OF_BITS = np.zeros(65, dtype=np.int16)
_PLACE_OF_BITS[3:64:4] = [n // 2 + 1 + 8 * (n % 2) for n in range(16)]


def _spread_nibbles(
    keys: npt.NDArray[np.uint64], n_candidates: int
) -> npt.NDArray[np.int16] | None:
    """The rank matrix of `_packed_orders` integers, a column at a time.

    For candidate c, the nibbles equal to c become 0 in keys ^ (c in every nibble), and a
    zero nibble is one whose top bit is 0 in ((x & 7...) + 7...) | x; the bit below it,
    counted, says which nibble, hence which place (a nibble carries into no other).
    """
    ones, sevens, eights = _NIBBLES
    ranks = np.empty((len(keys), n_candidates), dtype=np.int16)
    x = np.empty_like(keys)
    y = np.empty_like(keys)
    for c in range(1, n_candidates + 1):
        np.bitwise_xor(keys, ones * np.uint64(c), out=x)
        np.bitwise_and(x, sevens, out=y)
        y += sevens
        y |= x
        np.invert(y, out=y)
        y &= eights  # the top bit of each nibble equal to c
        y -= np.uint64(1)  # all below it (none: all 64 bits)
        ranks[:, c - 1] = _PLACE_OF_BITS[np.bitwise_count(y)]
    # the nibbles that hold a candidate: one rank each, unless a candidate is there twice
    np.bitwise_and(keys, sevens, out=y)
    y += sevens
    y |= keys
    y &= eights
    if (np.bitwise_count(y) != np.count_nonzero(ranks, axis=1)).any():
        return None
    return ranks
