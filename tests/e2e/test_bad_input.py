"""Awkward input through the real client code: always a sensible reply, never 'interaction failed', never a ping."""

import pytest

from tests.samples import AWKWARD_INPUTS

pytestmark = pytest.mark.e2e


async def test_every_lookup_command_answers_awkward_input(live):
    driver = live.sandbox.driver
    alice = live.users["alice"]
    for value in AWKWARD_INPUTS:
        for command, option in (("drama search", "query"), ("drama info", "title"), ("drama episodes", "title")):
            result = await driver.slash(alice, live.channel, command, **{option: value})
            await result.wait_done()
            text = result.text()
            assert text.strip(), (command, value)
            assert "something went wrong" not in text, (command, value, text)
            choices = (
                await driver.autocomplete(alice, live.channel, command, option, value) if option == "title" else []
            )
            assert len(choices) <= 25
    assert live.sandbox.pings == []


async def test_an_unknown_title_is_an_ephemeral_sentence(live):
    result = await live.sandbox.driver.slash(live.users["bob"], live.channel, "drama info", title="Zzqx Vvrk")
    await result.wait_done()
    assert result.ephemeral
    assert "I couldn't find a drama called “Zzqx Vvrk”" in result.text()


async def test_a_typo_in_a_whole_title_still_finds_it(live):
    result = await live.sandbox.driver.slash(
        live.users["bob"], live.channel, "drama info", title="Crash Landign on You"
    )
    await result.wait_done()
    assert "사랑의 불시착" in result.text()


async def test_search_is_ephemeral_and_lists_matches(live):
    result = await live.sandbox.driver.slash(live.users["bob"], live.channel, "drama search", query="Ju Ji Hoon")
    await result.wait_done()
    assert result.ephemeral
    text = result.text()
    assert "The Trauma Code: Heroes On Call" in text
    assert "Kingdom" in text


async def test_a_season_out_of_range_is_explained(live):
    result = await live.sandbox.driver.slash(
        live.users["alice"], live.channel, "drama episodes", title="중증외상센터", season=2
    )
    await result.wait_done()
    assert result.ephemeral
    assert "has no season 2" in result.text()


async def test_about_names_its_sources(live):
    result = await live.sandbox.driver.slash(live.users["alice"], live.channel, "about")
    await result.wait_done()
    text = result.text()
    assert "TVmaze" in text
    assert "CC BY-SA" in text
    assert "Bundled catalogue: 42 dramas" in text


async def test_a_lone_surrogate_is_answered_not_fatal(live):
    """JSON allows a lone surrogate escape (\\ud800); neither the sandbox's gateway and REST nor the bot choke."""
    driver = live.sandbox.driver
    for value in ("\ud800", "Goblin\udfff", "\udc00" * 100):
        for command, option in (("drama search", "query"), ("drama info", "title"), ("drama episodes", "title")):
            result = await driver.slash(live.users["alice"], live.channel, command, **{option: value})
            await result.wait_done()
            text = result.text()
            assert text.strip(), (command, value)
            assert "something went wrong" not in text, (command, text)
