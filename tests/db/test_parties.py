import datetime as dt

import pytest

from bot.db.database import Database
from bot.db.parties import PartyStore
from bot.db.progress import ProgressStore
from bot.db.shows import ShowStore
from bot.db.watchlist import WatchlistStore
from bot.domain.errors import (
    AlreadyFinishedError,
    DuplicatePartyError,
    InvalidInputError,
    MissingPermissionError,
    NotInPartyError,
    PartyNotFoundError,
)
from bot.domain.models import SeasonInfo, Show
from bot.domain.progress import Position, WatchStatus
from tests.clock import SettableClock

T0 = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
GUILD, OTHER_GUILD = 1000, 2000
CHANNEL, OTHER_CHANNEL = 10, 11
HOST, ANA, BO, CY = 1, 2, 3, 4


@pytest.fixture
def clock():
    return SettableClock(T0)


@pytest.fixture
async def seed(db: Database) -> Show:
    store = ShowStore(db)
    show_id = await store.add(Show(title="The Trauma Code: Heroes On Call", seasons=(SeasonInfo(1, 8),)))
    return await store.get(show_id)


@pytest.fixture
def parties(db, clock) -> PartyStore:
    return PartyStore(db, clock)


@pytest.fixture
def progress(db, clock) -> ProgressStore:
    return ProgressStore(db, clock)


async def make(parties, seed, name="Friday Trauma", guild=GUILD, channel=CHANNEL, host=HOST):
    return await parties.create(guild, channel, seed.id, name, host)


async def test_create_makes_the_caller_host_and_first_member(parties, seed):
    party = await make(parties, seed, name="  Friday   Trauma ")
    assert (party.name, party.host_id, party.position, party.is_open) == ("Friday Trauma", HOST, None, True)
    assert [m.user_id for m in await parties.members(GUILD, party.id)] == [HOST]


async def test_names_are_unique_among_a_channels_open_parties_only(parties, seed, clock):
    first = await make(parties, seed)
    with pytest.raises(DuplicatePartyError, match="already has an open party called “FRIDAY trauma”"):
        await make(parties, seed, name="FRIDAY trauma")
    await make(parties, seed, channel=OTHER_CHANNEL)  # another channel may use it
    await make(parties, seed, guild=OTHER_GUILD)  # and another server
    await parties.end(GUILD, first.id, HOST, has_manage_events=False)
    again = await make(parties, seed)  # free again once the first has ended
    assert again.id != first.id
    assert (await parties.get(GUILD, first.id)).ended_at == T0


async def test_a_200_character_name_is_refused_and_markdown_is_kept_as_typed(parties, seed):
    with pytest.raises(InvalidInputError, match="at most 100"):
        await make(parties, seed, name="x" * 200)
    party = await make(parties, seed, name="**@everyone** ||night||")
    assert party.name == "**@everyone** ||night||"  # stored as typed; replies show it through inert()


async def test_parties_are_invisible_from_another_server(parties, seed):
    party = await make(parties, seed)
    assert await parties.get(OTHER_GUILD, party.id) is None
    assert await parties.open_parties(OTHER_GUILD) == []
    with pytest.raises(PartyNotFoundError):
        await parties.find(OTHER_GUILD, CHANNEL, "Friday Trauma")
    with pytest.raises(PartyNotFoundError):
        await parties.join(OTHER_GUILD, party.id, ANA)
    with pytest.raises(PartyNotFoundError):
        await parties.advance(OTHER_GUILD, party.id, seed, HOST, has_manage_events=True)
    session = await parties.current_session(GUILD, party.id)
    with pytest.raises(PartyNotFoundError):
        await parties.check_in(OTHER_GUILD, session.id, ANA)
    assert await parties.session(OTHER_GUILD, session.id) is None
    assert await parties.members(OTHER_GUILD, party.id) == []
    assert await parties.check_ins(OTHER_GUILD, session.id) == []


async def test_find_prefers_this_channel(parties, seed):
    here = await make(parties, seed)
    await make(parties, seed, channel=OTHER_CHANNEL)
    assert (await parties.find(GUILD, CHANNEL, "friday trauma")).id == here.id
    with pytest.raises(PartyNotFoundError, match="Several open parties"):
        await parties.find(GUILD, 99, "Friday Trauma")


async def test_join_and_leave(parties, seed):
    party = await make(parties, seed)
    assert await parties.join(GUILD, party.id, ANA)
    assert not await parties.join(GUILD, party.id, ANA)
    with pytest.raises(NotInPartyError):
        await parties.leave(GUILD, party.id, BO)
    result = await parties.leave(GUILD, party.id, ANA)
    assert (result.new_host_id, result.ended) == (None, False)
    assert [m.user_id for m in await parties.members(GUILD, party.id)] == [HOST]


async def test_when_the_host_leaves_the_longest_standing_member_hosts_and_the_last_one_out_ends_it(
    parties, seed, clock
):
    party = await make(parties, seed)
    clock.tick()
    await parties.join(GUILD, party.id, BO)
    clock.tick()
    await parties.join(GUILD, party.id, ANA)
    result = await parties.leave(GUILD, party.id, HOST)
    assert (result.new_host_id, result.party.host_id) == (BO, BO)
    await parties.leave(GUILD, party.id, ANA)
    result = await parties.leave(GUILD, party.id, BO)
    assert result.ended
    assert not (await parties.get(GUILD, party.id)).is_open


async def test_the_last_one_out_hands_back_the_planned_evenings_event(parties, seed, clock):
    party = await make(parties, seed)
    session, _ = await parties.schedule(GUILD, party.id, HOST, False, T0 + dt.timedelta(hours=2))
    await parties.set_event(GUILD, session.id, 555)
    await parties.join(GUILD, party.id, BO)
    assert (await parties.leave(GUILD, party.id, HOST)).event_id is None  # BO still plans to watch
    [ended] = await parties.member_left_guild(GUILD, BO)
    assert (ended.ended, ended.event_id) == (True, 555)


async def test_next_moves_those_who_checked_in_and_nobody_else(parties, progress, seed, db):
    party = await make(parties, seed)
    for user in (ANA, BO, CY):
        await parties.join(GUILD, party.id, user)
    await progress.set(BO, seed, 1, 5)  # BO is ahead of the party
    await progress.set(CY, seed, 1, 2)  # CY misses the evening
    session = await parties.current_session(GUILD, party.id)
    for user in (HOST, ANA, BO):
        await parties.check_in(GUILD, session.id, user)

    result = await parties.advance(GUILD, party.id, seed, HOST, has_manage_events=False)

    assert result.episode == Position(1, 1)
    assert sorted(u.before.user_id for u in result.moved) == [HOST, ANA]
    assert result.already_past == (BO,)
    assert (await parties.get(GUILD, party.id)).position == Position(1, 1)
    positions = {u: (await progress.get(u, seed.id)) for u in (HOST, ANA, BO, CY)}
    assert {u: p.position for u, p in positions.items()} == {
        HOST: Position(1, 1),
        ANA: Position(1, 1),
        BO: Position(1, 5),
        CY: Position(1, 2),
    }
    assert (await WatchlistStore(db).get(ANA, seed.id)).status is WatchStatus.WATCHING
    closed = await parties.session(GUILD, session.id)
    assert (closed.episode, closed.closed_at) == (Position(1, 1), T0)
    # The next evening is a new session with no check-ins yet.
    following = await parties.current_session(GUILD, party.id)
    assert following.id != session.id
    assert await parties.check_ins(GUILD, following.id) == []
    again = await parties.advance(GUILD, party.id, seed, HOST, has_manage_events=False)
    assert (again.episode, again.moved) == (Position(1, 2), ())
    assert (await progress.get(ANA, seed.id)).position == Position(1, 1)


async def test_a_late_joiner_moves_neither_the_party_nor_themselves(parties, progress, seed):
    party = await make(parties, seed)
    await parties.advance(GUILD, party.id, seed, HOST, has_manage_events=False)
    await parties.advance(GUILD, party.id, seed, HOST, has_manage_events=False)
    await progress.set(CY, seed, 1, 6)
    await parties.join(GUILD, party.id, CY)
    assert (await parties.get(GUILD, party.id)).position == Position(1, 2)
    assert (await progress.get(CY, seed.id)).position == Position(1, 6)
    assert [(m.user_id, p) for m, p in await parties.member_positions(GUILD, party.id)] == [
        (HOST, None),
        (CY, Position(1, 6)),
    ]


async def test_only_the_host_or_manage_events_may_advance_schedule_or_end(parties, progress, seed):
    party = await make(parties, seed)
    await parties.join(GUILD, party.id, ANA)
    session = await parties.current_session(GUILD, party.id)
    await parties.check_in(GUILD, session.id, ANA)
    with pytest.raises(MissingPermissionError):
        await parties.advance(GUILD, party.id, seed, ANA, has_manage_events=False)
    with pytest.raises(MissingPermissionError):
        await parties.schedule(GUILD, party.id, ANA, False, T0 + dt.timedelta(hours=1))
    with pytest.raises(MissingPermissionError):
        await parties.end(GUILD, party.id, ANA, has_manage_events=False)
    assert (await parties.get(GUILD, party.id)).position is None
    assert await progress.get(ANA, seed.id) is None
    result = await parties.advance(GUILD, party.id, seed, ANA, has_manage_events=True)
    assert result.episode == Position(1, 1)


async def test_a_party_at_the_last_episode_cannot_advance(parties, seed):
    party = await make(parties, seed)
    for _ in range(8):
        await parties.advance(GUILD, party.id, seed, HOST, has_manage_events=False)
    with pytest.raises(AlreadyFinishedError):
        await parties.advance(GUILD, party.id, seed, HOST, has_manage_events=False)
    assert (await parties.get(GUILD, party.id)).position == Position(1, 8)


async def test_checking_in_joins_the_party_once(parties, seed):
    party = await make(parties, seed)
    session = await parties.current_session(GUILD, party.id)
    first = await parties.check_in(GUILD, session.id, ANA)
    second = await parties.check_in(GUILD, session.id, ANA)
    assert (first.joined_party, first.new, second.joined_party, second.new) == (True, True, False, False)
    assert await parties.check_ins(GUILD, session.id) == [ANA]
    await parties.advance(GUILD, party.id, seed, HOST, has_manage_events=False)
    with pytest.raises(PartyNotFoundError, match="session is over"):
        await parties.check_in(GUILD, session.id, BO)


# -- schedule and reminders ------------------------------------------------------------------------------------------


async def test_schedule_keeps_the_utc_start_and_the_event(parties, seed):
    party = await make(parties, seed)
    assert await parties.open_session(GUILD, party.id) is None  # status reads do not create sessions
    start = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    session, replaced = await parties.schedule(GUILD, party.id, HOST, False, start)
    assert replaced is None
    assert session.starts_at == start
    assert session.starts_at.utcoffset() == dt.timedelta(0)
    await parties.set_event(GUILD, session.id, 555)
    await parties.set_event(OTHER_GUILD, session.id, 666)  # another server's id changes nothing
    moved, replaced = await parties.schedule(GUILD, party.id, HOST, False, start + dt.timedelta(hours=1))
    assert (moved.id, replaced, moved.event_id) == (session.id, 555, None)
    assert (await parties.open_session(GUILD, party.id)).starts_at == start + dt.timedelta(hours=1)
    assert await parties.open_session(OTHER_GUILD, party.id) is None


async def test_a_reminder_is_due_once_even_across_a_restart(tmp_path, seed, clock, db):
    parties = PartyStore(db, clock)
    party = await make(parties, seed)
    session, _ = await parties.schedule(GUILD, party.id, HOST, False, T0 + dt.timedelta(minutes=30))
    assert await parties.reminders_due(T0) == []
    clock.tick(40)
    due = await parties.reminders_due(clock.now)
    assert [s.id for s in due] == [session.id]
    assert due[0].channel_id == CHANNEL
    assert await parties.claim_reminder(GUILD, session.id)

    reopened = await Database.open(db.path)  # the bot restarts
    try:
        again = PartyStore(reopened, clock)
        assert await again.reminders_due(clock.now) == []
        assert not await again.claim_reminder(GUILD, session.id)
        await again.release_reminder(GUILD, session.id)  # the post failed: try again next tick
        assert [s.id for s in await again.reminders_due(clock.now)] == [session.id]
    finally:
        await reopened.close()


async def test_a_reminder_older_than_the_grace_is_not_posted(parties, seed, clock):
    party = await make(parties, seed)
    await parties.schedule(GUILD, party.id, HOST, False, T0 + dt.timedelta(minutes=5))
    clock.tick(5 + 59)
    assert len(await parties.reminders_due(clock.now)) == 1
    clock.tick(2)
    assert await parties.reminders_due(clock.now) == []


async def test_ending_returns_the_open_session_so_its_event_can_be_cancelled(parties, seed):
    party = await make(parties, seed)
    session, _ = await parties.schedule(GUILD, party.id, HOST, False, T0 + dt.timedelta(hours=2))
    await parties.set_event(GUILD, session.id, 777)
    result = await parties.end(GUILD, party.id, HOST, has_manage_events=False)
    assert result.open_session is not None
    assert result.open_session.event_id == 777
    assert await parties.reminders_due(T0 + dt.timedelta(hours=2)) == []
    with pytest.raises(PartyNotFoundError):
        await parties.join(GUILD, party.id, ANA)


# -- leaving servers and data removal --------------------------------------------------------------------------------


async def test_a_member_who_leaves_the_server_leaves_its_parties_only(parties, seed):
    here = await make(parties, seed)
    there = await make(parties, seed, guild=OTHER_GUILD)
    for guild, party in ((GUILD, here), (OTHER_GUILD, there)):
        await parties.join(guild, party.id, ANA)
    results = await parties.member_left_guild(GUILD, ANA)
    assert [r.party.id for r in results] == [here.id]
    assert [m.user_id for m in await parties.members(GUILD, here.id)] == [HOST]
    assert [m.user_id for m in await parties.members(OTHER_GUILD, there.id)] == [HOST, ANA]


async def test_delete_user_data_removes_the_member_and_hands_on_their_parties(parties, seed, clock):
    hosted = await make(parties, seed)
    clock.tick()
    await parties.join(GUILD, hosted.id, ANA)
    alone = await make(parties, seed, name="Solo")
    session = await parties.current_session(GUILD, hosted.id)
    await parties.check_in(GUILD, session.id, HOST)
    await parties.delete_user_data(HOST)
    assert (await parties.get(GUILD, hosted.id)).host_id == ANA
    assert [m.user_id for m in await parties.members(GUILD, hosted.id)] == [ANA]
    assert await parties.check_ins(GUILD, session.id) == []
    solo = await parties.get(GUILD, alone.id)
    assert (solo.is_open, solo.host_id) == (False, 0)


async def test_delete_guild_data_removes_only_that_server(parties, seed):
    here = await make(parties, seed)
    there = await make(parties, seed, guild=OTHER_GUILD)
    await parties.current_session(GUILD, here.id)
    await parties.delete_guild_data(GUILD)
    assert await parties.get(GUILD, here.id) is None
    assert await parties.get(OTHER_GUILD, there.id) is not None
