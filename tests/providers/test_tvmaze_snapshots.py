"""What the season poller asks TVmaze for: a changed show's snapshot record in one request."""

import datetime as dt

import pytest

from bot.domain.announcements import snapshot_from_tvmaze
from bot.providers.tvmaze import TvmazeSource, TvmazeUnavailable

NETFLIX_DRAMA = 900001
BROADCAST_DRAMA = 900002
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


async def test_a_snapshot_record_is_one_request_with_seasons_next_episode_and_episodes(source, fake):
    raw = await source.snapshot_record(BROADCAST_DRAMA)
    snapshot = snapshot_from_tvmaze(raw, NOW)

    assert [r.params("embed[]") for r in fake.requests] == [["seasons", "nextepisode", "episodes"]]
    assert source.request_count == 1
    assert [s.number for s in snapshot.seasons] == [1]
    assert len(snapshot.episodes) == 4  # the special is left out
    assert snapshot.next_episode is not None
    assert snapshot.next_episode.name == "TBA"


async def test_a_season_added_upstream_is_in_the_next_record(source, fake):
    fake.add_season(NETFLIX_DRAMA, 3, premiere_date="2026-09-01")
    snapshot = snapshot_from_tvmaze(await source.snapshot_record(NETFLIX_DRAMA), NOW)
    assert snapshot.season(3) is not None
    assert snapshot.season(3).premiere_date == dt.date(2026, 9, 1)


async def test_an_unknown_show_is_none(source):
    assert await source.snapshot_record(999_999) is None


async def test_a_429_with_retry_after_is_waited_out_then_answered(source, fake, clock):
    fake.fail_next(1, 429, retry_after="7")
    raw = await source.snapshot_record(NETFLIX_DRAMA)
    assert raw["id"] == NETFLIX_DRAMA
    assert clock.slept
    assert clock.slept[0] >= 7


async def test_five_hundreds_back_off_2_4_8_then_give_up_for_this_cycle(source, fake, clock):
    fake.fail_always(500, path=f"/shows/{NETFLIX_DRAMA}")
    with pytest.raises(TvmazeUnavailable):
        await source.snapshot_record(NETFLIX_DRAMA)
    assert [s for s in clock.slept if s >= 1] == [2.0, 4.0, 8.0]
    assert len(fake.requests) == 4


async def test_the_pollers_sibling_shares_the_window_with_member_lookups(fake, clock):
    async with TvmazeSource(fake.url, clock=clock, max_calls=3, retries=1, backoff_base=1.0) as lookups:
        poller = lookups.sibling()
        assert poller.limiter is lookups.limiter
        assert (poller.retries, poller.backoff_base) == (3, 2.0)
        for _ in range(2):
            await lookups.search("golden")
        await poller.snapshot_record(NETFLIX_DRAMA)
        before = clock.now()
        await poller.snapshot_record(NETFLIX_DRAMA)  # the fourth request in the window waits for a place
        assert clock.now() > before
        await poller.close()
        assert not lookups._client().closed  # the sibling never closes the session it borrows
