"""The bot online, against a loopback fake TVmaze: a show only TVmaze knows, fetched once, linked back."""

import pytest

from bot.playground.demo import running_bot
from tests.conftest import offline_settings
from tests.e2e.conftest import assert_clean
from tests.fakes.tvmaze import FakeTvmaze

pytestmark = pytest.mark.e2e


@pytest.fixture
async def online(tmp_path):
    async with (
        FakeTvmaze() as fake,
        running_bot(offline_settings(tmp_path), tmp_path, tvmaze_url=fake.url) as (
            world,
            _bot,
        ),
    ):
        yield world, fake
        await world.sandbox.settle()
        assert_clean(world.sandbox)


async def test_a_tvmaze_show_is_fetched_once_and_links_to_its_record(online):
    world, fake = online
    driver = world.sandbox.driver
    first = await driver.slash(world.users["alice"], world.channel, "drama info", title="Golden Hour Ward")
    await first.wait_done()
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
    made = len(fake.requests)
    assert made >= 2

    again = await driver.slash(world.users["bob"], world.channel, "drama info", title="Golden Hour Ward")
    await again.wait_done()
    assert again.response_type == 4  # answered at once from what was stored
    assert "Golden Hour Ward" in again.text()
    assert len(fake.requests) == made

    choices = await driver.autocomplete(world.users["bob"], world.channel, "drama info", "title", "golden")
    assert choices[0]["name"].startswith("Golden Hour Ward")
    assert len(fake.requests) == made, "autocomplete never calls TVmaze"


async def test_a_bundled_title_never_calls_tvmaze(online):
    world, fake = online
    result = await world.sandbox.driver.slash(world.users["alice"], world.channel, "drama info", title="중증외상센터")
    await result.wait_done()
    assert result.response_type == 4
    assert fake.requests == []


async def test_tvmaze_down_gives_a_clear_answer(online):
    world, fake = online
    fake.fail_always(503)
    result = await world.sandbox.driver.slash(world.users["alice"], world.channel, "drama info", title="Zzqx Vvrk")
    await result.wait_done(timeout=30)
    assert "I couldn't find a drama called “Zzqx Vvrk”" in result.text()
