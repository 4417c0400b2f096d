"""Ambiguous titles through the real bot and sandbox: the caller picks privately, the pick posts what was asked."""

import sqlite3

import pytest

from tests.e2e.conftest import assert_clean

pytestmark = pytest.mark.e2e

JU_JI_HOON_SHOWS = ("The Trauma Code: Heroes On Call (2025)", "Kingdom (2019)", "Jirisan (2021)", "Mask (2015)")


def public_messages(world):
    return [m for m in world.sandbox.driver.messages(world.channel) if not m.ephemeral]


async def test_an_actors_name_asks_privately_and_the_pick_posts_the_card(bot_process, world):
    driver = world.sandbox.driver
    alice = world.users["alice"]
    asked = await driver.slash(alice, world.channel, "drama info", title="Ju Ji Hoon")
    await asked.wait_done()
    assert asked.ephemeral
    text = asked.text()
    assert "Several dramas match “Ju Ji Hoon”" in text
    for label in JU_JI_HOON_SHOWS:
        assert label in text, label
    assert public_messages(world) == [], "nothing public is posted for a guess"

    picked = await driver.select(alice, asked.original, ["Kingdom (2019) — with Ju Ji Hoon"])
    (card,) = await picked.wait_followups(1)
    assert not card.ephemeral
    rendered = driver.render(card)
    assert "킹덤" in rendered
    assert "Ju Ji Hoon as Lee Chang" in rendered
    assert "Posted “Kingdom” in this channel." in driver.render(asked.original)
    assert_clean(world.sandbox)


@pytest.mark.parametrize("typed", ["Kim", "Lee"])
async def test_a_common_surname_is_a_pick_list_not_a_card(bot_process, world, typed):
    asked = await world.sandbox.driver.slash(world.users["bob"], world.channel, "drama episodes", title=typed)
    await asked.wait_done()
    assert asked.ephemeral
    assert f"Several dramas match “{typed}”" in asked.text()
    menu = next(c for c in asked.original.iter_components() if c.get("type") == 3)
    assert 2 <= len(menu["options"]) <= 25
    assert all(1 <= len(o["label"]) <= 100 for o in menu["options"])


async def test_a_clear_match_still_answers_at_once(bot_process, world):
    result = await world.sandbox.driver.slash(world.users["bob"], world.channel, "drama info", title="Kingdom (2019)")
    await result.wait_done()
    assert result.response_type == 4
    assert not result.ephemeral
    assert "킹덤" in result.text()


async def test_the_pick_list_works_after_a_restart_and_keeps_the_season(bot_process, world):
    driver = world.sandbox.driver
    alice = world.users["alice"]
    asked = await driver.slash(alice, world.channel, "drama episodes", title="Ju Ji Hoon", season=2)
    await asked.wait_done()
    menu_message = asked.original

    await bot_process.restart()

    picked = await driver.select(alice, menu_message, ["Kingdom (2019) — with Ju Ji Hoon"])
    await picked.wait_done()
    page = driver.render(menu_message)
    assert "Kingdom · Season 2" in page
    assert page.count("Episode ") == 6
    assert public_messages(world) == []
    assert_clean(world.sandbox)


async def test_a_pick_of_a_season_the_show_lacks_is_a_clear_private_sentence(bot_process, world):
    driver = world.sandbox.driver
    asked = await driver.slash(world.users["alice"], world.channel, "drama episodes", title="Ju Ji Hoon", season=3)
    await asked.wait_done()
    picked = await driver.select(world.users["alice"], asked.original, ["Kingdom (2019) — with Ju Ji Hoon"])
    (answer,) = await picked.wait_followups(1)
    assert answer.ephemeral
    assert "Kingdom has no season 3 (seasons: 1, 2)." in driver.render(answer)


async def test_a_party_created_from_a_pick_after_a_restart_keeps_its_name(bot_process, world):
    driver = world.sandbox.driver
    alice = world.users["alice"]
    asked = await driver.slash(alice, world.channel, "party create", title="Ju Ji Hoon", name="Sunday **Kingdom**")
    await asked.wait_done()
    assert asked.ephemeral
    assert public_messages(world) == []

    await bot_process.restart()

    picked = await driver.select(alice, asked.original, ["Kingdom (2019) — with Ju Ji Hoon"])
    (post,) = await picked.wait_followups(1)
    assert not post.ephemeral
    # The name as typed, its markup escaped (the raw message text; a renderer shows it as typed).
    assert "started the watch party “Sunday \\*\\*Kingdom\\*\\*” for **Kingdom**" in post.content
    # The pick took the name: nothing waits any more.
    with sqlite3.connect(bot_process.workdir / "bot.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM party_name_picks").fetchone() == (0,)
    assert_clean(world.sandbox)
