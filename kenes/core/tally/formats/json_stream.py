"""Read one large JSON object member by member, and chosen arrays element by element.

Cast-vote-record exports are one JSON object whose bulk is a single array (``CVR`` in the
NIST Common Data Format, ``Sessions`` in Dominion's export). ``json.load`` would hold the
whole file, decoded, in memory — several times the file's size. This reader keeps only a
window of text and the element being decoded: each element of a streamed array is decoded
with the standard library's ``JSONDecoder.raw_decode`` and handed over before the next is
read, so memory follows the largest element, not the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from kenes.core.tally.errors import BallotFileError

_CHUNK = 1 << 18
_WHITESPACE = " \t\r\n"
_NUMBER_GOES_ON = "0123456789.eE+-"


class _Window:
    """A sliding window over a text stream, with the line number of its start."""

    def __init__(self, stream: TextIO, chunk: int) -> None:
        self.stream = stream
        self.chunk = chunk
        self.text = ""
        self.pos = 0
        self.line = 1  # line number of text[0]
        self.eof = False
        self.decoder = json.JSONDecoder()

    def more(self, size: int = 0) -> bool:
        if self.eof:
            return False
        if self.pos > self.chunk:  # drop what is read, so the window stays small
            self.line += self.text.count("\n", 0, self.pos)
            self.text = self.text[self.pos :]
            self.pos = 0
        chunk = self.stream.read(size or self.chunk)
        if not chunk:
            self.eof = True
            return False
        self.text += chunk
        return True

    def line_at(self, pos: int) -> int:
        return self.line + self.text.count("\n", 0, pos)

    def peek(self) -> str:
        """The next character that is not whitespace ('' at the end of the text)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str, what: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            found = f"'{char}'" if char else "the end of the file"
            raise BallotFileError(self.line_at(self.pos), f"expected {what}, found {found}")
        self.pos += 1
        return char

    def value(self) -> Any:
        """Decode the JSON value at the cursor, reading more text until it is complete."""
        self.peek()
        size = self.chunk
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                # an incomplete value and a malformed one raise the same error: read on
                # (in growing steps, so a large value costs linear time) until the end
                if self.more(size):
                    size *= 2
                    continue
                if exc.pos >= len(self.text.rstrip()):
                    message = f"the JSON ends too early ({exc.msg}): is the file cut short?"
                else:
                    message = f"not valid JSON: {exc.msg}"
                raise BallotFileError(self.line_at(exc.pos), message) from exc
            # a number or literal at the end of the window may continue in the next chunk
            if (
                not isinstance(value, dict | list)
                and (end == len(self.text) or self.text[end] in _NUMBER_GOES_ON)
                and self.more(size)
            ):
                continue
            self.pos = end
            return value


def object_members(
    stream: TextIO, streamed: frozenset[str], *, chunk: int = _CHUNK
) -> Iterator[tuple[str, int, Any]]:
    """Yield ``(key, index, value)`` for each member of the top-level JSON object.

    Members named in ``streamed`` whose value is an array are yielded one element at a
    time, with the element's index; every other member is yielded whole with index -1.
    ``chunk`` is how many characters are read at a time. Raises BallotFileError (with the
    line) for text that is not one JSON object.
    """
    window = _Window(stream, chunk)
    window.expect("{", "a JSON object '{'")
    if window.peek() == "}":
        window.pos += 1
    else:
        while True:
            if window.peek() != '"':
                window.expect('"', "a member name in double quotes")
            key = window.value()
            window.expect(":", "':' after the member name")
            if key in streamed and window.peek() == "[":
                window.pos += 1
                index = 0
                if window.peek() == "]":
                    window.pos += 1
                else:
                    while True:
                        yield key, index, window.value()
                        index += 1
                        if window.expect(",]", f"',' or ']' in '{key}'") == "]":
                            break
            else:
                yield key, -1, window.value()
            if window.expect(",}", "',' or '}' after a member") == "}":
                break
    if window.peek():
        raise BallotFileError(window.line_at(window.pos), "text after the end of the JSON object")
