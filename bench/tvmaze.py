"""A member's TVmaze lookup when TVmaze misbehaves, against the loopback fake: time to answer, requests, stalls.

Run: .venv/bin/python bench/tvmaze.py [--slow-baselines]
Prints, on the real clock and with the bot's member settings (one retry after 1 s, 10 s of TVmaze time per lookup):
- time from the call to the answer for a hang, a 500, a closed port, a 429 asking 30 s, truncated JSON and a 46 MB
  body (target: under 15 s each), with the requests made and the longest event-loop stall meanwhile;
- the same for a hang and a 500 through the real bot and the sandbox, from the deferral to the answer;
- requests for one new title, card and episodes (target: at most 2);
- 40 members asking for 40 new titles at once under a 20-per-window limit (window scaled to 1 s), mean and
  slowest answer in windows, against the same run without the kept places (every search served first);
- the longest the event loop is held while a 4 MB answer is decoded, against json.loads inline and in a thread.
``--slow-baselines`` also times a hang under the old policy (20 s per request, no lookup budget): about 41 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bot.lookup as lookup_module
from bot.db.database import Database
from bot.db.meta import MetaStore
from bot.db.shows import ShowStore
from bot.lookup import ShowLookup
from bot.providers.bundled import BundledCatalog
from bot.providers.tvmaze import TvmazeSource
from bot.providers.tvmaze.decode import Slicer, decode_json
from tests.fakes.tvmaze import FakeTvmaze

CATALOG = BundledCatalog.load()


class StallMeter:
    """The longest the event loop went without running a 1 ms ticker."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> StallMeter:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        await asyncio.sleep(0.005)  # let the ticker see a stall that just ended
        self._task.cancel()

    async def _tick(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            self.worst = max(self.worst, time.perf_counter() - before - 0.001)


async def with_lookup(
    url: str,
    work: Callable[[ShowLookup, TvmazeSource], Awaitable[Any]],
    remote_seconds: float = lookup_module.REMOTE_SECONDS,
    **source: Any,
) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        async with await Database.open(Path(tmp) / "bench.db") as db:
            settings = {"retries": 1, "backoff_base": 1.0, **source}  # as bot/runner.py builds it for members
            async with TvmazeSource(url, **settings) as remote:
                lookup = ShowLookup(ShowStore(db), MetaStore(db), CATALOG, remote, remote_seconds=remote_seconds)
                await lookup.start()
                return await work(lookup, remote)


async def answer_time(url: str, fake: FakeTvmaze | None, **options: Any) -> tuple[float, str, int, float]:
    async def work(lookup: ShowLookup, _remote: TvmazeSource) -> tuple[float, str, int, float]:
        async with StallMeter() as meter:
            started = time.perf_counter()
            try:
                show = await lookup.resolve("Golden Hour Ward")
                said = f"found {show.title}"
            except Exception as exc:
                said = getattr(exc, "message", repr(exc))
            elapsed = time.perf_counter() - started
        return elapsed, said, len(fake.requests) if fake else 0, meter.worst

    return await with_lookup(url, work, **options)


async def faults(slow_baselines: bool) -> None:
    # The stall column is wall-clock: on a shared, loaded machine it includes time the process was not scheduled.
    print("fault                      answer    requests  worst stall  what the member reads")
    cases: list[tuple[str, Callable[[FakeTvmaze], None], dict[str, Any]]] = [
        ("hang", lambda f: f.hang(), {}),
        ("500 always", lambda f: f.fail_always(500), {}),
        ("429 Retry-After 30", lambda f: f.fail_next(1, 429, retry_after="30"), {}),
        ("truncated JSON", lambda f: f.truncate_next(), {}),
        ("HTML error page (502)", lambda f: f.html_error_next(None, status=502), {}),
        ("46 MB search, chunked", lambda f: f.huge_next(46 << 20, declare_length=False), {}),
    ]
    if slow_baselines:
        # No lookup budget: 20 s per request, a retry after 1 s, as before.
        cases.append(("hang, old policy", lambda f: f.hang(), {"timeout": 20.0, "remote_seconds": 3600.0}))
    for name, arm, source in cases:
        async with FakeTvmaze() as fake:
            arm(fake)
            elapsed, said, requests, stall = await answer_time(fake.url, fake, **source)
        print(f"{name:26} {elapsed:6.2f} s  {requests:8}  {stall * 1000:8.1f} ms  {said[:70]}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    elapsed, said, _, stall = await answer_time(f"http://127.0.0.1:{port}", None)
    print(f"{'closed port':26} {elapsed:6.2f} s  {'-':>8}  {stall * 1000:8.1f} ms  {said[:70]}")


async def through_the_bot() -> None:
    """From the deferral to the answer a member reads, through the real bot and the sandbox Discord."""
    from bot.playground.demo import running_bot
    from bot.settings import Settings

    print("through the bot (/drama info, a title only TVmaze could know): deferral to answer")
    for name, arm in (("hang", lambda f: f.hang()), ("500 always", lambda f: f.fail_always(500))):
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp}/bot.db", "OFFLINE": "1"})
            async with FakeTvmaze() as fake, running_bot(settings, Path(tmp), tvmaze_url=fake.url) as (world, bot):
                arm(fake)
                driver = world.sandbox.driver
                result = await driver.slash(world.users["alice"], world.channel, "drama info", title="Zzqx Vvrk")
                await result.wait_ack()
                deferred = time.perf_counter()
                await result.wait_done(timeout=60)
                elapsed = time.perf_counter() - deferred
                said = result.text().replace("\n", " ")
                # Closing before discord.py's ready event (about 2 s after connecting) leaves it a task to fail.
                await bot.wait_until_ready()
        print(f"  {name:24} {elapsed:6.2f} s (target under 15 s)  {said[:80]}")


async def new_title_requests() -> None:
    async with FakeTvmaze() as fake:

        async def work(lookup: ShowLookup, _remote: TvmazeSource) -> None:
            show = await lookup.resolve("Moonlit Palace Kitchen")
            episodes = await lookup.episodes(show)
            again = await lookup.resolve("Moonlit Palace Kitchen")
            await lookup.episodes(again)
            print(
                f"new title, card and {len(episodes)} episodes: {len(fake.requests)} requests"
                f" ({', '.join(r.path for r in fake.requests)}); asked again: no more"
            )

        await with_lookup(fake.url, work)


async def many_members(period: float = 1.0, members: int = 40) -> None:
    async def run(kept_places: bool) -> list[float]:
        lookup_module.NEW_TITLE_REQUESTS = 2 if kept_places else 1
        async with FakeTvmaze() as fake:
            titles = [f"Harbour Lights {n:02d}" for n in range(members)]
            for n, title in enumerate(titles):
                show_id = 910_000 + n
                fake.add_show({"id": show_id, "url": f"https://www.tvmaze.com/shows/{show_id}/x", "name": title})

            async def work(lookup: ShowLookup, _remote: TvmazeSource) -> list[float]:
                started = time.perf_counter()

                async def one(title: str) -> float:
                    await lookup.resolve(title)
                    return (time.perf_counter() - started) / period

                return list(await asyncio.gather(*(one(t) for t in titles)))

            return await with_lookup(fake.url, work, max_calls=20, period=period)

    baseline = await run(kept_places=False)
    kept = await run(kept_places=True)
    lookup_module.NEW_TITLE_REQUESTS = 2
    print(f"{members} members, 20 requests per window (window = {period} s), answer time in windows:")
    for name, times in (("every search first (before)", baseline), ("places kept (now)", kept)):
        print(
            f"  {name:28} mean {statistics.mean(times):5.2f}  median {statistics.median(times):5.2f}"
            f"  slowest {max(times):5.2f}  answered in the first window: {sum(t < 1 for t in times)}"
        )
    print(f"  mean ratio now/before: {statistics.mean(kept) / statistics.mean(baseline):.2f}")


async def decoding(size_mb: int = 4) -> None:
    episode = {
        "id": 1, "url": "https://www.tvmaze.com/episodes/1/x", "name": "Episode", "season": 1, "number": 1,
        "type": "regular", "airdate": "2024-03-04", "airtime": "21:50", "airstamp": "2024-03-04T12:50:00+00:00",
        "runtime": 70, "image": None, "summary": "<p>" + "word " * 120 + "</p>",
    }  # fmt: skip
    rows = [episode] * (size_mb * 1_000_000 // len(json.dumps(episode)))
    body = json.dumps({"id": 1, "name": "x", "_embedded": {"episodes": rows}}).encode()

    class Holds(Slicer):
        """Records the CPU time the decoder keeps the loop between hand-backs (preemption by other processes on
        a shared machine lengthens wall-clock stalls but not this)."""

        def __init__(self) -> None:
            super().__init__()
            self.worst = 0.0
            self._last = time.thread_time()

        async def tick(self) -> None:
            if time.perf_counter() - self._since >= self.seconds:  # about to hand the loop back
                self.worst = max(self.worst, time.thread_time() - self._last)
                await super().tick()
                self._last = time.thread_time()

    print(f"decoding a {len(body) / 1e6:.1f} MB answer ({len(rows)} episodes):")
    started = time.thread_time()
    json.loads(body)
    loads_cpu = time.thread_time() - started
    async with StallMeter() as meter:
        await asyncio.to_thread(json.loads, body)
    threaded = meter.worst
    holds = Holds()
    async with StallMeter() as meter:
        started = time.perf_counter()
        await decode_json(body, holds)
        sliced = time.perf_counter() - started
    print(f"  json.loads inline (before): holds the loop {loads_cpu * 1000:6.1f} ms (CPU) in one piece")
    print(f"  json.loads in a thread:     worst wall-clock stall {threaded * 1000:6.1f} ms (it keeps the GIL)")
    print(
        f"  decode_json in slices (now): longest hold {holds.worst * 1000:5.2f} ms (CPU) between hand-backs,"
        f" {sliced * 1000:.0f} ms in all; worst wall-clock stall {meter.worst * 1000:.1f} ms (machine load included)"
    )
    print(f"  longest hold ratio now/before: {holds.worst / loads_cpu:.3f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slow-baselines", action="store_true", help="also time a hang under the old policy (~41 s)")
    args = parser.parse_args()
    await faults(args.slow_baselines)
    print()
    await through_the_bot()
    print()
    await new_title_requests()
    print()
    await many_members()
    print()
    await decoding()


if __name__ == "__main__":
    asyncio.run(main())
