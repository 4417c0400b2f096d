"""User journeys through the real bot process and the sandbox Discord."""

import pytest

from tests.e2e.conftest import assert_clean
from tests.samples import SEED_CARD_FACTS, SEED_TITLE

pytestmark = pytest.mark.e2e


async def test_drama_info_in_hangul_shows_the_seed_facts(bot_process, world):
    driver = world.sandbox.driver
    result = await driver.slash(world.users["alice"], world.channel, "drama info", title="중증외상센터")
    message = await result.wait_done()
    assert message is not None
    assert not result.ephemeral
    text = result.text()
    for fact in SEED_CARD_FACTS:
        assert fact in text, fact


@pytest.mark.parametrize("typed", ["trauma", "중증", "ㅈㅈㅇㅅ"])
async def test_autocomplete_offers_the_seed(bot_process, world, typed):
    choices = await world.sandbox.driver.autocomplete(world.users["bob"], world.channel, "drama info", "title", typed)
    assert choices
    assert choices[0]["name"].startswith(SEED_TITLE)
    assert len(choices) <= 25


async def test_paging_buttons_work_after_the_bot_restarts(bot_process, world):
    driver = world.sandbox.driver
    alice = world.users["alice"]
    result = await driver.slash(alice, world.channel, "drama episodes", title="Jewel in the Palace")
    await result.wait_done()
    assert "Page 1/6" in result.text()
    page_one = result.messages[-1]

    await bot_process.restart()
    assert bot_process.starts == 2

    clicked = await driver.click(alice, page_one, "Next ▶")
    await clicked.wait_done()
    assert clicked.response_type == 7  # the message itself was updated
    assert "Page 2/6" in driver.render(page_one)
    assert "Episode 11" in driver.render(page_one)


async def test_sigterm_closes_cleanly(bot_process):
    assert await bot_process.stop() == 0
    log = bot_process.log()
    assert "Traceback" not in log
    assert "Unclosed" not in log


async def test_the_token_never_reaches_the_logs_even_at_debug(sandbox, world, tmp_path):
    from tests.e2e.conftest import BotProcess

    process = BotProcess(sandbox, tmp_path, log_level="DEBUG")
    await process.start()
    result = await sandbox.driver.slash(world.users["alice"], world.channel, "drama info", title="Goblin")
    await result.wait_done()
    assert await process.stop() == 0
    log = process.log()
    assert "DEBUG" in log  # really logged at DEBUG
    assert "INTERACTION_CREATE" in log or "interaction" in log.lower()
    assert sandbox.token not in log
    assert_clean(sandbox)


def command_syncs(sandbox, scope="/commands"):
    return [r for r in sandbox.requests if r.method == "PUT" and r.path.endswith(scope)]


async def test_commands_sync_globally_once_and_not_again_while_unchanged(bot_process, world):
    sandbox = world.sandbox
    assert len(command_syncs(sandbox)) == 1
    await bot_process.restart()
    assert len(command_syncs(sandbox)) == 1, "an unchanged tree is not synced again"
    assert "command tree unchanged" in bot_process.log()


async def test_a_dev_guild_gets_its_commands_on_every_start(sandbox, world, tmp_path):
    from tests.e2e.conftest import BotProcess

    process = BotProcess(sandbox, tmp_path)
    process.env["DEV_GUILD_ID"] = str(world.guild.id)
    await process.start()
    assert {c["name"] for c in sandbox.driver.commands(world.guild)} >= {"drama", "about"}
    assert sandbox.driver.commands() == []
    result = await sandbox.driver.slash(world.users["bob"], world.channel, "drama info", title="Goblin")
    await result.wait_done()
    assert "도깨비" in result.text()
    assert await process.stop() == 0
    assert_clean(sandbox)


async def test_the_sync_command_pushes_the_tree_and_exits(sandbox, world, tmp_path):
    import asyncio
    import subprocess
    import sys

    from tests.e2e.conftest import BotProcess

    env = BotProcess(sandbox, tmp_path).env
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sync", env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    assert "commands synced (global)" in out.decode()
    assert {c["name"] for c in sandbox.driver.commands()} >= {"drama", "about"}
    assert sandbox.gateway.identify_count == 0, "sync logs in over HTTP only"
    assert_clean(sandbox)
