import asyncio
import datetime as dt
import sqlite3

import pytest

from bot.db.database import Database
from bot.db.member_settings import MemberSettingsStore
from bot.db.progress import ProgressStore
from bot.db.shows import ShowStore
from bot.db.watchlist import WatchlistStore
from bot.domain.errors import AlreadyFinishedError, EpisodeOutOfRangeError
from bot.domain.models import SeasonInfo, Show
from bot.domain.progress import Position, WatchStatus
from tests.clock import SettableClock

T0 = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
ANA, BO = 11, 22


@pytest.fixture
def clock():
    return SettableClock(T0)


@pytest.fixture
async def shows(db: Database) -> dict[str, Show]:
    store = ShowStore(db)
    seed = Show(title="The Trauma Code: Heroes On Call", seasons=(SeasonInfo(1, 8),), catalog_key="trauma")
    seasons = (SeasonInfo(0, 2), SeasonInfo(1, 12), SeasonInfo(2, 12))
    two = Show(title="Hospital Playlist", seasons=seasons, catalog_key="playlist")
    ids = await store.add_many([seed, two])
    return {"seed": await store.get(ids[0]), "two": await store.get(ids[1])}


@pytest.fixture
def progress(db: Database, clock: SettableClock) -> ProgressStore:
    return ProgressStore(db, clock)


@pytest.fixture
def watchlist(db: Database, clock: SettableClock) -> WatchlistStore:
    return WatchlistStore(db, clock)


async def test_set_is_stored_with_its_watchlist_status(progress, watchlist, shows):
    seed = shows["seed"]
    update = await progress.set(ANA, seed, 1, 3)
    assert update.status is WatchStatus.WATCHING
    stored = await progress.get(ANA, seed.id)
    assert stored is not None
    assert (stored.position, stored.seen_through, stored.pass_number) == (Position(1, 3), Position(1, 3), 1)
    assert stored.updated_at == T0
    assert stored.updated_at.tzinfo is not None
    entry = await watchlist.get(ANA, seed.id)
    assert entry is not None
    assert entry.status is WatchStatus.WATCHING


async def test_an_acknowledged_update_is_committed(db, progress, shows, tmp_path):
    await progress.set(ANA, shows["seed"], 1, 5)
    # A second connection sees only committed data.
    with sqlite3.connect(db.path) as other:
        assert other.execute("SELECT season, episode FROM progress WHERE user_id = ?", (ANA,)).fetchall() == [(1, 5)]


async def test_concurrent_nexts_each_count_and_stop_at_the_last_episode(db, progress, watchlist, shows):
    seed = shows["seed"]
    before = db.batches_committed
    results = await asyncio.gather(*(progress.next(ANA, seed) for _ in range(10)), return_exceptions=True)
    positions = sorted(r.progress.position.episode for r in results if not isinstance(r, BaseException))
    assert positions == [1, 2, 3, 4, 5, 6, 7, 8]
    assert sum(isinstance(r, AlreadyFinishedError) for r in results) == 2
    stored = await progress.get(ANA, seed.id)
    assert stored is not None
    assert stored.position == Position(1, 8)
    assert stored.completed_at == T0
    assert (await watchlist.get(ANA, seed.id)).status is WatchStatus.COMPLETED
    assert db.batches_committed - before < 10  # shared transactions, not one commit each


async def test_a_refused_update_stores_nothing_and_its_batch_neighbours_still_land(progress, shows):
    seed = shows["seed"]
    results = await asyncio.gather(
        progress.set(ANA, seed, 1, 9),
        progress.set(BO, seed, 1, 2),
        progress.set(ANA, seed, 0, 1),
        return_exceptions=True,
    )
    assert isinstance(results[0], EpisodeOutOfRangeError)
    assert isinstance(results[2], EpisodeOutOfRangeError)
    assert await progress.get(ANA, seed.id) is None
    assert (await progress.get(BO, seed.id)).position == Position(1, 2)


async def test_stepping_back_after_completing_keeps_completed_in_the_watchlist(progress, watchlist, shows, clock):
    seed = shows["seed"]
    await progress.set(ANA, seed, 1, 8)
    clock.tick()
    update = await progress.set(ANA, seed, 1, 4)
    assert not update.status_changed
    assert (await watchlist.get(ANA, seed.id)).status is WatchStatus.COMPLETED
    stored = await progress.get(ANA, seed.id)
    assert (stored.position, stored.seen_through) == (Position(1, 4), Position(1, 8))


async def test_rewatch_keeps_the_history_of_passes(progress, shows, clock):
    seed = shows["seed"]
    await progress.set(ANA, seed, 1, 8)
    clock.tick(60)
    await progress.rewatch(ANA, seed)
    clock.tick(60)
    await progress.next(ANA, seed)
    history = await progress.history(ANA, seed.id)
    assert [(p.number, p.reached, p.completed_at is not None) for p in history] == [
        (1, Position(1, 8), True),
        (2, Position(1, 1), False),
    ]
    assert history[0].started_at == T0
    assert history[0].ended_at == T0 + dt.timedelta(minutes=60)
    assert history[1].ended_at is None
    current = await progress.get(ANA, seed.id)
    assert (current.pass_number, current.seen_through) == (2, Position(1, 8))


async def test_specials_are_marked_apart_from_progress(progress, shows):
    two = shows["two"]
    await progress.set(ANA, two, 1, 3)
    assert await progress.mark_special(ANA, two, 2)
    assert not await progress.mark_special(ANA, two, 2)
    with pytest.raises(EpisodeOutOfRangeError):
        await progress.mark_special(ANA, two, 3)
    assert await progress.specials(ANA, two.id) == {2}
    assert (await progress.get(ANA, two.id)).position == Position(1, 3)


async def test_a_members_list_is_newest_first_and_pages(progress, shows, clock):
    await progress.set(ANA, shows["seed"], 1, 2)
    clock.tick()
    await progress.set(ANA, shows["two"], 2, 1)
    await progress.set(BO, shows["seed"], 1, 7)
    listed = await progress.for_member(ANA)
    assert [(p.show_id, p.position) for p in listed] == [
        (shows["two"].id, Position(2, 1)),
        (shows["seed"].id, Position(1, 2)),
    ]
    assert [p.show_id for p in await progress.for_member(ANA, limit=1, offset=1)] == [shows["seed"].id]
    assert await progress.count(ANA) == 2


async def test_delete_user_data_forgets_only_that_member(progress, watchlist, shows):
    seed, two = shows["seed"], shows["two"]
    await progress.set(ANA, seed, 1, 8)
    await progress.rewatch(ANA, seed)
    await progress.mark_special(ANA, two, 1)
    await progress.set(BO, seed, 1, 1)
    assert await progress.delete_user_data(ANA) == 1
    assert await watchlist.delete_user_data(ANA) == 1
    assert await progress.for_member(ANA) == []
    assert await progress.history(ANA, seed.id) == []
    assert await progress.specials(ANA, two.id) == frozenset()
    assert await watchlist.for_member(ANA) == []
    assert (await progress.get(BO, seed.id)).position == Position(1, 1)


async def test_stored_rows_refuse_impossible_positions(db, shows):
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO progress (user_id, show_id, pass_number, season, episode, pass_started_at, updated_at)"
                " VALUES (1, ?, 1, 0, 1, 'x', 'x')",
                (shows["seed"].id,),
            )


# -- watchlist -------------------------------------------------------------------------------------------------------


async def test_watchlist_statuses_set_by_hand_move_anywhere_and_filter(watchlist, progress, shows, clock):
    seed, two = shows["seed"], shows["two"]
    entry, before = await watchlist.set(ANA, two.id)
    assert (entry.status, before) == (WatchStatus.PLAN, None)
    await progress.set(ANA, seed, 1, 8)
    clock.tick()
    entry, before = await watchlist.set(ANA, seed.id, WatchStatus.ON_HOLD)
    assert (entry.status, before) == (WatchStatus.ON_HOLD, WatchStatus.COMPLETED)
    assert entry.added_at == T0
    assert entry.updated_at == clock.now
    entry, before = await watchlist.set(ANA, seed.id)  # add again without a status: kept as it is
    assert (entry.status, before) == (WatchStatus.ON_HOLD, WatchStatus.ON_HOLD)
    assert [e.show_id for e in await watchlist.for_member(ANA)] == [seed.id, two.id]
    assert [e.show_id for e in await watchlist.for_member(ANA, WatchStatus.PLAN)] == [two.id]
    assert await watchlist.remove(ANA, two.id)
    assert not await watchlist.remove(ANA, two.id)
    assert (await progress.get(ANA, seed.id)).position == Position(1, 8)  # removal leaves progress alone


async def test_progress_on_a_show_on_hold_moves_it_to_watching(watchlist, progress, shows):
    seed = shows["seed"]
    await watchlist.set(ANA, seed.id, WatchStatus.ON_HOLD)
    update = await progress.next(ANA, seed)
    assert (update.before.status, update.status) == (WatchStatus.ON_HOLD, WatchStatus.WATCHING)
    assert (await watchlist.get(ANA, seed.id)).status is WatchStatus.WATCHING


# -- member settings -------------------------------------------------------------------------------------------------


async def test_a_members_time_zone_is_kept_and_forgotten(db, clock):
    settings = MemberSettingsStore(db, clock)
    assert await settings.timezone(ANA) is None
    await settings.set_timezone(ANA, "Asia/Seoul")
    await settings.set_timezone(BO, "Europe/London")
    await settings.set_timezone(ANA, "America/New_York")
    assert await settings.timezone(ANA) == "America/New_York"
    assert await settings.delete_user_data(ANA) == 1
    assert await settings.timezone(ANA) is None
    assert await settings.timezone(BO) == "Europe/London"


async def test_drain_waits_for_queued_updates_to_commit(db, progress, shows):
    pending = [asyncio.create_task(progress.set(user, shows["seed"], 1, 4)) for user in range(100, 130)]
    await asyncio.sleep(0)  # the tasks queue their updates
    await progress.drain()
    rows = await db.fetchval("SELECT COUNT(*) FROM progress WHERE episode = 4")
    assert rows == 30
    assert all(task.done() for task in pending)


async def test_an_update_the_database_refuses_fails_alone(progress, shows):
    ghost = Show(id=999_999, title="Not stored", seasons=(SeasonInfo(1, 8),))
    results = await asyncio.gather(
        progress.set(ANA, shows["seed"], 1, 2),
        progress.set(ANA, ghost, 1, 2),
        progress.set(BO, shows["seed"], 1, 3),
        return_exceptions=True,
    )
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert (await progress.get(ANA, shows["seed"].id)).position == Position(1, 2)
    assert (await progress.get(BO, shows["seed"].id)).position == Position(1, 3)
    assert await progress.get(ANA, ghost.id) is None


async def test_a_read_after_each_kind_of_write_sees_it(db, progress, shows, clock):
    """The progress this process keeps for /drama info and Reveal follows every write to the progress table."""
    from bot.db.parties import PartyStore

    show = shows["seed"]
    seen = []

    async def read():
        current = await progress.get(ANA, show.id)
        seen.append(None if current is None else current.position)

    await read()
    await progress.set(ANA, show, 1, 3)
    await read()
    await progress.next(ANA, show)
    await read()
    parties = PartyStore(db, clock)
    party = await parties.create(9, 9, show.id, "Evening", ANA)
    for _ in range(5):  # the party catches up with Ana; she checked in for the session that takes her past ep 4
        session = await parties.current_session(9, party.id)
        await parties.check_in(9, session.id, ANA)
        await parties.advance(9, party.id, show, ANA, has_manage_events=False)
    await read()
    await progress.delete_user_data(ANA)
    await read()
    assert seen == [None, Position(1, 3), Position(1, 4), Position(1, 5), None]


async def test_a_status_changed_elsewhere_is_what_the_next_update_starts_from(progress, watchlist, shows):
    """Progress keeps members' standings between batches; a watchlist change in between must not be overwritten."""
    seed = shows["seed"]
    await progress.set(ANA, seed, 1, 2)
    await watchlist.set(ANA, seed.id, WatchStatus.DROPPED)
    update = await progress.next(ANA, seed)
    assert update.before.status is WatchStatus.DROPPED
    assert update.status_changed
    assert (await watchlist.get(ANA, seed.id)).status is WatchStatus.WATCHING


async def test_a_progress_row_changed_by_another_connection_is_seen_after_any_later_transaction(db, progress, shows):
    """Only this process writes progress in normal running; the one other writer, a later transaction of any kind,
    still makes the kept standings be read again."""
    seed = shows["seed"]
    await progress.set(ANA, seed, 1, 2)
    with sqlite3.connect(db.path) as other:
        other.execute("UPDATE progress SET episode = 6, seen_episode = 6 WHERE user_id = ?", (ANA,))

    async def touch(conn):
        await conn.execute("INSERT INTO meta (key, value) VALUES ('touched', '1')")

    await db.write(touch)
    assert (await progress.get(ANA, seed.id)).position == Position(1, 6)
    assert (await progress.next(ANA, seed)).progress.position == Position(1, 7)


async def test_many_members_at_once_each_land_once(db, progress, shows):
    seed = shows["seed"]
    members = range(1000, 1200)
    results = await asyncio.gather(*(progress.set(user, seed, 1, 1 + user % 8) for user in members))
    assert [r.progress.position.episode for r in results] == [1 + user % 8 for user in members]
    rows = await db.fetchall("SELECT user_id, episode FROM progress WHERE user_id >= 1000 ORDER BY user_id")
    assert [tuple(r) for r in rows] == [(user, 1 + user % 8) for user in members]
    again = await asyncio.gather(*(progress.next(user, seed) for user in members if user % 8 != 7))
    assert all(r.progress.position.episode == 2 + r.before.user_id % 8 for r in again)
