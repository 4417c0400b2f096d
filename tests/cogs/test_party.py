"""/party callbacks, its check-in button and its reminder loop, on the real bot and stores with a test clock; only
Discord's side (the interaction, the channel a reminder is posted in) is a spec'd fake."""

from __future__ import annotations

import datetime as dt
import logging
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest

from bot.domain.errors import (
    AlreadyFinishedError,
    AmbiguousTitleError,
    ExpiredComponentError,
    InvalidInputError,
    MissingPermissionError,
    PartyNotFoundError,
)
from bot.domain.progress import Position
from cogs._party_ui import GuildOnlyError, PartyCheckInButton
from tests.clock import SettableClock
from tests.cogs.fakes import fake_interaction, sent

T0 = dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)
GUILD, OTHER_GUILD, CHANNEL = 2001, 2002, 3001
HOST, GUEST = 1001, 1002


@pytest.fixture
def clock(offline_bot):
    clock = SettableClock(T0)
    offline_bot.stores.parties.clock = clock
    offline_bot.get_cog("Parties").clock = clock
    return clock


@pytest.fixture
def channel(offline_bot):
    """Where reminders go: a spec'd text channel the bot finds in its cache."""
    fake = MagicMock(spec=discord.TextChannel)
    fake.send = AsyncMock()
    offline_bot.get_channel = lambda channel_id: fake if channel_id == CHANNEL else None
    return fake


def cog(bot):
    return bot.get_cog("Parties")


def interaction(bot, user_id=HOST, guild_id=GUILD, manage_events=False):
    fake = fake_interaction(bot, user_id=user_id, guild_id=guild_id)
    fake.channel_id = CHANNEL
    fake.permissions = discord.Permissions(manage_events=manage_events)
    fake.app_permissions = discord.Permissions(manage_events=True)
    fake.guild = None
    return fake


async def trauma(bot):
    return await bot.lookup.resolve_local("The Trauma Code")


async def party_at(bot, clock, starts_in: dt.timedelta | None = None):
    """An open party for The Trauma Code, its session starting ``starts_in`` from now when given."""
    show = await trauma(bot)
    party = await bot.stores.parties.create(GUILD, CHANNEL, show.id, "Friday Trauma", HOST)
    session = await bot.stores.parties.current_session(GUILD, party.id)
    if starts_in is not None:
        session, _ = await bot.stores.parties.schedule(GUILD, party.id, HOST, False, clock() + starts_in)
    return party, session


async def test_create_posts_the_party_with_a_check_in_button(offline_bot, clock):
    fake = interaction(offline_bot)
    await cog(offline_bot).create.callback(cog(offline_bot), fake, title="The Trauma Code", name="Friday  Trauma")
    reply = sent(fake)
    assert reply.get("ephemeral") is False
    assert "<@1001> started the watch party “Friday Trauma” for **The Trauma Code: Heroes On Call**" in reply["content"]
    [button] = reply["view"].children
    assert button.item.label == "Check in"
    [party] = await offline_bot.stores.parties.open_parties(GUILD)
    session = await offline_bot.stores.parties.open_session(GUILD, party.id)
    assert button.item.custom_id == f"party:checkin:{session.id}"


async def test_a_200_character_name_is_refused_before_anything_is_stored(offline_bot, clock):
    fake = interaction(offline_bot)
    with pytest.raises(InvalidInputError, match="at most 100 characters; that one has 200"):
        await cog(offline_bot).create.callback(cog(offline_bot), fake, title="The Trauma Code", name="x" * 200)
    assert await offline_bot.stores.parties.open_parties(GUILD) == []


@pytest.mark.parametrize("command", ["join", "leave", "status", "next", "end"])
async def test_every_command_in_a_dm_says_it_needs_a_server(offline_bot, clock, command):
    fake = interaction(offline_bot, guild_id=None)
    with pytest.raises(GuildOnlyError, match="Watch parties live in a server channel"):
        await getattr(cog(offline_bot), command).callback(cog(offline_bot), fake, name="Friday Trauma")


async def test_a_party_from_another_server_is_not_found(offline_bot, clock):
    await party_at(offline_bot, clock)
    fake = interaction(offline_bot, guild_id=OTHER_GUILD)
    with pytest.raises(PartyNotFoundError):
        await cog(offline_bot).status.callback(cog(offline_bot), fake, name="Friday Trauma")
    assert await cog(offline_bot).name_autocomplete(fake, "") == []


async def test_manage_events_lets_a_member_advance_and_a_plain_guest_cannot(offline_bot, clock):
    party, session = await party_at(offline_bot, clock)
    await offline_bot.stores.parties.check_in(GUILD, session.id, GUEST)
    parties = cog(offline_bot)
    with pytest.raises(MissingPermissionError):
        await parties.next.callback(parties, interaction(offline_bot, user_id=GUEST), name="Friday Trauma")
    assert (await offline_bot.stores.parties.get(GUILD, party.id)).position is None
    fake = interaction(offline_bot, user_id=GUEST, manage_events=True)
    await parties.next.callback(parties, fake, name="Friday Trauma")
    assert "Progress moved for <@1002>." in sent(fake)["content"]
    assert (await offline_bot.stores.parties.get(GUILD, party.id)).position == Position(1, 1)


async def test_schedule_without_any_zone_asks_for_one(offline_bot, clock):
    await party_at(offline_bot, clock)
    parties = cog(offline_bot)
    with pytest.raises(InvalidInputError, match="Which time zone is that in"):
        await parties.schedule.callback(parties, interaction(offline_bot), name="Friday Trauma", when="20:00")


async def test_a_finished_party_cannot_schedule_another_evening(offline_bot, clock):
    party, _ = await party_at(offline_bot, clock)
    show = await trauma(offline_bot)
    for _ in range(8):
        await offline_bot.stores.parties.advance(GUILD, party.id, show, HOST, False)
    parties = cog(offline_bot)
    fake = interaction(offline_bot)
    with pytest.raises(AlreadyFinishedError, match="has watched the last episode"):
        await parties.schedule.callback(parties, fake, name="Friday Trauma", when="20:00", timezone="UTC")
    assert (await offline_bot.stores.parties.open_session(GUILD, party.id)) is None


async def test_the_check_in_button_answers_privately_and_joins_the_party(offline_bot, clock):
    party, session = await party_at(offline_bot, clock)
    fake = interaction(offline_bot, user_id=GUEST)
    await PartyCheckInButton(session.id).callback(fake)
    assert sent(fake) == {
        "content": "You're checked in for ep 1/8 with “Friday Trauma”. You have joined the party too.",
        "ephemeral": True,
    }
    assert [m.user_id for m in await offline_bot.stores.parties.members(GUILD, party.id)] == [HOST, GUEST]
    assert await offline_bot.stores.parties.check_ins(GUILD, session.id) == [GUEST]


async def test_the_check_in_button_of_another_server_finds_nothing(offline_bot, clock):
    _party, session = await party_at(offline_bot, clock)
    fake = interaction(offline_bot, user_id=GUEST, guild_id=OTHER_GUILD)
    await PartyCheckInButton(session.id).callback(fake)
    assert "That session is over" in sent(fake)["content"]
    assert await offline_bot.stores.parties.check_ins(GUILD, session.id) == []


async def test_a_pick_from_an_ambiguous_titles_list_creates_the_party_named_before(offline_bot, clock):
    show = await trauma(offline_bot)
    # The catalogue rarely makes a title ambiguous; here the lookup says so, as it does for "Kim" among many shows.
    offline_bot.lookup.resolve_local = AsyncMock(side_effect=AmbiguousTitleError("Trauma", [(show.title, show.id)]))
    asked = interaction(offline_bot)
    await cog(offline_bot).create.callback(cog(offline_bot), asked, title="Trauma", name="Friday Trauma")
    offered = sent(asked)
    assert offered["ephemeral"] is True
    assert offered["view"].children[0].item.custom_id == "pick:party.create:42"
    assert await offline_bot.stores.parties.open_parties(GUILD) == []

    picked = interaction(offline_bot)
    picked.response.is_done.return_value = True  # the select deferred before running the action
    await offline_bot.title_actions["party.create"](picked, show, "42")
    [party] = await offline_bot.stores.parties.open_parties(GUILD)
    assert (party.name, party.host_id, party.show_id) == ("Friday Trauma", HOST, show.id)
    with pytest.raises(ExpiredComponentError, match="run /party create again"):
        await offline_bot.title_actions["party.create"](picked, show, "42")


# -- reminders ------------------------------------------------------------------------------------------------------


async def test_the_reminder_posts_once_when_the_session_starts(offline_bot, clock, channel):
    await party_at(offline_bot, clock, starts_in=dt.timedelta(hours=2))
    parties = cog(offline_bot)
    clock.advance(hours=1, minutes=59)
    assert await parties.post_due_reminders() == 0
    clock.advance(minutes=1)
    assert await parties.post_due_reminders() == 1
    clock.advance(minutes=1)
    assert await parties.post_due_reminders() == 0
    channel.send.assert_awaited_once()
    text = channel.send.await_args.args[0]
    assert "⏰ Watch party “Friday Trauma” starts now: ep 1/8 of The Trauma Code: Heroes On Call." in text


@pytest.mark.parametrize(("down_for", "posted"), [(dt.timedelta(minutes=59), 1), (dt.timedelta(minutes=61), 0)])
async def test_a_bot_back_within_the_hour_still_reminds(offline_bot, clock, channel, down_for, posted):
    await party_at(offline_bot, clock, starts_in=dt.timedelta(hours=1))
    clock.advance(hours=1)
    clock.now += down_for
    assert await cog(offline_bot).post_due_reminders() == posted
    assert channel.send.await_count == posted


async def test_a_failed_post_is_logged_and_retried_on_the_next_tick(offline_bot, clock, channel, caplog):
    await party_at(offline_bot, clock, starts_in=dt.timedelta(minutes=5))
    clock.advance(minutes=6)
    response = MagicMock(status=503, reason="Service Unavailable")
    channel.send.side_effect = [discord.HTTPException(response, "down"), None]
    parties = cog(offline_bot)
    with caplog.at_level(logging.ERROR, logger="cogs.party"):
        await parties.reminders.coro(parties)  # one tick of the loop: it must not raise
    assert "posting party reminders failed" in caplog.text
    await parties.reminders.coro(parties)
    assert channel.send.await_count == 2
    assert await parties.post_due_reminders() == 0


async def test_a_channel_closed_to_the_bot_is_not_retried(offline_bot, clock, channel):
    await party_at(offline_bot, clock, starts_in=dt.timedelta(minutes=5))
    clock.advance(minutes=6)
    channel.send.side_effect = discord.Forbidden(MagicMock(status=403, reason="Forbidden"), "Missing Access")
    parties = cog(offline_bot)
    assert await parties.post_due_reminders() == 0
    assert await parties.post_due_reminders() == 0
    channel.send.assert_awaited_once()


async def test_a_member_leaving_the_server_leaves_its_parties_and_the_host_passes_on(offline_bot, clock, channel):
    party, _ = await party_at(offline_bot, clock)
    await offline_bot.stores.parties.join(GUILD, party.id, GUEST)
    user = MagicMock(spec=discord.User)
    user.id = HOST
    payload = MagicMock(spec=discord.RawMemberRemoveEvent)
    payload.guild_id, payload.user = GUILD, user
    await cog(offline_bot).on_raw_member_remove(payload)
    assert [m.user_id for m in await offline_bot.stores.parties.members(GUILD, party.id)] == [GUEST]
    assert (await offline_bot.stores.parties.get(GUILD, party.id)).host_id == GUEST
    channel.send.assert_awaited_once_with("The host of “Friday Trauma” left the server; <@1002> hosts it now.")
