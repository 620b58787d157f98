"""Benchmark: Kenes' consensus engine against red-dwarf (Pol.is in Python), side by side.

Each measurement runs in a fresh process on the same data: a synthetic conversation
with planted groups (`kenes.core.consensus.synthetic`) saved once as arrays, and the
real Bowling Green conversation (../shared/data/polis). Timed: from the vote arrays
(Kenes) or the vote records (red-dwarf) to groups, representative statements and
consensus; at full size also `kenes-csv`, from a Pol.is export folder written as
`comments.csv` + `votes.csv` (reading included). Peak memory: `ru_maxrss` of the
worker, and its growth over the resident size just before the timed call.
See bench/README.md.

    .venv/bin/python -m bench.consensus                 # ladder + 100k × 2,000 × 5M (~4 min)
    .venv/bin/python -m bench.consensus --sizes 10000x500x250000 --no-full
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BOWLING_GREEN = ROOT.parent / "shared" / "data" / "polis" / "american-assembly.bowling-green"
LADDER = ("10000x500x250000", "30000x1000x1500000")
FULL = "100000x2000x5000000"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _load(data: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int], np.ndarray | None]:
    """rows, cols, votes, moderated-out statement indices, planted groups (None if real)."""
    if data == "bowling-green":
        from kenes.core.consensus import read_polis_export

        matrix = read_polis_export(BOWLING_GREEN)
        out = [j for j, s in enumerate(matrix.statements) if s.moderated == -1]
        return matrix.rows, matrix.cols, matrix.votes, out, None
    arrays = np.load(data)
    return arrays["rows"], arrays["cols"], arrays["votes"], [], arrays["groups"]


def worker(tool: str, data: str, labels_path: str, seed: int) -> None:
    """Run one tool once and print one JSON line."""
    if tool == "kenes-csv":
        from kenes.core.consensus import analyse, read_polis_export

        baseline = _rss_mb()
        start = time.perf_counter()
        analysis = analyse(read_polis_export(data), seed=seed)
        seconds = time.perf_counter() - start
        # Participant ids are 0..n-1 in the export; put labels back in that order.
        labels = np.full(len(analysis.matrix.participants), -1, dtype=np.int64)
        ids = np.array(analysis.matrix.participants, dtype=np.int64)
        labels[ids] = analysis.group_of_participant()
        consensus = [int(c.statement) for c in analysis.consensus[:5]]
        _report(labels_path, labels, seconds, baseline, consensus)
        return
    rows, cols, votes, moderated_out, _ = _load(data)
    n, m = int(rows.max()) + 1, int(cols.max()) + 1
    if tool == "kenes":
        from kenes.core.consensus import Statement, VoteMatrix, analyse

        statements = [Statement(str(j), "", -1 if j in moderated_out else 1) for j in range(m)]
        participants = [str(i) for i in range(n)]
        baseline = _rss_mb()
        start = time.perf_counter()
        matrix = VoteMatrix.build(participants, statements, rows, cols, votes)
        analysis = analyse(matrix, seed=seed)
        seconds = time.perf_counter() - start
        labels = analysis.group_of_participant()
        consensus = [int(c.statement) for c in analysis.consensus[:5]]
    else:
        from reddwarf.implementations.polis import run_pipeline

        records = [
            {"participant_id": int(r), "statement_id": int(c), "vote": int(v), "modified": 0}
            for r, c, v in zip(rows.tolist(), cols.tolist(), votes.tolist(), strict=True)
        ]
        del rows, cols, votes
        baseline = _rss_mb()
        start = time.perf_counter()
        result = run_pipeline(votes=records, mod_out_statement_ids=moderated_out, random_state=seed)
        seconds = time.perf_counter() - start
        clusters = result.participants_df["cluster_id"]
        labels = np.full(n, -1, dtype=np.int64)
        known = clusters.dropna()
        labels[known.index.to_numpy(dtype=np.int64)] = known.to_numpy(dtype=np.int64)
        agree = result.group_aware_consensus["agree"]
        consensus = [int(k) for k, _ in sorted(agree.items(), key=lambda kv: -kv[1])[:5]]
    _report(labels_path, labels, seconds, baseline, consensus)


def _report(
    labels_path: str, labels: np.ndarray, seconds: float, baseline: float, consensus: list[int]
) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    np.save(labels_path, labels)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak,
                "growth_mb": peak - baseline,
                "groups": int(labels.max()) + 1,
                "consensus": consensus,
            }
        )
    )


def _write_polis_folder(
    folder: Path, rows: np.ndarray, cols: np.ndarray, votes: np.ndarray
) -> None:
    """A Pol.is export folder (comments.csv + votes.csv, one event per vote, shuffled)."""
    folder.mkdir()
    statements = int(cols.max()) + 1
    with (folder / "comments.csv").open("w") as handle:
        handle.write(
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        )
        handle.writelines(f"0,x,{j},0,0,0,1,Statement {j}\n" for j in range(statements))
    order = np.random.default_rng(0).permutation(rows.size)
    with (folder / "votes.csv").open("w") as handle:
        handle.write("timestamp,datetime,comment-id,voter-id,vote\n")
        handle.writelines(
            f"{t},x,{c},{r},{v}\n"
            for t, r, c, v in zip(
                range(rows.size),
                rows[order].tolist(),
                cols[order].tolist(),
                votes[order].tolist(),
                strict=True,
            )
        )


def _run(tool: str, data: str, seed: int, work: Path, timeout: float) -> dict[str, object]:
    labels_path = str(work / f"labels-{tool}.npy")
    command = [sys.executable, "-m", "bench.consensus", "--worker", tool, "--data", data]
    command += ["--labels", labels_path, "--seed", str(seed)]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["labels"] = np.load(labels_path)
    return result


def _ari(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    both = (a >= 0) & (b >= 0)
    return float(adjusted_rand_score(a[both], b[both]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["kenes", "kenes-csv", "reddwarf"])
    parser.add_argument("--data")
    parser.add_argument("--labels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes", default=",".join(LADDER), help="PxSxV,... (both tools)")
    parser.add_argument("--no-full", action="store_true", help=f"skip {FULL}")
    parser.add_argument(
        "--peer-full", action="store_true", help=f"also run red-dwarf on {FULL} (many GB)"
    )
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (data, labels)")
    options = parser.parse_args()
    if options.worker:
        worker(options.worker, options.data, options.labels, options.seed)
        return

    from kenes.core.consensus.synthetic import planted_conversation

    work = Path(tempfile.mkdtemp(prefix="kenes-bench-consensus-"))
    cases: list[tuple[str, str, bool]] = [("bowling-green", "bowling-green", True)]
    sizes = [s for s in options.sizes.split(",") if s]
    cases += [(size, "", True) for size in sizes]
    if not options.no_full:
        cases.append((FULL, "", options.peer_full))
    header = (
        f"{'data':>22} {'tool':>9} {'seconds':>8} {'peak MB':>8} {'growth MB':>9} "
        f"{'groups':>6} {'ARI planted':>11} {'ARI peer':>8} {'peer/Kenes s':>12} {'MB':>6}"
    )
    print(header)
    records = []
    for name, _, with_peer in cases:
        planted = None
        data = name
        if name != "bowling-green":
            p, s, v = (int(x) for x in name.split("x"))
            conversation = planted_conversation(p, s, v, 3, seed=options.seed)
            data = str(work / f"{name}.npz")
            matrix = conversation.matrix
            np.savez(
                data,
                rows=matrix.rows,
                cols=matrix.cols,
                votes=matrix.votes,
                groups=conversation.groups,
            )
            planted = conversation.groups
            if name == FULL:
                _write_polis_folder(work / "polis-full", matrix.rows, matrix.cols, matrix.votes)
            del conversation, matrix
        tools = ["kenes", "reddwarf"] if with_peer else ["kenes"]
        results = {t: _run(t, data, options.seed, work, options.timeout) for t in tools}
        if name == FULL:
            tools.insert(1, "kenes-csv")
            results["kenes-csv"] = _run(
                "kenes-csv", str(work / "polis-full"), options.seed, work, options.timeout
            )
        for tool in tools:
            r = results[tool]
            if "error" in r:
                print(f"{name:>22} {tool:>9}  {r['error']}")
                continue
            labels = r["labels"]
            assert isinstance(labels, np.ndarray)
            ari_planted = f"{_ari(planted, labels):.3f}" if planted is not None else "-"
            ratio_s = ratio_mb = ari_peer = ""
            if tool == "reddwarf" and "error" not in results["kenes"]:
                kenes = results["kenes"]
                ratio_s = f"{float(r['seconds']) / float(kenes['seconds']):.2f}"  # type: ignore[arg-type]
                ratio_mb = f"{float(r['peak_mb']) / float(kenes['peak_mb']):.2f}"  # type: ignore[arg-type]
                ari_peer = f"{_ari(kenes['labels'], labels):.3f}"  # type: ignore[arg-type]
            print(
                f"{name:>22} {tool:>9} {float(r['seconds']):8.2f} {float(r['peak_mb']):8.0f} "
                f"{float(r['growth_mb']):9.0f} {r['groups']!s:>6} {ari_planted:>11} "
                f"{ari_peer:>8} {ratio_s:>12} {ratio_mb:>6}"
            )
            records.append(
                {"data": name, "tool": tool, **{k: v for k, v in r.items() if k != "labels"}}
            )
        sys.stdout.flush()
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"consensus-{stamp}.json").write_text(json.dumps(records, indent=1))
    print(f"\nRaw results: bench/out/consensus-{stamp}.json")
    if options.keep:
        print(f"Work folder kept: {work}")
    else:
        shutil.rmtree(work)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
