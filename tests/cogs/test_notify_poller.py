"""The season poller against the fake TVmaze and the real stores: what it asks for, what it records, how it
survives each fault, its rate, and its lease. Time is a settable clock for the poller and a fake clock for the
TVmaze client (back-offs and Retry-After pass at once and are recorded)."""

import copy
import datetime as dt

import pytest

from bot.db.announcements import AnnouncementStore, JobLease
from bot.db.follows import FollowStore
from bot.db.guilds import GuildConfigStore
from bot.db.shows import ShowStore
from bot.db.watchlist import WatchlistStore
from bot.domain.announcements import EventKind, FollowMode, Lookback, TargetKind
from bot.domain.models import Show, ShowSource
from bot.domain.progress import WatchStatus
from bot.providers.tvmaze import TvmazeSource
from cogs._notify_poll import SeasonPoller
from tests.clock import SettableClock
from tests.fakes.tvmaze import FakeClock, FakeTvmaze

NETFLIX_DRAMA = 900001
BROADCAST_DRAMA = 900002
GUILD = 10
ALICE, BOB = 1, 2


class Rig:
    def __init__(self, db, fake, source, clock):
        self.db = db
        self.fake = fake
        self.source = source
        self.clock = clock
        self.shows = ShowStore(db)
        self.follows = FollowStore(db)
        self.announcements = AnnouncementStore(db)
        self.guilds = GuildConfigStore(db)
        self.watchlist = WatchlistStore(db)
        self.show_ids: dict[int, int] = {}

    def poller(self, holder="poller-1", **kwargs):
        return SeasonPoller(
            self.source,
            self.follows,
            self.announcements,
            self.guilds,
            self.watchlist,
            JobLease(self.db),
            holder,
            now=self.clock,
            **kwargs,
        )

    async def follow(self, tvmaze_id, user=ALICE, mode=FollowMode.SEASONS):
        if tvmaze_id not in self.show_ids:
            show = Show(title=f"Show {tvmaze_id}", source=ShowSource.TVMAZE, tvmaze_id=tvmaze_id)
            self.show_ids[tvmaze_id] = await self.shows.add(show)
        await self.follows.follow(user, self.show_ids[tvmaze_id], self.clock(), mode, GUILD)

    async def poll(self, minutes=60, holder="poller-1"):
        self.clock.advance(minutes=minutes)
        return await self.poller(holder).poll()

    async def seasons(self, tvmaze_id):
        snapshot = await self.announcements.snapshot(tvmaze_id)
        return [s.number for s in snapshot.seasons]


@pytest.fixture
async def rig(db):
    source_clock = FakeClock(autojump=True)
    async with (
        FakeTvmaze(stamp=source_clock.now) as fake,
        TvmazeSource(fake.url, clock=source_clock, timeout=0.5) as source,
    ):
        clock = SettableClock(dt.datetime.now(dt.UTC))
        await GuildConfigStore(db).set_announce_channel(GUILD, 99)
        yield Rig(db, fake, source, clock)


async def test_a_poll_costs_the_feed_plus_each_followed_show_that_changed(rig):
    await rig.follow(NETFLIX_DRAMA)
    await rig.follow(BROADCAST_DRAMA)
    first = await rig.poll()
    assert (first.window, first.requests, sorted(first.fetched)) == (Lookback.FULL, 2, [NETFLIX_DRAMA, BROADCAST_DRAMA])
    assert first.events == 0, "the first look at a show is no news"
    quiet = await rig.poll()
    assert (quiet.window, quiet.requests, quiet.fetched) == (Lookback.DAY, 1, [])
    rig.fake.add_season(NETFLIX_DRAMA, 3)
    changed = await rig.poll()
    assert (changed.requests, changed.fetched, changed.events) == (2, [NETFLIX_DRAMA], 1)
    (event,) = await rig.announcements.events_for(NETFLIX_DRAMA)
    assert (event.kind, event.season) == (EventKind.SEASON_ANNOUNCED, 3)
    targets = {d.target for d in await rig.announcements.deliveries(event.key)}
    assert {(t.kind, t.id) for t in targets} == {(TargetKind.DM, ALICE), (TargetKind.GUILD, GUILD)}
    # A show nobody follows changing (900050 in the feed) costs nothing.
    rig.fake.touch(900050)
    assert (await rig.poll()).requests == 1


async def test_a_429_on_the_feed_is_waited_out_as_retry_after_says(rig):
    await rig.follow(NETFLIX_DRAMA)
    await rig.poll()
    rig.fake.fail_next(1, 429, path="/updates", retry_after="30")
    result = await rig.poll()
    assert result.complete
    assert 30.0 in rig.source.clock.slept


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(lambda fake, path: fake.fail_always(500, path=path), id="500"),
        pytest.param(lambda fake, path: fake.fail_always(429, path=path, retry_after="3"), id="429"),
        pytest.param(lambda fake, path: fake.hang(None, path=path), id="timeout"),
        pytest.param(lambda fake, path: fake.truncate_next(None, path=path), id="truncated-json"),
        pytest.param(lambda fake, path: fake.html_error_next(None, path=path), id="html-error-page"),
        pytest.param(
            lambda fake, path: fake.raw_next(b'{"id": "x", "name": ["?"]}', None, path=path), id="wrong-types"
        ),
        pytest.param(lambda fake, path: fake.mistype_show(NETFLIX_DRAMA), id="mistyped-record"),
    ],
)
async def test_each_fault_keeps_the_last_snapshot_and_the_news_comes_once_when_it_clears(rig, fault):
    await rig.follow(NETFLIX_DRAMA)
    await rig.poll()
    last_poll = await rig.announcements.last_poll()
    rig.fake.add_season(NETFLIX_DRAMA, 3)
    good = copy.deepcopy((rig.fake.shows[NETFLIX_DRAMA], rig.fake.seasons[NETFLIX_DRAMA]))
    fault(rig.fake, f"/shows/{NETFLIX_DRAMA}")

    broken = await rig.poll()
    assert broken.failed == [NETFLIX_DRAMA]
    assert broken.events == 0
    assert await rig.seasons(NETFLIX_DRAMA) == [1, 2], "a bad answer never replaces what was seen"
    assert await rig.announcements.last_poll() == last_poll, "the look-back stays, so the change is asked again"

    rig.fake.clear_faults()
    rig.fake.shows[NETFLIX_DRAMA], rig.fake.seasons[NETFLIX_DRAMA] = good  # the record mended upstream
    healed = await rig.poll()
    assert (healed.events, healed.complete) == (1, True)
    assert await rig.seasons(NETFLIX_DRAMA) == [1, 2, 3]
    assert (await rig.poll()).events == 0


async def test_500s_back_off_2_4_8_then_the_poll_ends_without_asking_for_the_next_show(rig):
    await rig.follow(NETFLIX_DRAMA)
    await rig.follow(BROADCAST_DRAMA)
    await rig.poll()
    rig.fake.add_season(NETFLIX_DRAMA, 3)
    rig.fake.add_season(BROADCAST_DRAMA, 2)
    rig.fake.fail_always(500, path="/shows/")
    rig.source.clock.slept.clear()
    result = await rig.poll()
    assert [s for s in rig.source.clock.slept if s >= 1] == [2.0, 4.0, 8.0]
    assert len(rig.fake.requests_to("/shows/")) == 4 + 2, "one show's four tries, not the next show's"
    assert not result.complete


async def test_the_rate_limit_holds_over_a_full_refetch(rig):
    payload = copy.deepcopy(rig.fake.shows[NETFLIX_DRAMA])
    for n in range(45):
        tvmaze_id = 910_000 + n
        rig.fake.add_show({**payload, "id": tvmaze_id, "name": f"Show {n}"}, seasons=rig.fake.seasons[NETFLIX_DRAMA])
        await rig.follow(tvmaze_id)
    rig.fake.fail_next(2, 429, path="/shows/910010", retry_after="4")
    result = await rig.poll()
    assert len(result.fetched) == 45
    assert rig.fake.busiest_window(10.0) <= 20
    assert rig.fake.busiest_window(10.0) >= 19, "and uses what it may"


async def test_after_a_month_away_every_followed_show_is_fetched_again(rig):
    await rig.follow(NETFLIX_DRAMA)
    await rig.poll()
    for gap_days, window in ((2, Lookback.WEEK), (10, Lookback.MONTH), (40, Lookback.FULL)):
        result = await rig.poll(minutes=gap_days * 24 * 60)
        assert result.window is window
    assert rig.fake.requests[-1].path == f"/shows/{NETFLIX_DRAMA}"
    assert [r.param("since") for r in rig.fake.requests_to("/updates")][-2:] == ["week", "month"]


async def test_one_poller_per_database_and_a_crashed_holders_lease_lapses(rig):
    await rig.follow(NETFLIX_DRAMA)
    lease_for = dt.timedelta(minutes=10)
    assert (await rig.poller("a", lease_for=lease_for).poll()).ran
    rig.clock.advance(minutes=5)
    assert not (await rig.poller("b", lease_for=lease_for).poll()).ran
    assert (await rig.poller("a", lease_for=lease_for).poll()).ran, "the holder renews"
    rig.clock.advance(minutes=11)  # "a" died without giving the lease up
    assert (await rig.poller("b", lease_for=lease_for).poll()).ran
    await rig.poller("b").stop()
    assert (await rig.poller("c", lease_for=lease_for).poll()).ran, "a clean stop frees the lease at once"


async def test_a_member_who_completed_the_show_gets_no_episode_notices(rig):
    await rig.follow(BROADCAST_DRAMA, user=ALICE, mode=FollowMode.EVERY_EPISODE)
    await rig.follow(BROADCAST_DRAMA, user=BOB, mode=FollowMode.EVERY_EPISODE)
    await rig.watchlist.set(ALICE, rig.show_ids[BROADCAST_DRAMA], WatchStatus.COMPLETED)
    await rig.poll()
    soon = rig.clock() + dt.timedelta(minutes=30)
    rig.fake.add_episode(
        BROADCAST_DRAMA,
        1,
        5,
        name="The Feast",
        airdate=soon.date().isoformat(),
        airtime="21:50",
        airstamp=soon.isoformat(),
    )
    await rig.poll()  # listed before it airs: no news yet
    await rig.poll()  # it aired within this hour
    aired = [e for e in await rig.announcements.events_for(BROADCAST_DRAMA) if e.kind is EventKind.EPISODE_AIRED]
    assert [e.first_episode for e in aired] == [5]
    targets = {(d.target.kind, d.target.id) for d in await rig.announcements.deliveries(aired[0].key)}
    assert (TargetKind.DM, BOB) in targets
    assert (TargetKind.DM, ALICE) not in targets


async def test_a_season_dropped_all_at_once_is_one_message_not_one_per_episode(rig):
    await rig.follow(NETFLIX_DRAMA, user=ALICE, mode=FollowMode.EVERY_EPISODE)
    await rig.poll()
    tomorrow = (rig.clock() + dt.timedelta(days=1)).date().isoformat()
    rig.fake.set_season(NETFLIX_DRAMA, 2, premiere_date=tomorrow, episode_order=6)
    for number in range(1, 7):
        rig.fake.add_episode(NETFLIX_DRAMA, 2, number, airdate=tomorrow, airtime="", bump=number == 6)
    listed = await rig.poll()
    assert [e.kind for e in await rig.announcements.events_for(NETFLIX_DRAMA)] == [EventKind.PREMIERE_DATE]
    assert listed.events == 1
    for _ in range(30):  # a day and a half of hourly polls
        await rig.poll()
    events = await rig.announcements.events_for(NETFLIX_DRAMA)
    drops = [e for e in events if e.kind in (EventKind.PREMIERE_DAY, EventKind.EPISODE_AIRED)]
    assert len(drops) == 1
    (drop,) = drops
    assert (drop.kind, drop.whole_season, drop.episode_count, drop.at) == (EventKind.PREMIERE_DAY, True, 6, None)


async def test_a_show_tvmaze_deleted_does_not_hold_the_look_back(rig):
    await rig.follow(NETFLIX_DRAMA)
    await rig.follow(BROADCAST_DRAMA)
    await rig.poll()
    rig.fake.add_season(BROADCAST_DRAMA, 2)
    rig.fake.touch(NETFLIX_DRAMA)
    rig.fake.shows.pop(NETFLIX_DRAMA)  # gone from /shows, still in the feed
    result = await rig.poll()
    assert (result.missing, result.events, result.complete) == ([NETFLIX_DRAMA], 1, True)
    assert await rig.seasons(NETFLIX_DRAMA) == [1, 2], "its last snapshot is kept"


async def test_a_long_poll_renews_its_lease_and_stops_when_another_took_it(rig, monkeypatch):
    monkeypatch.setattr("cogs._notify_poll.RENEW_EVERY", 2)
    for tvmaze_id in (NETFLIX_DRAMA, BROADCAST_DRAMA, 900003):
        await rig.follow(tvmaze_id)
    lease = JobLease(rig.db)
    poller = rig.poller("a", lease_for=dt.timedelta(minutes=10))
    real_fetch = rig.source.snapshot_record

    async def fetch_and_lose_the_lease(tvmaze_id):
        # Another process takes over after the lease lapsed during this poll.
        rig.clock.advance(minutes=11)
        assert await lease.acquire("b", rig.clock(), dt.timedelta(minutes=10))
        return await real_fetch(tvmaze_id)

    monkeypatch.setattr(rig.source, "snapshot_record", fetch_and_lose_the_lease)
    result = await poller.poll()
    assert len(result.fetched) == 1
    assert not result.complete
    assert await lease.holder(rig.clock()) == "b"
