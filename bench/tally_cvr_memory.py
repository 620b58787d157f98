"""Cast-vote records stream: a 1,000,000-ballot CVR counts in less memory than the file.

    .venv/bin/python -m bench.tally_cvr_memory                    # 1,000,000 ballots, ~5 min
    .venv/bin/python -m bench.tally_cvr_memory --ballots 100000   # a quick look
    .venv/bin/python -m bench.tally_cvr_memory --formats nist-xml --keep /tmp/cvr

Writes one election of N ballots (10 candidates; each ballot ranks 1-4 of them, a few with a
skipped rank or an overvote, ~2,000 distinct ballots) to a temporary folder in three published
layouts: NIST CVR CDF JSON (one CVR object per ballot, as RCTab writes it), NIST CVR CDF XML
(the standard's schema, with its namespace) and a rank-column CSV (one row per ballot). Each
file is then read and counted (IRV) by `kenes.core.tally` in a child process; the child's peak
resident set (ru_maxrss from wait4) is compared with the file's size. The peer is the file size
itself; for the JSON also `json.load` of the same file (what a reader that does not stream
holds), and a child that only imports the tally package (the floor: Python, numpy, the
readers). Prints a table: size MB, seconds, peak MB, peak minus floor, peak / size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import numpy as np

from kenes.core.tally.formats.nist_cdf import cvr_object

PY = sys.executable
CANDIDATES = [f"Candidate {chr(65 + i)}" for i in range(10)]
RANKS = 4
NS = "http://itl.nist.gov/ns/voting/1500-103/v1"

COUNT = r"""
import json, sys, time
started = time.perf_counter()
from kenes.core.tally import count
from kenes.core.tally.formats import load_profile
profile = load_profile(sys.argv[1], sys.argv[2] or None, contest=sys.argv[3] or None)
result = count(profile, "irv", seed=0)
print(json.dumps({
    "voters": profile.n_voters,
    "distinct": int(profile.counts.size),
    "winner": [profile.candidates[w] for w in result.winners],
    "seconds": time.perf_counter() - started,
}))
"""
FLOOR = "import kenes.core.tally, kenes.core.tally.formats, numpy"
JSON_LOAD = "import json, sys; json.load(open(sys.argv[1], encoding='utf-8'))"

# a ballot: its positions, each a tuple of candidate numbers (() skipped, 2+ an overvote)
Ballot = tuple[tuple[int, ...], ...]


def ballot_pool(rng: np.random.Generator, size: int = 2000) -> list[Ballot]:
    # 10 candidates ranked 1-4 deep allow 5,860 strict ballots: 2,000 are found quickly
    pool: set[Ballot] = set()
    while len(pool) < size:
        length = int(rng.integers(1, RANKS + 1))
        order = [int(c) for c in rng.permutation(len(CANDIDATES))[:length]]
        ballot: list[tuple[int, ...]] = [(c,) for c in order]
        kind = rng.random()
        if kind < 0.03 and length < RANKS:
            ballot.insert(1 if length > 1 else 0, ())  # a skipped rank
        elif kind < 0.05:
            spare = next(c for c in range(len(CANDIDATES)) if c not in order)
            ballot[0] = tuple(sorted((order[0], spare)))  # an overvote at rank 1
        pool.add(tuple(ballot))
    return sorted(pool)


def choose(rng: np.random.Generator, pool: list[Ballot], n: int) -> Iterator[Ballot]:
    weights = 1.0 / np.arange(1, len(pool) + 1) ** 0.8  # a few ballots are common
    picks = rng.choice(len(pool), size=n, p=weights / weights.sum())
    for i in picks:
        yield pool[int(i)]


def _json_cvr(number: int, ballot: Ballot) -> str:
    return json.dumps(cvr_object(number, ballot), separators=(",", ":"))


def write_json(out: IO[str], ballots: Iterator[Ballot]) -> None:
    election = {
        "@id": "election-1",
        "@type": "CVR.Election",
        "Candidate": [
            {"@id": f"c-{i + 1}", "@type": "CVR.Candidate", "Name": name}
            for i, name in enumerate(CANDIDATES)
        ],
        "Contest": [
            {
                "@id": "contest-1",
                "@type": "CVR.CandidateContest",
                "Name": "Mayor",
                "ContestSelection": [
                    {
                        "@id": f"cs-{i + 1}",
                        "@type": "CVR.CandidateSelection",
                        "CandidateIds": [f"c-{i + 1}"],
                    }
                    for i in range(len(CANDIDATES))
                ],
            }
        ],
        "ElectionScopeId": "gpu-1",
    }
    out.write('{"@type":"CVR.CastVoteRecordReport","CVR":[')
    for number, ballot in enumerate(ballots, start=1):
        out.write(("," if number > 1 else "") + _json_cvr(number, ballot))
    out.write('],"Election":' + json.dumps([election], separators=(",", ":")))
    out.write(',"GpUnit":[{"@id":"gpu-1","@type":"CVR.GpUnit","Type":"other"}],')
    out.write('"Version":"1.0.0"}')


def _xml_cvr(number: int, ballot: Ballot) -> str:
    selections = "".join(
        f"<CVRContestSelection><ContestSelectionId>cs-{c + 1}</ContestSelectionId>"
        "<SelectionPosition><HasIndication>yes</HasIndication><IsAllocable>yes</IsAllocable>"
        f"<NumberVotes>1</NumberVotes><Rank>{rank}</Rank></SelectionPosition>"
        "</CVRContestSelection>"
        for rank, group in enumerate(ballot, start=1)
        for c in group
    )
    return (
        f"<CVR><BallotPrePrintedId>{number}</BallotPrePrintedId>"
        f"<CurrentSnapshotId>ballot-{number}</CurrentSnapshotId>"
        f'<CVRSnapshot ObjectId="ballot-{number}"><CVRContest><ContestId>contest-1</ContestId>'
        f"{selections}</CVRContest><Type>original</Type></CVRSnapshot>"
        "<ElectionId>election-1</ElectionId></CVR>\n"
    )


def write_xml(out: IO[str], ballots: Iterator[Ballot]) -> None:
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<CastVoteRecordReport xmlns="{NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    )
    for number, ballot in enumerate(ballots, start=1):
        out.write(_xml_cvr(number, ballot))
    candidates = "".join(
        f'<Candidate ObjectId="c-{i + 1}"><Name>{name}</Name></Candidate>'
        for i, name in enumerate(CANDIDATES)
    )
    selections = "".join(
        f'<ContestSelection xsi:type="CandidateSelection" ObjectId="cs-{i + 1}">'
        f"<CandidateIds>c-{i + 1}</CandidateIds></ContestSelection>"
        for i in range(len(CANDIDATES))
    )
    out.write(
        f'<Election ObjectId="election-1">{candidates}'
        f'<Contest xsi:type="CandidateContest" ObjectId="contest-1">{selections}'
        "<Name>Mayor</Name></Contest><ElectionScopeId>gpu-1</ElectionScopeId></Election>\n"
        '<GpUnit ObjectId="gpu-1"><Type>other</Type></GpUnit><Version>1.0.0</Version>\n'
        "</CastVoteRecordReport>\n"
    )


def write_csv(out: IO[str], ballots: Iterator[Ballot]) -> None:
    out.write("Precinct," + ",".join(f"rank{r}" for r in range(1, RANKS + 1)) + "\n")
    for number, ballot in enumerate(ballots, start=1):
        cells = ["|".join(CANDIDATES[c] for c in group) for group in ballot]
        cells += [""] * (RANKS - len(cells))
        out.write(f"P-{number % 97},{','.join(cells)}\n")


WRITERS: dict[str, tuple[str, Callable[[IO[str], Iterator[Ballot]], None], str]] = {
    # format: (file name, writer, --contest)
    "nist": ("cvr.json", write_json, "Mayor"),
    "nist-xml": ("cvr.xml", write_xml, "Mayor"),
    "csv": ("cvr.csv", write_csv, ""),
}


def run_child(args: list[str]) -> tuple[str, float, int]:
    """Run a child Python; (its stdout, wall seconds, peak resident set in KB from wait4)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen([PY, *args], stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        assert child.stderr is not None
        error = child.stderr.read().decode()
        if child.returncode:
            raise SystemExit(f"child failed ({child.returncode}): {error}")
        out.seek(0)
        return out.read().decode(), seconds, int(usage.ru_maxrss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--formats", nargs="+", default=list(WRITERS), choices=list(WRITERS))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="kenes-cvr-"))
    folder.mkdir(parents=True, exist_ok=True)
    _, _, floor_kb = run_child(["-c", FLOOR])
    _, _, bare_kb = run_child(["-c", "import json"])
    print(f"{args.ballots:,} ballots; floor (Python, numpy, tally): {floor_kb / 1024:.0f} MB")
    header = (
        f"{'format':<10} {'file MB':>9} {'write s':>8} {'count s':>8} {'peak MB':>8} "
        f"{'- floor':>8} {'peak/file':>9}  winner / distinct"
    )
    print(header)
    try:
        for fmt in args.formats:
            name, writer, contest = WRITERS[fmt]
            path = folder / name
            started = time.perf_counter()
            rng = np.random.default_rng(args.seed)
            pool = ballot_pool(rng)
            with path.open("w", encoding="utf-8") as out:
                writer(out, choose(rng, pool, args.ballots))
            written = time.perf_counter() - started
            size = path.stat().st_size
            out_text, seconds, peak_kb = run_child(["-c", COUNT, str(path), fmt, contest])
            result = json.loads(out_text)
            assert result["voters"] == args.ballots, result
            peak = peak_kb * 1024
            print(
                f"{fmt:<10} {size / 2**20:>9.1f} {written:>8.1f} {seconds:>8.1f} "
                f"{peak / 2**20:>8.1f} {(peak_kb - floor_kb) / 1024:>8.1f} "
                f"{peak / size:>9.3f}  {result['winner']} / {result['distinct']}",
                flush=True,
            )
            if fmt == "nist":
                _, load_s, load_kb = run_child(["-c", JSON_LOAD, str(path)])
                print(
                    f"{'json.load':<10} {size / 2**20:>9.1f} {'':>8} {load_s:>8.1f} "
                    f"{load_kb / 1024:>8.1f} {(load_kb - bare_kb) / 1024:>8.1f} "
                    f"{load_kb * 1024 / size:>9.3f}  (the peer; its floor: bare Python)",
                    flush=True,
                )
            if args.keep is None:
                path.unlink()
    finally:
        if args.keep is None:
            for leftover in folder.iterdir():
                leftover.unlink()
            folder.rmdir()


if __name__ == "__main__":
    main()
