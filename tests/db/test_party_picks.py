"""A /party create name waiting for a title pick: kept in the database, taken once, by its member in its server."""

import datetime as dt

import pytest

from bot.db.party_picks import PartyNamePicks
from tests.clock import SettableClock

T0 = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
GUILD, OTHER_GUILD = 1000, 2000
HOST, ANA = 1, 2


@pytest.fixture
def clock():
    return SettableClock(T0)


@pytest.fixture
def picks(db, clock) -> PartyNamePicks:
    return PartyNamePicks(db, clock)


async def test_a_held_party_name_is_taken_once_by_its_member_in_its_server(picks):
    await picks.hold("901", GUILD, HOST, "Friday Trauma")
    assert await picks.take("901", OTHER_GUILD, HOST) is None  # another server's pick
    assert await picks.take("901", GUILD, ANA) is None  # another member's pick
    assert await picks.take("901", GUILD, HOST) == "Friday Trauma"
    assert await picks.take("901", GUILD, HOST) is None  # once


async def test_a_held_party_name_lasts_a_day_and_goes_with_the_members_or_servers_data(picks, clock):
    await picks.hold("1", GUILD, HOST, "Day old")
    clock.advance(days=1, seconds=1)
    assert await picks.take("1", GUILD, HOST) is None
    await picks.hold("2", GUILD, HOST, "Mine")
    await picks.hold("3", OTHER_GUILD, ANA, "Elsewhere")
    await picks.hold("4", GUILD, ANA, "Ana's")
    assert [e["name"] for e in await picks.export_user_data(HOST)] == ["Mine"]
    assert await picks.delete_user_data(HOST) == 1
    assert await picks.take("2", GUILD, HOST) is None
    assert await picks.delete_guild_data(OTHER_GUILD) == 1
    assert await picks.take("3", OTHER_GUILD, ANA) is None
    assert await picks.take("4", GUILD, ANA) == "Ana's"  # neither deletion touched another member's or server's
