"""Progress benchmark (issue 9), at the store: write throughput of 50 concurrent writers through ProgressStore
against the naive baseline (aiosqlite, one commit per update) in the same run, then the latency of reading one
member's progress list with 1,000,000 progress rows stored (200,000 members, 10,000 servers with a party each).
Then through the sandbox: the real bot (``python -m bot run``, its own process) answering 500 `/progress next`
from 50 members sent at once, each reply timed from the interaction to its initial response as Discord sees it.
A report, not a test: it prints every figure with PASS/FAIL against its target and always exits 0.

    .venv/bin/python bench/progress.py [--writers 50] [--updates 2000] [--baseline-updates 200]
                                       [--rows 1000000] [--members 200000] [--servers 10000] [--reads 2000]
                                       [--sandbox-members 50] [--sandbox-commands 500] [--only store|sandbox]

Both write paths use the same file settings (WAL, synchronous=NORMAL), so the ratio measures batching alone.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiosqlite  # noqa: E402

from bot.db.database import Database  # noqa: E402
from bot.db.progress import (  # noqa: E402
    ProgressStore,
    load_standings,
    save_updates,
    standings_from_rows,
    standings_query,
    update_rows,
    write_update_rows,
)
from bot.db.shows import ShowStore  # noqa: E402
from bot.domain.models import SeasonInfo, Show  # noqa: E402
from bot.domain.progress import Standing, set_episode  # noqa: E402

SPEEDUP_TARGET = 15.0
RATE_TARGET = 50_000.0
P99_TARGET_MS = 5.0
DEADLINE_S = 3.0  # Discord's window for an interaction's initial response
SANDBOX_SHOW = "Crash Landing on You"  # 16 episodes: room for every member's nexts
EPISODES = 16
SHOWS = 5_000


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def bench_shows(count: int) -> list[Show]:
    season = (SeasonInfo(1, EPISODES),)
    return [Show(title=f"Bench show {i}", seasons=season, catalog_key=f"b{i}") for i in range(count)]


def time_split(path: Path, batches: int, writers: int, seed: int) -> tuple[dict[str, float], dict[str, float]]:
    """Where an update's time goes on the database thread: the steps of ProgressStore's batch transaction, run
    synchronously on one sqlite3 connection in batches of ``writers`` (no event loop, no thread hop). Standings are
    kept between batches as the store keeps them, so only a (member, show) seen for the first time is read.
    Microseconds per update, wall clock and CPU (SQLite runs in this thread, so CPU time counts its work too; on a
    loaded machine the wall clock also counts the time other processes had the core)."""
    ids = asyncio.run(_seeded(path))
    raw = sqlite3.connect(path, isolation_level=None)
    raw.row_factory = sqlite3.Row
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        raw.execute(f"PRAGMA {pragma}")
    shows = {i: Show(title="Bench show", id=i, seasons=(SeasonInfo(1, EPISODES),)) for i in ids}
    rng = random.Random(seed)
    names = ("read", "transition", "encode", "write", "commit")
    spent = dict.fromkeys(names, 0.0)
    cpu = dict.fromkeys(names, 0.0)
    kept: dict[tuple[int, int], Standing] = {}
    try:
        for _ in range(batches):
            batch = [(1000 + w, rng.choice(ids), rng.randint(1, EPISODES)) for w in range(writers)]
            now = dt.datetime.now(dt.UTC)
            marks = [(time.perf_counter(), time.process_time())]
            raw.execute("BEGIN IMMEDIATE")
            standings = {(u, s): kept[(u, s)] for u, s, _ in batch if (u, s) in kept}
            missing = list(dict.fromkeys((u, s) for u, s, _ in batch if (u, s) not in standings))
            if missing:
                sql, params = standings_query(missing)
                standings.update(standings_from_rows(raw.execute(sql, params).fetchall()))
            marks.append((time.perf_counter(), time.process_time()))
            done = []
            for user, show_id, episode in batch:
                update = set_episode(standings[(user, show_id)], shows[show_id], 1, episode, now)
                standings[(user, show_id)] = update.after
                done.append(update)
            marks.append((time.perf_counter(), time.process_time()))
            rows = update_rows(done, now)
            marks.append((time.perf_counter(), time.process_time()))
            write_update_rows(raw, *rows)
            marks.append((time.perf_counter(), time.process_time()))
            raw.execute("COMMIT")
            marks.append((time.perf_counter(), time.process_time()))
            kept.update(standings)
            for name, (start, end) in zip(names, itertools.pairwise(marks), strict=True):
                spent[name] += end[0] - start[0]
                cpu[name] += end[1] - start[1]
    finally:
        raw.close()
    per_update = batches * writers
    return (
        {name: took / per_update * 1e6 for name, took in spent.items()},
        {name: took / per_update * 1e6 for name, took in cpu.items()},
    )


async def _seeded(path: Path) -> list[int]:
    db = await Database.open(path)
    try:
        return await ShowStore(db).add_many(bench_shows(200))
    finally:
        await db.close()


async def store_throughput(path: Path, writers: int, updates: int, seed: int) -> tuple[float, float, int, int]:
    """Updates per second through ProgressStore.set from ``writers`` concurrent members, CPU microseconds per
    update (both threads), transactions used and rows stored."""
    db = await Database.open(path)
    try:
        store = ShowStore(db)
        ids = await store.add_many(bench_shows(200))
        shows = [Show(title=f"Bench show {i}", id=show_id, seasons=(SeasonInfo(1, EPISODES),)) for i, show_id in
                 enumerate(ids)]  # fmt: skip
        progress = ProgressStore(db)
        rng = random.Random(seed)
        plans = [[(rng.choice(shows), rng.randint(1, EPISODES)) for _ in range(updates)] for _ in range(writers)]

        async def writer(user_id: int, plan: list[tuple[Show, int]]) -> None:
            for show, episode in plan:
                await progress.set(user_id, show, 1, episode)

        before = db.batches_committed
        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(writer(1000 + w, plan) for w, plan in enumerate(plans)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        stored = await db.fetchval("SELECT COUNT(*) FROM progress")
        total = writers * updates
        return total / elapsed, cpu / total * 1e6, db.batches_committed - before, int(stored)
    finally:
        await db.close()


async def naive_throughput(
    path: Path, writers: int, updates: int, seed: int, *, blind: bool = False, defaults: bool = False
) -> tuple[float, float]:
    """The naive way: one aiosqlite connection, one transaction and one commit per update.

    By default each update does the store's own work (read the standing, run the same domain transition, write
    progress and status) inside BEGIN IMMEDIATE ... COMMIT under a lock, as correct code must on a shared
    connection. ``blind``: a bare upsert and ``commit()`` per update, no read, no check, no lock (commits of
    concurrent writers then coalesce by accident on the shared connection: an upper bound, not a correct store).
    ``defaults``: SQLite's own settings (rollback journal, synchronous=FULL) instead of the bot's WAL + NORMAL.
    """
    db = await Database.open(path)  # the same schema
    ids = await ShowStore(db).add_many(bench_shows(200))
    await db.close()
    conn = await aiosqlite.connect(path, isolation_level="" if blind else None)
    await conn.execute("PRAGMA journal_mode=DELETE" if defaults else "PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=FULL" if defaults else "PRAGMA synchronous=NORMAL")
    await conn.execute("PRAGMA foreign_keys=ON")
    shows = {i: Show(title="Bench show", id=i, seasons=(SeasonInfo(1, EPISODES),)) for i in ids}
    rng = random.Random(seed)
    plans = [[(rng.choice(ids), rng.randint(1, EPISODES)) for _ in range(updates)] for _ in range(writers)]
    stamp = "2026-11-30T20:00:00.000000+00:00"
    lock = asyncio.Lock()

    async def blind_update(user_id: int, show_id: int, episode: int) -> None:
        await conn.execute(
            "INSERT INTO progress (user_id, show_id, pass_number, season, episode, seen_season, seen_episode,"
            " pass_started_at, updated_at) VALUES (?, ?, 1, 1, ?, 1, ?, ?, ?)"
            " ON CONFLICT (user_id, show_id) DO UPDATE SET episode = excluded.episode,"
            " seen_episode = excluded.seen_episode, updated_at = excluded.updated_at",
            (user_id, show_id, episode, episode, stamp, stamp),
        )
        await conn.commit()

    async def same_work_update(user_id: int, show_id: int, episode: int) -> None:
        async with lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                now = dt.datetime.now(dt.UTC)
                standing = (await load_standings(conn, [(user_id, show_id)]))[(user_id, show_id)]
                await save_updates(conn, [set_episode(standing, shows[show_id], 1, episode, now)], now)
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    update = blind_update if blind else same_work_update

    async def writer(user_id: int, plan: list[tuple[int, int]]) -> None:
        for show_id, episode in plan:
            await update(user_id, show_id, episode)

    try:
        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(writer(1000 + w, plan) for w, plan in enumerate(plans)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        return writers * updates / elapsed, cpu / (writers * updates) * 1e6
    finally:
        await conn.close()


def fill(path: Path, rows: int, members: int, servers: int, seed: int) -> float:
    """``rows`` progress rows over ``members`` members and a party with 20 members in each of ``servers``."""
    start = time.perf_counter()
    asyncio.run(_migrate(path))
    rng = random.Random(seed)
    raw = sqlite3.connect(path)
    try:
        raw.execute("PRAGMA synchronous=OFF")
        with raw:
            raw.executemany(
                "INSERT INTO shows (id, source, title, data, updated_at) VALUES (?, 'catalog', ?, '{}', '')",
                [(i, f"Bench show {i}") for i in range(1, SHOWS + 1)],
            )
            per_member = max(1, rows // members)
            stamps = [f"2026-11-{day:02d}T20:00:00.000000+00:00" for day in range(1, 31)]

            def progress_rows():
                made = 0
                for user in range(1, members + 1):
                    for show in rng.sample(range(1, SHOWS + 1), per_member):
                        if made == rows:
                            return
                        episode = rng.randint(1, EPISODES)
                        stamp = stamps[rng.randrange(30)]
                        yield (user, show, 1, 1, episode, 1, episode, stamp, stamp)
                        made += 1

            raw.executemany(
                "INSERT INTO progress (user_id, show_id, pass_number, season, episode, seen_season, seen_episode,"
                " pass_started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                progress_rows(),
            )
            raw.executemany(
                "INSERT INTO parties (id, guild_id, channel_id, show_id, name, name_key, host_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(g, g, g, rng.randint(1, SHOWS), "Party", "party", g, stamps[0]) for g in range(1, servers + 1)],
            )
            raw.executemany(
                "INSERT INTO party_members (party_id, guild_id, user_id, joined_at) VALUES (?, ?, ?, ?)",
                (
                    (g, g, user, stamps[0])
                    for g in range(1, servers + 1)
                    for user in rng.sample(range(1, members + 1), 20)
                ),
            )
        raw.execute("ANALYZE")
    finally:
        raw.close()
    return time.perf_counter() - start


async def _migrate(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


async def read_latency(path: Path, members: int, reads: int, seed: int) -> tuple[list[float], int]:
    db = await Database.open(path)
    try:
        store = ProgressStore(db)
        rng = random.Random(seed)
        for _ in range(50):  # warm the page cache the way a running bot has it
            await store.for_member(rng.randint(1, members), limit=10)
        timings: list[float] = []
        listed = 0
        for _ in range(reads):
            user = rng.randint(1, members)
            start = time.perf_counter()
            page = await store.for_member(user, limit=10)
            timings.append((time.perf_counter() - start) * 1000)
            listed += len(page)
        return timings, listed
    finally:
        await db.close()


async def sandbox_burst(folder: Path, members: int, commands: int) -> dict[str, float]:
    """The bot in its own process against the sandbox; ``commands`` `/progress next` from ``members`` members, all
    dispatched at once. Latencies (seconds) are the sandbox's: interaction created -> initial response received.
    A baseline in the same run: one member's `/progress next`, one at a time, on the same bot."""
    from bot.playground.demo import seed_demo
    from bot.sandbox.server import SandboxServer

    # A generous deadline so a late reply is measured rather than refused; lateness is counted against 3 s.
    async with SandboxServer(ack_deadline=60.0) as sandbox:
        world = await seed_demo(sandbox)
        driver = sandbox.driver
        users = list(world.users.values())
        while len(users) < members + 1:  # the burst's members, and one more for the baseline
            user = await driver.create_user(f"bench{len(users):03d}")
            await driver.add_member(world.guild, user)
            users.append(user)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_GUILD"))},
            "DISCORD_TOKEN": sandbox.token,
            "DISCORD_API_BASE": sandbox.url,
            "DATABASE_URL": f"sqlite:///{folder / 'sandbox.db'}",
            "OFFLINE": "1",
            "LOG_LEVEL": "WARNING",
        }
        log_path = folder / "bot.log"
        with log_path.open("ab") as log:
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=folder, stdout=log, stderr=log
            )
        try:
            await sandbox.gateway.wait_for(lambda: sandbox.gateway.identify_count > 0, timeout=60)
            await sandbox.settle()

            async def timed(user: Any) -> float:
                result = await driver.slash(user, world.channel, "progress next", title=SANDBOX_SHOW)
                await result.wait_done(timeout=120)
                return float(result.interaction.responded - result.interaction.created)

            warm, burst_users = users[-1], users[:members]
            for _ in range(3):  # the first command loads the catalogue's show and warms the caches
                await timed(warm)
            baseline = [await timed(warm) for _ in range(10)]
            order = [burst_users[i % len(burst_users)] for i in range(commands)]
            start = time.perf_counter()
            latencies = await asyncio.gather(*(timed(user) for user in order))
            wall = time.perf_counter() - start
        finally:
            bot.terminate()
            await asyncio.wait_for(bot.wait(), timeout=30)
        with sqlite3.connect(folder / "sandbox.db") as raw:
            moved = raw.execute("SELECT SUM(episode) FROM progress").fetchone()[0] or 0
        return {
            "baseline_p50": percentile(baseline, 0.5),
            "p50": percentile(list(latencies), 0.5),
            "p99": percentile(list(latencies), 0.99),
            "max": max(latencies),
            "late": sum(1 for x in latencies if x > DEADLINE_S),
            "wall": wall,
            "episodes_stored": moved,
            "episodes_expected": commands + 13,
            "violations": len(sandbox.violations),
        }


def report_sandbox(folder: Path, members: int, commands: int) -> None:
    got = asyncio.run(sandbox_burst(folder, members, commands))
    print(f"sandbox: the bot in its own process, {commands} `/progress next` from {members} members sent at once")
    print(f"  one member alone (baseline, 10 in a row): p50 {got['baseline_p50'] * 1000:.1f} ms")
    print(f"  burst: p50 {got['p50'] * 1000:.1f} ms, p99 {got['p99'] * 1000:.1f} ms, max {got['max'] * 1000:.1f} ms,"
          f" all answered in {got['wall']:.2f} s;"
          f" p99 / baseline p50 {got['p99'] / got['baseline_p50']:.1f}x")  # fmt: skip
    print(f"  replies later than Discord's {DEADLINE_S:.0f} s: {got['late']:.0f} of {commands}:"
          f" {verdict(got['late'] == 0)}; sandbox violations: {got['violations']:.0f}")  # fmt: skip
    print(f"  episodes stored {got['episodes_stored']:.0f} (expected {got['episodes_expected']:.0f}, one per command):"
          f" {verdict(got['episodes_stored'] == got['episodes_expected'])}")  # fmt: skip
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--updates", type=int, default=2000, help="updates per writer through the store")
    parser.add_argument("--baseline-updates", type=int, default=200, help="updates per writer, naive baseline")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--sandbox-members", type=int, default=50)
    parser.add_argument("--sandbox-commands", type=int, default=500)
    parser.add_argument("--only", choices=("store", "sandbox"), help="run one part only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-progress-") as tmp:
        folder = Path(tmp)
        if args.only != "sandbox":
            report_store(folder, args)
        if args.only != "store":
            report_sandbox(folder, args.sandbox_members, args.sandbox_commands)


def report_store(folder: Path, args: argparse.Namespace) -> None:
    naive, naive_cpu = asyncio.run(
        naive_throughput(folder / "naive.db", args.writers, args.baseline_updates, args.seed)
    )
    stock, stock_cpu = asyncio.run(
        # Every commit waits for the disk here: a tenth of the updates keeps the run short.
        naive_throughput(
            folder / "stock.db", args.writers, max(1, args.baseline_updates // 10), args.seed, defaults=True
        )
    )
    blind, blind_cpu = asyncio.run(
        naive_throughput(folder / "blind.db", args.writers, args.baseline_updates, args.seed, blind=True)
    )
    rate, cpu, transactions, stored = asyncio.run(
        store_throughput(folder / "store.db", args.writers, args.updates, args.seed)
    )
    split, split_cpu = time_split(folder / "split.db", 200, args.writers, args.seed)
    total = args.writers * args.updates
    print(f"writes: {args.writers} concurrent writers, WAL + synchronous=NORMAL unless said")
    print(f"  naive baseline, same work, one transaction per update: {naive:,.0f} updates/s,"
          f" {naive_cpu:.0f} us CPU per update")  # fmt: skip
    print(f"  the same with SQLite's defaults (rollback journal, synchronous=FULL): {stock:,.0f} updates/s,"
          f" {stock_cpu:.0f} us CPU per update")  # fmt: skip
    print(f"  naive blind upsert + commit() per update (no read, no check, no lock): {blind:,.0f} updates/s,"
          f" {blind_cpu:.0f} us CPU per update")  # fmt: skip
    print(f"  ProgressStore.set (batched write path): {rate:,.0f} updates/s, {cpu:.0f} us CPU per update"
          f"  ({total:,} updates in {transactions:,} transactions, {stored:,} rows)")  # fmt: skip
    print(f"  ratio to the naive baseline {rate / naive:.1f}x (target >= {SPEEDUP_TARGET:.0f}x):"
          f" {verdict(rate >= SPEEDUP_TARGET * naive)};  to the blind upsert {rate / blind:.2f}x")  # fmt: skip
    print(f"  ratio to the naive baseline on SQLite's defaults {rate / stock:.1f}x:"
          f" {verdict(rate >= SPEEDUP_TARGET * stock)}")  # fmt: skip
    print(f"  rate target >= {RATE_TARGET:,.0f}/s: {verdict(rate >= RATE_TARGET)}")
    print("  where an update's time goes on the database thread (the batch transaction's steps, synchronous, batches of"
          f" {args.writers}): " + ", ".join(f"{k} {v:.1f} us" for k, v in split.items())
          + f"; total {sum(split.values()):.1f} us")  # fmt: skip
    print("  the same in CPU time: " + ", ".join(f"{k} {v:.1f} us" for k, v in split_cpu.items())
          + f"; total {sum(split_cpu.values()):.1f} us; the store's own work (transition, encode)"
          f" {split_cpu['transition'] + split_cpu['encode']:.1f} us")  # fmt: skip
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")

    filled = fill(folder / "big.db", args.rows, args.members, args.servers, args.seed)
    timings, listed = asyncio.run(read_latency(folder / "big.db", args.members, args.reads, args.seed))
    p50, p99 = percentile(timings, 0.50), percentile(timings, 0.99)
    print(f"reads: {args.rows:,} progress rows, {args.members:,} members, {args.servers:,} servers"
          f" (filled in {filled:.1f} s)")  # fmt: skip
    print(f"  ProgressStore.for_member(user, limit=10), {args.reads:,} members ({listed:,} rows listed):"
          f" p50 {p50:.3f} ms, p99 {p99:.3f} ms, mean {statistics.fmean(timings):.3f} ms")  # fmt: skip
    print(f"  p99 target <= {P99_TARGET_MS:.0f} ms: {verdict(p99 <= P99_TARGET_MS)}")


if __name__ == "__main__":
    main()
