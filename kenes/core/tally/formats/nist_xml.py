"""NIST Cast Vote Records Common Data Format, XML (NIST SP 1500-103, CVR CDF v1 schema).

The same model as the JSON (:mod:`.nist_cdf`, whose rules this reader shares): a
``CastVoteRecordReport`` of ``CVR`` elements (each with ``CVRSnapshot`` / ``CVRContest`` /
``CVRContestSelection`` / ``SelectionPosition`` with ``Rank``, ``HasIndication``,
``IsAllocable``, write-ins in ``CVRWriteIn``; the snapshot named by ``CurrentSnapshotId``
counts) and ``Election`` elements describing candidates and contests. In the XML an object's
id is its ``ObjectId`` attribute, its type the ``xsi:type`` attribute, and a list of ids
(``CandidateIds``) is one element of space-separated ids. The namespace
(``http://itl.nist.gov/ns/voting/1500-103/v1``) may be present or not.

The file is parsed as a stream (ElementTree's pull parser): each ``CVR`` is read into the
JSON shape, counted and discarded before the next, so memory follows the distinct ballots.

A document type declaration (``<!DOCTYPE``) is refused before the parser sees it: a CVR
report needs none, and its entities are how a few bytes become gigabytes (the "billion
laughs") or how a file reads another file. Without one, every entity reference other than the
five XML predefines is an error.
"""

from __future__ import annotations

import codecs
import re
import typing
from collections import Counter
from collections.abc import Iterator
from typing import Any, BinaryIO
from xml.etree import ElementTree

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.formats.cast_records import CastBallot, CastRecordError
from kenes.core.tally.formats.nist_cdf import contest_profile, read_cvr
from kenes.core.tally.profile import Profile

_CHUNK = 1 << 16  # text fed at a time: the elements of one chunk are alive together
_PROLOG_LIMIT = 1 << 16
# elements that the schema allows more than once: read as lists, as in the JSON
_LISTS = frozenset(
    {
        "CVRSnapshot",
        "CVRContest",
        "CVRContestSelection",
        "SelectionPosition",
        "Status",
        "Candidate",
        "Contest",
        "ContestSelection",
        "Election",
        "Party",
        "GpUnit",
    }
)
_ID_LISTS = frozenset(
    {"CandidateIds", "EndorsementPartyIds", "PartyIds", "ReportGeneratingDeviceIds"}
)
_WHOLE_NUMBERS = frozenset({"NumberElected", "Rank", "NumberVotes", "VotesAllowed"})
_ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "iso-8859-1": "latin-1",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "utf-16": "utf-16",
}
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def parse_nist_xml(stream: BinaryIO, contest: str | None = None) -> Profile:
    """Read one contest of a CastVoteRecordReport (XML) from a binary stream."""
    selection_numbers: dict[str, dict[str, int]] = {}
    cast: dict[str, Counter[CastBallot]] = {}
    first_seen: dict[tuple[str, str], str] = {}
    elections: list[Any] = []
    found_cvr = False
    for index, name, element in _report_children(stream):
        if name == "CVR":
            found_cvr = True
            read_cvr(index, _shape(element), selection_numbers, cast, first_seen)
        elif name == "Election":
            elections.append(_shape(element))
    if not found_cvr:
        raise CastRecordError("the report", "CVR", "is missing: the file holds no CVR element")
    return contest_profile(elections, contest, selection_numbers, cast, first_seen)


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: str) -> str:
    """The name without its namespace ('{ns}CVR' -> 'CVR'); a report has few distinct tags."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag.rpartition("}")[2] if len(_LOCAL_NAMES) < 4096 else tag
    return name


def _shape(element: ElementTree.Element) -> Any:
    """An element in the JSON shape of the standard: objects, lists, strings, numbers."""
    children = list(element)
    name = _local(element.tag)
    if not children and not element.attrib:
        text = (element.text or "").strip()
        if name in _ID_LISTS:
            return text.split()
        if name in _WHOLE_NUMBERS and text.isdigit():
            return int(text)
        return text
    if not children:
        text = (element.text or "").strip()
        if name in _ID_LISTS:
            return text.split()
        if name in _WHOLE_NUMBERS and text.isdigit():
            return int(text)
        if not any(_local(k) in ("ObjectId", "type") for k in element.attrib):
            return text
    shaped: dict[str, Any] = {}
    for key, value in element.attrib.items():
        local = _local(key)
        if local == "ObjectId":
            shaped["@id"] = value
        elif local == "type":
            shaped["@type"] = value.rpartition(":")[2]
    for child in children:
        key = _local(child.tag)
        value = _shape(child)
        if key in _LISTS:
            shaped.setdefault(key, []).append(value)
        elif key in _ID_LISTS and key in shaped:
            shaped[key].extend(value)
        else:
            shaped[key] = value
    return shaped


def _report_children(stream: BinaryIO) -> Iterator[tuple[int, str, ElementTree.Element]]:
    """Yield (index among the CVRs, local name, element) for each child of the report root;
    each child is dropped from the tree once the caller has it."""
    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(
        events=("start", "end")
    )
    depth = 0
    root: ElementTree.Element | None = None
    cvrs = 0
    line = 1
    for text in _text_without_doctype(stream):
        try:
            parser.feed(text)
            # start and end events are (event, element) pairs
            events = typing.cast(list[tuple[str, ElementTree.Element]], list(parser.read_events()))
        except ElementTree.ParseError as exc:
            line = exc.position[0]
            raise BallotFileError(
                line, f"the XML is not well-formed: {_reason(exc)}, column {exc.position[1] + 1}"
            ) from exc
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                    if _local(element.tag) != "CastVoteRecordReport":
                        raise CastRecordError(
                            "the root element",
                            _local(element.tag),
                            "is not CastVoteRecordReport: is this a NIST CVR report?",
                        )
                continue
            depth -= 1
            if depth == 1 and root is not None:
                name = _local(element.tag)
                yield (cvrs if name == "CVR" else -1), name, element
                cvrs += name == "CVR"
                root.remove(element)  # the root keeps no child: memory stays flat
    try:
        parser.close()
    except ElementTree.ParseError as exc:
        raise BallotFileError(
            exc.position[0], f"the XML ends too early ({_reason(exc)}): is the file cut short?"
        ) from exc
    if root is None:
        raise BallotFileError(1, "the file holds no XML element")


def _reason(exc: ElementTree.ParseError) -> str:
    return str(exc).split(":")[0]


def _text_without_doctype(stream: BinaryIO) -> Iterator[str]:
    """The document as text, in chunks, after checking its prolog holds no DOCTYPE.

    Decoding here (rather than in expat) also limits the encodings to those listed, so no
    8-bit encoding can spell ``<!DOCTYPE`` with other bytes.
    """
    head = stream.read(_PROLOG_LIMIT)
    if head.startswith(codecs.BOM_UTF8):
        encoding, head = "utf-8", head[len(codecs.BOM_UTF8) :]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        declared = _DECLARED.match(head)
        name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        if name not in _ENCODINGS:
            raise BallotFileError(
                1,
                f"the XML is in the encoding '{name}'; save it as UTF-8 "
                f"(read: {', '.join(sorted(set(_ENCODINGS.values())))})",
            )
        encoding = _ENCODINGS[name]
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        text = decoder.decode(head, final=len(head) < _PROLOG_LIMIT)
        _refuse_doctype(text)
        yield text
        while chunk := stream.read(_CHUNK):
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise BallotFileError(1, f"the file is not {encoding} text ({exc.reason})") from exc


def _refuse_doctype(text: str) -> None:
    """Refuse a document type declaration in the prolog (before the first element)."""
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n\ufeff":
            pos += 1
        if text.startswith("<?", pos):
            close = "?>"
        elif text.startswith("<!--", pos):
            close = "-->"
        else:
            break
        end = text.find(close, pos)
        if end < 0:
            raise BallotFileError(1, "the XML prolog does not end within its first 64 KB")
        pos = end + len(close)
    if text.startswith("<!", pos):
        line = text.count("\n", 0, pos) + 1
        raise BallotFileError(
            line,
            "the XML has a document type declaration (<!DOCTYPE ...>); a CVR report needs "
            "none, and its entities can expand a small file into gigabytes: remove it",
        )
