"""Cast-vote records as vendors publish them: ES&S spreadsheets, Clear Ballot CSV, NIST CDF XML,
and the errors every reader gives for malformed files (file, record and field named).

The ES&S test reads Minneapolis' own exports (../shared/data/ballots/minneapolis-rctab); the
others build files in the vendors' layouts (RCTab's Clear Ballot and NIST test data).
"""

from __future__ import annotations

import gzip
import io
import json
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.core.tally import count, load_profile
from kenes.core.tally.command import TallyCommandError, main, run
from kenes.core.tally.formats import FORMATS, parse_nist_cdf, parse_nist_xml, write_nist_cdf
from kenes.core.tally.profile import OVERVOTE, SKIPPED, Profile, build_profile, overvote_index
from tests.core.tally.test_cvr_formats import (
    _cvr,
    _dominion_export,
    _dominion_mark,
    _options,
    _position,
    _ranked,
    _report,
    _session,
)

MINNEAPOLIS = ("2013_minneapolis_mayor", "2013_minneapolis_park", "2017_minneapolis_mayor")


def _canonical(p: Profile) -> tuple[tuple[str, ...], list[tuple[tuple[int, ...], int]]]:
    """The profile with candidates in name order, its rows (ranks + marks) sorted."""
    assert p.marks is not None
    order = sorted(range(p.n_candidates), key=lambda c: p.candidates[c])
    new = {old: i for i, old in enumerate(order)}
    rows = []
    for ranks, marks, n in zip(
        p.ranks[:, order].tolist(), p.marks.tolist(), p.counts.tolist(), strict=True
    ):
        rows.append((tuple(ranks) + tuple(new[m] if m >= 0 else m for m in marks), n))
    return tuple(p.candidates[c] for c in order), sorted(rows)


def _rows(p: Profile) -> dict[tuple[int, ...], int]:
    assert p.marks is not None
    return {tuple(m): int(c) for m, c in zip(p.marks.tolist(), p.counts.tolist(), strict=True)}


def _is_overvote_of(p: Profile, mark: int, *candidates: int) -> bool:
    """An overvote mark: unnamed (OVERVOTE) or naming exactly these candidates."""
    if mark == OVERVOTE:
        return True
    return mark <= -3 and set(p.overvotes[overvote_index(mark)]) == set(candidates)


def _fails(path: Path, **options: Any) -> str:
    """The command's error for a file: it names the file first, and nothing is counted."""
    with pytest.raises(TallyCommandError) as err:
        run(_options(path, **options))
    message = str(err.value)
    assert message.startswith(f"{path}, "), message
    assert "\n" not in message
    return message


def test_new_formats_are_choices_of_kenes_tally() -> None:
    assert {"ess", "clearballot", "nist-xml"} <= set(FORMATS)


# --- ES&S cast-vote-record spreadsheets --------------------------------------------------


@pytest.fixture(scope="module", params=MINNEAPOLIS)
def minneapolis(request: pytest.FixtureRequest, ballots: Path) -> tuple[str, Profile, float]:
    """Each published workbook read once per test module (the largest takes ~2 s)."""
    folder = ballots / "minneapolis-rctab" / request.param
    started = time.perf_counter()
    profile = load_profile(folder / f"{request.param}_cvr.xlsx")
    return request.param, profile, time.perf_counter() - started


def test_ess_workbook_reads_as_the_aggregated_ballots_of_the_same_election(
    minneapolis: tuple[str, Profile, float], ballots: Path
) -> None:
    name, from_xlsx, _ = minneapolis
    folder = ballots / "minneapolis-rctab" / name
    from_csv = load_profile(folder / f"{name}_ballots_aggregated.csv.gz")
    assert from_xlsx.n_voters == from_csv.n_voters
    assert _canonical(from_xlsx) == _canonical(from_csv)
    assert {"UWI"} <= set(from_xlsx.candidates)
    assert "overvote" not in from_xlsx.candidates and "undervote" not in from_xlsx.candidates
    if name == "2017_minneapolis_mayor":  # and counted end to end: the certified winner
        result = count(from_xlsx, "irv", seed=0)
        assert [from_xlsx.candidates[w] for w in result.winners] == ["Jacob Frey"]


def _workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


_ESS_HEADER = [
    "Cast Vote Record",
    "Precinct",
    "Ballot Style",
    "MAYOR 1st Choice",
    "MAYOR 2nd Choice",
    "MAYOR 3rd Choice",
    "COUNCIL WARD 3 1st Choice",
    "COUNCIL WARD 3 2nd Choice",
    "Count",
]


def test_ess_reads_marks_counts_and_one_contest_of_several(tmp_path: Path) -> None:
    f = _workbook(
        tmp_path / "cvr.xlsx",
        [
            _ESS_HEADER,
            [1, "P-01", "BS-1", "Ann", "Bob", "undervote", "Cyd", "Dan", 3],
            [2, "P-01", "BS-1", "overvote", "Bob", "Ann", "Dan", None, 1],
            [3, "P-02", "BS-2", "Bob", "UNDERVOTE", "UWI", "Cyd", "Cyd", 2],
            [4, "P-02", "BS-2", "Ann", None, None, "Dan", "Cyd", 1],
            [None, None, None, None, None, None, None, None, None],  # trailing blank row
        ],
    )
    mayor = load_profile(f, contest="mayor")
    assert mayor.title == "MAYOR" and mayor.candidates == ("Ann", "Bob", "UWI")
    ann, bob, uwi = 0, 1, 2
    assert _rows(mayor) == {
        (ann, bob, SKIPPED): 3,
        (OVERVOTE, bob, ann): 1,
        (bob, SKIPPED, uwi): 2,
        (ann, SKIPPED, SKIPPED): 1,
    }
    council = load_profile(f, "ess", contest="Council Ward 3")
    assert council.n_voters == 7 and council.candidates == ("Cyd", "Dan")
    assert "'MAYOR', 'COUNCIL WARD 3'" in _fails(f)


@pytest.mark.parametrize(
    ("row", "where"),
    [
        (
            [5, "P-03", "BS-1", "Ann", "Bob", "Cyd", "Dan", None, "two"],
            "row 3, field 'Count': 'two' is not a whole number",
        ),
        (
            [5, "P-03", "BS-1", "Ann", 42, "Cyd", "Dan", None, 1],
            "row 3, field 'MAYOR 2nd Choice': 42 is a number or date, not a candidate",
        ),
    ],
)
def test_ess_wrong_type_cell_names_the_row_and_the_column(
    tmp_path: Path, row: list[Any], where: str
) -> None:
    good = [1, "P-01", "BS-1", "Ann", "Bob", "Cyd", "Dan", None, 1]
    f = _workbook(tmp_path / "cvr.xlsx", [_ESS_HEADER, good, row])
    assert where in _fails(f, contest="MAYOR")


def test_ess_title_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(
    tmp_path: Path,
) -> None:
    f = _workbook(
        tmp_path / "cvr.xlsx",
        [
            ["Cast Vote Record Report"],
            ["Generated 2026-11-04"],
            _ESS_HEADER,
            [1, "P-01", "BS-1", "Ann", "Bob", None, "Cyd", None, 1],
            [2, "P-01", "BS-1", "Bob", "Ann", None, "Cyd", None, "1x"],
        ],
    )
    assert "row 5, field 'Count': '1x' is not a whole number" in _fails(f, contest="MAYOR")


def test_ess_missing_contest_truncated_workbook_and_other_sheets_are_refused(
    tmp_path: Path,
) -> None:
    f = _workbook(tmp_path / "cvr.xlsx", [_ESS_HEADER, [1, "P", "B", "Ann", "", "", "", "", 1]])
    assert "'Governor' names no contest; the sheet has 'MAYOR', 'COUNCIL WARD 3'" in _fails(
        f, contest="Governor"
    )
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    assert "not a complete .xlsx workbook" in _fails(cut, contest="MAYOR")
    other = _workbook(tmp_path / "other.xlsx", [["Name", "Phone"], ["Ann", "555"]])
    assert "row 1: no column is a choice" in _fails(other)


# --- Clear Ballot ClearVote CSV ----------------------------------------------------------

_CB_FIXED = (
    "RowNumber,BoxID,BoxPosition,BallotID,PrecinctID,BallotStyleID,PrecinctStyleName,"
    "ScanComputerName,Status,Remade"
)


def _cb_header() -> str:
    ranked = [
        f'"Choice_{cid}_1:City of Portland, Auditor:{rank}:Number of Winners 1:{name}:NON"'
        for cid, name in ((6, "Simone Rede"), (28, "Write-in-28"), (50009, "Lisa Simpson"))
        for rank in (1, 2, 3)
    ]
    plurality = [
        f'"Choice_{cid}_1:Measure 26-200:Vote For 1:{name}:NON"'
        for cid, name in ((70, "Yes"), (71, "No"))
    ]
    return ",".join([_CB_FIXED, *ranked, *plurality])


def _cb_row(number: int, marks: str) -> str:
    box = f'"RCV-0256",{number},"RCV-0256+{10000 + number}",79,2,"4405","ScanStation3",0,0'
    return f"{number},{box},{marks}"


def _clear_ballot(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([_cb_header(), *rows]) + "\n", encoding="utf-8")
    return path


def test_clear_ballot_export_is_found_by_its_header_and_read_by_rank(tmp_path: Path) -> None:
    #     Simone r1 r2 r3 | Write-in r1 r2 r3 | Lisa r1 r2 r3 | Yes No
    f = _clear_ballot(
        tmp_path / "cvr.csv",
        [
            _cb_row(1, "1,0,0, 0,0,0, 0,1,0, 1,0".replace(" ", "")),
            _cb_row(2, "1,0,0, 0,0,0, 1,0,0, 0,1".replace(" ", "")),  # overvote at rank 1
            _cb_row(3, "0,0,1, 0,0,0, 1,0,0, 0,0".replace(" ", "")),  # rank 2 skipped
            _cb_row(4, "-1,1,0, 0,0,0, 0,0,0, 1,0".replace(" ", "")),  # -1: not a mark
            _cb_row(5, "0,0,0, 0,0,0, 0,0,0, 0,0".replace(" ", "")),  # blank ballot
            _cb_row(6, ",,, ,,, ,,, 1,0".replace(" ", "")),  # contest not on this card
        ],
    )
    p = load_profile(f, contest="City of Portland, Auditor")
    assert p.candidates == ("Simone Rede", "Write-in-28", "Lisa Simpson")
    assert p.title == "City of Portland, Auditor" and p.seats == 1
    simone, lisa = 0, 2
    rows = _rows(p)
    assert rows.pop((simone, lisa, SKIPPED)) == 1
    assert rows.pop((lisa, SKIPPED, simone)) == 1
    assert rows.pop((SKIPPED, simone, SKIPPED)) == 1
    assert rows.pop((SKIPPED, SKIPPED, SKIPPED)) == 1
    ((overvote, *rest), n), *others = rows.items()
    assert not others and n == 1 and rest == [SKIPPED, SKIPPED]
    assert _is_overvote_of(p, overvote, simone, lisa)
    assert p.n_voters == 5  # row 6 had no Auditor contest
    assert any("1 cell(s)" in note and "-1" in note for note in p.notes)
    measure = load_profile(f, "clearballot", contest="measure 26-200")
    assert measure.n_voters == 6 and measure.candidates == ("Yes", "No")
    assert "'City of Portland, Auditor', 'Measure 26-200'" in _fails(f)


def test_clear_ballot_by_format_name_whatever_the_extension(tmp_path: Path) -> None:
    f = _clear_ballot(tmp_path / "export.txt", [_cb_row(1, "1,0,0,0,0,0,0,1,0,1,0")])
    out = json.loads(run(_options(f, format="clearballot", contest="Measure 26-200")))
    assert out["winners"] == ["Yes"]
    gz = tmp_path / "export.csv.gz"
    gz.write_bytes(gzip.compress(f.read_bytes()))
    assert load_profile(gz, contest="Measure 26-200").n_voters == 1


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        (
            [_cb_row(1, "1,0,0,0,0,0,0,0,0,1,0"), _cb_row(2, "1,0,0,0,0,0,0,x,0,1,0")],
            "line 3 (BallotID 'RCV-0256+10002'), field 'Choice_50009_1:City of Portland, "
            "Auditor:2:Number of Winners 1:Lisa Simpson:NON': 'x' is not a mark",
        ),
        (
            [_cb_row(1, "1,0,0,0,0,0,0,0,0,1,0"), _cb_row(2, "1,0,0,0")],  # cut short
            "line 3 (BallotID 'RCV-0256+10002'): has 14 fields but the header has 21",
        ),
        (
            [_cb_row(1, "1,0,0,0,0,0,0,0,0,1,0"), '3,"RCV-0256",3,"RCV-02'],  # cut in a quote
            "line 3: is not valid CSV (unexpected end of data): is the file cut short",
        ),
    ],
)
def test_clear_ballot_malformed_row_names_the_line_ballot_and_column(
    tmp_path: Path, rows: list[str], where: str
) -> None:
    f = _clear_ballot(tmp_path / "cvr.csv", rows)
    assert where in _fails(f, contest="City of Portland, Auditor")


def test_clear_ballot_bad_header_and_missing_contest_are_refused(tmp_path: Path) -> None:
    f = _clear_ballot(tmp_path / "cvr.csv", [_cb_row(1, "1,0,0,0,0,0,0,0,0,1,0")])
    assert "'Mayor' names no contest; the file has 'City of Portland, Auditor'" in _fails(
        f, contest="Mayor"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{_CB_FIXED},Choice_1_1:Mayor:Ann\n1,b,1,x,1,1,p,s,0,0,1\n")
    assert "line 1, field 'Choice_1_1:Mayor:Ann': is not a choice header" in _fails(
        bad, format="clearballot"
    )


# --- NIST CVR CDF, XML ---------------------------------------------------------------------

_NS = "http://itl.nist.gov/ns/voting/1500-103/v1"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_ID_LISTS = {"CandidateIds", "ReportGeneratingDeviceIds"}
ElementTree.register_namespace("", _NS)
ElementTree.register_namespace("xsi", _XSI)


def _xml_children(parent: ElementTree.Element, key: str, value: Any, ns: str) -> None:
    tag = f"{{{ns}}}{key}" if ns else key
    if isinstance(value, list) and key in _ID_LISTS:
        ElementTree.SubElement(parent, tag).text = " ".join(value)
    elif isinstance(value, list):
        for item in value:
            _xml_children(parent, key, item, ns)
    elif isinstance(value, dict):
        child = ElementTree.SubElement(parent, tag)
        _xml_fill(child, value, ns)
    else:
        ElementTree.SubElement(parent, tag).text = str(value)


def _xml_fill(element: ElementTree.Element, obj: dict[str, Any], ns: str) -> None:
    for key, value in obj.items():
        if key == "@id":
            element.set("ObjectId", value)
        elif key == "@type":
            if value in ("CVR.CandidateContest", "CVR.CandidateSelection"):
                element.set(f"{{{_XSI}}}type", value.removeprefix("CVR."))
        else:
            _xml_children(element, key, value, ns)


def _to_xml(report: dict[str, Any], *, ns: str = _NS) -> str:
    """A report in the JSON shape written as the standard's XML (what the XML schema says)."""
    root = ElementTree.Element(f"{{{ns}}}CastVoteRecordReport" if ns else "CastVoteRecordReport")
    _xml_fill(root, report, ns)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, "unicode")


def _write_xml(path: Path, report: dict[str, Any], *, ns: str = _NS) -> Path:
    path.write_text(_to_xml(report, ns=ns), encoding="utf-8")
    return path


def _adjudicated_report() -> dict[str, Any]:
    overvote = _cvr(1, {"mayor": [("cs-a", [_position(1)]), ("cs-b", [_position(1)])]})
    skipped = _cvr(2, {"mayor": [("cs-a", [_position(1)]), ("cs-c", [_position(3)])]})
    unmarked = _cvr(
        3,
        {
            "mayor": [
                ("cs-a", [_position(1, HasIndication="no")]),
                ("cs-b", [_position(2, IsAllocable="no")]),
                ("cs-c", [_position(1)]),
            ]
        },
    )
    adjudicated = _ranked(4, "a")
    modified = json.loads(json.dumps(adjudicated["CVRSnapshot"][0]))
    modified["@id"] = "ballot-4-modified"
    modified["Type"] = "modified"
    modified["CVRContest"][0]["CVRContestSelection"][0]["ContestSelectionId"] = "cs-d"
    adjudicated["CVRSnapshot"].append(modified)
    adjudicated["CurrentSnapshotId"] = "ballot-4-modified"
    pending = _ranked(5, "a", "b")
    # Status is a list in the schema (needs-adjudication: not counted)
    pending["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0]["Status"] = [
        "needs-adjudication"
    ]
    council = _cvr(6, {"council": [("cs-c", [_position(1)]), ("cs-a", [_position(2)])]})
    return _report([overvote, skipped, unmarked, adjudicated, pending, council])


@pytest.mark.parametrize("ns", [_NS, ""])
def test_nist_xml_reads_as_the_json_of_the_same_report(tmp_path: Path, ns: str) -> None:
    report = _adjudicated_report()
    as_json = tmp_path / "cvr.json"
    as_json.write_text(json.dumps(report))
    as_xml = _write_xml(tmp_path / "cvr.xml", report, ns=ns)
    for contest in ("Mayor", "council"):
        x, j = load_profile(as_xml, contest=contest), load_profile(as_json, contest=contest)
        assert (x.candidates, x.title, x.seats) == (j.candidates, j.title, j.seats)
        assert _rows(x) == _rows(j)
    mayor = load_profile(as_xml, "nist-xml", contest="mayor")
    a, b, c, d = range(4)
    rows = _rows(mayor)
    assert rows[(a, SKIPPED, c)] == 1 and rows[(c, SKIPPED, SKIPPED)] == 1
    assert rows[(d, SKIPPED, SKIPPED)] == 1  # the adjudicated snapshot counts
    assert rows[(SKIPPED, b, SKIPPED)] == 1  # the selection pending adjudication does not
    assert load_profile(as_xml, contest="council").seats == 2


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 3),
            st.lists(st.lists(st.integers(0, 3), max_size=2), min_size=1, max_size=4),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_nist_xml_round_trip_keeps_every_ballot(
    ballots: list[tuple[int, list[list[int]]]],
) -> None:
    profile = build_profile(["A", "B", "C", "D"], ballots)
    text = io.StringIO()
    write_nist_cdf(profile, text)
    report = json.loads(text.getvalue())
    xml = _to_xml(report).encode("utf-8")
    again = parse_nist_xml(io.BytesIO(xml))
    assert sorted(again.ballots()) == sorted(profile.ballots())
    assert sorted(again.ballots()) == sorted(parse_nist_cdf(io.StringIO(text.getvalue())).ballots())


_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE CastVoteRecordReport [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CastVoteRecordReport><CVR><BallotPrePrintedId>&lol9;</BallotPrePrintedId></CVR>
</CastVoteRecordReport>
"""


def test_nist_xml_entity_expansion_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    f = tmp_path / "laughs.xml"
    f.write_text(_LAUGHS)
    tracemalloc.start()
    try:
        assert "document type declaration" in _fails(f, contest="mayor")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # expanded, &lol9; alone is 3 GB
    # the same in UTF-16, and an external entity that would read another file
    utf16 = tmp_path / "laughs16.xml"
    utf16.write_bytes(
        _LAUGHS.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    )
    assert "document type declaration" in _fails(utf16)
    secret = tmp_path / "secret.txt"
    secret.write_text("the key")
    xxe = tmp_path / "xxe.xml"
    xxe.write_text(
        f'<?xml version="1.0"?><!-- a comment first -->\n<!DOCTYPE r [<!ENTITY s SYSTEM '
        f'"file://{secret}">]>\n<CastVoteRecordReport>&s;</CastVoteRecordReport>'
    )
    message = _fails(xxe)
    assert "line 2: the XML has a document type declaration" in message
    assert "the key" not in message


def test_nist_xml_undeclared_entity_and_unknown_encoding_are_refused(tmp_path: Path) -> None:
    entity = tmp_path / "entity.xml"
    entity.write_text('<?xml version="1.0"?>\n<CastVoteRecordReport>\n<CVR>&lol;</CVR>')
    assert "line 3: the XML is not well-formed: undefined entity" in _fails(entity)
    # an 8-bit encoding in which '<!DOCTYPE' is other bytes is not read at all
    ebcdic = tmp_path / "ebcdic.xml"
    ebcdic.write_bytes(b'<?xml version="1.0" encoding="cp500"?>' + "<a/>".encode("cp500"))
    assert "encoding 'cp500'" in _fails(ebcdic)
    other = tmp_path / "other.xml"
    other.write_text('<?xml version="1.0"?>\n<ElectionReport><Election/></ElectionReport>')
    assert "the root element, field 'ElectionReport': is not CastVoteRecordReport" in _fails(other)


def _broken_xml(tmp_path: Path, break_it: Any) -> Path:
    report = _report([_ranked(1, "a", "b"), _ranked(2, "b", "c"), _ranked(3, "c")])
    break_it(report)
    return _write_xml(tmp_path / "broken.xml", report)


@pytest.mark.parametrize(
    ("break_it", "where"),
    [
        (  # wrong type
            lambda r: r["CVR"][1]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0][
                "SelectionPosition"
            ][0].update(Rank="first"),
            "CVR 2 ('2'), contest 'mayor', selection 'cs-b', "
            "field 'SelectionPosition.Rank': 'first' is not a rank",
        ),
        (  # unknown candidate
            lambda r: r["CVR"][2]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][
                0
            ].update(ContestSelectionId="cs-zz"),
            "CVR 3 ('3'), contest 'mayor', field 'ContestSelectionId': 'cs-zz' is marked",
        ),
        (  # missing contest
            lambda r: r["Election"][0].update(Contest=r["Election"][0]["Contest"][1:]),
            "field 'Contest': 'mayor' names no contest; the report has 'council'",
        ),
        (
            lambda r: r["CVR"][0].update(CurrentSnapshotId="ballot-99"),
            "CVR 1 ('1'), field 'CurrentSnapshotId': 'ballot-99' names none",
        ),
    ],
)
def test_nist_xml_malformed_record_is_named_with_its_field_and_the_file(
    tmp_path: Path, break_it: Any, where: str
) -> None:
    assert where in _fails(_broken_xml(tmp_path, break_it), contest="mayor")


def test_nist_xml_truncated_file_names_the_line(tmp_path: Path) -> None:
    f = _write_xml(tmp_path / "cvr.xml", _report([_ranked(1, "a", "b"), _ranked(2, "b")]))
    text = f.read_text()
    cut = text[: text.index("<CVR>", text.index("<CVR>") + 1) + 40]
    f.write_text(cut)
    message = _fails(f, contest="mayor")
    assert f"line {cut.count(chr(10)) + 1}: the XML ends too early" in message
    f.write_text(text.replace("</Rank>", "</Rnak>", 1))
    line = text[: text.index("</Rank>")].count("\n") + 1
    assert f"line {line}: the XML is not well-formed: mismatched tag" in _fails(f)


def _big_report_lines(n: int, make: Any) -> Iterator[str]:
    head = json.dumps(_report([]))
    yield head[: head.index('"CVR": [') + len('"CVR": [')]
    for i in range(n):
        yield ("," if i else "") + make(i)
    yield "]," + head[head.index('"CVR": []') + len('"CVR": [],') :]


def test_big_xml_report_counts_in_less_memory_than_the_file(tmp_path: Path) -> None:
    n = 20_000
    one = _to_xml(_report([_ranked(1, "a", "b", "c")]))
    start, end = one.index("<CVR>"), one.index("</CVR>") + len("</CVR>")
    f = tmp_path / "big.xml"
    with f.open("w", encoding="utf-8") as out:
        out.write(one[:start])
        for i in range(n):
            out.write(one[start:end].replace("<BallotPrePrintedId>1<", f"<BallotPrePrintedId>{i}<"))
        out.write(one[end:])
    size = f.stat().st_size
    tracemalloc.start()
    try:
        p = load_profile(f, contest="mayor")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert p.n_voters == n
    assert peak < size / 8, (peak, size)


def test_kenes_tally_command_line_reads_the_new_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xml = _write_xml(tmp_path / "report.cdf", _report([_ranked(1, "b"), _ranked(2, "b", "a")]))
    code = main(
        [str(xml), "--method", "irv", "--format", "nist-xml", "--contest", "mayor", "--json"]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["winners"] == ["Candidate B"]
    book = _workbook(
        tmp_path / "cvr.data",
        [
            ["Precinct", "1st Choice", "2nd Choice", "Count"],
            ["P", "Ann", "Bob", 2],
            ["P", "Bob", None, 1],
        ],
    )
    assert main([str(book), "--method", "irv", "--format", "ess", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["winners"] == ["Ann"]


# --- the older readers: malformed files name the file, the record and the field ----------


def test_nist_json_truncated_file_names_the_line(tmp_path: Path) -> None:
    text = json.dumps(_report([_ranked(1, "a", "b"), _ranked(2, "b")]), indent=1)
    f = tmp_path / "cut.json"
    cut = text[: text.index('"Election"')]
    f.write_text(cut)
    message = _fails(f, contest="mayor")
    assert f"line {cut.count(chr(10)) + 1}: expected a member name" in message


def test_dominion_truncated_part_wrong_rank_and_missing_contest(tmp_path: Path) -> None:
    sessions = [_session(1, [_dominion_mark(517, 1)]), _session(2, [_dominion_mark(518, 1)])]
    folder = _dominion_export(tmp_path / "export", sessions)
    assert "names no contest; the export has 4 (U.S. President)" in _fails(folder, contest="9")
    part = folder / "CvrExport_1.json"
    whole = part.read_text()
    part.write_text(whole.replace('"Rank": 1', '"Rank": "1st"', 1))
    assert (
        "CvrExport_1.json, Sessions 1 (tabulator 92200, batch 113, record 1), contest 7, "
        "field 'Rank': '1st' is not a rank number"
    ) in _fails(folder, contest="7")
    part.write_text(whole[: len(whole) // 2])
    assert "CvrExport_1.json, line 1: the JSON ends too early" in _fails(folder, contest="7")


def test_rank_csv_wrong_type_names_the_line_and_column(tmp_path: Path) -> None:
    f = tmp_path / "cvr.csv"
    f.write_text("Precinct,rank1,rank2,count\nP1,A,B,2\nP2,B,A,two\n")
    assert "line 3: the count 'two' is not a whole number" in _fails(f)
    assert "a csv file holds one contest" in _fails(f, contest="Mayor")


def test_every_reader_gives_one_sentence_for_an_empty_file(tmp_path: Path) -> None:
    for name, fmt in (
        ("e.json", None),
        ("e.xml", None),
        ("e.csv", "clearballot"),
        ("e.xlsx", None),
        ("e.csv", None),
    ):
        f = tmp_path / name
        f.write_bytes(b"")
        message = _fails(f, format=fmt)
        assert message.count(": ") >= 1, message


def test_big_rank_csv_counts_in_less_memory_than_the_file(tmp_path: Path) -> None:
    f = tmp_path / "big.csv"
    names = [f"Candidate {c}" for c in "ABCDEFGH"]
    with f.open("w", encoding="utf-8") as out:
        out.write("Precinct,1st Choice,2nd Choice,3rd Choice\n")
        for i in range(100_000):
            first, second = names[i % 8], names[(i // 8) % 8]
            third = (
                "overvote" if i % 97 == 0 else f"{names[i % 5]}|{names[7]}" if i % 89 == 0 else ""
            )
            out.write(f"P-{i % 113},{first},{second},{third}\n")
    size = f.stat().st_size
    tracemalloc.start()
    try:
        p = load_profile(f)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert p.n_voters == 100_000 and len(p.overvotes) == 5
    assert peak < size / 2, (peak, size)


def test_rank_csv_cut_inside_a_quoted_cell_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "cut.csv"
    f.write_text('Precinct,rank1,rank2\nP1,A,B\nP2,"A,')
    assert "line 3: not valid CSV (unexpected end of data)" in _fails(f)
