"""Import benchmark: `catalog import` of a large CSV, end to end (parse, store, search index ready), the chunked
bulk path against the per-row path it replaced, measured in the same run. A report, not a test: it prints figures
and ratios and always exits 0.

    .venv/bin/python bench/import.py [--shows 100000] [--baseline-shows 20000] [--seed 7]

The per-row path (``ShowStore.add_many``: one lookup, insert and name insert per show, one transaction) is run on
``--baseline-shows`` shows, as at 100,000 it takes minutes; the bulk path runs on both sizes, so the ratio compares
like with like and the large run shows the target (100,000 shows ready in at most 10 s).

The bulk path (``ShowLookup.import_shows``) builds the search index in a worker process while it writes the shows,
so its store and index are one stage; its CPU figure includes the worker's.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.db.database import Database  # noqa: E402
from bot.db.meta import MetaStore  # noqa: E402
from bot.db.shows import ShowStore  # noqa: E402
from bot.domain.models import Show  # noqa: E402
from bot.lookup import ShowLookup  # noqa: E402
from bot.providers.bundled import BundledCatalog  # noqa: E402
from bot.providers.catalog import parse_import  # noqa: E402

TARGET_SECONDS = 10.0
# Real K-drama rows (../shared, used as benchmark input only, never copied here): their shape, their mess.
REAL_DATA = ROOT.parent / "shared" / "realdata-kdrama" / "realdata.csv"


def write_csv(path: Path, count: int, seed: int) -> None:
    """``count`` shows made from the real rows: each row repeated with a numbered title and a shifted year.

    Titles, Hangul titles, cast lists, genres and empty cells keep the real data's proportions; the numbers make
    every show a different one (so none is merged into another as the same show).
    """
    with REAL_DATA.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=header)
        out.writeheader()
        for n in range(count):
            row = dict(rng.choice(rows))
            row["title"] = f"{row['title']} {n}"
            if row.get("native_title"):
                row["native_title"] = f"{row['native_title']} {n}"
            row["aliases"] = ""  # an alias repeated in 200 shows is not what a real file holds
            if row.get("year"):
                row["year"] = str(rng.randint(1995, 2025))
            out.writerow(row)


def _cpu() -> float:
    """CPU seconds of this process (every thread: SQLite works in aiosqlite's) and of its children that ended (the
    search index worker)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Clock:
    """Wall seconds and CPU seconds per stage."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._marks = (time.perf_counter(), _cpu())
        self.how = ""

    def lap(self, stage: str) -> None:
        wall, cpu = time.perf_counter(), _cpu()
        self.wall[stage] = wall - self._marks[0]
        self.cpu[stage] = cpu - self._marks[1]
        self._marks = (wall, cpu)


async def store_and_index(db_path: Path, shows: list[Show], clock: Clock, *, per_row: bool) -> str:
    """Store the shows and have the search index ready, as `catalog import` does; returns how the index was made.

    The per-row path stores, then builds the index (stages "store" and "index"); the bulk path is
    ``ShowLookup.import_shows``, which builds the index while it stores (one stage, "store + index").
    """
    async with await Database.open(db_path) as db:
        store = ShowStore(db)
        lookup = ShowLookup(store, MetaStore(db), BundledCatalog.load(), refresh_seconds=None)
        await lookup.store_bundled()
        clock.lap("open")
        if per_row:
            await store.add_many(shows)
            clock.lap("store")
            await lookup.start()
            clock.lap("index")
        else:
            await lookup.import_shows(shows)
            clock.lap("store + index")
        await lookup.close()  # the snapshot save, after ready; not counted
        return str(lookup.started_by)


def run(folder: Path, count: int, seed: int, *, per_row: bool) -> Clock:
    source = folder / f"shows-{count}.csv"
    if not source.exists():
        write_csv(source, count, seed)
    db_path = folder / f"{'row' if per_row else 'bulk'}-{count}.db"
    gc.collect()
    gc.disable()  # as `catalog import` does (bot/__main__.py), for both paths alike
    clock = Clock()
    result = parse_import(source)
    clock.lap("parse")
    assert len(result.shows) == count, result.errors[:3]
    clock.how = asyncio.run(store_and_index(db_path, result.shows, clock, per_row=per_row))
    gc.enable()
    for figures in (clock.wall, clock.cpu):
        if "store + index" not in figures:
            figures["store + index"] = figures["store"] + figures["index"]
        figures["total"] = sum(figures[stage] for stage in ("parse", "open", "store + index"))
    return clock


def line(label: str, clock: Clock) -> str:
    wall, cpu = clock.wall, clock.cpu
    stages = ("parse", "store", "index", "store + index", "total")
    return f"{label:<34}" + "  ".join(
        f"{stage} {wall[stage]:6.2f} s ({cpu[stage]:5.2f} cpu)" for stage in stages if stage in wall
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shows", type=int, default=100_000)
    parser.add_argument("--baseline-shows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        small = args.baseline_shows
        before = run(folder, small, args.seed, per_row=True)
        after_small = run(folder, small, args.seed, per_row=False)
        after = run(folder, args.shows, args.seed, per_row=False)
        print(f"catalog import of a CSV made from {REAL_DATA.name}'s 437 real rows, seed {args.seed}")
        print(line(f"per-row path, {small:,} shows", before))
        print(line(f"chunked bulk path, {small:,} shows", after_small))
        print(line(f"chunked bulk path, {args.shows:,} shows", after))
        print(
            f"store and index speed-up at {small:,} shows:"
            f" {before.wall['store + index'] / after_small.wall['store + index']:.1f}x wall,"
            f" {before.cpu['store + index'] / after_small.cpu['store + index']:.1f}x cpu;"
            f" end to end: {before.wall['total'] / after_small.wall['total']:.1f}x wall"
        )
        print(f"search index at {small:,} shows: {after_small.how}; at {args.shows:,}: {after.how}")
        total = after.wall["total"]
        verdict = "PASS" if total <= TARGET_SECONDS else "FAIL"
        print(f"{args.shows:,} shows ready in {total:.2f} s (target {TARGET_SECONDS:.0f} s): {verdict}")
        load = os.getloadavg()[0]
        print(f"load average while it ran: {load:.1f} on {os.cpu_count()} cores (wall times grow with it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
