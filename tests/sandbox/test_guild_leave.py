"""The bot removed from a server, or leaving one itself: discord.py hears on_guild_remove (not an outage), the
guild's routes then refuse it as Discord does, and an invitation back brings it in again."""

from __future__ import annotations

import asyncio

import discord
import pytest


def collect(bot, event: str, into: asyncio.Queue[int] | list[int]) -> None:
    async def listener(guild: discord.Guild) -> None:
        if isinstance(into, list):
            into.append(guild.id)
        else:
            into.put_nowait(guild.id)

    bot.add_listener(listener, event)


async def test_removed_bot_hears_guild_remove_and_is_refused_after(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    removed: asyncio.Queue[int] = asyncio.Queue()
    unavailable: list[int] = []
    collect(bot, "on_guild_remove", removed)
    collect(bot, "on_guild_unavailable", unavailable)
    async with running(bot, sandbox):
        channel = bot.get_channel(world.channel.id)
        assert channel is not None
        await driver.remove_bot(world.guild)
        assert await asyncio.wait_for(removed.get(), 5) == world.guild.id
        assert unavailable == []
        assert bot.get_guild(world.guild.id) is None
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send("still here?")
        assert refused.value.code == 50001

        joined: asyncio.Queue[int] = asyncio.Queue()
        collect(bot, "on_guild_join", joined)
        await driver.add_bot(world.guild)
        assert await asyncio.wait_for(joined.get(), 5) == world.guild.id
        sent = await bot.get_channel(world.channel.id).send("back")
        assert driver.last_message(world.channel).id == sent.id


async def test_the_bot_can_leave_a_server_itself(world, make_bot, running):
    sandbox = world.sandbox
    bot = make_bot()
    removed: asyncio.Queue[int] = asyncio.Queue()
    collect(bot, "on_guild_remove", removed)
    async with running(bot, sandbox):
        guild = bot.get_guild(world.guild.id)
        assert guild is not None
        await guild.leave()
        assert await asyncio.wait_for(removed.get(), 5) == world.guild.id
        assert sandbox.bot.id not in world.guild.members
        with pytest.raises(discord.Forbidden):
            await bot.fetch_guild(world.guild.id)
