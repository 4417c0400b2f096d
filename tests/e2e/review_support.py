"""What the review journeys share: the demo server with the bot in this process (its stores reachable), and
writing a review through the form as a member would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import WatchCompanion
from bot.playground.demo import DemoServer, running_bot
from bot.sandbox.state import Message
from tests.conftest import offline_settings
from tests.e2e.conftest import assert_clean
from tests.samples import seed_review_parts as seed_parts

HEADLINE = "A+ and some spoilers"
SHOW = "The Trauma Code"


@pytest.fixture
async def club(tmp_path: Path) -> AsyncIterator[tuple[DemoServer, WatchCompanion]]:
    """The bot in this process (its stores reachable, to record progress as /progress would) and the demo server."""
    async with running_bot(offline_settings(tmp_path), tmp_path) as (world, bot):
        yield world, bot
        await world.sandbox.settle()
        assert_clean(world.sandbox)
        assert world.sandbox.pings == []


def seed_fields() -> dict[str, str]:
    clear, story = seed_parts()
    return {
        "Headline": HEADLINE,
        "Spoiler-free part": clear,
        "Spoilers": story[:4000],
        "Spoilers (continued)": story[4000:],
    }


def public_posts(world: DemoServer, channel=None) -> list[Message]:
    bot_id = world.sandbox.bot.id
    return [
        m
        for m in world.sandbox.driver.messages(channel or world.channel)
        if m.author_id == bot_id and not m.ephemeral and m.embeds
    ]


async def write_review(world: DemoServer, user: str = "alice", fields: dict[str, str] | None = None, **options):
    driver = world.sandbox.driver
    opened = await driver.slash(world.users[user], world.channel, "review write", title=SHOW, grade="A+", **options)
    await opened.wait_modal()
    submitted = await driver.submit_modal(world.users[user], opened, fields or seed_fields())
    await submitted.wait_done()
    await world.sandbox.settle()
    return opened, submitted


async def show_of(bot: WatchCompanion):
    show = await bot.lookup.resolve(SHOW)
    assert show.episode_count == 8
    return show
