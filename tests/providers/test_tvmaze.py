import asyncio
import datetime as dt
import json
import time

import aiohttp
import pytest

from bot.domain.models import CastMember, SeasonInfo
from bot.providers.base import ShowProvider
from bot.providers.tvmaze import (
    USER_AGENT,
    TvmazeSource,
    TvmazeUnavailable,
    episode_from_tvmaze,
    show_from_tvmaze,
)
from tests.fakes.tvmaze import FIXTURES, FakeClock, settled, until

NETFLIX_DRAMA = 900001
BROADCAST_DRAMA = 900002
IN_DEVELOPMENT = 900003
UTC = dt.UTC


def test_it_is_a_show_source():
    source: ShowProvider = TvmazeSource("http://127.0.0.1:9")
    assert source.name == "tvmaze"


# -- search and shows ------------------------------------------------------------------------------------------------


async def test_search_maps_a_netflix_drama_to_a_platform_and_a_broadcast_one_to_a_network(source, fake):
    [netflix] = await source.search("golden hour")
    [broadcast] = await source.search("Moonlit Palace")

    assert netflix.title == "Golden Hour Ward"
    assert (netflix.platform, netflix.network, netflix.country) == ("Netflix", None, None)
    assert netflix.year == 2025
    assert netflix.tvmaze_id == NETFLIX_DRAMA
    assert netflix.source == "tvmaze"
    assert netflix.source_url == "https://www.tvmaze.com/shows/900001/golden-hour-ward"
    assert netflix.poster_url == "https://static.tvmaze.com/uploads/images/900/900001-original.jpg"
    assert netflix.genres == ("Drama", "Medical")
    assert netflix.summary == (
        "Golden Hour Ward follows a combat surgeon who takes over a failing trauma team & gives it one hour to"
        " save each patient.\n\nTest fixture: not a real show."
    )

    assert (broadcast.network, broadcast.platform, broadcast.country) == ("KBS2", None, "KR")
    assert broadcast.status == "Running"
    assert [(r.path, r.param("q")) for r in fake.requests] == [
        ("/search/shows", "golden hour"),
        ("/search/shows", "Moonlit Palace"),
    ]


async def test_search_with_no_match_or_an_empty_query(source, fake):
    assert await source.search("no such drama anywhere") == []
    assert await source.search("   ") == []
    assert len(fake.requests) == 1  # a blank query never leaves the bot
    assert source.request_count == 1


async def test_show_with_embeds_maps_seasons_and_cast(source, fake):
    show = await source.show(NETFLIX_DRAMA)

    assert show is not None
    assert show.seasons == (
        SeasonInfo(1, 8, dt.date(2025, 1, 24)),
        SeasonInfo(2, None, None),  # announced: no order, no date yet
    )
    assert show.episode_count is None  # unknown while season 2 has no count
    assert show.cast == (
        CastMember("Kang Min Jae", "Baek Do Hyun"),
        CastMember("Yoon Ha Rin", "Cheon Seo Yeon"),
        CastMember("Park Tae Oh", "Yang Jae Won"),
    )
    [request] = fake.requests
    assert request.path == "/shows/900001"
    assert request.params("embed[]") == ["seasons", "cast", "nextepisode", "episodes"]


async def test_details_bring_the_episodes_in_the_same_answer(source, fake):
    [found] = await source.search("golden hour")
    details = await source.details(found)
    assert details is not None
    assert details.show.seasons
    assert details.episodes is not None
    assert [(e.season, e.number) for e in details.episodes] == [(1, n) for n in range(1, 9)]
    assert [r.path for r in fake.requests] == ["/search/shows", "/shows/900001"]


async def test_show_records_the_next_episode_and_change_stamp(source, fake):
    show = await source.show(BROADCAST_DRAMA)
    assert show is not None
    assert show.extra["next_episode"] == "S1E4"
    assert show.extra["next_airstamp"] == "2031-03-17T12:50:00+00:00"
    assert show.extra["updated"] == str(fake.updates[BROADCAST_DRAMA])


async def test_a_show_with_nothing_embedded_has_no_seasons_or_cast(source):
    show = await source.show(IN_DEVELOPMENT)
    assert show is not None
    assert (show.seasons, show.cast, show.poster_url, show.summary, show.year) == ((), (), None, None, None)
    assert show.status == "In Development"


async def test_unknown_id_is_none(source, fake):
    assert await source.show(123) is None
    assert await source.seasons(123) == []
    assert await source.singlesearch("no such drama anywhere") is None
    assert await source.lookup(imdb="tt0000000") is None
    assert [r.path for r in fake.requests] == [
        "/shows/123",
        "/shows/123/seasons",
        "/singlesearch/shows",
        "/lookup/shows",
    ]


async def test_singlesearch_and_lookup_follow_to_the_show(source, fake):
    best = await source.singlesearch("golden hour ward")
    assert best is not None
    assert best.tvmaze_id == NETFLIX_DRAMA
    assert best.seasons  # embeds asked for on singlesearch too

    found = await source.lookup(imdb="tt9900001")
    assert found is not None
    assert found.tvmaze_id == NETFLIX_DRAMA
    # The redirect is a request of its own: it passes the limiter and is counted.
    assert [r.path for r in fake.requests][-2:] == ["/lookup/shows", "/shows/900001"]
    assert source.request_count == len(fake.requests) == 3


async def test_seasons_and_akas(source):
    assert await source.seasons(BROADCAST_DRAMA) == [SeasonInfo(1, 4, dt.date(2024, 3, 4))]
    assert await source.akas(NETFLIX_DRAMA) == ["골든아워 병동", "Golden Hour", "Golden Hour Ward"]
    assert await source.akas(IN_DEVELOPMENT) == []


async def test_updates_feed_is_ids_to_unix_seconds(source, fake):
    now = int(time.time())
    day = await source.updates("day")
    week = await source.updates("week")
    month = await source.updates("month")

    assert set(day) == {900001, 900050}
    assert set(week) == {900001, 900050, 900002}
    assert set(month) == {900001, 900050, 900002, 900051}
    assert all(isinstance(stamp, int) for stamp in month.values())
    assert now - 5 <= day[900001] <= now + 5
    assert [r.param("since") for r in fake.requests] == ["day", "week", "month"]
    with pytest.raises(ValueError, match="since"):
        await source.updates("year")  # type: ignore[arg-type]


# -- episodes ---------------------------------------------------------------------------------------------------------


async def test_episode_airstamps_keep_their_offset_and_come_back_in_utc(source, fake):
    show = await source.show(BROADCAST_DRAMA)
    assert show is not None
    episodes = await source.episodes(show)

    assert [(e.season, e.number) for e in episodes] == [(1, 1), (1, 2), (1, 3), (1, 4)]  # the special is skipped
    first, _, late, tba = episodes
    assert first.airstamp == dt.datetime(2024, 3, 4, 12, 50, tzinfo=UTC)
    assert first.airstamp.utcoffset() == dt.timedelta(0)
    # 00:10 in Seoul on the 11th is still the 10th in UTC; the broadcaster's airdate is kept as listed.
    assert late.airstamp == dt.datetime(2024, 3, 10, 15, 10, tzinfo=UTC)
    assert late.airdate == dt.date(2024, 3, 11)
    assert tba.name == "TBA"
    assert first.name == "The First Bowl"
    assert first.runtime == 70
    assert fake.requests[-1].path == "/shows/900002/episodes"
    assert fake.requests[-1].param("specials") is None


async def test_a_streaming_drop_has_a_date_but_no_time(source):
    show = await source.show(NETFLIX_DRAMA)
    assert show is not None
    episodes = await source.episodes(show)
    assert len(episodes) == 8
    assert {e.airdate for e in episodes} == {dt.date(2025, 1, 24)}
    assert {e.airstamp for e in episodes} == {None}


async def test_episodes_of_a_show_without_tvmaze_id_make_no_request(source, fake):
    from bot.domain.models import Show

    assert await source.episodes(Show(title="Local only")) == []
    assert fake.requests == []


def test_specials_are_skipped_even_when_asked_for():
    rows = json.loads((FIXTURES / "episodes-900002.json").read_text(encoding="utf-8"))
    special = next(r for r in rows if r["number"] is None)
    assert episode_from_tvmaze(special) is None


# -- retries and the rate limit ------------------------------------------------------------------------------------


async def test_429_twice_then_success_backs_off_2_then_4_seconds(fake, clock):
    fake.fail_next(2, status=429)
    async with TvmazeSource(fake.url, clock=clock) as source:
        show = await source.show(NETFLIX_DRAMA)
    assert show is not None
    assert source.request_count == len(fake.requests) == 3
    assert clock.slept == [2.0, 4.0]


async def test_429_forever_gives_up_after_four_attempts(source, fake, clock):
    fake.fail_always(429)
    with pytest.raises(TvmazeUnavailable):
        await source.show(NETFLIX_DRAMA)
    assert len(fake.requests) == source.request_count == 4
    assert clock.slept == [2.0, 4.0, 8.0]


async def test_server_errors_are_retried(source, fake):
    fake.fail_next(1, status=503)
    show = await source.show(BROADCAST_DRAMA)
    assert show is not None
    assert len(fake.requests) == 2

    fake.fail_always(500, path="/shows/900002/episodes")
    with pytest.raises(TvmazeUnavailable):
        await source.episodes(show)
    assert len(fake.requests_to("/shows/900002/episodes")) == 4


async def test_a_dropped_connection_is_retried(source, fake):
    # aiohttp itself resends an idempotent request once when the connection drops; then the retry policy runs.
    fake.disconnect_next(2)
    show = await source.show(BROADCAST_DRAMA)
    assert show is not None
    assert len(fake.requests) == 3
    assert source.request_count == 2


async def test_a_slow_answer_times_out_and_is_retried(fake, clock):
    fake.hang(1)
    async with TvmazeSource(fake.url, clock=clock, timeout=1.0) as source:
        show = await source.show(NETFLIX_DRAMA)
    assert show is not None
    assert len(fake.requests) == 2
    assert clock.slept == [2.0]


async def test_the_rate_limit_holds_at_the_server(fake):
    clock = FakeClock()
    limit, window = 5, 10.0
    async with TvmazeSource(fake.url, max_calls=limit, period=window, clock=clock) as source:
        calls = [asyncio.ensure_future(source.show(NETFLIX_DRAMA)) for _ in range(3 * limit)]
        sent_per_window = []
        for _ in range(3):
            # Nothing more goes out until the window moves on: the limiter sleeps on the fake clock.
            await until(lambda: settled(calls, source.limiter, clock))
            sent_per_window.append(len(fake.requests) - sum(sent_per_window))
            clock.advance(window)
        shows = await asyncio.gather(*calls)
    assert all(s is not None for s in shows)
    assert sent_per_window == [limit, limit, limit]


async def test_the_window_counts_from_when_a_request_finishes(fake):
    # TVmaze may see a request any time until its answer is back, so the window starts at the answer.
    clock = FakeClock()
    fake.delay_next(1, 1.0)  # long enough that the test moves the clock while it is in flight
    async with TvmazeSource(fake.url, max_calls=1, period=10.0, clock=clock) as source:
        first = asyncio.ensure_future(source.show(NETFLIX_DRAMA))
        second = asyncio.ensure_future(source.show(BROADCAST_DRAMA))
        await until(lambda: len(fake.requests) == 1)
        clock.advance(10.0)  # a window after the first was *sent*: it is still in flight
        await first
        await until(lambda: clock.sleeping == 1)
        assert len(fake.requests) == 1
        clock.advance(10.0)  # a window after it finished
        await second
    assert len(fake.requests) == 2


async def test_user_agent_is_sent(source, fake):
    await source.search("golden")
    assert fake.requests[0].headers["User-Agent"] == USER_AGENT
    assert "WatchCompanion/0.1" in USER_AGENT


async def test_an_injected_session_is_used_and_left_open(fake):
    async with aiohttp.ClientSession() as session:
        async with TvmazeSource(fake.url, session=session) as source:
            await source.search("golden")
        assert not session.closed
    assert fake.requests[0].headers["User-Agent"] == USER_AGENT


# -- the fake's mutation API, as later announcement tests will use it ---------------------------------------------


async def test_a_season_announced_at_run_time_shows_up_and_bumps_the_feed(source, fake):
    before = fake.updates[BROADCAST_DRAMA]
    fake.add_season(BROADCAST_DRAMA)
    assert fake.updates[BROADCAST_DRAMA] > before
    show = await source.show(BROADCAST_DRAMA)
    assert show is not None
    assert show.seasons[-1] == SeasonInfo(2, None, None)
    assert BROADCAST_DRAMA in await source.updates("day")

    fake.set_premiere_date(BROADCAST_DRAMA, 2, "2026-09-01")
    fake.set_status(BROADCAST_DRAMA, "Ended")
    show = await source.show(BROADCAST_DRAMA)
    assert show is not None
    assert show.season(2) == SeasonInfo(2, None, dt.date(2026, 9, 1))
    assert show.status == "Ended"


async def test_unknown_routes_are_404_with_a_null_body(fake):
    async with aiohttp.ClientSession() as session, session.get(f"{fake.url}/people/1") as response:
        assert response.status == 404
        assert await response.text() == "null"


# -- pure mapping ---------------------------------------------------------------------------------------------------


def test_show_from_tvmaze_with_nulls_and_no_embedded_keys():
    show = show_from_tvmaze(
        {
            "id": 900099,
            "url": "https://www.tvmaze.com/shows/900099/bare",
            "name": "Bare",
            "genres": [],
            "status": "To Be Determined",
            "premiered": None,
            "network": None,
            "webChannel": None,
            "image": None,
            "summary": None,
            "_embedded": {"nextepisode": None},
        }
    )
    assert show.title == "Bare"
    assert (show.network, show.platform, show.country, show.poster_url, show.summary) == (None,) * 5
    assert (show.seasons, show.cast, show.genres, show.year) == ((), (), (), None)
    assert show.source_url == "https://www.tvmaze.com/shows/900099/bare"
    assert "next_episode" not in show.extra


def test_show_from_tvmaze_prefers_the_original_image_and_falls_back_to_medium():
    base = {"id": 1, "name": "X", "url": "https://www.tvmaze.com/shows/1/x"}
    medium, original = "https://static.tvmaze.com/m.jpg", "https://static.tvmaze.com/o.jpg"
    assert show_from_tvmaze({**base, "image": {"medium": medium, "original": None}}).poster_url == medium
    assert show_from_tvmaze({**base, "image": {"medium": medium, "original": original}}).poster_url == original


def test_episode_from_tvmaze_converts_any_offset_to_utc():
    episode = episode_from_tvmaze(
        {"season": 1, "number": 1, "name": "Old", "airdate": "1999-01-01", "airtime": "20:00",
         "airstamp": "1999-01-01T20:00:00-05:00", "runtime": 60, "type": "regular"}
    )  # fmt: skip
    assert episode is not None
    assert episode.airstamp == dt.datetime(1999, 1, 2, 1, 0, tzinfo=UTC)
