import dataclasses
import datetime as dt
import sqlite3

import pytest

from bot.db.announcements import MAX_ATTEMPTS, AnnouncementStore, DeliveryState, JobLease
from bot.db.database import Database
from bot.db.follows import FollowStore
from bot.db.shows import ShowStore
from bot.domain.announcements import (
    AnnouncementEvent,
    DeliveryTarget,
    EpisodeSnapshot,
    EventKind,
    Follower,
    SeasonSnapshot,
    ShowSnapshot,
    ShowStatus,
    TargetKind,
    show_update,
)
from bot.domain.models import Show

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)

SNAPSHOT = ShowSnapshot(
    tvmaze_id=900101,
    title="Golden Hour Ward",
    fetched_at=NOW,
    status=ShowStatus.RUNNING,
    seasons=(SeasonSnapshot(1, 8, dt.date(2025, 1, 24), dt.date(2025, 1, 24)), SeasonSnapshot(2)),
    episodes=(EpisodeSnapshot(1, 1, "One", dt.date(2025, 1, 24)),),
    updated=1750001000,
    url="https://www.tvmaze.com/shows/900101/golden-hour-ward",
    poster_url="https://static.tvmaze.com/uploads/images/901/900101-original.jpg",
)
ANNOUNCED = AnnouncementEvent("tvmaze:900101:s2:announced", EventKind.SEASON_ANNOUNCED, 900101, season=2)
DATED = AnnouncementEvent(
    "tvmaze:900101:s2:premiere-date:none>2026-09-04",
    EventKind.PREMIERE_DATE,
    900101,
    season=2,
    date=dt.date(2026, 9, 4),
)
DM1, DM2 = DeliveryTarget(TargetKind.DM, 1), DeliveryTarget(TargetKind.DM, 2)
GUILD10, GUILD20 = DeliveryTarget(TargetKind.GUILD, 10), DeliveryTarget(TargetKind.GUILD, 20)


async def states(store, key):
    return {(r.target.kind.value, r.target.id): r.state for r in await store.deliveries(key)}


async def test_recording_stores_snapshot_event_and_one_outbox_row_per_target(db):
    store = AnnouncementStore(db)
    recorded = await store.record(SNAPSHOT, [(ANNOUNCED, [DM1, DM2, GUILD10, GUILD20])], NOW)
    assert recorded == [ANNOUNCED]
    assert await store.snapshot(900101) == SNAPSHOT
    assert await store.stored_updated() == {900101: 1750001000}
    assert await store.event(ANNOUNCED.key) == ANNOUNCED
    assert await states(store, ANNOUNCED.key) == {
        ("dm", 1): DeliveryState.PENDING,
        ("dm", 2): DeliveryState.PENDING,
        ("guild", 10): DeliveryState.PENDING,
        ("guild", 20): DeliveryState.PENDING,
    }


async def test_recording_the_same_event_twice_is_a_no_op(db):
    store = AnnouncementStore(db)
    await store.record(SNAPSHOT, [(ANNOUNCED, [DM1])], NOW)
    again = await store.record(SNAPSHOT, [(ANNOUNCED, [DM1, DM2]), (DATED, [DM1])], NOW + MINUTE)
    assert again == [DATED]
    assert [r.target for r in await store.deliveries(ANNOUNCED.key)] == [DM1]
    assert [e.key for e in await store.events_for(900101)] == [ANNOUNCED.key, DATED.key]
    assert await store.pending_count() == 2


async def test_a_failing_record_stores_nothing_not_even_the_snapshot(db):
    store = AnnouncementStore(db)
    bogus = DeliveryTarget("pigeon", 1)  # the table's CHECK refuses it
    with pytest.raises(sqlite3.IntegrityError):
        await store.record(SNAPSHOT, [(ANNOUNCED, [DM1, bogus])], NOW)
    assert await store.snapshot(900101) is None
    assert await store.event(ANNOUNCED.key) is None
    assert await store.pending_count() == 0


async def test_snapshots_come_due_at_their_next_release(db):
    store = AnnouncementStore(db)
    await store.record(SNAPSHOT, [], NOW, next_due=NOW + dt.timedelta(days=2))
    assert await store.due_snapshots(NOW + dt.timedelta(days=1)) == []
    assert await store.due_snapshots(NOW + dt.timedelta(days=2)) == [SNAPSHOT]
    await store.record(SNAPSHOT, [], NOW + dt.timedelta(days=2), next_due=None)
    assert await store.due_snapshots(NOW + dt.timedelta(days=30)) == []


async def test_snapshots_of_unfollowed_shows_are_forgotten(db):
    store = AnnouncementStore(db)
    await store.record(SNAPSHOT, [], NOW)
    await store.record(ShowSnapshot(900102, "Moonlit Palace Kitchen", NOW), [], NOW)
    assert await store.forget_snapshots([900102]) == 1
    assert set(await store.stored_updated()) == {900102}


async def test_a_crash_between_recording_and_delivering_delivers_once_after_restart(tmp_path):
    path = tmp_path / "bot.db"
    async with await Database.open(path) as db:
        await AnnouncementStore(db).record(SNAPSHOT, [(ANNOUNCED, [DM1, GUILD10])], NOW)
    # The process died here: nothing was claimed. A new process opens the same file.
    async with await Database.open(path) as db:
        store = AnnouncementStore(db)
        items = await store.claim("after-restart", NOW + MINUTE)
        assert [(i.event, i.target, i.attempt) for i in items] == [(ANNOUNCED, DM1, 1), (ANNOUNCED, GUILD10, 1)]
        # What a post needs besides the event: the show's name, its TVmaze link and its poster.
        assert {(i.title, i.url, i.poster_url) for i in items} == {
            ("Golden Hour Ward", SNAPSHOT.url, SNAPSHOT.poster_url)
        }
        for item in items:
            await store.sent(item.id, NOW + MINUTE)
        assert await store.claim("after-restart", NOW + dt.timedelta(hours=1)) == []
        assert set((await states(store, ANNOUNCED.key)).values()) == {DeliveryState.SENT}


async def test_a_claim_held_by_a_crashed_worker_lapses_and_is_taken_over(db):
    store = AnnouncementStore(db)
    await store.record(SNAPSHOT, [(ANNOUNCED, [DM1])], NOW)
    (first,) = await store.claim("worker-a", NOW)
    assert await store.claim("worker-b", NOW + MINUTE) == []
    (again,) = await store.claim("worker-b", NOW + dt.timedelta(minutes=6))
    assert again.id == first.id
    assert again.attempt == 2


async def test_a_retry_waits_for_its_delay_and_gives_up_after_the_last_attempt(db):
    store = AnnouncementStore(db)
    await store.record(SNAPSHOT, [(ANNOUNCED, [GUILD10])], NOW)
    moment = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (item,) = await store.claim("w", moment)
        assert item.attempt == attempt
        kept = await store.retry(item.id, moment, dt.timedelta(seconds=2.5), "429 Too Many Requests")
        assert kept is (attempt < MAX_ATTEMPTS)
        if kept:
            assert await store.claim("w", moment + dt.timedelta(seconds=2)) == []
        moment += dt.timedelta(seconds=3)
    assert await store.claim("w", moment + dt.timedelta(days=1)) == []
    (record,) = await store.deliveries(ANNOUNCED.key)
    assert (record.state, record.attempts, record.last_error) == (
        DeliveryState.FAILED,
        MAX_ATTEMPTS,
        "429 Too Many Requests",
    )


async def test_closed_dms_drop_every_pending_dm_to_that_member_and_mark_them(db):
    shows = ShowStore(db)
    show_id = await shows.add(Show(title="Golden Hour Ward", source="tvmaze", tvmaze_id=900101))
    follows = FollowStore(db)
    await follows.follow(1, show_id, NOW, guild_id=10)
    store = AnnouncementStore(db)
    await store.record(SNAPSHOT, [(ANNOUNCED, [DM1, DM2, GUILD10]), (DATED, [DM1])], NOW)
    items = await store.claim("w", NOW, limit=1)
    assert items[0].target == DM1
    assert await store.dms_closed(items[0].id, 1, NOW) == 2
    assert await follows.dms_closed(1)
    assert await states(store, ANNOUNCED.key) == {
        ("dm", 1): DeliveryState.DROPPED,
        ("dm", 2): DeliveryState.PENDING,
        ("guild", 10): DeliveryState.PENDING,
    }
    assert await states(store, DATED.key) == {("dm", 1): DeliveryState.DROPPED}
    remaining = await store.claim("w", NOW + dt.timedelta(minutes=10))
    assert [i.target for i in remaining] == [DM2, GUILD10]


async def test_a_dropped_delivery_keeps_its_reason(db):
    store = AnnouncementStore(db)
    await store.record(SNAPSHOT, [(ANNOUNCED, [GUILD10])], NOW)
    (item,) = await store.claim("w", NOW)
    await store.drop(item.id, NOW, "no announce channel")
    (record,) = await store.deliveries(ANNOUNCED.key)
    assert (record.state, record.last_error) == (DeliveryState.DROPPED, "no announce channel")
    assert await store.claim("w", NOW + dt.timedelta(hours=1)) == []


async def test_delete_user_data_removes_that_members_dms_only(db):
    store = AnnouncementStore(db)
    await store.record(SNAPSHOT, [(ANNOUNCED, [DM1, DM2, GUILD10])], NOW)
    await store.delete_user_data(1)
    assert [r.target for r in await store.deliveries(ANNOUNCED.key)] == [DM2, GUILD10]
    await store.delete_guild_data(10)
    assert [r.target for r in await store.deliveries(ANNOUNCED.key)] == [DM2]


async def test_the_last_poll_time_survives_a_restart(tmp_path):
    path = tmp_path / "bot.db"
    async with await Database.open(path) as db:
        assert await AnnouncementStore(db).last_poll() is None
        await AnnouncementStore(db).set_last_poll(NOW)
    async with await Database.open(path) as db:
        assert await AnnouncementStore(db).last_poll() == NOW


async def test_one_lease_holder_at_a_time_and_a_lapsed_one_is_replaced(db):
    lease = JobLease(db)
    ttl = dt.timedelta(minutes=3)
    assert await lease.acquire("bot-a", NOW, ttl)
    assert not await lease.acquire("bot-b", NOW + MINUTE, ttl)
    assert await lease.acquire("bot-a", NOW + 2 * MINUTE, ttl)  # renewed until NOW + 5 min
    assert not await lease.acquire("bot-b", NOW + 4 * MINUTE, ttl)
    assert await lease.holder(NOW + 4 * MINUTE) == "bot-a"
    # bot-a crashed and stopped renewing: once its lease lapses, bot-b takes over and bot-a is refused.
    assert await lease.acquire("bot-b", NOW + 5 * MINUTE, ttl)
    assert not await lease.acquire("bot-a", NOW + 6 * MINUTE, ttl)
    assert await lease.holder(NOW + 6 * MINUTE) == "bot-b"


async def test_a_released_lease_is_free_at_once(db):
    lease = JobLease(db)
    ttl = dt.timedelta(minutes=3)
    assert await lease.acquire("bot-a", NOW, ttl)
    await lease.release("bot-b")  # not the holder: nothing happens
    assert not await lease.acquire("bot-b", NOW, ttl)
    await lease.release("bot-a")
    assert await lease.holder(NOW) is None
    assert await lease.acquire("bot-b", NOW, ttl)


async def test_leases_with_different_names_are_independent(db):
    ttl = dt.timedelta(minutes=3)
    assert await JobLease(db, "season-poller").acquire("bot-a", NOW, ttl)
    assert await JobLease(db, "outbox").acquire("bot-b", NOW, ttl)


async def test_a_planned_show_update_is_recorded_as_planned(db):
    store = AnnouncementStore(db)
    await store.record(SNAPSHOT, [], NOW)
    later = dataclasses.replace(
        SNAPSHOT,
        fetched_at=NOW + dt.timedelta(hours=1),
        seasons=(*SNAPSHOT.seasons, SeasonSnapshot(3, premiere_date=dt.date(2026, 9, 4))),
        updated=SNAPSHOT.updated + 60,
    )
    followers = [Follower(1, guild_ids=frozenset({10}))]
    update = show_update(await store.snapshot(900101), later, NOW, NOW + dt.timedelta(hours=1), followers)
    recorded = await store.record_update(update, NOW + dt.timedelta(hours=1))
    assert [(e.kind, e.season) for e in recorded] == [(EventKind.SEASON_ANNOUNCED, 3)]
    assert [r.target for r in await store.deliveries(recorded[0].key)] == [DM1, GUILD10]
    assert await store.snapshot(900101) == later
    # Season 3's premiere day is the next thing to look at.
    assert await store.due_snapshots(dt.datetime(2026, 9, 4, tzinfo=dt.UTC)) == [later]
    assert await store.record_update(update, NOW + dt.timedelta(hours=2)) == []
