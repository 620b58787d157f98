"""Benchmark `kenes tally` against pref_voting (Schulze, ranked pairs, IRV) on one big profile.

    .venv/bin/python -m bench.tally                      # 1,000,000 ballots, 10 candidates
    .venv/bin/python -m bench.tally --ballots 100000     # a quick look

One truncated profile (random ranking lengths 1-10, Plackett-Luce orders, hundreds of
thousands of distinct orders at 1M ballots) is written as a BLT file. For each method
(STV: Scottish rules, 3 seats, Kenes only — votekit's FastSTV is not installed here):
(a) end to end — the `kenes tally FILE --json` process against a peer process that reads the
same BLT with plain Python (identical lines merged) into pref_voting's ProfileWithTies and
counts; (b) counting alone from data already in memory: for Kenes the method on the built
Profile (distinct orders + counts in numpy); for the peer, building its ProfileWithTies from the
distinct rankings + counts already in memory (where it computes its margins) plus the method.
Peak memory is GNU time's maximum resident set of each process. Each peer run has a time limit; a
peer that hits it is reported as "> limit". Prints a table of seconds, peak MB and ratios.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PY = sys.executable
METHODS = {"schulze": "beat_path", "ranked-pairs": "ranked_pairs", "irv": "instant_runoff"}

PEER = r"""
import sys, time
from collections import Counter
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting import voting_methods as vm
path, method = sys.argv[1], sys.argv[2]
lines = open(path).read().splitlines()
n = int(lines[0].split()[0])
merged = Counter()
i = 1
while lines[i].strip() != "0":
    parts = lines[i].split()
    merged[tuple(parts[1:-1])] += int(parts[0])
    i += 1
rankings = [{int(c) - 1: r for r, c in enumerate(order, 1)} for order in merged]
start = time.perf_counter()
profile = ProfileWithTies(rankings, rcounts=list(merged.values()), candidates=list(range(n)))
profile.use_extended_strict_preference()
winners = getattr(vm, method)(profile)
print(winners, time.perf_counter() - start)
"""


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
    """Wall seconds (None on timeout), peak resident MB (GNU time) and the last output."""
    start = time.perf_counter()
    timed = ["/usr/bin/time", "-f", "%M", *cmd]
    proc = subprocess.Popen(timed, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=float, default=600.0, help="seconds per peer run")
    parser.add_argument("--methods", default="schulze,ranked-pairs,irv,stv")
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
        peer_file = Path(tmp) / "peer.py"
        peer_file.write_text(PEER)
        print(
            "| method | kenes e2e s | kenes MB | peer e2e s | peer MB | e2e peer/kenes "
            "| kenes count s | peer count s | count peer/kenes |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for method in args.methods.split(","):
            kenes_cmd = [PY, "-m", "kenes", "tally", str(blt), "--method", method, "--json"]
            if method == "stv":
                kenes_cmd += ["--seats", "3"]
            k_s, k_mb, _ = run(kenes_cmd, args.limit)
            t = time.perf_counter()
            count(profile, method, seed=1, seats=3 if method == "stv" else None)
            k_count = time.perf_counter() - t
            if method not in METHODS:
                print(
                    f"| {method} | {k_s:.2f} | {k_mb:.0f} | no peer run | | | {k_count:.3f} | | |",
                    flush=True,
                )
                continue
            peer_cmd = [PY, str(peer_file), str(blt), METHODS[method]]
            p_s, p_mb, p_out = run(peer_cmd, args.limit)
            try:
                p_count = float(p_out.split()[-1]) if p_s is not None else None
            except (ValueError, IndexError):
                print(f"| {method} | peer failed: {p_out or 'no output'} |")
                continue

            def fmt(x: float | None) -> str:
                return f"> {args.limit:.0f}" if x is None else f"{x:.2f}"

            def ratio(a: float | None, b: float | None) -> str:
                return (
                    f"> {args.limit / b:.0f}×" if a is None and b else f"{(a or 0) / (b or 1):.1f}×"
                )

            print(
                f"| {method} | {fmt(k_s)} | {k_mb:.0f} | {fmt(p_s)} | {p_mb:.0f} | "
                f"{ratio(p_s, k_s)} | {k_count:.3f} | {fmt(p_count)} | {ratio(p_count, k_count)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
