import asyncio
import datetime as dt
import json
import time

import aiohttp
import pytest

from bot.domain.models import CastMember, SeasonInfo
from bot.providers.base import ShowSource
from bot.providers.tvmaze import (
    USER_AGENT,
    TvmazeSource,
    TvmazeUnavailable,
    episode_from_tvmaze,
    html_to_text,
    show_from_tvmaze,
)
from tests.fakes.tvmaze import FIXTURES, FakeTvmaze

NETFLIX_DRAMA = 900001
BROADCAST_DRAMA = 900002
IN_DEVELOPMENT = 900003
UTC = dt.UTC


@pytest.fixture
async def fake():
    async with FakeTvmaze() as server:
        yield server


@pytest.fixture
async def source(fake):
    # Millisecond backoff keeps retry tests fast; the schedule's shape (1x, 2x, 4x) is unchanged.
    async with TvmazeSource(fake.url, backoff_base=0.001) as client:
        yield client


def test_it_is_a_show_source():
    source: ShowSource = TvmazeSource("http://127.0.0.1:9")
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
    assert request.params("embed[]") == ["seasons", "cast", "nextepisode"]


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


async def test_429_twice_then_success(fake):
    fake.fail_next(2, status=429)
    started = time.monotonic()
    async with TvmazeSource(fake.url, backoff_base=0.05) as source:
        show = await source.show(NETFLIX_DRAMA)
    assert show is not None
    assert source.request_count == len(fake.requests) == 3
    # Backoff of 1x then 2x the base between the three attempts.
    gaps = [b.at - a.at for a, b in zip(fake.requests, fake.requests[1:], strict=False)]
    assert gaps[0] >= 0.05
    assert gaps[1] >= 0.10
    assert time.monotonic() - started >= 0.15


async def test_429_forever_gives_up_after_four_attempts(source, fake):
    fake.fail_always(429)
    with pytest.raises(TvmazeUnavailable):
        await source.show(NETFLIX_DRAMA)
    assert len(fake.requests) == source.request_count == 4


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


async def test_a_slow_answer_times_out_and_is_retried(fake):
    fake.delay_next(1, 0.5)
    async with TvmazeSource(fake.url, backoff_base=0.001, timeout=0.2) as source:
        show = await source.show(NETFLIX_DRAMA)
    assert show is not None
    assert len(fake.requests) == 2


async def test_the_rate_limit_holds_at_the_server(fake):
    limit, window = 5, 0.4
    async with TvmazeSource(fake.url, max_calls=limit, period=window) as source:
        started = time.monotonic()
        shows = await asyncio.gather(*(source.show(NETFLIX_DRAMA) for _ in range(3 * limit)))
        elapsed = time.monotonic() - started

    assert all(s is not None for s in shows)
    arrivals = sorted(r.at for r in fake.requests)
    assert len(arrivals) == 3 * limit
    # Any limit + 1 consecutive arrivals must span at least a whole window.
    for first, last in zip(arrivals, arrivals[limit:], strict=False):
        assert last - first >= window
    # 3 x limit calls need two full windows of waiting (no upper bound: the box may be busy).
    assert elapsed >= 2 * window


async def test_the_window_counts_from_when_a_slow_request_finishes(fake):
    # TVmaze may see a request any time until its answer is back, so the window starts at the answer.
    fake.delay_next(1, 0.3)
    async with TvmazeSource(fake.url, max_calls=1, period=0.2) as source:
        await asyncio.gather(source.show(NETFLIX_DRAMA), source.show(BROADCAST_DRAMA))
    first, second = fake.requests
    assert second.at - first.at >= 0.5


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
    assert show_from_tvmaze({**base, "image": {"medium": "m.jpg", "original": None}}).poster_url == "m.jpg"
    assert show_from_tvmaze({**base, "image": {"medium": "m.jpg", "original": "o.jpg"}}).poster_url == "o.jpg"


def test_episode_from_tvmaze_converts_any_offset_to_utc():
    episode = episode_from_tvmaze(
        {"season": 1, "number": 1, "name": "Old", "airdate": "1999-01-01", "airtime": "20:00",
         "airstamp": "1999-01-01T20:00:00-05:00", "runtime": 60, "type": "regular"}
    )  # fmt: skip
    assert episode is not None
    assert episode.airstamp == dt.datetime(1999, 1, 2, 1, 0, tzinfo=UTC)


def test_html_to_text():
    assert html_to_text("<p>One &amp; <b>two</b></p><p>Three<br>four</p>") == "One & two\n\nThree\nfour"
    assert html_to_text("") is None
    assert html_to_text(None) is None
