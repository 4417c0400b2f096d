"""Reveal on a review of the seed's length, pressed by many members at once, against the no-op command of
bench/roundtrip.py, through the sandbox Discord and the real bot in the same run.

Run: .venv/bin/python bench/reviews.py [--rounds 200] [--members 50] [--passes 3]
Prints median and p99 in milliseconds for the public no-op, the private no-op (for reference: Reveal answers
privately), Reveal for a member who has seen the whole show (the spoiler part is sent) and for one who has not
(the warning), each with N members at once, and the Reveal/no-op ratio at the median (target: at most 1.5). Each
pass interleaves the cases so drift in machine load hits them alike; the ratio is the median of the passes'.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from roundtrip import Noop, percentile  # the same baseline command as bench/roundtrip.py

from bot.domain.reviews import rebuild_revealed
from bot.playground.demo import DemoServer, running_bot
from bot.sandbox.state import Message
from bot.settings import Settings

TARGET_RATIO = 1.5
SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"


def seed_review() -> tuple[str, str]:
    found = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
    if not found:
        sys.exit(f"the seed review is not at {SEED_DIR} (../shared beside the project): nothing to measure")
    seed = found[0].read_text(encoding="utf-8")
    cut = seed.index("The\nStory:")
    return seed[:cut], seed[cut:]


async def post_seed_review(world: DemoServer) -> list[Message]:
    driver = world.sandbox.driver
    alice = world.users["alice"]
    clear, story = seed_review()
    opened = await driver.slash(alice, world.channel, "review write", title="The Trauma Code", grade="A+")
    await opened.wait_modal()
    fields = {"Headline": "A+ and some spoilers", "Spoiler-free part": clear}
    fields |= {"Spoilers": story[:4000], "Spoilers (continued)": story[4000:]}
    submitted = await driver.submit_modal(alice, opened, fields)
    await submitted.wait_done(timeout=30)
    await world.sandbox.settle()
    bot_id = world.sandbox.bot.id
    return [m for m in driver.messages(world.channel) if m.author_id == bot_id and not m.ephemeral and m.embeds]


async def slash(world: DemoServer, user: Any, command: str) -> float:
    started = time.perf_counter()
    result = await world.sandbox.driver.slash(user, world.channel, command)
    await result.wait_done(timeout=30)
    return (time.perf_counter() - started) * 1000


async def reveal(world: DemoServer, user: Any, post: Message, story: str | None) -> float:
    started = time.perf_counter()
    result = await world.sandbox.driver.click(user, post, "Reveal", catch_up=False)
    await result.wait_done(timeout=30)
    if story is not None:  # the spoiler part arrives whole (its follow-ups, if any, counted too)
        payloads = world.sandbox.driver.payload
        await world.sandbox.changes.wait_for(
            lambda: rebuild_revealed([payloads(m) for m in result.messages]) == story, 30
        )
    return (time.perf_counter() - started) * 1000


async def measure(
    world: DemoServer, post: Message, finished: list[Any], behind: list[Any], rounds: int, story: str
) -> dict[str, list[float]]:
    cases = {
        "noop": lambda u: slash(world, u, "noop"),
        "noop-private": lambda u: slash(world, u, "noop-private"),
        "reveal (seen it all)": lambda u: reveal(world, u, post, story),
    }
    timings: dict[str, list[float]] = {name: [] for name in [*cases, "reveal (behind)"]}
    for _ in range(max(1, rounds // len(finished))):
        for name, run in cases.items():
            timings[name] += await asyncio.gather(*(run(u) for u in finished))
        timings["reveal (behind)"] += await asyncio.gather(*(reveal(world, u, post, None) for u in behind))
    return timings


async def main(rounds: int, members: int, passes: int) -> int:
    _clear, story = seed_review()
    with tempfile.TemporaryDirectory() as workdir:
        settings = Settings.from_env({"OFFLINE": "1", "LOG_LEVEL": "WARNING"})
        async with running_bot(settings, Path(workdir)) as (world, bot):
            await bot.add_cog(Noop())
            await bot.tree.sync()
            await world.sandbox.driver.wait_commands()
            posts = await post_seed_review(world)
            show = await bot.lookup.resolve("The Trauma Code")
            finished: list[Any] = []
            behind: list[Any] = []
            for i in range(2 * members):
                user = await world.sandbox.driver.create_user(f"member{i}")
                await world.sandbox.driver.add_member(world.guild, user)
                await bot.stores.progress.set(user.id, show, 1, 8 if i < members else 3)
                (finished if i < members else behind).append(user)
            await world.sandbox.settle()
            print(f"seed review: {len(story)} characters of spoilers, posted as {len(posts)} messages")
            await measure(world, posts[-1], finished[:5], behind[:5], 10, story)  # warm-up
            print(f"round trip through sandbox + bot, ms ({members} members at once, {passes} passes)")
            timings: dict[str, list[float]] = collections.defaultdict(list)
            ratios: list[float] = []
            for _ in range(passes):
                one_pass = await measure(world, posts[-1], finished, behind, rounds, story)
                for name, values in one_pass.items():
                    timings[name] += values
                ratios.append(statistics.median(one_pass["reveal (seen it all)"]) / statistics.median(one_pass["noop"]))
            for name, values in timings.items():
                print(
                    f"  {name:>22}: median {statistics.median(values):7.2f}"
                    f"  p99 {percentile(values, 0.99):7.2f}  (n={len(values)})"
                )
            violations = len(world.sandbox.violations)
    ratio = statistics.median(ratios)
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    spread = f"passes {min(ratios):.2f}-{max(ratios):.2f}"
    print(f"  ratio reveal/noop at the median: {ratio:.2f} ({spread}; target <= {TARGET_RATIO}) {verdict}")
    print(f"  sandbox violations: {violations}")
    return 1 if ratio > TARGET_RATIO or violations else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.rounds, args.members, args.passes)))
