"""The progress parts of /drama: the caller's own progress on the card, and episode titles kept from spoiling."""

import datetime as dt

import pytest

from bot.domain.models import Episode
from cogs._progress_ui import HIDDEN_TITLE, EpisodesRevealButton
from cogs._ui import EpisodesPageButton
from tests.clock import SettableClock
from tests.cogs.fakes import embed_text, fake_interaction, sent
from tests.cogs.test_progress import ALICE, BOB, run
from tests.samples import SEED_TITLE


@pytest.fixture
def clock(offline_bot):
    ticking = SettableClock(dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC))
    offline_bot.stores.progress.clock = ticking
    offline_bot.stores.watchlist.clock = ticking
    return ticking


def drama(bot):
    return bot.get_cog("Drama")


async def info(bot, user_id):
    interaction = fake_interaction(bot, user_id=user_id)
    await drama(bot).info.callback(drama(bot), interaction, title="The Trauma Code")
    return sent(interaction)["embed"]


async def test_info_shows_the_callers_own_progress_and_history(offline_bot, clock):
    await run(offline_bot, "set_", title="The Trauma Code", episode=8, season=None)
    await run(offline_bot, "rewatch", title="The Trauma Code")
    await run(offline_bot, "set_", title="The Trauma Code", episode=2, season=None)
    card = await info(offline_bot, ALICE)
    [field] = [f for f in card.fields if f.name == "Progress"]
    assert field.value.startswith(f"<@{ALICE}>: rewatch 1: ep 2/8 ██░░░░░░░░ 25%")
    assert "Earlier passes: once (completed <t:" in field.value
    # Bob has no progress: his card has no progress field, and never Alice's.
    assert "Progress" not in [f.name for f in (await info(offline_bot, BOB)).fields]


async def named_episodes(bot):
    show = await bot.lookup.resolve(SEED_TITLE)
    await bot.lookup.store.save_episodes(show.id, [Episode(1, n, name=f"Twist number {n}") for n in range(1, 9)])
    return show


async def test_episodes_past_the_viewers_progress_keep_their_titles_hidden(offline_bot, clock):
    show = await named_episodes(offline_bot)
    await run(offline_bot, "set_", title="The Trauma Code", episode=3, season=None)
    interaction = fake_interaction(offline_bot)
    await drama(offline_bot).episodes.callback(drama(offline_bot), interaction, title="The Trauma Code", season=None)
    page = sent(interaction)
    text = embed_text(page["embed"])
    assert "Twist number 3" in text
    for hidden in range(4, 9):
        assert f"Twist number {hidden}" not in text
    assert text.count(HIDDEN_TITLE) == 5
    [reveal] = [child.item for child in page["view"].children]
    assert (reveal.label, reveal.custom_id) == ("Reveal titles", f"drama:reveal:{show.id}:0:0")

    # Bob has watched nothing: every title is hidden from him.
    bobs = fake_interaction(offline_bot, user_id=BOB)
    await drama(offline_bot).episodes.callback(drama(offline_bot), bobs, title="The Trauma Code", season=None)
    assert embed_text(sent(bobs)["embed"]).count(HIDDEN_TITLE) == 8


async def test_reveal_shows_the_hidden_titles_privately_after_a_restart(offline_bot, clock):
    show = await named_episodes(offline_bot)
    await run(offline_bot, "set_", title="The Trauma Code", episode=6, season=None)
    click = fake_interaction(offline_bot)
    custom_id = f"drama:reveal:{show.id}:0:0"
    match = EpisodesRevealButton.__discord_ui_compiled_template__.fullmatch(custom_id)
    button = await EpisodesRevealButton.from_custom_id(click, None, match)
    await button.callback(click)
    reply = sent(click)
    assert reply["ephemeral"] is True
    assert reply["content"] == "**S1E7** · ||Twist number 7||\n**S1E8** · ||Twist number 8||"


async def test_a_page_turn_hides_for_whoever_turns_it(offline_bot, clock):
    show = await offline_bot.lookup.resolve("Jewel in the Palace")
    await offline_bot.lookup.store.save_episodes(show.id, [Episode(1, n, name=f"Palace {n}") for n in range(1, 31)])
    await run(offline_bot, "set_", title=f"#{show.id}", episode=12, season=None)
    click = fake_interaction(offline_bot)
    await EpisodesPageButton(show.id, 0, 1).callback(click)
    page = sent(click)
    text = page["embed"].description
    assert "Palace 12" in text
    assert "Palace 13" not in text
    assert text.count(HIDDEN_TITLE) == 8
    assert page["view"].children[-1].item.custom_id == f"drama:reveal:{show.id}:0:1"


async def test_a_viewer_who_has_seen_everything_gets_no_reveal_button(offline_bot, clock):
    await named_episodes(offline_bot)
    await run(offline_bot, "set_", title="The Trauma Code", episode=8, season=None)
    interaction = fake_interaction(offline_bot)
    await drama(offline_bot).episodes.callback(drama(offline_bot), interaction, title="The Trauma Code", season=None)
    page = sent(interaction)
    assert HIDDEN_TITLE not in page["embed"].description
    assert page["view"].children == []
