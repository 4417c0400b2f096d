"""Fixtures for the sandbox tests: a started sandbox with a small world, and a way to run a tiny real
discord.py bot against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import discord
import pytest
from discord.ext import commands

from bot.api_base import apply_api_base
from bot.sandbox import Channel, Guild, SandboxServer, User


@dataclass
class SandboxScene:
    sandbox: SandboxServer
    guild: Guild
    channel: Channel
    alice: User
    bob: User


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(ack_deadline=3.0)
    await server.start()
    apply_api_base(server.url)
    try:
        yield server
    finally:
        apply_api_base(None)
        await server.stop()


@pytest.fixture
async def world(sandbox: SandboxServer) -> SandboxScene:
    driver = sandbox.driver
    guild = await driver.create_guild("Watchers")
    channel = await driver.create_text_channel(guild, "general")
    alice = await driver.create_user("alice", global_name="Alice")
    bob = await driver.create_user("bob")
    await driver.add_member(guild, alice)
    await driver.add_member(guild, bob)
    return SandboxScene(sandbox, guild, channel, alice, bob)


def _make_bot(*, members: bool = True, message_content: bool = True, **options: object) -> commands.Bot:
    intents = discord.Intents.default()
    intents.members = members
    intents.message_content = message_content
    # A short guild_ready_timeout: discord.py otherwise waits 2 s after the last GUILD_CREATE before on_ready.
    return commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05, **options)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def _running(
    bot: discord.Client, sandbox: SandboxServer, ready_within: float = 10.0
) -> AsyncIterator[discord.Client]:
    """Log ``bot`` in to the sandbox, wait for on_ready, and close it afterwards."""
    ready = asyncio.Event()

    async def on_ready() -> None:
        ready.set()

    bot.add_listener(on_ready, "on_ready")
    task = asyncio.create_task(bot.start(sandbox.token))
    waiter = asyncio.create_task(ready.wait())
    try:
        done, _ = await asyncio.wait({task, waiter}, timeout=ready_within, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
            raise RuntimeError("the bot stopped before it was ready")
        if waiter not in done:
            raise TimeoutError("the bot did not become ready")
        yield bot
    finally:
        waiter.cancel()
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=5)


@pytest.fixture
def make_bot() -> Callable[..., commands.Bot]:
    """``make_bot(members=True, message_content=True, **client_options)``: a tiny commands.Bot (not the
    project's bot) whose tests add commands and listeners."""
    return _make_bot


@pytest.fixture
def running() -> Callable[..., contextlib.AbstractAsyncContextManager[discord.Client]]:
    """``async with running(bot, sandbox):`` logs the bot in and waits for on_ready."""
    return _running
