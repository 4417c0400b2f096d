"""The sandbox gateway as discord.py uses it: login, READY and GUILD_CREATE, zlib-stream, RESUME, re-IDENTIFY."""

from __future__ import annotations

import asyncio
import json
import zlib

import aiohttp
import discord

from bot.sandbox import SandboxServer


async def test_login_ready_and_guild_with_members(world, make_bot, running):
    sandbox = world.sandbox
    bot = make_bot()
    async with running(bot, sandbox):
        assert bot.user is not None
        assert bot.user.id == sandbox.bot.id
        assert bot.application_id == sandbox.application_id
        guild = bot.get_guild(world.guild.id)
        assert guild is not None
        assert not guild.unavailable
        assert guild.name == "Watchers"
        assert {m.name for m in guild.members} >= {"alice", "bob", sandbox.bot.username}
        assert [c.name for c in guild.text_channels] == ["general"]
        assert guild.me.guild_permissions.manage_events
        assert guild.me.guild_permissions.send_messages
        alice = guild.get_member(world.alice.id)
        assert alice is not None
        assert alice.display_name == "Alice"
    assert sandbox.gateway.identify_count == 1
    assert sandbox.gateway.heartbeats >= 1
    assert not sandbox.unhandled


async def test_gateway_uses_zlib_stream_with_sync_flush(world, make_bot, running):
    sandbox = world.sandbox
    bot = make_bot()
    async with running(bot, sandbox):
        assert [c.compress for c in sandbox.gateway.connections] == ["zlib-stream"]
    # The same stream read by hand: one inflater for the connection, each message ends in 00 00 ff ff.
    url = f"{sandbox.gateway_url}?encoding=json&v=10&compress=zlib-stream"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        inflater = zlib.decompressobj()
        hello_frame = await ws.receive_bytes(timeout=5)
        assert hello_frame.endswith(b"\x00\x00\xff\xff")
        hello = json.loads(inflater.decompress(hello_frame))
        assert hello["op"] == 10
        assert hello["d"]["heartbeat_interval"] > 0
        await ws.send_json({"op": 1, "d": None})
        ack = json.loads(inflater.decompress(await ws.receive_bytes(timeout=5)))
        assert ack == {"op": 11}


async def test_permessage_deflate_is_negotiated(sandbox: SandboxServer):
    url = f"{sandbox.gateway_url}?encoding=json&v=10"
    async with aiohttp.ClientSession() as session, session.ws_connect(url, compress=15) as ws:
        assert ws.compress == 15
        hello = await ws.receive_json(timeout=5)
        assert hello["op"] == 10


async def test_bad_token_is_refused_with_4004(sandbox: SandboxServer):
    url = f"{sandbox.gateway_url}?encoding=json&v=10"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive_json(timeout=5)
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0, "properties": {}}})
        closing = await ws.receive(timeout=5)
        assert closing.type is aiohttp.WSMsgType.CLOSE
        assert ws.close_code == 4004


async def test_forced_reconnect_resumes_and_replays_missed_events(world, make_bot, running):
    sandbox = world.sandbox
    bot = make_bot()
    seen: list[str] = []
    resumed = asyncio.Event()
    all_seen = asyncio.Event()

    @bot.listen()
    async def on_message(message: discord.Message) -> None:
        seen.append(message.content)
        if len(seen) == 4:
            all_seen.set()

    @bot.listen()
    async def on_resumed() -> None:
        resumed.set()

    async with running(bot, sandbox):
        await sandbox.driver.send_message(world.alice, world.channel, "before")
        await sandbox.gateway.force_reconnect()
        # Sent while the client is away: only the RESUME replay can deliver these.
        await sandbox.driver.send_message(world.alice, world.channel, "missed 1")
        await sandbox.driver.send_message(world.bob, world.channel, "missed 2")
        await asyncio.wait_for(resumed.wait(), 5)
        await sandbox.driver.send_message(world.alice, world.channel, "after")
        await asyncio.wait_for(all_seen.wait(), 5)
    assert seen == ["before", "missed 1", "missed 2", "after"]
    assert sandbox.gateway.resume_count == 1
    assert sandbox.gateway.identify_count == 1


async def test_dropped_connection_resumes(world, make_bot, running):
    sandbox = world.sandbox
    bot = make_bot()
    resumed = asyncio.Event()

    @bot.listen()
    async def on_resumed() -> None:
        resumed.set()

    async with running(bot, sandbox):
        await sandbox.gateway.drop_connections()
        await asyncio.wait_for(resumed.wait(), 10)
    assert sandbox.gateway.resume_count == 1


async def test_invalid_session_leads_to_a_new_identify(world, make_bot, running):
    sandbox = world.sandbox
    bot = make_bot()
    readies = 0
    second_ready = asyncio.Event()

    @bot.listen()
    async def on_ready() -> None:
        nonlocal readies
        readies += 1
        if readies == 2:
            second_ready.set()

    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py waits 5 s before any re-IDENTIFY (Discord's identify rate limit); the sandbox has none.
        return None

    bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]

    async with running(bot, sandbox):
        first_session = next(iter(sandbox.gateway.sessions))
        await sandbox.gateway.invalidate_sessions(resumable=False)
        await asyncio.wait_for(second_ready.wait(), 10)
        assert sandbox.gateway.identify_count == 2
        assert sandbox.gateway.resume_count == 0
        live = sandbox.gateway.live_sessions
        assert len(live) == 1
        assert live[0].id != first_session
        assert bot.get_guild(world.guild.id) is not None


async def test_member_added_later_reaches_the_cache(world, make_bot, running):
    sandbox = world.sandbox
    bot = make_bot()
    joined = asyncio.Event()

    @bot.listen()
    async def on_member_join(member: discord.Member) -> None:
        if member.name == "carol":
            joined.set()

    async with running(bot, sandbox):
        carol = await sandbox.driver.create_user("carol")
        await sandbox.driver.add_member(world.guild, carol)
        await asyncio.wait_for(joined.wait(), 5)
        guild = bot.get_guild(world.guild.id)
        assert guild is not None
        assert guild.get_member(carol.id) is not None
