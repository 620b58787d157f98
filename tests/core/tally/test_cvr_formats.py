"""Cast-vote records as election offices publish them: NIST CVR CDF (JSON) and rank-column CSV.

The hand-built files follow the real layouts (the NIST SP 1500-103 JSON that RCTab reads and
writes; rank-column CSV as ES&S/RCTab export it), including what real files contain: adjudicated
snapshots, unmarked and unallocable positions, overvotes, skipped ranks and malformed records.
"""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.core.tally import BallotFileError, count, load_profile, result_json
from kenes.core.tally.command import TallyCommandError, main, run
from kenes.core.tally.formats import parse_csv, parse_nist_cdf, write_nist_cdf
from kenes.core.tally.formats.json_stream import object_members
from kenes.core.tally.profile import OVERVOTE, SKIPPED, Profile, build_profile, overvote_mark


def _position(rank: int | str | None, **extra: Any) -> dict[str, Any]:
    pos: dict[str, Any] = {
        "@type": "CVR.SelectionPosition",
        "HasIndication": "yes",
        "IsAllocable": "unknown",
        "NumberVotes": 1,
    }
    if rank is not None:
        pos["Rank"] = rank
    pos.update(extra)
    return pos


def _cvr(
    number: int, contests: dict[str, list[tuple[str, list[dict[str, Any]]]]]
) -> dict[str, Any]:
    """A CVR whose only snapshot holds ``{contest id: [(selection id, positions)]}``."""
    return {
        "@type": "CVR.CVR",
        "BallotPrePrintedId": str(number),
        "CVRSnapshot": [
            {
                "@id": f"ballot-{number}",
                "@type": "CVR.CVRSnapshot",
                "CVRContest": [
                    {
                        "@type": "CVR.CVRContest",
                        "ContestId": contest_id,
                        "CVRContestSelection": [
                            {
                                "@type": "CVR.CVRContestSelection",
                                "ContestSelectionId": sid,
                                "SelectionPosition": positions,
                            }
                            for sid, positions in selections
                        ],
                    }
                    for contest_id, selections in contests.items()
                ],
                "Type": "original",
            }
        ],
        "CurrentSnapshotId": f"ballot-{number}",
        "ElectionId": "election-001",
    }


def _ranked(number: int, *names: str, contest: str = "mayor") -> dict[str, Any]:
    """A CVR ranking candidates a/b/c/d (selection cs-a ...) in the order given."""
    return _cvr(number, {contest: [(f"cs-{n}", [_position(r)]) for r, n in enumerate(names, 1)]})


def _report(cvrs: list[dict[str, Any]]) -> dict[str, Any]:
    # keys in the order RCTab writes them: the CVR array comes before the Election
    return {
        "@type": "CVR.CastVoteRecordReport",
        "CVR": cvrs,
        "Election": [
            {
                "@id": "election-001",
                "@type": "CVR.Election",
                "Candidate": [
                    {"@id": f"candidate-{n}", "Name": f"Candidate {n.upper()}"} for n in "abcd"
                ],
                "Contest": [
                    {
                        "@id": "mayor",
                        "@type": "CVR.CandidateContest",
                        "Name": "Mayor",
                        "ContestSelection": [
                            {
                                "@id": f"cs-{n}",
                                "@type": "CVR.CandidateSelection",
                                "CandidateIds": [f"candidate-{n}"],
                            }
                            for n in "abcd"
                        ],
                    },
                    {
                        "@id": "council",
                        "@type": "CVR.CandidateContest",
                        "Name": "City Council",
                        "NumberElected": 2,
                        "ContestSelection": [
                            {
                                "@id": f"cs-{n}",
                                "@type": "CVR.CandidateSelection",
                                "CandidateIds": [f"candidate-{n}"],
                            }
                            for n in "abc"
                        ],
                    },
                ],
                "ElectionScopeId": "gpu-election",
            }
        ],
        "GeneratedDate": "2019-05-01T17:10:50-07:00",
        "GpUnit": [{"@id": "gpu-election", "@type": "CVR.GpUnit", "Type": "other"}],
        "ReportGeneratingDeviceIds": ["rd-001"],
        "Version": "1.0.0",
    }


def _write(path: Path, report: dict[str, Any]) -> Path:
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return path


def _rows(p: Profile) -> dict[tuple[int, ...], int]:
    assert p.marks is not None
    return {tuple(m): int(c) for m, c in zip(p.marks.tolist(), p.counts.tolist(), strict=True)}


def test_nist_cdf_contest_is_chosen_by_name_or_id_and_names_come_from_the_election(
    tmp_path: Path,
) -> None:
    cvrs = [
        _cvr(
            1,
            {
                "mayor": [("cs-b", [_position(1)]), ("cs-a", [_position(2)])],
                "council": [("cs-c", [_position(1)])],
            },
        ),
        _ranked(2, "b", "a"),
        _ranked(3, "c"),
    ]
    f = _write(tmp_path / "cvr.json", _report(cvrs))
    by_name = load_profile(f, contest="Mayor")
    by_id = load_profile(f, contest="mayor")
    assert by_name.candidates == by_id.candidates == tuple(f"Candidate {n}" for n in "ABCD")
    assert _rows(by_name) == {(1, 0): 2, (2, SKIPPED): 1}
    assert by_name.title == "Mayor" and by_name.seats is None
    council = load_profile(f, contest="City Council")
    assert council.seats == 2 and council.n_voters == 1  # only CVR 1 votes in the council


def test_nist_cdf_with_several_contests_asks_which_and_lists_them(tmp_path: Path) -> None:
    f = _write(tmp_path / "cvr.json", _report([_ranked(1, "a")]))
    with pytest.raises(BallotFileError) as err:
        load_profile(f)
    assert "'mayor' (Mayor), 'council' (City Council)" in str(err.value)
    with pytest.raises(BallotFileError) as err:
        load_profile(f, contest="Governor")
    assert "'Governor' names no contest" in str(err.value)
    assert "'mayor' (Mayor)" in str(err.value)


def test_nist_cdf_reads_overvotes_skips_unmarked_and_adjudicated_positions(tmp_path: Path) -> None:
    overvote = _cvr(1, {"mayor": [("cs-a", [_position(1)]), ("cs-b", [_position(1)])]})
    skipped = _cvr(2, {"mayor": [("cs-a", [_position(1)]), ("cs-c", [_position(3)])]})
    not_marked = _cvr(
        3,
        {
            "mayor": [
                ("cs-a", [_position(1, HasIndication="no")]),
                ("cs-b", [_position(2, IsAllocable="no")]),
                ("cs-c", [_position("1")]),  # some exporters write the rank as text
            ]
        },
    )
    # the original snapshot read A; adjudication changed it to D, and D is what counts
    adjudicated = _ranked(4, "a")
    modified = json.loads(json.dumps(adjudicated["CVRSnapshot"][0]))
    modified["@id"] = "ballot-4-modified"
    modified["Type"] = "modified"
    modified["CVRContest"][0]["CVRContestSelection"][0]["ContestSelectionId"] = "cs-d"
    adjudicated["CVRSnapshot"].append(modified)
    adjudicated["CurrentSnapshotId"] = "ballot-4-modified"
    # a selection that still needs adjudication is not counted
    pending = _ranked(5, "a", "b")
    pending["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0]["Status"] = (
        "needs-adjudication"
    )
    # the rank on the contest selection instead of the position (the standard allows both)
    rank_on_selection = _cvr(6, {"mayor": [("cs-b", [])]})
    rank_on_selection["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0]["Rank"] = 1
    blank = _cvr(7, {"mayor": []})
    f = _write(
        tmp_path / "cvr.json",
        _report([overvote, skipped, not_marked, adjudicated, pending, rank_on_selection, blank]),
    )
    p = load_profile(f, contest="mayor")
    assert _rows(p) == {
        (overvote_mark(0), SKIPPED, SKIPPED): 1,  # names cs-a and cs-b
        (0, SKIPPED, 2): 1,
        (2, SKIPPED, SKIPPED): 1,
        (3, SKIPPED, SKIPPED): 1,
        (SKIPPED, 1, SKIPPED): 1,
        (1, SKIPPED, SKIPPED): 1,
        (SKIPPED, SKIPPED, SKIPPED): 1,
    }
    assert [[p.candidates[c] for c in group] for group in p.overvotes] == [
        ["Candidate A", "Candidate B"]
    ]
    assert p.n_voters == 7


@pytest.mark.parametrize(
    ("break_it", "where"),
    [
        (
            lambda r: r["CVR"][1]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0][
                "SelectionPosition"
            ][0].update(Rank="first"),
            "CVR 2 ('2'), contest 'mayor', selection 'cs-b', "
            "field 'SelectionPosition.Rank': 'first' is not a rank",
        ),
        (
            lambda r: r["CVR"][0].update(CurrentSnapshotId="ballot-99"),
            "CVR 1 ('1'), field 'CurrentSnapshotId': 'ballot-99' names none",
        ),
        (
            lambda r: r["CVR"][2]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][
                0
            ].update(ContestSelectionId="cs-zz"),
            "field 'ContestSelectionId': 'cs-zz' is marked on a CVR but is none",
        ),
        (
            lambda r: r["Election"][0]["Contest"][0]["ContestSelection"][0].update(
                CandidateIds=["candidate-q"]
            ),
            "ContestSelection 'cs-a', field 'CandidateIds': 'candidate-q' is no Candidate @id",
        ),
        (lambda r: r.pop("Election"), "field 'Election': is missing"),
    ],
)
def test_nist_cdf_malformed_record_is_named_with_its_field_and_the_file(
    tmp_path: Path, break_it: Any, where: str
) -> None:
    report = _report([_ranked(1, "a", "b"), _ranked(2, "b", "c"), _ranked(3, "c")])
    break_it(report)
    f = _write(tmp_path / "broken.json", report)
    with pytest.raises(TallyCommandError) as err:
        run(_options(f, contest="mayor"))
    assert str(err.value).startswith(f"{f}, ")
    assert where in str(err.value)


def test_nist_cdf_invalid_json_names_the_line(tmp_path: Path) -> None:
    text = json.dumps(_report([_ranked(1, "a"), _ranked(2, "b")]), indent=2)
    broken = text.replace('"Rank": 1', '"Rank": 1,,', 1)
    line = text[: text.index('"Rank": 1')].count("\n") + 1
    f = tmp_path / "broken.json"
    f.write_text(broken, encoding="utf-8")
    with pytest.raises(BallotFileError) as err:
        load_profile(f, contest="mayor")
    assert err.value.line == line
    assert "not valid JSON" in str(err.value)


def _options(path: Path, **extra: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "file": str(path),
        "method": "irv",
        "stv_rules": "scottish",
        "seats": None,
        "format": None,
        "contest": None,
        "seed": 0,
        "overvote": "exhaust",
        "max_skipped": None,
        "batch": False,
        "exclude_first": [],
        "decimal_places": 4,
        "json": True,
    }
    options.update(extra)
    return options


def test_kenes_tally_counts_a_nist_cdf_contest(tmp_path: Path) -> None:
    cvrs = [_ranked(i, "a", "b") for i in range(1, 4)]
    cvrs += [_ranked(i, "b", "a") for i in range(4, 6)]
    cvrs += [_ranked(i, "c", "b") for i in range(6, 9)]
    f = _write(tmp_path / "cvr.json", _report(cvrs))
    out = json.loads(run(_options(f, contest="Mayor")))
    # round 1: A 3, C 3, B 2; B out, B's ballots go to A: A 5, C 3
    assert out["winners"] == ["Candidate A"]
    with pytest.raises(TallyCommandError, match="choose one contest with --contest"):
        run(_options(f))


def test_profile_written_as_nist_cdf_reads_back_to_the_same_count(
    tmp_path: Path, ballots: Path
) -> None:
    original = load_profile(ballots / "glasgow-2022/blt/Ward-1-Linn.blt")
    path = tmp_path / "linn.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        write_nist_cdf(original, out)
    again = load_profile(path)
    assert again.candidates == original.candidates and again.seats == original.seats
    assert again.n_voters == original.n_voters == 8994
    before = result_json(count(original, "stv", seed=1))
    after = result_json(count(again, "stv", seed=1))
    assert after["rounds"] == before["rounds"] and after["winners"] == before["winners"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 3),
            st.lists(st.lists(st.integers(0, 3), max_size=2), min_size=1, max_size=4),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_nist_cdf_round_trip_keeps_every_ballot(
    ballots: list[tuple[int, list[list[int]]]],
) -> None:
    profile = build_profile(["A", "B", "C", "D"], ballots)
    text = io.StringIO()
    write_nist_cdf(profile, text)
    text.seek(0)
    again = parse_nist_cdf(text)
    assert sorted(again.ballots()) == sorted(profile.ballots())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.text(max_size=4), json_values, max_size=5), st.integers(1, 9))
def test_streamed_members_equal_json_load_whatever_the_chunk_size(
    document: dict[str, Any], chunk: int
) -> None:
    text = json.dumps(document, indent=1)
    streamed = frozenset(k for k, v in document.items() if isinstance(v, list))
    rebuilt: dict[str, Any] = {}
    for key, index, value in object_members(io.StringIO(text), streamed, chunk=chunk):
        if index < 0:
            rebuilt[key] = value
        else:
            rebuilt.setdefault(key, []).append(value)
            assert len(rebuilt[key]) == index + 1
    for key in streamed:
        rebuilt.setdefault(key, [])
    assert rebuilt == json.loads(text)


def test_big_cvr_file_counts_in_less_memory_than_the_file(tmp_path: Path) -> None:
    f = tmp_path / "big.json"
    n = 20_000
    with f.open("w", encoding="utf-8") as out:
        report = _report([])
        head = json.dumps(report)
        out.write(head[: head.index('"CVR": [') + len('"CVR": [')])
        for i in range(n):
            out.write(("," if i else "") + json.dumps(_ranked(i + 1, "abcd"[i % 4], "b", "c")))
        out.write("]," + head[head.index('"CVR": []') + len('"CVR": [],') :])
    size = f.stat().st_size
    tracemalloc.start()
    try:
        p = load_profile(f, contest="mayor")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert p.n_voters == n
    assert peak < size / 8, (peak, size)


def test_csv_rank_columns_are_read_in_rank_order_not_column_order() -> None:
    p = parse_csv("rank2,rank1,count\nB,A,3\n")
    assert p.marks is not None
    assert p.candidates[p.marks[0, 0]] == "A"
    assert _rows(p) == {(p.candidates.index("A"), p.candidates.index("B")): 3}


def test_csv_overvote_cell_with_an_empty_name_is_refused() -> None:
    with pytest.raises(BallotFileError) as err:
        parse_csv("Precinct,rank1,rank2\nP1,A|,B\n")
    assert err.value.line == 2
    assert "rank1" in str(err.value)


def test_csv_vendor_marks_and_separators_are_read() -> None:
    text = (
        "Cast Vote Record,Choice_1,Choice_2,Choice_3\n"
        "1,Over Vote,A,B\n"
        "2,A,Under Vote,B\n"
        "3,A|B,,\n"
        "4,A=B,C,\n"
    )
    p = parse_csv(text)
    a, b = p.candidates.index("A"), p.candidates.index("B")
    c = p.candidates.index("C")
    assert _rows(p) == {
        (OVERVOTE, a, b): 1,
        (a, SKIPPED, b): 1,
        (overvote_mark(0), SKIPPED, SKIPPED): 1,  # A|B names its candidates
        (overvote_mark(0), c, SKIPPED): 1,  # A=B: the same set
    }
    assert p.overvotes == ((a, b),)


def test_csv_duplicate_rank_columns_are_refused() -> None:
    with pytest.raises(BallotFileError) as err:
        parse_csv("rank1,Rank 1,rank2\nA,B,C\n")
    assert err.value.line == 1
    assert "rank 1" in str(err.value)


# --- Dominion Democracy Suite CVR export -------------------------------------------------


def _dominion_mark(candidate: int, rank: int, **extra: Any) -> dict[str, Any]:
    mark: dict[str, Any] = {
        "CandidateId": candidate,
        "ManifestationId": 3400 + candidate,
        "PartyId": 0,
        "Rank": rank,
        "MarkDensity": 100,
        "IsAmbiguous": False,
        "IsVote": True,
        "OutstackConditionIds": [],
    }
    mark.update(extra)
    return mark


def _session(record: int, marks: list[dict[str, Any]], **version: Any) -> dict[str, Any]:
    card = {
        "Id": 1034,
        "KeyInId": 1034,
        "PaperIndex": 0,
        "Contests": [
            {"Id": 4, "ManifestationId": 456, "Undervotes": 0, "Overvotes": 0, "Marks": []},
            {"Id": 7, "ManifestationId": 457, "Undervotes": 0, "Overvotes": 0, "Marks": marks},
        ],
        "OutstackConditionIds": [],
    }
    session: dict[str, Any] = {
        "TabulatorId": 92200,
        "BatchId": 113,
        "RecordId": record,
        "CountingGroupId": 2,
        "SessionType": "ScannedVote",
        "Original": {
            "PrecinctPortionId": 424,
            "BallotTypeId": 25,
            "IsCurrent": True,
            "Cards": [card],
        },
    }
    session.update(version)
    return session


def _dominion_export(folder: Path, sessions: list[dict[str, Any]], parts: int = 1) -> Path:
    folder.mkdir()
    contests = [
        {"Description": "U.S. President", "Id": 4, "VoteFor": 1, "NumOfRanks": 0},
        {"Description": "U.S. Representative", "Id": 7, "VoteFor": 1, "NumOfRanks": 4},
    ]
    candidates = [
        {"Description": "Trump/Vance", "Id": 543, "ContestId": 4, "Type": "Regular"},
        {"Description": "Begich, Nick", "Id": 517, "ContestId": 7, "Type": "Regular"},
        {"Description": "Peltola, Mary S.", "Id": 518, "ContestId": 7, "Type": "Regular"},
        {"Description": "Howe, John Wayne", "Id": 520, "ContestId": 7, "Type": "Regular"},
        {"Description": "Write-in", "Id": 476, "ContestId": 7, "Type": "WriteIn"},
    ]
    for name, items in (("ContestManifest", contests), ("CandidateManifest", candidates)):
        (folder / f"{name}.json").write_text(json.dumps({"Version": "5.17.18.1", "List": items}))
    size = -(-len(sessions) // parts)
    for p in range(parts):
        export = {
            "Version": "5.17.18.1",
            "ElectionId": "2024 General Election",
            "Sessions": sessions[p * size : (p + 1) * size],
        }
        (folder / f"CvrExport_{p + 1}.json").write_text(json.dumps(export))
    return folder


def test_dominion_export_reads_the_adjudicated_marks_of_one_contest(tmp_path: Path) -> None:
    begich, peltola, howe, write_in = 517, 518, 520, 476
    sessions = [
        _session(1, [_dominion_mark(peltola, 1), _dominion_mark(begich, 2)]),
        _session(2, [_dominion_mark(begich, 1), _dominion_mark(howe, 1)]),  # overvote
        _session(3, [_dominion_mark(howe, 1), _dominion_mark(peltola, 3)]),  # rank 2 skipped
        # a faint mark the scanner did not count
        _session(
            4,
            [
                _dominion_mark(begich, 1),
                _dominion_mark(write_in, 2, IsAmbiguous=True, IsVote=False),
            ],
        ),
    ]
    # adjudication turned session 5's ambiguous Howe mark into a vote
    fixed = _session(5, [_dominion_mark(howe, 1)])
    sessions.append(
        _session(
            5,
            [_dominion_mark(howe, 1, IsVote=False, IsAmbiguous=True)],
            Modified=fixed["Original"],
        )
    )
    folder = _dominion_export(tmp_path / "export", sessions, parts=2)
    p = load_profile(folder, contest="U.S. Representative")
    assert p.candidates == ("Begich, Nick", "Peltola, Mary S.", "Howe, John Wayne", "Write-in")
    b, pe, h = 0, 1, 2
    assert _rows(p) == {
        (pe, b, SKIPPED): 1,
        (overvote_mark(0), SKIPPED, SKIPPED): 1,  # the two candidates marked first
        (h, SKIPPED, pe): 1,
        (b, SKIPPED, SKIPPED): 1,
        (h, SKIPPED, SKIPPED): 1,
    }
    assert p.overvotes == ((b, h),)
    # one part of a split export is read alone: 3 of the 5 sessions
    assert load_profile(folder / "CvrExport_1.json", contest="7").n_voters == 3
    with pytest.raises(BallotFileError, match=r"4 \(U.S. President\), 7 \(U.S. Representative\)"):
        load_profile(folder)


def test_dominion_malformed_mark_names_the_part_the_session_and_the_field(tmp_path: Path) -> None:
    sessions = [_session(1, [_dominion_mark(517, 1)]), _session(2, [_dominion_mark(999, 1)])]
    folder = _dominion_export(tmp_path / "export", sessions)
    with pytest.raises(TallyCommandError) as err:
        run(_options(folder, contest="7"))
    assert (
        "CvrExport_1.json, Sessions 2 (tabulator 92200, batch 113, record 2), contest 7, "
        "field 'CandidateId': 999 is not a candidate of this contest"
    ) in str(err.value)
    (folder / "CandidateManifest.json").unlink()
    with pytest.raises(TallyCommandError, match="CandidateManifest.json is missing"):
        run(_options(folder, contest="7"))


def test_kenes_tally_command_line_takes_format_and_contest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = _write(tmp_path / "report.cdf", _report([_ranked(1, "b"), _ranked(2, "b", "a")]))
    code = main([str(f), "--method", "irv", "--format", "nist", "--contest", "mayor", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["winners"] == ["Candidate B"]
    code = main([str(f), "--method", "irv", "--format", "nist"])
    assert code == 1
    assert "choose one contest with --contest" in capsys.readouterr().err


def test_dominion_export_read_as_nist_says_which_format_it_is(tmp_path: Path) -> None:
    folder = _dominion_export(tmp_path / "export", [_session(1, [_dominion_mark(517, 1)])])
    renamed = folder / "results.json"
    (folder / "CvrExport_1.json").rename(renamed)
    with pytest.raises(BallotFileError, match="use --format dominion"):
        load_profile(renamed)
    assert load_profile(renamed, "dominion", contest="7").n_voters == 1
