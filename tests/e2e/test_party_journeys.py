"""Watch parties through the sandbox: two members create, join, check in, advance and schedule a party for The Trauma
Code; the Discord event has the right UTC start; the reminder posts once; nothing shows in a second server."""

from __future__ import annotations

import asyncio
import datetime as dt
import zoneinfo
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.progress import Position
from bot.playground.demo import DemoServer, running_bot
from bot.sandbox.state import DEFAULT_EVERYONE_PERMISSIONS
from tests.clock import SettableClock
from tests.conftest import offline_settings
from tests.e2e.conftest import assert_clean

pytestmark = pytest.mark.e2e

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
NAME = "Friday Trauma"


@pytest.fixture
async def party_world(tmp_path: Path) -> AsyncIterator[tuple[DemoServer, object, SettableClock]]:
    """The bot in-process, its party clock set by the test (the sandbox still checks times against the real one)."""
    async with running_bot(offline_settings(tmp_path), tmp_path) as (world, bot):
        clock = SettableClock(dt.datetime.now(dt.UTC))
        bot.stores.parties.clock = clock
        bot.get_cog("Parties").clock = clock
        yield world, bot, clock
        await world.sandbox.settle()
        assert_clean(world.sandbox)


async def run(world: DemoServer, user: str, command: str, channel=None, **options):
    result = await world.sandbox.driver.slash(world.users[user], channel or world.channel, command, **options)
    await result.wait_done()
    return result


async def wait_until(predicate) -> None:
    """Poll what the bot stored (it says nothing in the channel when an ordinary member leaves)."""
    for _ in range(250):
        if await predicate():
            return
        await asyncio.sleep(0.02)
    pytest.fail("the bot did not get there within 5 seconds")


def reminders(world: DemoServer) -> list[str]:
    return [m.content for m in world.sandbox.driver.messages(world.channel) if "starts now" in m.content]


async def test_two_members_watch_the_trauma_code_together(party_world):
    world, bot, clock = party_world
    driver = world.sandbox.driver
    alice, bob = world.users["alice"], world.users["bob"]
    progress = bot.stores.progress

    created = await run(world, "alice", "party create", title="The Trauma Code", name=NAME)
    assert not created.ephemeral
    assert f"started the watch party “{NAME}”" in created.text()
    assert "The Trauma Code: Heroes On Call" in created.text()
    assert "ep 1/8" in created.text()

    choices = await driver.autocomplete(bob, world.channel, "party join", "name", "fri")
    assert [c["name"] for c in choices] == [NAME]
    joined = await run(world, "bob", "party join", name=NAME)
    assert "joined the watch party" in joined.text()

    for member in (alice, bob):
        checked = await driver.click(member, created, "Check in")
        await checked.wait_done()
        assert checked.ephemeral
        assert "checked in for ep 1/8" in checked.text()

    advanced = await run(world, "alice", "party next", name=NAME)
    assert "has watched ep 1/8" in advanced.text()
    assert "Progress moved for @alice, @bob." in advanced.text()
    trauma = (await bot.stores.parties.open_parties(world.guild.id))[0].show_id
    for member in (alice, bob):
        stored = await progress.get(member.id, trauma)
        assert stored is not None
        assert stored.position == Position(1, 1)

    # Alice types Seoul time; the event starts at that moment in UTC.
    scheduled = await run(world, "alice", "party schedule", name=NAME, when="tomorrow 21:00", timezone="Asia/Seoul")
    local_tomorrow = clock().astimezone(SEOUL).date() + dt.timedelta(days=1)
    expected = dt.datetime.combine(local_tomorrow, dt.time(21, 0), SEOUL).astimezone(dt.UTC)
    [event] = driver.scheduled_events(world.guild)
    assert dt.datetime.fromisoformat(event["scheduled_start_time"]) == expected
    assert event["name"].startswith(NAME)
    assert f"<t:{int(expected.timestamp())}:F>" in scheduled.content
    assert "ep 2/8" in scheduled.text()

    # Only bob checks in for the second evening: only bob moves with the party.
    checked = await driver.click(bob, scheduled, "Check in")
    await checked.wait_done()

    cog = bot.get_cog("Parties")
    clock.now = expected - dt.timedelta(minutes=1)
    assert await cog.post_due_reminders() == 0
    clock.now = expected + dt.timedelta(minutes=2)
    assert await cog.post_due_reminders() == 1
    assert await cog.post_due_reminders() == 0
    # A reloaded cog (as after a restart) finds the reminder already posted.
    await bot.reload_extension("cogs.party")
    cog = bot.get_cog("Parties")
    cog.clock = clock
    assert await cog.post_due_reminders() == 0
    await world.sandbox.settle()
    [reminder] = reminders(world)
    assert f"“{NAME}” starts now: ep 2/8" in reminder

    second = await run(world, "alice", "party next", name=NAME)
    assert "Progress moved for @bob." in second.text()
    assert (await progress.get(bob.id, trauma)).position == Position(1, 2)
    assert (await progress.get(alice.id, trauma)).position == Position(1, 1)
    # What each member sees in /progress show agrees with the party.
    for user, where in (("bob", "ep 2/8"), ("alice", "ep 1/8")):
        shown = (await run(world, user, "progress show")).text()
        assert "The Trauma Code: Heroes On Call" in shown
        assert where in shown, (user, shown)

    status = await run(world, "bob", "party status", name=NAME)
    text = status.text()
    assert "Party's episode:** ep 2/8" in text
    assert "@alice: ep 1/8" in text
    assert "@bob: ep 2/8" in text

    # The next evening is planned, then the party ends: its Discord event goes with it.
    await run(world, "alice", "party schedule", name=NAME, when="in 3 hours", timezone="Europe/London")
    planned = {e["id"] for e in driver.scheduled_events(world.guild)} - {event["id"]}
    assert len(planned) == 1
    ended = await run(world, "alice", "party end", name=NAME)
    assert "has ended at ep 2/8" in ended.text()
    assert planned.isdisjoint(e["id"] for e in driver.scheduled_events(world.guild))
    # The event of the ended party's open session is removed; the name is free again.
    again = await run(world, "bob", "party create", title="The Trauma Code", name=NAME)
    assert "started the watch party" in again.text()
    assert world.sandbox.pings == []


async def test_a_party_ended_before_its_first_episode_says_so(party_world):
    world, _, _ = party_world
    await run(world, "alice", "party create", title="The Trauma Code", name=NAME)
    ended = (await run(world, "alice", "party end", name=NAME)).text()
    assert f"“{NAME}” has ended before its first episode of The Trauma Code: Heroes On Call." in ended
    assert "not started" not in ended


async def test_moving_on_before_the_planned_evening_removes_its_event(party_world):
    world, _bot, _clock = party_world
    await run(world, "alice", "party create", title="The Trauma Code", name=NAME)
    await run(world, "alice", "party schedule", name=NAME, when="in 2 hours", timezone="Asia/Seoul")
    assert len(world.sandbox.driver.scheduled_events(world.guild)) == 1
    advanced = await run(world, "alice", "party next", name=NAME)
    assert "has watched ep 1/8" in advanced.text()
    assert world.sandbox.driver.scheduled_events(world.guild) == []


async def test_a_party_is_invisible_from_another_server(party_world):
    world, _bot, _clock = party_world
    driver = world.sandbox.driver
    await run(world, "alice", "party create", title="The Trauma Code", name=NAME)
    carol = world.users["carol"] = await driver.create_user("carol")
    other = await driver.create_guild("Other Club", owner=carol)
    elsewhere = await driver.create_text_channel(other, "general")
    await driver.add_member(other, world.users["bob"])

    assert await driver.autocomplete(world.users["bob"], elsewhere, "party join", "name", "") == []
    for user in ("carol", "bob"):
        result = await run(world, user, "party status", channel=elsewhere, name=NAME)
        assert result.ephemeral
        assert f"There is no open party called “{NAME}” in this server." in result.text()
    joined = await run(world, "carol", "party join", channel=elsewhere, name=NAME)
    assert "There is no open party" in joined.text()


async def test_a_member_who_leaves_the_server_leaves_its_parties(party_world):
    world, bot, _clock = party_world
    await run(world, "alice", "party create", title="The Trauma Code", name=NAME)
    await run(world, "bob", "party join", name=NAME)
    [party] = await bot.stores.parties.open_parties(world.guild.id)
    bob = world.users["bob"]

    await world.sandbox.driver.remove_member(world.guild, bob)

    async def bob_gone() -> bool:
        return bob.id not in [m.user_id for m in await bot.stores.parties.members(world.guild.id, party.id)]

    await wait_until(bob_gone)
    assert [m.user_id for m in await bot.stores.parties.members(world.guild.id, party.id)] == [world.users["alice"].id]


async def test_a_party_command_in_a_dm_says_where_it_works(party_world):
    world, _bot, _clock = party_world
    driver = world.sandbox.driver
    result = await run(world, "alice", "party status", channel=driver.dm_channel(world.users["alice"]), name=NAME)
    assert result.ephemeral
    assert "Watch parties live in a server channel" in result.text()


@pytest.mark.parametrize(
    ("user", "command", "options", "expected"),
    [
        ("bob", "party next", {}, "Only the host of “Friday Trauma” or a member with Manage Events"),
        ("bob", "party end", {}, "Only the host of “Friday Trauma” or a member with Manage Events"),
        ("bob", "party schedule", {"when": "20:00", "timezone": "UTC"}, "Only the host"),
        ("alice", "party schedule", {"when": "2020-01-01 20:00", "timezone": "UTC"}, "has already passed"),
        ("alice", "party schedule", {"when": "20:00", "timezone": "Mars/Olympus"}, "is not a time zone I know"),
        ("alice", "party schedule", {"when": "banana o'clock", "timezone": "UTC"}, "couldn't read"),
        ("alice", "party schedule", {"when": "20:00"}, "Which time zone is that in?"),
        ("alice", "party create", {"title": "The Trauma Code"}, "already has an open party called “Friday Trauma”"),
        ("alice", "party join", {}, "You are already in “Friday Trauma”"),
        ("bob", "party leave", {}, "You are not in “Friday Trauma”"),
    ],
)
async def test_bad_input_gets_one_private_sentence(party_world, user, command, options, expected):
    world, _bot, _clock = party_world
    await run(world, "alice", "party create", title="The Trauma Code", name=NAME)
    result = await run(world, user, command, name=NAME, **options)
    assert result.ephemeral, result.text()
    assert expected in result.text()
    assert "something went wrong" not in result.text()
    assert world.sandbox.driver.scheduled_events(world.guild) == []


async def test_markdown_and_mentions_in_a_name_are_shown_inert(party_world):
    world, _bot, _clock = party_world
    name = "**@everyone** <@&1> __party__"
    created = await run(world, "alice", "party create", title="The Trauma Code", name=name)
    content = created.content
    assert "\\*\\*@\u200beveryone\\*\\*" in content
    assert "\\_\\_party\\_\\_" in content
    status = await run(world, "bob", "party status", name=name)
    assert "@\u200beveryone" in status.text()
    assert world.sandbox.pings == []


async def test_a_time_in_a_daylight_saving_gap_is_moved_and_said(party_world):
    world, _bot, _clock = party_world
    await run(world, "alice", "party create", title="The Trauma Code", name=NAME)
    # 02:30 on 14 March 2027 does not exist in New York: the clocks go from 02:00 to 03:00.
    result = await run(
        world, "alice", "party schedule", name=NAME, when="2027-03-14 02:30", timezone="America/New_York"
    )
    assert "does not exist (the clocks go forward)" in result.text()
    [event] = world.sandbox.driver.scheduled_events(world.guild)
    assert dt.datetime.fromisoformat(event["scheduled_start_time"]) == dt.datetime(2027, 3, 14, 7, 30, tzinfo=dt.UTC)


async def test_the_saved_zone_is_used_when_the_option_is_left_empty(party_world):
    world, bot, clock = party_world
    await bot.stores.settings.set_timezone(world.users["alice"].id, "Asia/Seoul")
    await run(world, "alice", "party create", title="The Trauma Code", name=NAME)
    await run(world, "alice", "party schedule", name=NAME, when="tomorrow 8pm")
    local_tomorrow = clock().astimezone(SEOUL).date() + dt.timedelta(days=1)
    expected = dt.datetime.combine(local_tomorrow, dt.time(20, 0), SEOUL).astimezone(dt.UTC)
    [event] = world.sandbox.driver.scheduled_events(world.guild)
    assert dt.datetime.fromisoformat(event["scheduled_start_time"]) == expected


async def test_without_event_permissions_the_session_is_still_planned_and_said(party_world):
    world, bot, _clock = party_world
    driver = world.sandbox.driver
    small = await driver.create_guild(
        "Small Club", owner=world.users["alice"], bot_permissions=DEFAULT_EVERYONE_PERMISSIONS
    )
    channel = await driver.create_text_channel(small, "general")
    await run(world, "alice", "party create", channel=channel, title="The Trauma Code", name=NAME)
    result = await run(world, "alice", "party schedule", channel=channel, name=NAME, when="in 2 hours", timezone="UTC")
    assert "I couldn't create a Discord event: I need the Create Events (or Manage Events) permission" in result.text()
    assert driver.scheduled_events(small) == []
    [party] = await bot.stores.parties.open_parties(small.id)
    session = await bot.stores.parties.open_session(small.id, party.id)
    assert session.starts_at is not None


async def test_the_last_member_leaving_ends_the_party_and_its_event(party_world):
    world, bot, _clock = party_world
    await run(world, "alice", "party create", title="The Trauma Code", name=NAME)
    await run(world, "alice", "party schedule", name=NAME, when="in 2 hours", timezone="UTC")
    left = await run(world, "alice", "party leave", name=NAME)
    assert "Nobody is left, so it has ended" in left.text()
    assert world.sandbox.driver.scheduled_events(world.guild) == []
    assert await bot.stores.parties.open_parties(world.guild.id) == []


async def test_the_last_member_leaving_the_server_takes_the_planned_event_with_the_party(party_world):
    world, bot, _clock = party_world
    driver = world.sandbox.driver
    await run(world, "bob", "party create", title="The Trauma Code", name=NAME)
    await run(world, "bob", "party schedule", name=NAME, when="in 2 hours", timezone="UTC")
    assert len(driver.scheduled_events(world.guild)) == 1
    await driver.remove_member(world.guild, world.users["bob"])
    await driver.wait_message(world.channel, lambda m: "its last member left the server" in m.content)
    await world.sandbox.settle()
    assert driver.scheduled_events(world.guild) == []
    assert await bot.stores.parties.open_parties(world.guild.id) == []
