"""The demo server the playground (and the e2e tests) run the real bot in: the sandbox Discord on loopback,
a "Drama Club" guild with two members, and the bot logged in to it over the same code path as production."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

from bot.app import WatchCompanion
from bot.runner import open_bot
from bot.sandbox.server import SandboxServer
from bot.sandbox.state import Channel, Guild, User
from bot.settings import Settings

MEMBERS = ("alice", "bob")
REPLY_TIMEOUT = 10.0


@dataclasses.dataclass
class DemoServer:
    """The sandbox and the guild, channel and members the playground acts in."""

    sandbox: SandboxServer
    guild: Guild
    channel: Channel
    users: dict[str, User]


async def seed_demo(sandbox: SandboxServer) -> DemoServer:
    """A demo server with two members; alice owns it (so she has every permission), bob is a plain member."""
    driver = sandbox.driver
    users = {name: await driver.create_user(name) for name in MEMBERS}
    guild = await driver.create_guild("Drama Club", owner=users["alice"])
    channel = await driver.create_text_channel(guild, "general")
    await driver.create_text_channel(guild, "reviews")
    await driver.create_text_channel(guild, "announcements")
    for user in users.values():
        await driver.add_member(guild, user)
    return DemoServer(sandbox, guild, channel, users)


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, workdir: Path, *, tvmaze_url: str | None = None
) -> AsyncIterator[tuple[DemoServer, WatchCompanion]]:
    """The sandbox, its demo server, and the real bot logged in to it over loopback.

    Offline unless ``tvmaze_url`` names a (loopback, in tests) TVmaze to use.
    """
    async with SandboxServer() as sandbox:
        demo = await seed_demo(sandbox)
        bot_settings = dataclasses.replace(
            settings,
            token=sandbox.token,
            discord_api_base=sandbox.url,
            database_path=workdir / "playground.db",
            offline=tvmaze_url is None,
            tvmaze_base_url=tvmaze_url or settings.tvmaze_base_url,
            dev_guild_id=None,
        )
        async with open_bot(bot_settings) as bot:
            runner = asyncio.create_task(bot.start(sandbox.token))
            try:
                # Commands sync in setup_hook, before the gateway; the first IDENTIFY means the bot is listening.
                # (on_ready would add discord.py's 2-second wait for more guilds, which a sandbox never sends.)
                await sandbox.driver.wait_commands(timeout=REPLY_TIMEOUT)
                await sandbox.gateway.wait_for(lambda: sandbox.gateway.identify_count > 0, timeout=REPLY_TIMEOUT)
                await sandbox.settle()
                yield demo, bot
            finally:
                await bot.close()
                with contextlib.suppress(Exception):
                    await runner
