"""Round trip of `/drama info` against a no-op command, through the sandbox Discord and the real bot.

Run: .venv/bin/python bench/roundtrip.py [--rounds 200] [--members 50] [--passes 3]
Prints median and p99 in milliseconds, sequential and with N members at once, and the info/no-op ratio
(target: at most 1.5 at the median). The bot and the sandbox share this process and its event loop, and the
no-op answers publicly like /drama info, so both pay the same transport and message cost; the ratio isolates
what the command itself adds (title resolution, the show record, the card). Each mode runs ``--passes`` times
and the ratio reported is the median of the passes' ratios, with their range: on a machine shared with other
work one pass can land on a burst of load.

The sandbox checks every request body against Discord's OpenAPI description when
../shared/discord-api-spec/openapi.json is there (it says which, and what the check costs per body).
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

import discord
from discord import app_commands
from discord.ext import commands

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.playground.demo import DemoServer, running_bot
from bot.sandbox.openapi import OpenApiCheck
from bot.settings import Settings

TARGET_RATIO = 1.5


class Noop(commands.Cog):
    @app_commands.command(name="noop", description="Answers at once; the benchmark's baseline")
    async def noop(self, interaction: discord.Interaction[Any]) -> None:
        # Public, like /drama info: both then pay for the channel message Discord creates and announces.
        await interaction.response.send_message("ok")

    @app_commands.command(name="noop-private", description="Answers at once, only to the caller; for reference")
    async def noop_private(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def one(world: DemoServer, user: Any, command: str, options: dict[str, str]) -> float:
    started = time.perf_counter()
    result = await world.sandbox.driver.slash(user, world.channel, command, options)
    await result.wait_done(timeout=30)
    return (time.perf_counter() - started) * 1000


async def measure(world: DemoServer, users: list[Any], rounds: int, concurrent: int) -> dict[str, list[float]]:
    cases = {
        "noop": ("noop", {}),
        "drama info": ("drama info", {"title": "The Trauma Code"}),
        # For reference: an ephemeral reply skips the channel message, so it is cheaper than any public one.
        "noop-private": ("noop-private", {}),
    }
    timings: dict[str, list[float]] = {name: [] for name in cases}
    # Interleave the two commands so drift in machine load hits both alike.
    for _ in range(max(1, rounds // concurrent)):
        for name, (command, options) in cases.items():
            batch = users[:concurrent]
            timings[name] += await asyncio.gather(*(one(world, u, command, options) for u in batch))
    return timings


def time_openapi_checks(check: OpenApiCheck) -> dict[str, list[float]]:
    """Microseconds each body check takes, by what the body was (a card with an embed, or plain)."""
    spent: dict[str, list[float]] = collections.defaultdict(list)
    inner = check.check

    def timed(method: str, path: str, body: Any) -> Any:
        started = time.perf_counter()
        found = inner(method, path, body)
        card = isinstance(body, dict) and bool((body.get("data") or {}).get("embeds"))
        spent["card" if card else "plain"].append((time.perf_counter() - started) * 1e6)
        return found

    check.check = timed  # type: ignore[method-assign]
    return spent


async def main(rounds: int, members: int, passes: int) -> int:
    with tempfile.TemporaryDirectory() as workdir:
        settings = Settings.from_env({"OFFLINE": "1", "LOG_LEVEL": "WARNING"})
        async with running_bot(settings, Path(workdir)) as (world, bot):
            await bot.add_cog(Noop())
            await bot.tree.sync()
            users = [world.users["alice"], world.users["bob"]]
            for i in range(members):
                user = await world.sandbox.driver.create_user(f"member{i}")
                await world.sandbox.driver.add_member(world.guild, user)
                users.append(user)
            await measure(world, users, 20, 1)  # warm-up: imports, caches, first queries
            check = world.sandbox.openapi
            state = f"on, {check.source}" if check else "off (description not found, skipped)"
            print(f"OpenAPI body check: {state}")
            spent = time_openapi_checks(check) if check else {}
            print(f"round trip through sandbox + bot, ms ({rounds} per command per mode and pass, {passes} passes)")
            ratios: dict[str, list[float]] = {}
            for mode, concurrent in (("sequential", 1), (f"{members} members at once", members)):
                timings: dict[str, list[float]] = collections.defaultdict(list)
                for _ in range(passes):
                    one_pass = await measure(world, users, rounds, concurrent)
                    for name, values in one_pass.items():
                        timings[name] += values
                    ratio = statistics.median(one_pass["drama info"]) / statistics.median(one_pass["noop"])
                    ratios.setdefault(mode, []).append(ratio)
                for name, values in timings.items():
                    print(
                        f"  {mode:>24} {name:>12}: median {statistics.median(values):7.2f}"
                        f"  p99 {percentile(values, 0.99):7.2f}  (n={len(values)})"
                    )
            violations = len(world.sandbox.violations)
    failed = False
    for mode, per_pass in ratios.items():
        ratio = statistics.median(per_pass)
        verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
        failed |= ratio > TARGET_RATIO
        spread = f"passes {min(per_pass):.2f}-{max(per_pass):.2f}"
        print(f"  ratio info/noop at the median, {mode}: {ratio:.2f} ({spread}; target <= {TARGET_RATIO}) {verdict}")
    for kind, values in sorted(spent.items()):
        print(f"  OpenAPI check per {kind} body: median {statistics.median(values):.1f} us (n={len(values)})")
    print(f"  sandbox violations: {violations}")
    return 1 if failed or violations else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.rounds, args.members, args.passes)))
