"""Projection benchmark: Kenes' vectorised Monte-Carlo beside a plain per-draw loop.

    cd /work/main && .venv/bin/python -m bench.seats [--draws N] [--peer-draws M] [--repeat K]

The same 12-party poll is projected under the Kazakh rules (kz-majilis-2023, 69 seats, 5 %,
Hare largest remainder; kz-majilis-2012 with the runner-up rule) and Austria's (183 seats,
D'Hondt, 4 %):
  kenes       kenes.core.seats.projection.project(poll, rules, draws=N)  (draws + allocation +
              summary, in this process)
  peer-loop   the same draws, one `apportionment.methods.compute(...)` call per draw (threshold
              applied by hand), then the same summary; run on M draws and scaled to N
The per-draw seats of both are compared on the peer's draws. Ratios are peer ÷ Kenes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from apportionment import methods as peer

from kenes.core.seats import load_seat_rules
from kenes.core.seats.polls import PollFigure, ShareModel, draw_shares, pool_polls
from kenes.core.seats.projection import project
from kenes.core.seats.vectorised import DrawRules, allocate_draws

OUT = Path(__file__).resolve().parent / "out"
SHARES = [30, 14, 10, 8, 7, 6, 5, 4.5, 4, 3, 2.5, 2]
PEER_METHOD = {"hare": "hamilton", "dhondt": "dhondt"}


def _peer_loop(shares: np.ndarray, listed: int, rules_id: str) -> np.ndarray:
    rules = load_seat_rules(rules_id)
    assert rules.threshold is not None
    percent = float(rules.threshold.percent) / 100
    seats = np.zeros((shares.shape[0], listed), dtype=np.int64)
    for row in range(shares.shape[0]):
        votes = shares[row, :listed]
        total = shares[row].sum()
        admitted = [v if v >= percent * total else 0.0 for v in votes]
        seats[row] = peer.compute(PEER_METHOD[rules.method.value], admitted, rules.seats)
    return seats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--peer-draws", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    figures = [PollFigure(f"P{i}", s / 100, sample_size=1_200) for i, s in enumerate(SHARES)]
    poll = pool_polls(figures)
    listed = len(SHARES)
    rows = []
    cases = [
        ("kz-majilis-2023", ShareModel.DIRICHLET),
        ("kz-majilis-2023", ShareModel.LOGISTIC_NORMAL),
        ("kz-majilis-2012", ShareModel.DIRICHLET),
        ("at-nationalrat", ShareModel.DIRICHLET),
    ]
    for rules_id, model in cases:
        rules = load_seat_rules(rules_id)
        kenes_s = []
        for round_ in range(args.repeat):
            start = time.perf_counter()
            project(poll, rules, draws=args.draws, seed=args.seed + round_, model=model)
            kenes_s.append(time.perf_counter() - start)
        peer_s = None
        agree = None
        if rules.runner_up is None:
            shares = draw_shares(poll, args.peer_draws, model, np.random.default_rng(args.seed))
            start = time.perf_counter()
            theirs = _peer_loop(shares, listed, rules_id)
            peer_s = (time.perf_counter() - start) * args.draws / args.peer_draws
            dr = DrawRules(rules.seats, rules.method, rules.threshold, rules.runner_up)
            ours, _ = allocate_draws(shares, poll.seat_eligible, None, dr)
            agree = float((ours[:, :listed] == theirs).all(axis=1).mean())
        kenes_median = statistics.median(kenes_s)
        rows.append(
            {
                "rules": rules_id,
                "model": model.value,
                "draws": args.draws,
                "parties": listed,
                "kenes_s": round(kenes_median, 3),
                "kenes_min_max": [round(min(kenes_s), 3), round(max(kenes_s), 3)],
                "peer_loop_s_scaled": None if peer_s is None else round(peer_s, 1),
                "peer_over_kenes": None if peer_s is None else round(peer_s / kenes_median, 1),
                "same_seats_share": agree,
            }
        )
    print(
        f"{'rules':17} {'model':16} {'draws':>9} {'kenes s':>8} {'(min-max)':>13} "
        f"{'peer s':>8} {'peer/kenes':>10} {'same':>6}"
    )
    for r in rows:
        peer_text = "-" if r["peer_loop_s_scaled"] is None else f"{r['peer_loop_s_scaled']:.1f}"
        ratio = "-" if r["peer_over_kenes"] is None else f"{r['peer_over_kenes']:.0f}x"
        same = "-" if r["same_seats_share"] is None else f"{r['same_seats_share']:.4f}"
        low, high = r["kenes_min_max"]
        print(
            f"{r['rules']:17} {r['model']:16} {r['draws']:>9} {r['kenes_s']:>8.2f} "
            f"{f'({low:.2f}-{high:.2f})':>13} {peer_text:>8} {ratio:>10} {same:>6}"
        )
    OUT.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (OUT / f"seats-{stamp}.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
