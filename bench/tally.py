"""Benchmark `kenes tally` against peers on one big profile: pref_voting (Schulze, ranked
pairs, IRV), votekit (STV: FastSTV) and svvamp (Schulze, ranked pairs, IRV).

    .venv/bin/python -m bench.tally                      # 1,000,000 ballots, 10 candidates
    .venv/bin/python -m bench.tally --ballots 100000     # a quick look
    .venv/bin/python -m bench.tally --methods stv --peers votekit

Peers: `.venv/bin/pip install -r bench/requirements.txt`. One truncated profile (random ranking
lengths 1-10, Plackett-Luce orders, hundreds of thousands of distinct orders at 1M ballots) is
written as a BLT file. For each method and each peer that has it (STV: Kenes' Scottish rules,
3 seats, against votekit's FastSTV, fractional transfer, Droop quota):
(a) end to end — the `kenes tally FILE --json` process (the median of --kenes-runs runs, 3;
each is under a second) against a peer process that reads the
same BLT with plain Python (identical lines merged; no peer has a BLT reader) into its own
profile and counts; (b) counting alone from data already in memory: for Kenes the method on the
built Profile (distinct orders + counts in numpy); for pref_voting, building its
ProfileWithTies from the distinct rankings + counts (where it computes its margins) plus the
method; for votekit, FastSTV on its RankProfile already built (the build time is printed
apart); for svvamp, its Profile from the per-voter utility matrix (svvamp has no weights) plus
the rule. svvamp's ranked rules need strict orders: it orders each ballot's unranked candidates
at random, so it counts a completed profile (no exhausted ballots), not quite the same
election. Peak memory is GNU time's maximum resident set of each process. Each peer run has a
time limit; a peer that hits it is reported as "> limit". Prints a table of seconds, peak MB,
ratios, and the winners (0-based) of Kenes and of the peer.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

PY = sys.executable

# Each peer script reads the BLT its own fastest way (none of the three has a BLT reader: plain
# Python, identical lines merged), counts, and prints one JSON line: winners as 0-based
# candidate numbers and the seconds of counting alone from the data already in memory.
READ_BLT = r"""
import json, sys, time
from collections import Counter
path, method = sys.argv[1], sys.argv[2]
lines = open(path).read().splitlines()
n = int(lines[0].split()[0])
merged = Counter()
i = 1
while lines[i].strip() != "0":
    parts = lines[i].split()
    merged[tuple(int(c) - 1 for c in parts[1:-1])] += int(parts[0])
    i += 1
"""

PREF_VOTING = (
    READ_BLT
    + r"""
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting import voting_methods as vm
rankings = [{c: r for r, c in enumerate(order, 1)} for order in merged]
start = time.perf_counter()
profile = ProfileWithTies(rankings, rcounts=list(merged.values()), candidates=list(range(n)))
profile.use_extended_strict_preference()
winners = getattr(vm, method)(profile)
print(json.dumps({"winners": sorted(winners), "count_s": time.perf_counter() - start}))
"""
)

VOTEKIT = (
    READ_BLT
    + r"""
from votekit import RankBallot, RankProfile
from votekit.elections import FastSTV
seats = int(sys.argv[3])
names = [str(c) for c in range(n)]
ballots = [
    RankBallot(ranking=tuple(frozenset({names[c]}) for c in order), weight=w)
    for order, w in merged.items()
]
t = time.perf_counter()
profile = RankProfile(ballots=ballots, candidates=names, max_ranking_length=n)
build = time.perf_counter() - t
start = time.perf_counter()
election = FastSTV(profile, n_seats=seats, tiebreak="random", rng_seed=1)
winners = sorted(int(c) for s in election.get_elected() for c in s)
print(json.dumps({"winners": winners, "count_s": time.perf_counter() - start, "build_s": build}))
"""
)

SVVAMP = (
    READ_BLT
    + r"""
import numpy as np
import svvamp
orders = list(merged)
# svvamp takes one row of utilities per voter, without weights: unranked candidates share the
# lowest utility, and svvamp orders such ties at random (once) for its ranked rules
ut = np.zeros((len(orders), n))
for row, order in enumerate(orders):
    ut[row, list(order)] = np.arange(n, n - len(order), -1)
ut = np.repeat(ut, list(merged.values()), axis=0)
np.random.seed(1)
start = time.perf_counter()
profile = svvamp.Profile(preferences_ut=ut)
winner = getattr(svvamp, method)()(profile).w_
print(json.dumps({"winners": [int(winner)], "count_s": time.perf_counter() - start}))
"""
)

# peer -> (script, {kenes method: the peer's method})
PEERS = {
    "pref_voting": (
        PREF_VOTING,
        {"schulze": "beat_path", "ranked-pairs": "ranked_pairs", "irv": "instant_runoff"},
    ),
    "votekit": (VOTEKIT, {"stv": "FastSTV"}),
    "svvamp": (
        SVVAMP,
        {"schulze": "RuleSchulze", "ranked-pairs": "RuleRankedPairs", "irv": "RuleIRV"},
    ),
}
STV_SEATS = 3


def make_profile(ballots: int, candidates: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Plackett-Luce orders with Zipf-like weights, truncated to a uniform random length."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, candidates + 1) ** 0.7
    keys = rng.gumbel(size=(ballots, candidates)) + np.log(weights)
    orders = np.argsort(-keys, axis=1)
    lengths = rng.integers(1, candidates + 1, size=ballots)
    return orders, lengths


def write_blt(path: Path, orders: np.ndarray, lengths: np.ndarray, candidates: int) -> None:
    with open(path, "w", newline="") as f:
        f.write(f"{candidates} 1\r\n")
        for row, k in zip((orders + 1).tolist(), lengths.tolist(), strict=True):
            f.write("1 " + " ".join(map(str, row[:k])) + " 0\r\n")
        f.write("0\r\n")
        for c in range(candidates):
            f.write(f'"C{c + 1}"\r\n')
        f.write('"bench"\r\n')


def run(cmd: list[str], limit: float) -> tuple[float | None, float, str]:
    """Wall seconds (None on timeout), peak resident MB (GNU time) and the last output.

    The process gets no Django settings from this one's environment: `kenes tally` runs as
    a user runs it.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    start = time.perf_counter()
    timed = ["/usr/bin/time", "-f", "%M", *cmd]
    proc = subprocess.Popen(
        timed, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, float("nan"), "timeout"
    elapsed = time.perf_counter() - start
    try:
        mb = int(err.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        mb = float("nan")
    return elapsed, mb, out.strip()[-200:]


def _peer_result(out: str) -> dict[str, Any] | None:
    try:
        return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]
    except (ValueError, IndexError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=float, default=600.0, help="seconds per peer run")
    parser.add_argument("--methods", default="schulze,ranked-pairs,irv,stv")
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument(
        "--kenes-runs", type=int, default=3, help="kenes e2e: the median of this many runs"
    )
    args = parser.parse_args()
    from kenes.core.tally import count, load_profile

    orders, lengths = make_profile(args.ballots, args.candidates, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        blt = Path(tmp) / "bench.blt"
        write_blt(blt, orders, lengths, args.candidates)
        t = time.perf_counter()
        profile = load_profile(blt)
        load_s = time.perf_counter() - t
        print(
            f"{args.ballots:,} ballots, {args.candidates} candidates, "
            f"{profile.ranks.shape[0]:,} distinct orders; BLT {blt.stat().st_size / 1e6:.0f} MB; "
            f"Kenes load {load_s:.2f} s"
        )
        print(
            "| method | peer | kenes e2e s | kenes MB | peer e2e s | peer MB | e2e peer/kenes "
            "| kenes count s | peer count s | count peer/kenes | winners kenes / peer |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")

        def fmt(x: float | None) -> str:
            return f"> {args.limit:.0f}" if x is None else f"{x:.2f}"

        def ratio(a: float | None, b: float | None) -> str:
            return f"> {args.limit / b:.0f}×" if a is None and b else f"{(a or 0) / (b or 1):.1f}×"

        for method in args.methods.split(","):
            seats = STV_SEATS if method == "stv" else None
            kenes_cmd = [PY, "-m", "kenes", "tally", str(blt), "--method", method, "--json"]
            if seats:
                kenes_cmd += ["--seats", str(seats)]
            runs = [run(kenes_cmd, args.limit) for _ in range(args.kenes_runs)]
            k_s, k_mb, _ = sorted(runs, key=lambda r: float("inf") if r[0] is None else r[0])[
                len(runs) // 2
            ]
            t = time.perf_counter()
            result = count(profile, method, seed=1, seats=seats)
            k_count = time.perf_counter() - t
            k_winners = sorted(result.winners)
            peers = [p for p in args.peers.split(",") if method in PEERS[p][1]]
            if not peers:
                print(
                    f"| {method} | none | {fmt(k_s)} | {k_mb:.0f} | | | | {k_count:.3f} | | | "
                    f"{k_winners} |",
                    flush=True,
                )
            for peer in peers:
                script, names = PEERS[peer]
                peer_file = Path(tmp) / f"{peer}_peer.py"
                peer_file.write_text(script)
                peer_cmd = [PY, str(peer_file), str(blt), names[method], str(seats or 1)]
                p_s, p_mb, p_out = run(peer_cmd, args.limit)
                got = _peer_result(p_out) if p_s is not None else None
                if p_s is not None and got is None:
                    print(f"| {method} | {peer} failed: {p_out or 'no output'} |", flush=True)
                    continue
                p_count = None if got is None else float(got["count_s"])
                agree = "" if got is None else f"{k_winners} / {got['winners']}"
                if got is not None and got["winners"] != k_winners:
                    agree += " DIFFER"
                print(
                    f"| {method} | {peer} | {fmt(k_s)} | {k_mb:.0f} | {fmt(p_s)} | {p_mb:.0f} | "
                    f"{ratio(p_s, k_s)} | {k_count:.3f} | {fmt(p_count)} | "
                    f"{ratio(p_count, k_count)} | {agree} |",
                    flush=True,
                )
                if got is not None and "build_s" in got:
                    print(f"  ({peer}: building its profile in memory {got['build_s']:.2f} s)")


if __name__ == "__main__":
    main()
