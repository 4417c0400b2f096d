"""The announcement logic and stores at the issue's scale, without TVmaze or Discord.

Run: .venv/bin/python bench/announce_store.py [--followed 10000] [--followers 5000]
Prints: which of 10,000 followed shows one poll fetches (1% changed) and how long choosing takes; recording one
event for 5,000 followers (one outbox row each) in one transaction; draining that outbox by claim and
acknowledgement, acks one at a time against acks issued together (the Database batches concurrent writes into
one transaction), as a ratio; and finding the due shows among 10,000 snapshots.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.db.announcements import AnnouncementStore
from bot.db.database import Database
from bot.domain.announcements import (
    AnnouncementEvent,
    EventKind,
    Follower,
    FollowMode,
    Lookback,
    SeasonSnapshot,
    ShowSnapshot,
    plan_deliveries,
    shows_to_fetch,
)

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def choose(followed: int) -> None:
    rng = random.Random(7)
    ids = list(range(1, followed + 1))
    stored = dict.fromkeys(ids, 1000)
    changed = rng.sample(ids, followed // 100)
    # A day's feed: the changed followed shows among a few thousand shows nobody here follows.
    feed = dict.fromkeys(changed, 2000) | {followed + i: 2_000 for i in range(1, 3_000)}
    started = time.perf_counter()
    wanted = shows_to_fetch(Lookback.DAY, feed, ids, stored)
    took = time.perf_counter() - started
    print(
        f"choose: {followed} followed, {len(changed)} changed -> {len(wanted)} fetched + 1 feed request "
        f"= {len(wanted) + 1} requests (naive: {followed}); {took * 1000:.1f} ms"
    )


async def outbox(followers: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with await Database.open(Path(folder) / "bench.db") as db:
            store = AnnouncementStore(db)
            people = [Follower(u, FollowMode.SEASONS, frozenset({u % 50})) for u in range(1, followers + 1)]
            snapshot = ShowSnapshot(900101, "Golden Hour Ward", NOW, seasons=(SeasonSnapshot(1), SeasonSnapshot(2)))
            timings: dict[str, float] = {}
            for label, together in (("one at a time", False), ("together", True)):
                event = AnnouncementEvent(f"bench:{label}", EventKind.SEASON_ANNOUNCED, 900101, season=2)
                started = time.perf_counter()
                targets = plan_deliveries(event, people)
                await store.record(snapshot, [(event, targets)], NOW)
                recorded = time.perf_counter() - started
                started = time.perf_counter()
                while items := await store.claim("bench", NOW, limit=50):
                    if together:
                        await asyncio.gather(*(store.sent(i.id, NOW) for i in items))
                    else:
                        for item in items:
                            await store.sent(item.id, NOW)
                timings[label] = time.perf_counter() - started
                print(
                    f"outbox ({label}): recorded 1 event for {len(targets)} targets in {recorded * 1000:.0f} ms; "
                    f"claimed and acknowledged all in {timings[label] * 1000:.0f} ms "
                    f"({len(targets) / timings[label]:.0f} rows/s)"
                )
            print(f"outbox: acks one at a time / together = {timings['one at a time'] / timings['together']:.1f}x")


async def due(shows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with await Database.open(Path(folder) / "bench.db") as db:
            store = AnnouncementStore(db)
            await asyncio.gather(
                *(
                    store.record(
                        ShowSnapshot(i, f"Show {i}", NOW),
                        [],
                        NOW,
                        next_due=NOW + dt.timedelta(hours=1 if i % 100 == 0 else 24 * 30),
                    )
                    for i in range(1, shows + 1)
                )
            )
            started = time.perf_counter()
            found = await store.due_snapshots(NOW + dt.timedelta(hours=2))
            took = time.perf_counter() - started
            print(f"due: {len(found)} of {shows} snapshots due, found in {took * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followed", type=int, default=10_000)
    parser.add_argument("--followers", type=int, default=5_000)
    args = parser.parse_args()
    choose(args.followed)
    asyncio.run(outbox(args.followers))
    asyncio.run(due(args.followed))


if __name__ == "__main__":
    main()
