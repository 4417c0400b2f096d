"""The bot online, against a loopback fake TVmaze: a show only TVmaze knows, fetched once, linked back; and every
way TVmaze misbehaves, as a member sees it through the real bot and the sandbox Discord.

The bot's TVmaze client sleeps on a fake clock (back-offs and Retry-After pass at once, and are recorded).
"""

import socket

import pytest

from bot.domain.models import SeasonInfo, Show
from bot.playground.demo import running_bot
from bot.providers.tvmaze import TvmazeSource
from tests.conftest import offline_settings
from tests.e2e.conftest import assert_clean
from tests.fakes.tvmaze import FakeClock, FakeTvmaze

pytestmark = pytest.mark.e2e

UNREACHABLE = "I couldn't reach TVmaze just now"
MISSING = "I couldn't find a drama"
NETFLIX_DRAMA = 900001
BROADCAST_DRAMA = 900002


class Online:
    def __init__(self, world, fake, bot, clock):
        self.world = world
        self.fake = fake
        self.bot = bot
        self.clock = clock

    async def card(self, title):
        """``/drama info`` for a title only TVmaze knows: the public card, as the channel shows it."""
        result = await self.slash("drama info", title=title)
        (card,) = await result.wait_followups(1)
        return card, self.world.sandbox.driver.render(card)

    async def slash(self, command, user="alice", **options):
        result = await self.world.sandbox.driver.slash(self.world.users[user], self.world.channel, command, **options)
        await result.wait_done(timeout=30)
        return result


@pytest.fixture
async def online(tmp_path):
    async with (
        FakeTvmaze() as fake,
        running_bot(offline_settings(tmp_path), tmp_path, tvmaze_url=fake.url) as (world, bot),
    ):
        remote = bot.lookup.remote
        assert isinstance(remote, TvmazeSource)
        clock = FakeClock(autojump=True)
        remote.clock = clock
        yield Online(world, fake, bot, clock)
        await world.sandbox.settle()
        assert_clean(world.sandbox)


async def test_a_tvmaze_show_is_fetched_once_and_links_to_its_record(online):
    world, fake = online.world, online.fake
    driver = world.sandbox.driver
    first = await online.slash("drama info", title="Golden Hour Ward")
    assert first.response_type == 5  # deferred: TVmaze may be slow
    assert first.ephemeral, "deferred privately, so a pick list or a failure stays with the caller"
    (card,) = await first.wait_followups(1)
    assert not card.ephemeral, "the card itself is public"
    assert "Posted “Golden Hour Ward” in this channel." in first.text()
    text = driver.render(card)
    assert "Golden Hour Ward" in text
    assert "Netflix" in text
    assert "View on TVmaze" in text
    assert "Data from TVmaze (CC BY-SA 4.0)" in text
    assert [r.path for r in fake.requests] == ["/search/shows", "/shows/900001"]

    again = await online.slash("drama info", user="bob", title="Golden Hour Ward")
    assert again.response_type == 4  # answered at once from what was stored
    assert "Golden Hour Ward" in again.text()
    episodes = await online.slash("drama episodes", user="bob", title="Golden Hour Ward")
    assert "8 episodes" in episodes.text()
    assert len(fake.requests) == 2, "the episodes came with the show"

    choices = await driver.autocomplete(world.users["bob"], world.channel, "drama info", "title", "golden")
    assert choices[0]["name"].startswith("Golden Hour Ward")
    assert len(fake.requests) == 2, "autocomplete never calls TVmaze"


async def test_a_bundled_title_never_calls_tvmaze(online):
    result = await online.slash("drama info", title="중증외상센터")
    assert result.response_type == 4
    assert online.fake.requests == []


async def test_not_found_online_says_tvmaze_was_asked_too(online):
    result = await online.slash("drama info", title="Zzqx Vvrk")
    assert "Neither the local catalogue nor TVmaze has a drama called “Zzqx Vvrk”" in result.text()


@pytest.mark.parametrize("fault", ["500", "html page", "truncated json", "huge body"])
async def test_tvmaze_failing_says_it_could_not_be_reached(online, fault):
    fake = online.fake
    match fault:
        case "500":
            fake.fail_always(500)
        case "html page":
            fake.html_error_next(None, status=502)
        case "truncated json":
            fake.truncate_next()
        case "huge body":
            fake.huge_next(46 << 20)
    result = await online.slash("drama info", title="Zzqx Vvrk")
    text = result.text()
    assert UNREACHABLE in text
    assert MISSING not in text
    # Local titles still answer, at once.
    local = await online.slash("drama info", user="bob", title="중증외상센터")
    assert local.response_type == 4


async def test_tvmaze_hanging_says_it_could_not_be_reached(online):
    # The bot gives a member's lookup 10 s of TVmaze's time (bench/tvmaze.py measures it); 1 s here.
    online.bot.lookup.remote_seconds = 1.0
    online.fake.hang()
    result = await online.slash("drama episodes", title="Zzqx Vvrk")
    assert UNREACHABLE in result.text()
    assert MISSING not in result.text()


async def test_a_429_asking_for_30_seconds_is_told_not_retried(online):
    online.fake.fail_next(1, 429, retry_after="30")
    result = await online.slash("drama info", title="Golden Hour Ward")
    assert "TVmaze is busy and asked me to wait" in result.text()
    assert "about 30 seconds" in result.text()
    assert len(online.fake.requests) == 1
    assert online.clock.slept == []


async def test_tvmaze_behind_a_closed_port_says_it_could_not_be_reached(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with running_bot(offline_settings(tmp_path), tmp_path, tvmaze_url=f"http://127.0.0.1:{port}") as (
        world,
        bot,
    ):
        bot.lookup.remote.clock = FakeClock(autojump=True)
        result = await world.sandbox.driver.slash(world.users["alice"], world.channel, "drama info", title="Zzqx")
        await result.wait_done(timeout=30)
        assert UNREACHABLE in result.text()
        await world.sandbox.settle()
        assert_clean(world.sandbox)


async def test_offline_not_found_says_only_the_local_catalogue_was_searched(live):
    result = await live.sandbox.driver.slash(live.users["alice"], live.channel, "drama info", title="Zzqx Vvrk")
    await result.wait_done()
    assert "in the local catalogue (this bot does not look titles up on TVmaze)" in result.text()


async def test_a_javascript_link_never_reaches_a_card(online):
    online.fake.poison_links(NETFLIX_DRAMA)
    card, text = await online.card("Golden Hour Ward")
    [embed] = card.embeds
    assert "Golden Hour Ward" in text
    assert "javascript" not in str(embed).lower()
    assert "url" not in embed
    assert "thumbnail" not in embed


async def test_fields_of_the_wrong_type_still_give_a_card(online):
    online.fake.mistype_show(NETFLIX_DRAMA)
    _card, text = await online.card("Golden Hour Ward")
    assert "Golden Hour Ward" in text
    assert "View on TVmaze" in text


async def test_duplicate_episodes_list_each_episode_once(online):
    online.fake.duplicate_episodes(BROADCAST_DRAMA)
    result = await online.slash("drama episodes", title="Moonlit Palace Kitchen")
    text = result.text()
    assert "4 episodes" in text
    assert "Duplicate" not in text
    # Alice has not watched it, so episode titles are hidden until she reveals them (privately).
    reveal = await online.world.sandbox.driver.click(online.world.users["alice"], result, "Reveal titles")
    await reveal.wait_done()
    revealed = reveal.text(reveal_spoilers=True)
    assert revealed.count("The First Bowl") == 1
    assert "Duplicate" not in revealed


async def test_a_script_link_stored_before_links_were_checked_never_reaches_a_card(online):
    old = Show(
        title="Lantern Street Clinic",
        source="tvmaze",
        source_url="javascript:alert(1)",
        poster_url="javascript:alert(2)",
        seasons=(SeasonInfo(1, 6, None),),
    )
    await online.bot.lookup.add_shows([old])
    result = await online.slash("drama info", title="Lantern Street Clinic")
    [embed] = result.messages[-1].embeds
    assert "Lantern Street Clinic" in result.text()
    assert "javascript" not in str(embed).lower()
    assert online.fake.requests == []
