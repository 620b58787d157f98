"""Import benchmark: Kenes' member import side by side with django-import-export.

    cd /work/main && .venv/bin/python -m bench.import_members [--rows N]
        [--backends sqlite,postgres] [--repeat K] [--no-memory] [--keep]

One generated CSV (Russian headers, real check-digit IINs, ~10% defective
rows) is imported, each run in a fresh process into a fresh database, by
  kenes-import  `kenes members import FILE --group g --json` (check + seal + insert)
  peer-import   django-import-export `import_data(..., use_bulk)` into a plain model
  kenes-check   `kenes members check FILE --json` (no database)
and the table prints seconds, the process' peak RSS, and peer/Kenes ratios.
Then Kenes' import runs at N/4, N/2 and N rows to show that memory stays flat.
Absolute times drift on a noisy machine; compare the ratios.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kenes.core.iin import Sex, make_iin

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HEADER = ["ФИО", "Дата рождения", "ИИН", "Телефон", "Регион", "Адрес"]
GOAL_SECONDS = 20.0
DEFECT_SHARE = 0.10

_SURNAMES = [
    "Ахметов", "Омаров", "Сейтказиев", "Нурланов", "Жумабаев", "Касымов", "Иванов",
    "Ким", "Абенов", "Мусин", "Токаев", "Бекмухамедов", "Сарсенбаев", "Петров",
    "Кенжебеков", "Исмаилов", "Джаксыбеков", "Алиев", "Есенов", "Байжанов",
]  # fmt: skip
_GIVEN = [
    "Ерлан", "Айдос", "Нурсултан", "Данияр", "Асхат", "Марат", "Тимур", "Бауыржан",
    "Алексей", "Руслан", "Серик", "Жандос", "Арман", "Ержан", "Канат", "Олжас",
]  # fmt: skip
_GIVEN_F = [
    "Айгерим", "Динара", "Сауле", "Гульнара", "Асель", "Жанар", "Алия", "Мадина",
    "Ольга", "Камила", "Айжан", "Назерке",
]  # fmt: skip
_FATHERS = ["Серик", "Нурлан", "Болат", "Ерлан", "Марат", "Кайрат", "Асхат", "Ержан"]
_REGIONS = [
    "Акмолинская область", "Актюбинская область", "Алматинская область",
    "Атырауская область", "Западно-Казахстанская область", "Жамбылская область",
    "Карагандинская область", "Костанайская область", "Кызылординская область",
    "Мангистауская область", "Павлодарская область", "Северо-Казахстанская область",
    "Туркестанская область", "Восточно-Казахстанская область", "Астана", "Алматы",
    "Шымкент", "г. Алматы", "Алматы обл.", "Павлодарская обл.",
]  # fmt: skip
_STREETS = ["Абая", "Толе би", "Назарбаева", "Сатпаева", "Гагарина", "Жибек жолы", "Момышулы"]
_DEFECTS = [
    "check_digit", "duplicate", "bad_date", "date_mismatch", "underage",
    "unknown_region", "bad_phone", "no_name", "name_digits",
]  # fmt: skip


# --------------------------------------------------------------------------- data


def member_rows(seed: int = 2026) -> Iterator[list[str]]:
    """An endless, deterministic stream of rows; about DEFECT_SHARE of them defective.

    Valid IINs are distinct: birth dates cycle over ~55 years, and each cycle
    moves the serial on by 10 (make_iin may skip a few unassignable serials).
    """
    rng = random.Random(seed)
    first = datetime.date(1950, 1, 1)
    span = (datetime.date(2005, 12, 31) - first).days
    issued: list[str] = []
    seen: set[str] = set()
    n = 0
    while True:
        born = first + datetime.timedelta(days=n % span)
        sex: Sex = "F" if rng.random() < 0.5 else "M"
        iin = make_iin(born, sex, (n // span * 10) % 10000)
        n += 1
        if iin in seen:
            continue
        seen.add(iin)
        if sex == "F":
            name = f"{rng.choice(_SURNAMES)}а {rng.choice(_GIVEN_F)} {rng.choice(_FATHERS)}овна"
        else:
            name = f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)} {rng.choice(_FATHERS)}ович"
        phone = rng.choice(("+7 7{} {} {} {}", "8 (7{}) {}-{}-{}", "87{}{}{}{}")).format(
            rng.choice(("01", "02", "05", "07", "47", "75", "77")),
            f"{rng.randrange(1000):03d}",
            f"{rng.randrange(100):02d}",
            f"{rng.randrange(100):02d}",
        )
        row = [
            name,
            born.strftime("%d.%m.%Y"),
            iin,
            phone,
            rng.choice(_REGIONS),
            f"г. Алматы, ул. {rng.choice(_STREETS)}, д. {rng.randrange(1, 200)}, "
            f"кв. {rng.randrange(1, 300)}",
        ]
        if rng.random() < DEFECT_SHARE:
            _spoil(row, rng.choice(_DEFECTS), rng, issued)
        else:
            issued.append(iin)
        yield row


def _spoil(row: list[str], kind: str, rng: random.Random, issued: list[str]) -> None:
    """Give the row one defect of `kind` that Kenes must report."""
    if kind == "check_digit":
        row[2] = row[2][:11] + str((int(row[2][11]) + 1) % 10)
    elif kind == "duplicate" and issued:
        row[2] = rng.choice(issued)  # same person listed twice (another name spelling)
    elif kind == "bad_date":
        row[1] = "31.02." + row[1][-4:]
    elif kind == "date_mismatch":
        day = datetime.datetime.strptime(row[1], "%d.%m.%Y").date() + datetime.timedelta(days=40)
        row[1] = day.strftime("%d.%m.%Y")
    elif kind == "underage":
        born = datetime.date(2012, rng.randrange(1, 13), rng.randrange(1, 29))
        row[1], row[2] = born.strftime("%d.%m.%Y"), make_iin(born, "M", rng.randrange(9000))
    elif kind == "unknown_region":
        row[4] = "Московская область"
    elif kind == "bad_phone":
        row[3] = "+7 495 123 45 67"  # a Moscow number: +7 but not Kazakhstan
    elif kind == "no_name":
        row[0] = ""
    else:
        row[0] = row[0].replace(" ", " 2 ", 1)


def write_csv(path: Path, rows: int, seed: int) -> Path:
    """The first `rows` rows of the stream, as Excel writes CSV (UTF-8 with BOM)."""
    if path.exists():
        return path
    stream = member_rows(seed)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for _ in range(rows):
            writer.writerow(next(stream))
    return path


# --------------------------------------------------------------------------- running


@dataclass
class Run:
    rows: int
    backend: str
    tool: str
    seconds: float
    peak_mb: float
    returncode: int
    imported: int | None = None
    rejected: int | None = None
    note: str = ""
    samples: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)


def measured(cmd: list[str], env: dict[str, str], out: Path) -> tuple[float, float, int]:
    """Run `cmd` in its own process: (wall seconds, peak RSS in MB, exit code).

    os.wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the
    maximum over every child so far, hiding a smaller one after a larger one).
    """
    with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=stderr, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, code


def quiet(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")


def _tail(path: Path) -> str:
    text = path.read_text(errors="replace").strip().splitlines()
    return " | ".join(text[-3:])[:300]


class Databases:
    """Fresh, empty databases: a new SQLite file or a new PostgreSQL database each time."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.count = 0
        self.pg_url: str | None = None

    def postgres_available(self) -> str | None:
        """None if PostgreSQL can be started, else the reason it cannot."""
        try:
            self._server()
        except Exception as exc:  # any failure means: skip PostgreSQL
            return f"{type(exc).__name__}: {exc}"
        return None

    def _server(self) -> str:
        if self.pg_url is None:
            from tests.pgserver import ensure_server

            self.pg_url = ensure_server()
        return self.pg_url

    def fresh(self, backend: str, label: str) -> tuple[Path, str | None]:
        """A new state folder and, for PostgreSQL, the URL of a new empty database."""
        self.count += 1
        folder = self.work / f"{self.count:02d}-{backend}-{label}"
        folder.mkdir()
        if backend == "sqlite":
            return folder, None
        import psycopg

        server = self._server()
        name = f"bench_{self.count:02d}_{label.replace('-', '_')}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return folder, server.rsplit("/", 1)[0] + "/" + name


def kenes_env(folder: Path, url: str | None) -> dict[str, str]:
    dropped = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        KENES_ENV="development",
        KENES_VAR_DIR=str(folder),
        KENES_SECRET_KEY=secrets.token_urlsafe(40),
        KENES_FIELD_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    )
    if url:
        env["DATABASE_URL"] = url
    return env


def kenes_import(dbs: Databases, backend: str, path: Path, rows: int) -> Run:
    folder, url = dbs.fresh(backend, "kenes")
    env = kenes_env(folder, url)
    kenes = str(BIN / "kenes")
    quiet([kenes, "migrate", "--no-input"], env)
    quiet([kenes, "groups", "add", "g", "--name", "Bench"], env)
    out = folder / "import.json"
    seconds, peak, code = measured(
        [kenes, "members", "import", str(path), "--group", "g", "--json"], env, out
    )
    run = Run(rows, backend, "kenes-import", seconds, peak, code)
    try:
        result = json.loads(out.read_text())
        run.imported, run.rejected = result["imported"], result["rejected"]
        if result["rows"] != rows:
            run.note = f"read {result['rows']} rows, expected {rows}"
    except (ValueError, KeyError):
        run.note = f"exit {code}: {_tail(out.with_suffix('.err'))}"
    return run


def peer_import(dbs: Databases, backend: str, path: Path, rows: int) -> Run:
    folder, url = dbs.fresh(backend, "peer")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KENES_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.peer_settings", PEER_SQLITE_PATH=str(folder / "peer.sqlite3")
    )
    if url:
        env["PEER_DATABASE_URL"] = url
    quiet([sys.executable, "-m", "django", "migrate", "--no-input"], env)
    out = folder / "peer.json"
    seconds, peak, code = measured([sys.executable, "-m", "bench.peer_import", str(path)], env, out)
    run = Run(rows, backend, "peer-import", seconds, peak, code)
    try:
        result = json.loads(out.read_text())
        run.imported, run.rejected = result["imported"], result["invalid"] + result["error"]
        if result["has_errors"]:
            run.note = "import errors: rolled back"
    except (ValueError, KeyError):
        run.note = f"exit {code}: {_tail(out.with_suffix('.err'))}"
    return run


def kenes_check(dbs: Databases, path: Path, rows: int) -> Run:
    folder, _ = dbs.fresh("none", "check")
    env = kenes_env(folder, None)
    out = folder / "check.json"
    seconds, peak, code = measured(
        [str(BIN / "kenes"), "members", "check", str(path), "--json"], env, out
    )
    run = Run(rows, "-", "kenes-check", seconds, peak, code)
    try:
        result = json.loads(out.read_text())
        run.imported, run.rejected = result.get("valid"), result.get("invalid")
    except (ValueError, KeyError):
        run.note = f"exit {code}: {_tail(out.with_suffix('.err'))}"
    return run


def merged(runs: list[Run]) -> Run:
    """One line for repeated runs: median seconds and peak, every sample kept."""
    first = runs[0]
    first.samples = [r.seconds for r in runs]
    first.peaks = [r.peak_mb for r in runs]
    first.seconds = statistics.median(first.samples)
    first.peak_mb = statistics.median(first.peaks)
    first.returncode = max(runs, key=lambda r: abs(r.returncode)).returncode
    first.note = "; ".join(dict.fromkeys(r.note for r in runs if r.note))
    return first


def paired_ratio(a: list[float], b: list[float]) -> float:
    """Median of per-round ratios: rounds ran back to back, so each pair saw the same load."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


# --------------------------------------------------------------------------- report


def print_table(runs: list[Run]) -> None:
    kenes = {r.backend: r for r in runs if r.tool == "kenes-import"}
    print()
    print(
        f"{'rows':>8}  {'backend':<8}  {'tool':<12}  {'seconds':>8}  {'(min-max)':>11}  "
        f"{'peak MB':>8}  {'imported':>8}  {'rejected':>8}  {'peer/Kenes s':>12}  "
        f"{'peer/Kenes MB':>13}  note"
    )
    for r in runs:
        ref = kenes.get(r.backend) if r.tool == "peer-import" else None
        spread = f"{min(r.samples):.1f}-{max(r.samples):.1f}" if len(r.samples) > 1 else ""
        ratio_s = f"{paired_ratio(r.samples, ref.samples):.2f}" if ref else ""
        ratio_mb = f"{paired_ratio(r.peaks, ref.peaks):.2f}" if ref else ""
        print(
            f"{r.rows:>8}  {r.backend:<8}  {r.tool:<12}  {r.seconds:>8.1f}  {spread:>11}  "
            f"{r.peak_mb:>8.0f}  {'' if r.imported is None else r.imported:>8}  "
            f"{'' if r.rejected is None else r.rejected:>8}  {ratio_s:>12}  {ratio_mb:>13}  "
            f"{r.note}"
        )


def print_memory(runs: list[Run], sizes: dict[int, float]) -> None:
    print("\nMemory flatness (Kenes import, fresh database each):")
    print(
        f"{'rows':>8}  {'file MB':>8}  {'backend':<8}  {'seconds':>8}  {'peak MB':>8}  "
        f"{'peak / smallest':>15}  {'file / smallest':>15}"
    )
    for backend in dict.fromkeys(r.backend for r in runs):
        mine = sorted((r for r in runs if r.backend == backend), key=lambda r: r.rows)
        low = mine[0]
        for r in mine:
            print(
                f"{r.rows:>8}  {sizes[r.rows]:>8.1f}  {backend:<8}  {r.seconds:>8.1f}  "
                f"{r.peak_mb:>8.0f}  {r.peak_mb / low.peak_mb:>15.2f}  "
                f"{sizes[r.rows] / sizes[low.rows]:>15.2f}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=1, help="rounds (medians are printed)")
    parser.add_argument("--no-memory", action="store_true", help="skip the N/4, N/2 runs")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if unknown := set(backends) - {"sqlite", "postgres"}:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")

    work = Path(tempfile.mkdtemp(prefix="kenes-bench-"))
    dbs = Databases(work)
    try:
        if "postgres" in backends and (why := dbs.postgres_available()):
            print(f"PostgreSQL skipped: {why}")
            backends.remove("postgres")
        sizes_wanted = (
            {args.rows} if args.no_memory else {args.rows // 4, args.rows // 2, args.rows}
        )
        counts = sorted(sizes_wanted)
        files = {n: write_csv(work / f"members-{n}.csv", n, args.seed) for n in counts}
        sizes = {n: p.stat().st_size / 2**20 for n, p in files.items()}
        path = files[args.rows]
        print(
            f"{args.rows} rows, {sizes[args.rows]:.1f} MB CSV, ~{DEFECT_SHARE:.0%} defective; "
            f"{os.cpu_count()} CPUs; {datetime.date.today()}",
            flush=True,
        )

        # Round-robin: each round runs every tool once, so a peer run and the
        # Kenes run it is compared with are neighbours in time (same noise).
        rounds: dict[tuple[str, str, int], list[Run]] = {}
        for i in range(args.repeat):
            print(f"round {i + 1}/{args.repeat}:", flush=True)
            for backend in backends:
                for tool in (kenes_import, peer_import):
                    print(f"  {backend}: {tool.__name__} {args.rows} rows ...", flush=True)
                    run = tool(dbs, backend, path, args.rows)
                    rounds.setdefault((backend, run.tool, args.rows), []).append(run)
                for n in counts[:-1]:
                    print(f"  {backend}: kenes_import {n} rows ...", flush=True)
                    run = kenes_import(dbs, backend, files[n], n)
                    rounds.setdefault((backend, run.tool, n), []).append(run)
            print("  kenes_check ...", flush=True)
            run = kenes_check(dbs, path, args.rows)
            rounds.setdefault(("-", run.tool, args.rows), []).append(run)
        every = [merged(group) for group in rounds.values()]
        runs = [r for r in every if r.rows == args.rows]
        memory = [r for r in every if r.tool == "kenes-import"]
        print_table(runs)
        if len(counts) > 1:
            print_memory(memory, sizes)

        print(f"\nGoal: {args.rows} rows checked, sealed and stored in <= {GOAL_SECONDS:.0f} s:")
        for r in runs:
            if r.tool == "kenes-import":
                verdict = "met" if r.returncode == 0 and r.seconds <= GOAL_SECONDS else "NOT met"
                print(f"  {r.backend}: {r.seconds:.1f} s — {verdict}")

        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        (out / f"import_members-{stamp}.json").write_text(
            json.dumps(
                {
                    "rows": args.rows,
                    "cpus": os.cpu_count(),
                    "runs": [asdict(r) for r in runs],
                    "memory": [asdict(r) for r in memory],
                    "file_mb": sizes,
                },
                indent=1,
            )
        )
        failed = [r for r in every if r.returncode not in (0, 1) or r.note]
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
