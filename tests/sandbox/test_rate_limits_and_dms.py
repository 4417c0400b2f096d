"""Rate limits, DMs and refused channels as the sandbox answers them: bucket headers, a 429 with retry_after past
a route's bucket or the global limit, a bot that honours it (discord.py) getting every message through, a bot
that ignores it recorded; a DM channel, 50007 for closed DMs, 50013 for a channel the bot may not post in."""

import asyncio

import aiohttp
import discord
import pytest

from bot.sandbox.ratelimit import RateLimits
from bot.sandbox.state import SEND_MESSAGES


async def post(sandbox, channel_id, content="hi"):
    url = f"{sandbox.url}/api/v10/channels/{channel_id}/messages"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"content": content}, headers={"Authorization": f"Bot {sandbox.token}"}) as response,
    ):
        return response.status, dict(response.headers), await response.json()


async def test_every_bucketed_answer_carries_discords_rate_limit_headers(world):
    status, headers, _ = await post(world.sandbox, world.channel.id)
    assert status == 200
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-After"):
        assert float(headers[name]) >= 0
    assert headers["X-RateLimit-Bucket"]


async def test_past_a_channels_bucket_discord_answers_429_with_retry_after(world):
    sandbox = world.sandbox
    sandbox.rate_limits.enable(route_limit=3, route_period=60.0)
    answers = [await post(sandbox, world.channel.id, f"m{i}") for i in range(4)]
    assert [a[0] for a in answers] == [200, 200, 200, 429]
    assert [a[1]["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    _, headers, body = answers[3]
    assert body["message"] == "You are being rate limited."
    assert body["global"] is False
    assert 0 < body["retry_after"] <= 60
    assert int(headers["Retry-After"]) >= 1
    assert headers["X-RateLimit-Scope"] == "user"
    assert len(sandbox.driver.messages(world.channel)) == 3
    # Another channel is another bucket.
    other = await sandbox.driver.create_text_channel(world.guild, "other")
    assert (await post(sandbox, other.id))[0] == 200
    # Sending again before retry_after is what Discord holds against a bot.
    assert (await post(sandbox, world.channel.id))[0] == 429
    assert [v.kind for v in sandbox.violations] == ["rate_limit_ignored"]


async def test_the_global_limit_spans_every_route(world):
    sandbox = world.sandbox
    sandbox.rate_limits.enable(route_limit=100, route_period=1.0, global_per_second=2)
    channels = [world.channel, await sandbox.driver.create_text_channel(world.guild, "b")]
    channels.append(await sandbox.driver.create_text_channel(world.guild, "c"))
    answers = [await post(sandbox, c.id) for c in channels]
    assert [a[0] for a in answers] == [200, 200, 429]
    assert answers[2][2]["global"] is True
    assert answers[2][1]["X-RateLimit-Global"] == "true"


def test_a_bucket_frees_as_its_window_passes():
    now = [0.0]
    limits = RateLimits(clock=lambda: now[0], wall=lambda: 1_000.0)
    limits.enable(route_limit=2, route_period=5.0)
    route = ("POST", "/api/v10/channels/{channel_id}/messages", {"channel_id": "1"})
    assert [limits.check(*route).refused is None for _ in range(3)] == [True, True, False]
    now[0] = 5.01
    decision = limits.check(*route)
    assert decision.refused is None
    assert decision.ignored_retry_after is False
    assert decision.headers["X-RateLimit-Remaining"] == "1"
    assert limits.check("POST", "/api/v10/interactions/{id}/{token}/callback", {}) is None, "callbacks are not limited"


async def test_discord_py_honours_the_429s_and_every_message_arrives_once(world, make_bot, running):
    sandbox = world.sandbox
    sandbox.rate_limits.enable(route_limit=2, route_period=0.3, global_per_second=3)
    async with running(make_bot(), sandbox) as bot:
        channels = [bot.get_channel(world.channel.id)]
        channels.append(bot.get_partial_messageable((await sandbox.driver.create_text_channel(world.guild, "b")).id))
        for i in range(6):
            await asyncio.gather(*(c.send(f"message {i}") for c in channels))
    texts = [m.content for m in sandbox.driver.messages(world.channel)]
    assert sorted(texts) == [f"message {i}" for i in range(6)]
    assert sandbox.rate_limits.refused > 0, "the global limit was met"
    assert sandbox.violations == [], "and each 429's retry_after was waited out"


async def test_a_dm_opens_a_dm_channel_and_a_member_with_closed_dms_gives_50007(world, make_bot, running):
    sandbox = world.sandbox
    world.bob.dms_open = False
    async with running(make_bot(), sandbox) as bot:
        alice_dm = await bot.create_dm(discord.Object(id=world.alice.id))
        await alice_dm.send("hello alice")
        bob_dm = await bot.create_dm(discord.Object(id=world.bob.id))
        with pytest.raises(discord.Forbidden) as refused:
            await bob_dm.send("hello bob")
    assert refused.value.code == 50007
    assert [m.content for m in sandbox.driver.dms(world.alice)] == ["hello alice"]
    assert sandbox.driver.dms(world.bob) == []
    assert [v.kind for v in sandbox.violations] == ["dm_closed"]


async def test_a_channel_the_bot_may_not_post_in_gives_50013(world, make_bot, running):
    sandbox = world.sandbox
    bot_member = world.guild.members[sandbox.bot.id]
    await sandbox.driver.set_overwrite(world.channel, bot_member, deny=SEND_MESSAGES)
    async with running(make_bot(), sandbox) as bot:
        with pytest.raises(discord.Forbidden) as refused:
            await bot.get_partial_messageable(world.channel.id).send("news")
    assert refused.value.code == 50013
    assert sandbox.driver.messages(world.channel) == []
