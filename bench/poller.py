"""The season poller at scale, against the loopback fake TVmaze and the sandbox Discord.

Run: .venv/bin/python bench/poller.py [--shows 10000] [--changed 0.01] [--followers 5000] [--limited 500]
Prints:
- a poll of N followed shows of which 1% changed: requests (target 1 + changed shows), wall time, and TVmaze time
  (the limiter's clock: 20 requests per 10 s, passed on a fake clock so the run does not take it for real);
- in the same run the naive baseline, which fetches every followed show (the poller's own first, full poll), and
  the ratio of its requests and TVmaze time to the change-feed poll's;
- the most requests TVmaze saw in any 10 s of limiter time, over both polls (limit: 20);
- outbox delivery of one event to F followers (F DMs and one server post) through the sandbox: wall time and
  requests with the sandbox's rate limits off and no pacing (the bot's own speed); then, for L followers, with
  Discord's limits on (50 requests per second per bot, 5 messages per 5 s per channel), once unpaced (discord.py
  alone meets 429s and waits them out) and once paced by the courier (40 requests/s): 429s met, requests per
  second, and what that rate makes of F followers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import datetime as dt
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord
from aiolimiter import AsyncLimiter

from bot.api_base import apply_api_base
from bot.db.announcements import AnnouncementStore, JobLease
from bot.db.database import Database
from bot.db.follows import FollowStore
from bot.db.guilds import GuildConfigStore
from bot.db.shows import ShowStore
from bot.db.watchlist import WatchlistStore
from bot.domain.announcements import AnnouncementEvent, DeliveryTarget, EventKind, TargetKind, snapshot_from_tvmaze
from bot.domain.models import Show, ShowSource
from bot.providers.tvmaze import TvmazeSource
from bot.sandbox.server import SandboxServer
from cogs._notify_delivery import Courier
from cogs._notify_poll import SeasonPoller
from tests.clock import SettableClock
from tests.fakes.tvmaze import FakeClock, FakeTvmaze

FIRST_ID = 1_000_000


async def poll_bench(shows: int, changed_share: float) -> None:
    source_clock = FakeClock(autojump=True)
    clock = SettableClock(dt.datetime.now(dt.UTC))
    async with FakeTvmaze(stamp=source_clock.now) as fake, TvmazeSource(fake.url, clock=source_clock) as source:
        template = copy.deepcopy(fake.shows[900001])
        seasons = fake.seasons[900001]
        ids = [FIRST_ID + n for n in range(shows)]
        for tvmaze_id in ids:
            fake.add_show({**template, "id": tvmaze_id, "name": f"Show {tvmaze_id}"}, seasons=seasons)
        with tempfile.TemporaryDirectory() as workdir:
            async with await Database.open(Path(workdir) / "bench.db") as db:
                store, follows = ShowStore(db), FollowStore(db)
                show_ids = await store.add_many(
                    [Show(title=f"Show {i}", source=ShowSource.TVMAZE, tvmaze_id=i) for i in ids]
                )
                now = clock()
                await asyncio.gather(
                    *(follows.follow(n % 500 + 1, sid, now, guild_id=1) for n, sid in enumerate(show_ids))
                )
                poller = SeasonPoller(
                    source,
                    follows,
                    AnnouncementStore(db),
                    GuildConfigStore(db),
                    WatchlistStore(db),
                    JobLease(db),
                    "bench",
                    now=clock,
                    lease_for=dt.timedelta(days=1),
                )
                full = await timed_poll(poller, source_clock, clock)
                changed = ids[:: max(1, round(1 / changed_share))][: max(1, round(shows * changed_share))]
                for tvmaze_id in changed:
                    fake.add_season(tvmaze_id)
                smart = await timed_poll(poller, source_clock, clock)
        print(f"poll of {shows:,} followed shows, {len(changed)} changed ({changed_share:.0%})")
        print(
            f"  change feed first: {smart[0]:,} requests (target {1 + len(changed)}), {smart[3]} events,"
            f" wall {smart[1]:.1f} s, TVmaze time {smart[2]:.0f} s"
        )
        print(f"  naive (every followed show): {full[0]:,} requests, wall {full[1]:.1f} s, TVmaze time {full[2]:.0f} s")
        print(
            f"  ratio naive / change feed: {full[0] / smart[0]:.0f}x requests, {full[2] / max(smart[2], 1):.0f}x"
            " TVmaze time"
        )
        print(f"  most requests in any 10 s of limiter time: {fake.busiest_window(10.0)} (limit 20)")


async def timed_poll(
    poller: SeasonPoller, source_clock: FakeClock, clock: SettableClock
) -> tuple[int, float, float, int]:
    clock.advance(minutes=60)
    began, simulated = time.perf_counter(), source_clock.now()
    result = await poller.poll()
    assert result.complete, result
    return result.requests, time.perf_counter() - began, source_clock.now() - simulated, result.events


@contextlib.asynccontextmanager
async def logged_in(sandbox: SandboxServer) -> AsyncIterator[discord.Client]:
    client = discord.Client(intents=discord.Intents.none(), allowed_mentions=discord.AllowedMentions.none())
    ready = asyncio.Event()
    client.event(_ready(ready))
    task = asyncio.create_task(client.start(sandbox.token))
    await asyncio.wait_for(ready.wait(), 30)
    try:
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _ready(ready: asyncio.Event):
    async def on_ready() -> None:
        ready.set()

    return on_ready


async def deliver_once(count: int, *, discord_limits: bool, paced: bool) -> tuple[int, float, int, int]:
    """(sent, seconds, requests, 429s) for one event to ``count`` followers' DMs and one server post."""
    async with SandboxServer() as sandbox:
        apply_api_base(sandbox.url)
        driver = sandbox.driver
        guild = await driver.create_guild("Bench")
        channel = await driver.create_text_channel(guild, "news")
        users = [await driver.create_user(f"fan{n}") for n in range(count)]
        for user in users:
            await driver.add_member(guild, user)  # a DM needs a server in common
        with tempfile.TemporaryDirectory() as workdir:
            async with await Database.open(Path(workdir) / "bench.db") as db:
                announcements, guilds = AnnouncementStore(db), GuildConfigStore(db)
                await guilds.set_announce_channel(guild.id, channel.id)
                now = dt.datetime.now(dt.UTC)
                raw = {"id": 7, "name": "The Trauma Code: Heroes On Call", "status": "Running"}
                event = AnnouncementEvent("tvmaze:7:s2:announced", EventKind.SEASON_ANNOUNCED, 7, season=2)
                targets = [DeliveryTarget(TargetKind.DM, u.id) for u in users]
                targets.append(DeliveryTarget(TargetKind.GUILD, guild.id))
                await announcements.record(snapshot_from_tvmaze(raw, now), [(event, targets)], now)
                async with logged_in(sandbox) as client:
                    if discord_limits:
                        sandbox.rate_limits.enable()
                    before = len(sandbox.requests)
                    pace = None if paced else AsyncLimiter(1_000_000, 1.0)
                    courier = Courier(client, announcements, guilds, "bench", lambda: dt.datetime.now(dt.UTC), pace)
                    began = time.perf_counter()
                    result = await courier.deliver()
                    took = time.perf_counter() - began
                sent_requests = len(sandbox.requests) - before
        apply_api_base(None)
        return result.sent, took, sent_requests, sandbox.rate_limits.refused


async def delivery_bench(followers: int, limited: int) -> None:
    sent, took, requests, _ = await deliver_once(followers, discord_limits=False, paced=False)
    print(f"delivery of one event to {followers:,} followers (DMs) and 1 server post through the sandbox:")
    print(
        f"  the bot's own speed (no limits, no pacing): {sent:,} sent in {took:.1f} s ({sent / took:.0f} per s),"
        f" {requests:,} requests (a first DM costs 2: open the DM channel, then post)"
    )
    count = min(limited, followers)
    print(f"  with Discord's limits on (50 requests/s per bot, 5 messages per 5 s per channel), {count:,} followers:")
    for paced in (False, True):
        sent, took, requests, refused = await deliver_once(count, discord_limits=True, paced=paced)
        rate = requests / took
        how = "paced at 40 requests/s (the courier)" if paced else "unpaced (discord.py alone)   "
        print(
            f"    {how}: {sent:,} sent in {took:.1f} s, {refused} 429s met, {rate:.0f} requests/s;"
            f" {followers:,} followers: about {2 * followers / rate / 60:.1f} min"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shows", type=int, default=10_000)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--followers", type=int, default=5_000)
    parser.add_argument("--limited", type=int, default=500)
    args = parser.parse_args()
    await poll_bench(args.shows, args.changed)
    await delivery_bench(args.followers, args.limited)


if __name__ == "__main__":
    asyncio.run(main())
