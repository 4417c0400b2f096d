import pytest

from bot.domain.errors import EpisodeOutOfRangeError, InvalidInputError, UnknownTitleError
from bot.tree import report
from cogs._ui import EpisodesPageButton, title_autocomplete
from tests.cogs.fakes import embed_text, fake_interaction, sent
from tests.samples import AWKWARD_INPUTS, LONG_INPUTS, SEED_CARD_FACTS, SEED_TITLE


def drama(bot):
    return bot.get_cog("Drama")


async def test_info_shows_every_seed_fact(offline_bot):
    interaction = fake_interaction(offline_bot)
    cog = drama(offline_bot)
    await cog.info.callback(cog, interaction, title="중증외상센터")
    reply = sent(interaction)
    text = embed_text(reply["embed"])
    assert reply["embed"].title == SEED_TITLE
    for fact in SEED_CARD_FACTS:
        assert fact in text, fact
    assert reply.get("ephemeral") is not True


@pytest.mark.parametrize("typed", ["The Trauma Code", "the trauma code", "Truama Code", "Gangster", "ㅈㅈㅇㅅㅅㅌ"])
async def test_info_resolves_what_members_type(offline_bot, typed):
    interaction = fake_interaction(offline_bot)
    cog = drama(offline_bot)
    await cog.info.callback(cog, interaction, title=typed)
    assert sent(interaction)["embed"].title == SEED_TITLE


async def test_info_unknown_title_is_a_clear_ephemeral_sentence(offline_bot):
    interaction = fake_interaction(offline_bot)
    cog = drama(offline_bot)
    with pytest.raises(UnknownTitleError) as caught:
        await cog.info.callback(cog, interaction, title="Zzqx Nonexistent Show")
    await report(interaction, caught.value, "/drama info")
    reply = sent(interaction)
    assert reply["ephemeral"] is True
    assert "couldn't find a drama called “Zzqx Nonexistent Show”" in reply["content"]


async def test_autocomplete_finds_the_seed_by_english_hangul_and_initials(offline_bot):
    for typed in ("trauma", "중증", "ㅈㅈㅇㅅ", "Gangster", "Ju Ji"):
        choices = await title_autocomplete(fake_interaction(offline_bot), typed)
        assert choices, typed
        assert choices[0].name.startswith(SEED_TITLE), (typed, choices[0].name)
        assert len(choices) <= 25
        assert all(1 <= len(c.name) <= 100 and len(c.value) <= 100 for c in choices)


async def test_search_lists_matches_ephemerally(offline_bot):
    interaction = fake_interaction(offline_bot)
    cog = drama(offline_bot)
    await cog.search.callback(cog, interaction, query="Ju Ji Hoon")
    reply = sent(interaction)
    assert reply["ephemeral"] is True
    text = embed_text(reply["embed"])
    assert SEED_TITLE in text
    assert "matched cast “Ju Ji Hoon”" in text


async def test_episodes_of_the_seed_fit_on_one_page_without_buttons(offline_bot):
    interaction = fake_interaction(offline_bot)
    cog = drama(offline_bot)
    await cog.episodes.callback(cog, interaction, title="중증외상센터", season=None)
    reply = sent(interaction)
    assert reply["ephemeral"] is True
    assert reply["embed"].description.count("Episode") == 8
    assert "Page 1/1" in reply["embed"].footer.text
    assert reply["view"].children == []


async def test_episode_pages_turn_with_buttons(offline_bot):
    show = await offline_bot.lookup.resolve("Jewel in the Palace")
    interaction = fake_interaction(offline_bot)
    cog = drama(offline_bot)
    await cog.episodes.callback(cog, interaction, title=f"#{show.id}", season=None)
    first = sent(interaction)
    assert "Page 1/" in first["embed"].footer.text
    previous, following = (child.item for child in first["view"].children)
    assert (previous.label, previous.disabled) == ("◀ Previous", True)
    assert (following.label, following.disabled) == ("Next ▶", False)
    assert following.custom_id == f"drama:episodes:{show.id}:0:1"

    click = fake_interaction(offline_bot)
    button = EpisodesPageButton(show.id, 0, 1)
    await button.callback(click)
    second = sent(click)
    assert "Page 2/" in second["embed"].footer.text
    assert "**Episode 11**" in second["embed"].description


async def test_a_season_the_show_does_not_have_is_refused(offline_bot):
    cog = drama(offline_bot)
    with pytest.raises(EpisodeOutOfRangeError, match="has no season 3"):
        await cog.episodes.callback(cog, fake_interaction(offline_bot), title="중증외상센터", season=3)


BAD_INPUTS = AWKWARD_INPUTS + LONG_INPUTS


@pytest.mark.parametrize("value", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
@pytest.mark.parametrize("command", ["search", "info", "episodes"])
async def test_bad_input_gets_a_reply_or_a_clear_message(offline_bot, command, value):
    cog = drama(offline_bot)
    interaction = fake_interaction(offline_bot)
    callback = getattr(cog, command).callback
    kwargs = {"query": value} if command == "search" else {"title": value}
    failure = None
    try:
        await callback(cog, interaction, **kwargs)
    except (InvalidInputError, UnknownTitleError) as error:
        failure = error
        await report(interaction, error, command)
    reply = sent(interaction)
    if failure is not None:
        assert reply["ephemeral"] is True
        assert failure.message
        assert "@everyone" not in reply["content"]
    for choice in await title_autocomplete(fake_interaction(offline_bot), value):
        assert 1 <= len(choice.name) <= 100
