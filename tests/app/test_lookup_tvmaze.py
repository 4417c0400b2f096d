"""Lookups when TVmaze misbehaves: what the member is told, what is stored, and how many requests it costs.

The source is configured as the running bot configures it for members (one retry, 1 s back-off) on a fake
clock, so no test waits for a back-off, a Retry-After or a rate-limit window.
"""

import asyncio
import socket

import pytest

from bot.db.meta import MetaStore
from bot.db.shows import ShowStore
from bot.domain.errors import AmbiguousTitleError, RemoteUnavailableError, UnknownTitleError
from bot.lookup import ShowLookup
from bot.providers.tvmaze import TvmazeSource
from tests.fakes.tvmaze import FakeClock, FakeTvmaze, settled, until

NETFLIX_DRAMA = 900001
BROADCAST_DRAMA = 900002


def member_source(url: str, clock: FakeClock) -> TvmazeSource:
    return TvmazeSource(url, retries=1, backoff_base=1.0, clock=clock)


@pytest.fixture
def clock():
    return FakeClock(autojump=True)


@pytest.fixture
async def fake():
    async with FakeTvmaze() as server:
        yield server


@pytest.fixture
async def lookup(db, catalog, fake, clock):
    async with member_source(fake.url, clock) as remote:
        found = ShowLookup(ShowStore(db), MetaStore(db), catalog, remote)
        await found.start()
        yield found


def unreachable_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on leaving: nothing listens there


# -- not found says what was searched --------------------------------------------------------------------------


async def test_offline_not_found_says_only_the_local_catalogue_was_searched(db, catalog):
    offline = ShowLookup(ShowStore(db), MetaStore(db), catalog)
    await offline.start()
    with pytest.raises(UnknownTitleError) as caught:
        await offline.resolve("Zzqx Vvrk")
    assert "in the local catalogue (this bot does not look titles up on TVmaze)" in caught.value.message


async def test_online_not_found_says_tvmaze_was_asked_too(lookup, fake):
    with pytest.raises(UnknownTitleError) as caught:
        await lookup.resolve("Zzqx Vvrk")
    assert caught.value.message.startswith("Neither the local catalogue nor TVmaze has a drama called “Zzqx Vvrk”")
    assert [r.path for r in fake.requests] == ["/search/shows"]


@pytest.mark.parametrize("fault", ["500", "503 twice", "html page", "html 502", "truncated json", "huge body"])
async def test_tvmaze_failing_is_never_reported_as_a_missing_drama(lookup, fake, fault):
    match fault:
        case "500":
            fake.fail_always(500)
        case "503 twice":
            fake.fail_next(2, 503)
        case "html page":
            fake.html_error_next()
        case "html 502":
            fake.html_error_next(None, status=502)
        case "truncated json":
            fake.truncate_next()
        case "huge body":
            fake.huge_next(46 << 20, declare_length=False)
    with pytest.raises(RemoteUnavailableError) as caught:
        await lookup.resolve("Golden Hour Ward")
    assert "I couldn't reach TVmaze just now" in caught.value.message
    assert "couldn't find a drama" not in caught.value.message
    assert len(fake.requests) <= 2  # one retry at most, and only for what a retry can mend


async def test_a_closed_port_says_tvmaze_could_not_be_reached(db, catalog, clock):
    async with member_source(f"http://127.0.0.1:{unreachable_port()}", clock) as remote:
        lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, remote)
        await lookup.start()
        with pytest.raises(RemoteUnavailableError) as caught:
            await lookup.resolve("Golden Hour Ward")
        assert "I couldn't reach TVmaze just now" in caught.value.message
        assert clock.slept == [1.0]  # one retry, after the member-facing back-off
        assert (await lookup.resolve("중증외상센터")).title == "The Trauma Code: Heroes On Call"


async def test_a_hang_is_given_up_within_the_lookups_time(db, catalog, fake, clock):
    fake.hang()
    async with member_source(fake.url, clock) as remote:
        lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, remote, remote_seconds=1.0)
        await lookup.start()
        with pytest.raises(RemoteUnavailableError):
            await lookup.resolve("Golden Hour Ward")
    # The only attempt used the whole time: no retry could fit, so none was made.
    assert len(fake.requests) == 1
    assert clock.slept == []


async def test_a_429_asking_for_30_seconds_is_not_retried_early_and_the_member_is_told(lookup, fake, clock):
    fake.fail_next(1, 429, retry_after="30")
    with pytest.raises(RemoteUnavailableError) as caught:
        await lookup.resolve("Golden Hour Ward")
    assert "TVmaze is busy and asked me to wait" in caught.value.message
    assert "about 30 seconds" in caught.value.message
    assert len(fake.requests) == 1
    assert clock.slept == []  # never retried after 1 s

    # Everyone else is held back too, until TVmaze's 30 s are up.
    with pytest.raises(RemoteUnavailableError, match="asked me to wait"):
        await lookup.resolve("Moonlit Palace Kitchen")
    assert len(fake.requests) == 1
    clock.advance(30)
    assert (await lookup.resolve("Moonlit Palace Kitchen")).tvmaze_id == BROADCAST_DRAMA


async def test_a_short_retry_after_is_waited_out_for_the_member(lookup, fake, clock):
    fake.fail_next(1, 429, retry_after="3")
    show = await lookup.resolve("Golden Hour Ward")
    assert show.tvmaze_id == NETFLIX_DRAMA
    assert clock.slept[0] == 3.0


async def test_after_an_outage_the_next_members_are_answered_at_once(lookup, fake, clock):
    fake.fail_always(500)
    with pytest.raises(RemoteUnavailableError):
        await lookup.resolve("Golden Hour Ward")
    made = len(fake.requests)
    with pytest.raises(RemoteUnavailableError, match="couldn't reach TVmaze"):
        await lookup.resolve("Moonlit Palace Kitchen")
    assert len(fake.requests) == made, "no member waits out a timeout TVmaze just failed"
    fake.clear_faults()
    clock.advance(15)
    assert (await lookup.resolve("Moonlit Palace Kitchen")).tvmaze_id == BROADCAST_DRAMA


async def test_a_lookup_that_would_queue_too_long_is_told_so_at_once(db, catalog, fake, clock):
    # Two requests per 100 s: the second member's turn would come later than a member is kept waiting.
    async with TvmazeSource(fake.url, max_calls=2, period=100.0, clock=clock) as remote:
        lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, remote)
        await lookup.start()
        assert (await lookup.resolve("Golden Hour Ward")).tvmaze_id == NETFLIX_DRAMA
        with pytest.raises(RemoteUnavailableError) as caught:
            await lookup.resolve("Moonlit Palace Kitchen")
    assert "Many members are looking titles up on TVmaze right now" in caught.value.message
    assert "about 100 seconds" not in caught.value.message  # past 90 s it says minutes
    assert "a few minutes" in caught.value.message
    assert len(fake.requests) == 2
    assert clock.slept == []


# -- what reaches the store ------------------------------------------------------------------------------------


async def test_a_new_title_costs_two_requests_episodes_included(lookup, fake):
    show = await lookup.resolve("Golden Hour Ward")
    episodes = await lookup.episodes(show)
    assert len(episodes) == 8
    assert [r.path for r in fake.requests] == ["/search/shows", "/shows/900001"]


async def test_duplicate_episodes_are_stored_once(lookup, fake):
    fake.duplicate_episodes(BROADCAST_DRAMA)
    show = await lookup.resolve("Moonlit Palace Kitchen")
    episodes = await lookup.episodes(show)
    assert [(e.season, e.number) for e in episodes] == [(1, 1), (1, 2), (1, 3), (1, 4)]
    assert "Duplicate" not in {e.name for e in episodes}


async def test_duplicate_episodes_from_the_episodes_endpoint_are_stored_once(lookup, fake, clock):
    fake.duplicate_episodes(BROADCAST_DRAMA)
    fake.fail_always(500, path="/shows/900002")  # the show is stored from search alone
    show = await lookup.resolve("Moonlit Palace Kitchen")
    fake.clear_faults()
    clock.advance(15)  # past the pause after a failure
    assert not await lookup.store.episodes(show.id)
    episodes = await lookup.episodes(show)
    assert [(e.season, e.number) for e in episodes] == [(1, 1), (1, 2), (1, 3), (1, 4)]
    assert fake.requests[-1].path == "/shows/900002/episodes"


async def test_script_and_plain_http_links_never_reach_a_stored_show(lookup, fake):
    fake.poison_links(NETFLIX_DRAMA)
    show = await lookup.resolve("Golden Hour Ward")
    stored = await lookup.store.get(show.id)
    assert (show.source_url, show.poster_url) == (None, None)
    assert (stored.source_url, stored.poster_url) == (None, None)


async def test_fields_of_the_wrong_type_are_left_unknown(lookup, fake):
    fake.mistype_show(NETFLIX_DRAMA)
    show = await lookup.resolve("Golden Hour Ward")
    assert show.title == "Golden Hour Ward"
    assert (show.genres, show.network, show.platform, show.year, show.status) == ((), None, None, None, None)
    assert (show.summary, show.poster_url) == (None, None)
    assert show.cast == ()
    assert [s.episode_count for s in show.seasons] == [None, None]


# -- many members at once --------------------------------------------------------------------------------------


async def test_40_members_asking_for_40_new_titles_are_answered_ten_at_a_time(db, catalog, fake):
    clock = FakeClock()
    titles = [f"Harbour Lights {n:02d}" for n in range(40)]
    for n, title in enumerate(titles):
        fake.add_show({"id": 910_000 + n, "url": f"https://www.tvmaze.com/shows/{910_000 + n}/x", "name": title})
    async with member_source(fake.url, clock) as remote:
        lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, remote)
        await lookup.start()
        members = [asyncio.ensure_future(lookup.resolve(title)) for title in titles]
        answered = []
        for _ in range(4):
            # Settled: everyone not yet answered waits for the window to move on (the fake clock stands still).
            await until(lambda: settled(members, remote.limiter, clock))
            answered.append(sum(m.done() for m in members) - sum(answered))
            clock.advance(10)
        shows = await asyncio.gather(*members)
    # Each window of 20 requests answers 10 members completely, instead of 40 searches first and all details last.
    assert answered == [10, 10, 10, 10]
    assert [s.title for s in shows] == titles
    assert len(fake.requests) == 80


async def test_a_search_never_overwrites_the_stored_show_linked_to_its_tvmaze_record(lookup, fake):
    # The Trauma Code is linked to TVmaze record 900001, whose name there is "Golden Hour Ward": a member typing that
    # name reaches TVmaze (no stored name fits), and TVmaze's bare search result must not replace the catalogue's
    # record (its Hangul title, cast and characters) nor be stored a second time.
    stored = lookup.search("The Trauma Code", limit=1)[0]
    before = await lookup.store.get(stored.show_id)
    await lookup.store.link_tvmaze(stored.show_id, NETFLIX_DRAMA, "manual", "test")
    count = sum((await lookup.count_by_source()).values())

    show = await lookup.resolve("Golden Hour Ward")

    assert show.id == stored.show_id
    after = await lookup.store.get(stored.show_id)
    assert after is not None
    assert before is not None
    assert (after.title, after.native_title, after.source) == (before.title, before.native_title, before.source)
    assert after.cast == before.cast
    assert after.tvmaze_id == NETFLIX_DRAMA
    assert sum((await lookup.count_by_source()).values()) == count
    assert [r.path for r in fake.requests] == ["/search/shows"]


# -- a search result that is a stored show not yet linked ------------------------------------------------------------


def crash_landing(fake: FakeTvmaze, tvmaze_id: int, premiered: str) -> None:
    """A TVmaze record named as the bundled "Crash Landing on You" (tvN, 2019, not linked to TVmaze)."""
    record = {key: value for key, value in fake.shows[BROADCAST_DRAMA].items() if key not in ("id", "url", "name")}
    fake.add_show(
        {
            **record,
            "id": tvmaze_id,
            "url": f"https://www.tvmaze.com/shows/{tvmaze_id}/crash-landing-on-you",
            "name": "Crash Landing on You",
            "premiered": premiered,
            "network": {"id": 1, "name": "tvN", "country": {"name": "Korea, Republic of", "code": "KR"}},
            "webChannel": None,
        }
    )


async def test_a_search_result_that_is_a_stored_show_links_it_instead_of_listing_it_twice(lookup, fake):
    bundled = lookup.search("Crash Landing on You", limit=1)[0]
    crash_landing(fake, 920001, "2019-12-14")
    # No stored name is that close: only TVmaze finds it, and lists it twice (a second copy must not be stored over
    # the record the first was linked to).
    fake.misspelt["krash landeeng"] = [920001, 920001]
    count = sum((await lookup.count_by_source()).values())

    show = await lookup.resolve("krash landeeng")

    assert show.id == bundled.show_id
    assert (show.source, show.tvmaze_id, show.native_title) == ("catalog", 920001, "사랑의 불시착")
    assert sum((await lookup.count_by_source()).values()) == count, "nothing stored a second time"
    assert [label for label, _ in lookup.autocomplete("crash landing")].count("Crash Landing on You (2019)") == 1
    link = await lookup.store.tvmaze_link(bundled.show_id)
    assert link is not None
    assert link[:2] == (920001, "matched")
    assert link[2].startswith("found by a member's search; matched on title, year")


async def test_a_search_result_named_as_a_stored_show_of_another_year_is_a_show_of_its_own(lookup, fake):
    bundled = lookup.search("Crash Landing on You", limit=1)[0]
    crash_landing(fake, 920002, "2031-03-01")  # a remake, years later
    fake.misspelt["krash landeeng"] = [920002]
    count = sum((await lookup.count_by_source()).values())

    show = await lookup.resolve("krash landeeng")

    assert show.id != bundled.show_id
    assert (show.source, show.tvmaze_id, show.year) == ("tvmaze", 920002, 2031)
    assert (await lookup.store.get(bundled.show_id)).tvmaze_id is None
    assert sum((await lookup.count_by_source()).values()) == count + 1


async def test_misspelt_results_tvmaze_lists_are_offered_in_its_order_each_once(lookup, fake):
    crash_landing(fake, 920002, "2031-03-01")
    crash_landing(fake, 920003, "2036-05-01")
    fake.update_show(920003, name="Crash Landing on You Again")
    fake.misspelt["krash landeeng"] = [920003, 920002, 920003]  # a record listed twice

    with pytest.raises(AmbiguousTitleError) as caught:
        await lookup.resolve("krash landeeng")

    assert [label for label, _ in caught.value.candidates] == [
        "Crash Landing on You Again (2036)",
        "Crash Landing on You (2031)",
    ]
