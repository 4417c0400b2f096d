"""Guild scheduled events and member leave as Discord answers them, through a real discord.py client: the fields
Discord checks, who may create, edit and delete an event, and GUILD_MEMBER_REMOVE for bots with the members intent."""

from __future__ import annotations

import asyncio
import datetime as dt

import discord
import pytest

from bot.sandbox.state import CREATE_EVENTS, DEFAULT_EVERYONE_PERMISSIONS


def external(guild: discord.Guild, start: dt.datetime, **fields: object):
    options: dict[str, object] = {
        "name": "Trauma Code watch party",
        "start_time": start,
        "end_time": start + dt.timedelta(hours=2),
        "entity_type": discord.EntityType.external,
        "privacy_level": discord.PrivacyLevel.guild_only,
        "location": "#general",
    }
    options.update(fields)
    return guild.create_scheduled_event(**options)  # type: ignore[arg-type]


def soon() -> dt.datetime:
    return discord.utils.utcnow() + dt.timedelta(hours=3)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"start_time": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "scheduled_start_time", "in the past"),
        ({"name": "x" * 101}, "name", "between 1 and 100"),
        ({"location": "y" * 101}, "entity_metadata", "100 or fewer"),
        ({"end_time": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "scheduled_end_time", "before it starts"),
    ],
)
async def test_an_event_discord_would_refuse_is_refused_and_recorded(world, make_bot, running, fields, field, words):
    sandbox = world.sandbox
    bot = make_bot()
    async with running(bot, sandbox):
        guild = bot.get_guild(world.guild.id)
        with pytest.raises(discord.HTTPException) as caught:
            await external(guild, soon(), **fields)
    assert (caught.value.status, caught.value.code) == (400, 50035)
    assert words in caught.value.text
    [violation] = sandbox.violations
    assert violation.kind == "invalid_form_body"
    assert field in violation.errors
    assert sandbox.driver.scheduled_events(world.guild) == []


async def test_a_voice_event_needs_a_voice_channel_of_the_guild(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    voice = await driver.create_voice_channel(world.guild, "Watch room")
    bot = make_bot()
    async with running(bot, sandbox):
        guild = bot.get_guild(world.guild.id)
        start = soon()
        with pytest.raises(discord.HTTPException) as caught:
            await bot.http.create_guild_scheduled_event(
                guild.id,
                name="Text channel is not a venue",
                privacy_level=2,
                scheduled_start_time=start.isoformat(),
                entity_type=2,
                channel_id=str(world.channel.id),
            )
        event = await guild.create_scheduled_event(
            name="In the voice room",
            start_time=start,
            entity_type=discord.EntityType.voice,
            channel=guild.get_channel(voice.id),
            privacy_level=discord.PrivacyLevel.guild_only,
        )
    assert "Must be a voice channel" in caught.value.text
    assert [e["id"] for e in driver.scheduled_events(world.guild)] == [str(event.id)]


async def test_events_are_listed_edited_and_deleted(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    deleted = asyncio.Event()

    @bot.listen()
    async def on_scheduled_event_delete(event: discord.ScheduledEvent) -> None:
        deleted.set()

    async with running(bot, sandbox):
        guild = bot.get_guild(world.guild.id)
        first = await external(guild, soon())
        second = await external(guild, soon() + dt.timedelta(days=1), name="Episode 2")
        later = soon() + dt.timedelta(days=2)
        await second.edit(start_time=later, end_time=later + dt.timedelta(hours=1))
        listed = await guild.fetch_scheduled_events()
        await first.delete()
        await asyncio.wait_for(deleted.wait(), 5)
        with pytest.raises(discord.NotFound) as gone:
            await guild.fetch_scheduled_event(first.id)
    assert sorted(e.id for e in listed) == sorted([first.id, second.id])
    [left] = driver.scheduled_events(world.guild)
    assert left["name"] == "Episode 2"
    assert dt.datetime.fromisoformat(left["scheduled_start_time"]) == later.replace(microsecond=later.microsecond)
    assert gone.value.code == 10070
    assert sandbox.violations == []


async def test_a_canceled_event_cannot_start_again(world, make_bot, running):
    sandbox = world.sandbox
    bot = make_bot()
    async with running(bot, sandbox):
        event = await external(bot.get_guild(world.guild.id), soon())
        await event.cancel()
        with pytest.raises(discord.HTTPException) as caught:
            await event.start()
    assert "Invalid status transition" in caught.value.text
    assert [v.kind for v in sandbox.violations] == ["invalid_form_body"]


async def test_create_events_lets_a_bot_manage_only_its_own_events(sandbox, make_bot, running):
    driver = sandbox.driver
    owner = await driver.create_user("owner")
    guild = await driver.create_guild(
        "Small Club", owner=owner, bot_permissions=DEFAULT_EVERYONE_PERMISSIONS | CREATE_EVENTS
    )
    await driver.create_text_channel(guild, "general")
    someone_elses = await driver.create_scheduled_event(guild, owner, "Owner's night", soon())
    bot = make_bot()
    async with running(bot, sandbox):
        client_guild = bot.get_guild(guild.id)
        own = await external(client_guild, soon())
        await own.edit(description="Episodes 1 and 2")
        with pytest.raises(discord.Forbidden) as refused:
            await bot.http.delete_scheduled_event(guild.id, someone_elses["id"])
        await own.delete()
    assert refused.value.code == 50013
    assert [e["id"] for e in driver.scheduled_events(guild)] == [someone_elses["id"]]
    [violation] = sandbox.violations
    assert (violation.kind, violation.detail) == ("missing_permissions", "bot cannot manage an event it did not create")


async def test_a_bot_without_event_permissions_is_refused(sandbox, make_bot, running):
    driver = sandbox.driver
    guild = await driver.create_guild("No Events", bot_permissions=DEFAULT_EVERYONE_PERMISSIONS)
    bot = make_bot()
    async with running(bot, sandbox):
        with pytest.raises(discord.Forbidden):
            await external(bot.get_guild(guild.id), soon())
    assert [v.kind for v in sandbox.violations] == ["missing_permissions"]


@pytest.mark.parametrize(("members_intent", "heard"), [(True, True), (False, False)])
async def test_member_leave_reaches_bots_with_the_members_intent(world, make_bot, running, members_intent, heard):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot(members=members_intent)
    removed: list[tuple[int, int]] = []
    done = asyncio.Event()

    @bot.listen()
    async def on_raw_member_remove(payload: discord.RawMemberRemoveEvent) -> None:
        removed.append((payload.guild_id, payload.user.id))

    @bot.listen()
    async def on_guild_channel_create(channel: discord.abc.GuildChannel) -> None:
        done.set()  # a marker sent after the leave: every event before it has been handled

    async with running(bot, sandbox):
        await driver.remove_member(world.guild, world.bob)
        await driver.create_text_channel(world.guild, "after")
        await asyncio.wait_for(done.wait(), 5)
    assert world.bob.id not in world.guild.members
    assert removed == ([(world.guild.id, world.bob.id)] if heard else [])
