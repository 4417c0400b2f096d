"""Every way TVmaze misbehaves, at the client: what is retried, what is waited for, what is refused.

The client sleeps on a fake clock: a back-off or a Retry-After is recorded, never waited for.
"""

import asyncio
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.providers.tvmaze import TvmazeError, TvmazeSource, TvmazeUnavailable, show_from_tvmaze
from bot.providers.tvmaze.decode import Slicer, decode_json
from tests.fakes.tvmaze import FakeClock, FakeTvmaze

NETFLIX_DRAMA = 900001
BROADCAST_DRAMA = 900002


async def test_retry_after_is_waited_for_not_the_back_off(source, fake, clock):
    fake.fail_next(1, 429, retry_after="30")
    assert await source.show(NETFLIX_DRAMA) is not None
    assert clock.slept == [30.0]
    assert len(fake.requests) == 2


async def test_a_short_retry_after_never_shortens_the_back_off(source, fake, clock):
    fake.fail_next(1, 503, retry_after="1")
    assert await source.show(NETFLIX_DRAMA) is not None
    assert clock.slept == [2.0]


async def test_a_retry_after_past_the_longest_wait_gives_up_for_this_cycle(source, fake, clock):
    fake.fail_next(1, 429, retry_after="3600")
    with pytest.raises(TvmazeUnavailable) as caught:
        await source.show(NETFLIX_DRAMA)
    assert caught.value.retry_after == 3600
    assert clock.slept == []
    assert len(fake.requests) == 1


async def test_retry_after_holds_back_every_request_not_only_the_one_refused(source, fake, clock):
    fake.fail_next(1, 429, retry_after="30")
    await source.show(NETFLIX_DRAMA)
    assert source.limiter.held_for() == 0  # the retry came after the hold, on the same clock
    fake.fail_next(1, 429, retry_after="20")
    await source.show(BROADCAST_DRAMA)
    arrivals = [r.path for r in fake.requests]
    assert arrivals == ["/shows/900001", "/shows/900001", "/shows/900002", "/shows/900002"]
    assert clock.slept == [30.0, 20.0]


async def test_a_server_that_does_not_speak_http_is_unavailable(clock):
    async def garble(reader, writer):
        await reader.readline()
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garble, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with TvmazeSource(f"http://127.0.0.1:{port}", clock=clock, retries=1) as source:
            with pytest.raises(TvmazeUnavailable):
                await source.search("golden")
    finally:
        server.close()
        await server.wait_closed()


async def test_an_html_error_page_is_refused_and_not_retried_when_it_claims_success(source, fake):
    fake.html_error_next(1, status=200)
    with pytest.raises(TvmazeError, match="not JSON"):
        await source.search("golden")
    assert len(fake.requests) == 1


async def test_an_html_error_page_with_a_5xx_is_retried(source, fake):
    fake.html_error_next(1, status=502)
    assert [s.title for s in await source.search("golden")] == ["Golden Hour Ward"]
    assert len(fake.requests) == 2


async def test_truncated_json_is_refused(source, fake):
    fake.truncate_next(1)
    with pytest.raises(TvmazeError, match="not JSON"):
        await source.show(NETFLIX_DRAMA)
    assert await source.show(NETFLIX_DRAMA) is not None  # the next answer is read whole


@pytest.mark.parametrize("declared", [True, False], ids=["with Content-Length", "chunked"])
async def test_a_huge_body_is_refused_at_the_cap(source, fake, declared):
    fake.huge_next(46 << 20, declare_length=declared)
    with pytest.raises(TvmazeError, match="cap"):
        await source.search("golden")
    assert len(fake.requests) == 1
    # The connection it came on is not reused half-read: the next search is answered normally.
    assert [s.title for s in await source.search("golden")] == ["Golden Hour Ward"]


async def test_json_nested_past_what_the_parser_follows_is_refused():
    with pytest.raises(RecursionError):
        json.loads("[" * 100_000 + "]" * 100_000)
    async with FakeTvmaze() as fake, TvmazeSource(fake.url, clock=FakeClock(autojump=True)) as source:
        fake.raw_next(b"[" * 200_000 + b"]" * 200_000)
        with pytest.raises(TvmazeError, match="not JSON"):
            await source.search("golden")


async def test_wrong_field_types_leave_fields_unknown(source, fake):
    fake.mistype_show(NETFLIX_DRAMA)
    show = await source.show(NETFLIX_DRAMA)
    assert show is not None
    assert show.title == "Golden Hour Ward"
    assert (show.genres, show.network, show.platform, show.status, show.year) == ((), None, None, None, None)
    assert show.cast == ()


def test_oversized_text_is_cut_before_it_reaches_the_record():
    show = show_from_tvmaze(
        {"id": 1, "name": "Long " * 200_000, "summary": "<p>" + "word " * 400_000 + "</p>", "genres": ["x" * 10**6]}
    )
    assert show.title.startswith("Long Long")
    assert len(show.title) <= 500
    assert show.summary is not None
    assert len(show.summary) <= 8_000
    assert all(len(g) <= 500 for g in show.genres)


def test_a_record_without_a_name_or_id_is_refused():
    for payload in ({"id": "1", "name": "X"}, {"id": 1, "name": ["X"]}, {"id": True, "name": "X"}, ["X"]):
        with pytest.raises(TvmazeError):
            show_from_tvmaze(payload)


async def test_script_links_and_plain_http_images_are_dropped(source, fake):
    fake.poison_links(NETFLIX_DRAMA)
    show = await source.show(NETFLIX_DRAMA)
    assert show is not None
    assert (show.source_url, show.poster_url) == (None, None)


async def test_duplicate_episodes_are_listed_once(source, fake):
    fake.duplicate_episodes(BROADCAST_DRAMA)
    show = await source.show(BROADCAST_DRAMA)
    assert show is not None
    episodes = await source.episodes(show)
    assert [(e.season, e.number) for e in episodes] == [(1, 1), (1, 2), (1, 3), (1, 4)]
    assert "Duplicate" not in {e.name for e in episodes}
    details = await source.details(show)
    assert details is not None
    assert details.episodes == episodes


# -- decoding in slices gives exactly json.loads -----------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=8), inner, max_size=6),
    max_leaves=40,
)


@given(json_values, st.sampled_from([None, 0, 2]))
async def test_decoding_in_slices_equals_json_loads(value, indent):
    body = json.dumps(value, indent=indent, ensure_ascii=False).encode()
    assert await decode_json(body, Slicer(0.0)) == json.loads(body)


@given(st.text(alphabet='[]{}:," 1tnx\\', max_size=30))
async def test_malformed_json_is_refused_as_json_loads_refuses_it(text):
    body = text.encode()
    try:
        expected = json.loads(body)
    except ValueError:
        with pytest.raises(json.JSONDecodeError):
            await decode_json(body)
    else:
        assert await decode_json(body) == expected


async def test_decoding_hands_the_loop_back_between_elements():
    handed_back = 0

    class Counting(Slicer):
        async def tick(self):
            nonlocal handed_back
            handed_back += 1
            await super().tick()

    rows = [{"show": {"id": n, "name": "x" * 50}} for n in range(1000)]
    assert await decode_json(json.dumps(rows).encode(), Counting(0.0)) == rows
    assert handed_back >= 1000  # at least one chance per element, never one long call
