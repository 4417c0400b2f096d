"""Progress, watchlist and time zone journeys through the real client code, and progress surviving a SIGKILL."""

import asyncio
import signal
import sqlite3

import pytest

from bot.domain.models import Episode
from bot.playground.demo import running_bot
from tests.conftest import offline_settings
from tests.e2e.conftest import assert_clean

pytestmark = pytest.mark.e2e

SHOWS = (
    ("The Trauma Code", "The Trauma Code: Heroes On Call"),
    ("Kingdom", "Kingdom"),
    ("Crash Landing on You", "Crash Landing on You"),
    ("Squid Game", "Squid Game"),
    ("Hospital Playlist", "Hospital Playlist"),
    ("Sweet Home", "Sweet Home"),
    ("Hellbound", "Hellbound"),
    ("Descendants of the Sun", "Descendants of the Sun"),
    ("Guardian: The Lonely and Great God", "Guardian: The Lonely and Great God"),
    ("Stranger", "Stranger"),
)


async def answered(result):
    await result.wait_done()
    return result.text()


async def test_a_member_tracks_a_show_and_a_friend_sees_it(live):
    driver, alice, bob, channel = live.sandbox.driver, live.users["alice"], live.users["bob"], live.channel

    result = await driver.slash(alice, channel, "progress set", title="The Trauma Code", episode=3)
    text = await answered(result)
    assert result.ephemeral
    assert "you're on ep 3/8 ███░░░░░░░ 37%" in text
    assert "Added to your watchlist as watching." in text

    result = await driver.slash(alice, channel, "progress next", title="중증외상센터")
    assert "ep 4/8" in await answered(result)

    # The public card carries the caller's own progress.
    card = await driver.slash(alice, channel, "drama info", title="The Trauma Code")
    text = await answered(card)
    assert not card.ephemeral
    assert "@alice: ep 4/8" in text

    seen = await driver.slash(bob, channel, "progress show", member=alice)
    text = await answered(seen)
    assert seen.ephemeral
    assert "Progress of @alice" in text
    assert "ep 4/8" in text

    result = await driver.slash(bob, channel, "watchlist add", title="Kingdom", status="on_hold")
    text = await answered(result)
    assert "Kingdom" in text
    assert "to your watchlist as on hold." in text
    listed = await driver.slash(bob, channel, "watchlist show")
    assert "Kingdom" in await answered(listed)
    assert "on hold" in listed.text()

    zones = await driver.autocomplete(alice, channel, "settings timezone", "tz", "seoul")
    assert zones[0]["value"] == "Asia/Seoul"
    result = await driver.slash(alice, channel, "settings timezone", tz="Asia/Seoul")
    assert "Your time zone is now Asia/Seoul" in await answered(result)
    assert live.sandbox.pings == []


@pytest.fixture
async def live_bot(tmp_path):
    """The bot in this process with its sandbox, for tests that give it data (named episodes) first."""
    async with running_bot(offline_settings(tmp_path), tmp_path) as (world, bot):
        yield world, bot
        await world.sandbox.settle()
        assert_clean(world.sandbox)


async def test_episode_titles_stay_hidden_until_the_viewer_gets_there(live_bot):
    world, bot = live_bot
    driver, alice, bob, channel = world.sandbox.driver, world.users["alice"], world.users["bob"], world.channel
    show = await bot.lookup.resolve("Jewel in the Palace")
    await bot.lookup.store.save_episodes(show.id, [Episode(1, n, name=f"Secret {n}") for n in range(1, 55)])
    await answered(await driver.slash(alice, channel, "progress set", title="Jewel in the Palace", episode=4))

    page = await driver.slash(alice, channel, "drama episodes", title="Jewel in the Palace")
    text = await answered(page)
    assert "Secret 4" in text
    assert "Secret 5" not in text
    assert text.count("title hidden until you get there") == 6
    reveal = await driver.click(alice, page, "Reveal titles")
    shown = await answered(reveal)
    assert reveal.ephemeral
    assert "Secret 5" in driver.render(reveal.original, reveal_spoilers=True)
    assert "Secret 4" not in shown

    turned = await driver.click(alice, page, "Next ▶")
    await turned.wait_done()
    assert "Secret 11" not in driver.render(turned.original)
    assert driver.render(turned.original).count("title hidden until you get there") == 10

    # Bob has watched nothing of it: every title is hidden from him.
    his = await driver.slash(bob, channel, "drama episodes", title="Jewel in the Palace")
    assert (await answered(his)).count("title hidden until you get there") == 10
    assert world.sandbox.pings == []


async def test_another_servers_member_is_not_shown(live):
    driver = live.sandbox.driver
    carol = await driver.create_user("carol")
    elsewhere = await driver.create_guild("Elsewhere", owner=carol)
    await driver.add_member(elsewhere, carol)
    other = await driver.create_text_channel(elsewhere, "lobby")
    await answered(await driver.slash(carol, other, "progress set", title="Kingdom", episode=2))
    result = await driver.slash(live.users["alice"], live.channel, "progress show", member=carol)
    text = await answered(result)
    assert result.ephemeral
    assert "isn't a member of this server" in text
    assert "Kingdom" not in text


async def test_two_hundred_acknowledged_updates_survive_a_sigkill(sandbox, world, bot_process, tmp_path):
    driver = sandbox.driver
    members = [world.users["alice"], world.users["bob"]]
    for n in range(18):
        user = await driver.create_user(f"member{n:02d}")
        await driver.add_member(world.guild, user)
        members.append(user)
    expected: dict[str, dict[str, int]] = {}

    async def member_updates(index, user):
        mine = expected.setdefault(user.username, {})
        for i, (typed, title) in enumerate(SHOWS):
            episode = 1 + (index + i) % 6
            result = await driver.slash(user, world.channel, "progress set", title=typed, episode=episode)
            text = await answered(result)
            assert f"ep {episode}/" in text, text
            mine[title] = episode

    await asyncio.gather(*(member_updates(i, user) for i, user in enumerate(members)))
    assert sum(len(v) for v in expected.values()) == 200

    # Every update above was acknowledged; the bot dies without any chance to flush or close.
    bot_process.process.send_signal(signal.SIGKILL)
    bot_process.process.wait(timeout=10)
    assert bot_process.process.returncode == -signal.SIGKILL
    await bot_process.start()

    for user in members:
        result = await driver.slash(user, world.channel, "progress show")
        text = await answered(result)
        lines = text.splitlines()
        for title, episode in expected[user.username].items():
            line = next((line for line in lines if title in line), None)
            assert line is not None, (user.username, title, text)
            assert f"ep {episode}/" in line, (user.username, line)
    with sqlite3.connect(tmp_path / "bot.db") as raw:
        assert raw.execute("SELECT COUNT(*) FROM progress").fetchone()[0] == 200
    assert_clean(sandbox)
