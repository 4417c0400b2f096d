"""Review journeys through the real bot and the sandbox Discord: the seed review posted and read back without a
character lost, Reveal gated by progress (and after a restart), Edit in place, delete, config and privacy."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import sqlite3

import pytest

from bot.app import WatchCompanion
from bot.domain.reviews import ReviewText, rebuild_revealed, rebuild_review
from bot.playground.demo import DemoServer
from bot.sandbox.state import EMBED_LINKS, SEND_MESSAGES
from tests.clock import SettableClock
from tests.e2e.review_support import HEADLINE, SHOW, club, public_posts, show_of, write_review
from tests.samples import seed_review_parts as seed_parts
from tests.shared_data import needs_seed

__all__ = ["club"]  # a fixture, used by name

pytestmark = pytest.mark.e2e


@needs_seed
async def test_the_seed_review_posts_whole_and_reveal_follows_progress(club):
    world, bot = club
    driver = world.sandbox.driver
    alice, bob = world.users["alice"], world.users["bob"]
    opened, submitted = await write_review(world, spoilers_through="8")
    assert opened.modal["title"] == "Review: The Trauma Code: Heroes On Call"
    assert "Posted your review #1" in submitted.text()
    assert submitted.ephemeral

    posts = public_posts(world)
    assert len(posts) == 2  # the seed is longer than one message's embeds take
    payloads = [driver.payload(m) for m in posts]
    clear, story = seed_parts()
    assert rebuild_review(payloads) == ReviewText(HEADLINE, clear, story)
    shown = driver.render(posts[0])
    assert "A+" in shown
    assert "through episode 8" in shown
    assert "Review by alice" in shown
    assert story[:40] not in driver.render(posts[1])  # the spoiler part is hidden until revealed
    assert [b["label"] for b in driver.buttons(posts[-1])] == ["Reveal", "Edit"]

    # Bob is on episode 3: warned, told where he is and what the review covers, offered "show anyway".
    await bot.stores.progress.set(bob.id, await show_of(bot), 1, 3)
    warned = await driver.click(bob, posts[-1], "Reveal")
    await warned.wait_done()
    assert warned.ephemeral
    assert "You are on episode 3 of The Trauma Code: Heroes On Call" in warned.text()
    assert "up to episode 8" in warned.text()
    assert story[:40] not in warned.text(reveal_spoilers=True)
    anyway = await driver.click(bob, warned.original, "Show anyway")
    await anyway.wait_done()
    await world.sandbox.settle()
    assert rebuild_revealed([driver.payload(m) for m in anyway.messages]) == story

    # Alice finished the show: Reveal shows the story part at once, every character of it.
    await bot.stores.progress.set(alice.id, await show_of(bot), 1, 8)
    revealed = await driver.click(alice, posts[-1], "Reveal")
    await revealed.wait_done()
    await world.sandbox.settle()
    assert revealed.ephemeral
    assert rebuild_revealed([driver.payload(m) for m in revealed.messages]) == story

    # /drama info counts it.
    info = await driver.slash(bob, world.channel, "drama info", title=SHOW)
    await info.wait_done()
    assert "1 review, average A+ (4.30)" in info.text()


async def test_edit_changes_the_post_in_place_for_the_author_only(club):
    world, bot = club
    driver = world.sandbox.driver
    alice, bob = world.users["alice"], world.users["bob"]
    short = {"Headline": "Loved it", "Spoiler-free part": "Great cast.", "Spoilers": "He lives."}
    await write_review(world, fields=short, spoilers_through="2")
    [post] = public_posts(world)
    await bot.stores.progress.set(bob.id, await show_of(bot), 1, 2)
    first = await driver.click(bob, post, "Reveal")
    await first.wait_done()
    assert "He lives." in first.text()

    refused = await driver.click(bob, post, "Edit")
    await refused.wait_done()
    assert "Only the author of a review can edit it." in refused.text()

    opened = await driver.click(alice, post, "Edit")
    form = await opened.wait_modal()
    values = {c["components"][0]["custom_id"]: c["components"][0].get("value") for c in form["components"]}
    assert values["headline"] == "Loved it"
    assert values["spoiler"] == "He lives."
    edited = await driver.submit_modal(alice, opened, {"Headline": "Loved it even more"})
    await edited.wait_done()
    await world.sandbox.settle()
    assert "Updated your review #1" in edited.text()
    [same] = public_posts(world)
    assert same.id == post.id
    assert same.history
    assert rebuild_review([driver.payload(same)]).headline == "Loved it even more"

    rewritten = await driver.click(alice, same, "Edit")
    await rewritten.wait_modal()
    done = await driver.submit_modal(alice, rewritten, {"Spoilers": "He does not live."})
    await done.wait_done()
    await world.sandbox.settle()
    again = await driver.click(bob, same, "Reveal")
    await again.wait_done()
    assert "He does not live." in again.text()  # the new spoiler part, not the one revealed before the edit


async def test_delete_needs_the_author_or_manage_messages_and_removes_the_post(club):
    world, _bot = club
    driver = world.sandbox.driver
    alice, bob = world.users["alice"], world.users["bob"]
    await write_review(world, fields={"Headline": "Fine", "Spoiler-free part": "Good."})
    [post] = public_posts(world)

    refused = await driver.slash(bob, world.channel, "review delete", id=1)
    await refused.wait_done()
    assert "deleting someone else's needs the Manage Messages permission" in refused.text()
    assert public_posts(world) == [post]

    done = await driver.slash(alice, world.channel, "review delete", id=1)
    await done.wait_done()
    assert "Deleted review #1. Its post is removed too." in done.text()
    assert public_posts(world) == []
    missing = await driver.slash(alice, world.channel, "review show", id=1)
    await missing.wait_done()
    assert "There is no review #1 in this server." in missing.text()


async def test_list_and_show(club):
    world, _bot = club
    driver = world.sandbox.driver
    for headline in ("First", "Second"):
        await write_review(world, fields={"Headline": headline, "Spoiler-free part": "Text."})
    listed = await driver.slash(world.users["bob"], world.channel, "review list", title=SHOW)
    await listed.wait_done()
    text = listed.text()
    assert text.index("Second") < text.index("First")  # newest first
    assert "2 reviews, average A+" in text
    shown = await driver.slash(world.users["bob"], world.channel, "review show", id=1)
    await shown.wait_done()
    assert shown.ephemeral
    assert "First" in shown.text()


async def test_a_channel_the_bot_cannot_post_in_is_refused_and_the_review_given_back(club):
    world, bot = club
    driver = world.sandbox.driver
    alice = world.users["alice"]
    reviews_channel = next(c for c in world.guild.channels.values() if c.name == "reviews")
    await driver.set_overwrite(reviews_channel, world.sandbox.bot, deny=EMBED_LINKS)
    refused = await driver.slash(alice, world.channel, "config review-channel", channel=reviews_channel)
    await refused.wait_done()
    assert "I can't post in #reviews: I need the Embed Links permission there." in refused.text()
    assert (await bot.stores.guilds.get(world.guild.id)).review_channel_id is None

    # Set while the bot could post, then taken away: the review is not lost.
    await driver.set_overwrite(reviews_channel, world.sandbox.bot, allow=EMBED_LINKS)
    saved = await driver.slash(alice, world.channel, "config review-channel", channel=reviews_channel)
    await saved.wait_done()
    assert "Reviews are posted in: #reviews" in saved.text()
    await driver.set_overwrite(reviews_channel, world.sandbox.bot, allow=EMBED_LINKS, deny=SEND_MESSAGES)
    fields = {"Headline": "Keep me", "Spoiler-free part": "Every word of this matters."}
    _opened, submitted = await write_review(world, fields=fields)
    assert "I can't post reviews in #reviews: I need the Send Messages" in submitted.text()
    [gift] = submitted.messages[-1].attachments
    assert "Every word of this matters." in gift.data.decode()
    assert (await bot.stores.reviews.summary(world.guild.id, (await show_of(bot)).id)).count == 0
    again = await driver.click(alice, submitted.messages[-1], "Write it again")
    form = await again.wait_modal()
    assert form["components"][1]["components"][0]["value"] == "Every word of this matters."


async def test_config_needs_manage_server(club):
    world, _bot = club
    result = await world.sandbox.driver.slash(world.users["bob"], world.channel, "config show")
    await result.wait_done()
    assert "needs the Manage Server permission" in result.text()


async def test_privacy_export_and_delete(club):
    world, bot = club
    driver = world.sandbox.driver
    alice = world.users["alice"]
    await write_review(world, fields={"Headline": "Mine", "Spoiler-free part": "Mine too."})
    await bot.stores.progress.set(alice.id, await show_of(bot), 1, 5)

    exported = await driver.slash(alice, world.channel, "privacy export")
    await exported.wait_done()
    [attachment] = exported.messages[-1].attachments
    data = json.loads(attachment.data)
    assert data["user_id"] == alice.id
    assert data["reviews"][0]["headline"] == "Mine"
    assert data["progress"][0]["position"] == "S1E5"
    assert exported.ephemeral

    asked = await driver.slash(alice, world.channel, "privacy delete")
    await asked.wait_done()
    confirmed = await driver.click(alice, asked.original, "Delete everything")
    await confirmed.wait_done()
    await world.sandbox.settle()
    assert "everything I stored about you is deleted, 1 review and its post included" in driver.render(asked.original)
    assert public_posts(world) == []
    assert await bot.stores.progress.get(alice.id, (await show_of(bot)).id) is None
    again = await bot.stores.reviews.export_user_data(alice.id)
    assert again == []


async def test_review_commands_in_a_dm_say_they_need_a_server(club):
    world, _bot = club
    driver = world.sandbox.driver
    alice = world.users["alice"]
    dm = driver.dm_channel(alice)
    result = await driver.slash(alice, dm, "review write", title=SHOW, grade="A")
    await result.wait_done()
    assert "Reviews belong to a server" in result.text()
    config = await driver.slash(alice, dm, "config show")
    await config.wait_done()
    assert "Settings belong to a server" in config.text()
    # A member's own data is not tied to a server: the export works in a DM.
    exported = await driver.slash(alice, dm, "privacy export")
    await exported.wait_done()
    assert exported.messages[-1].attachments[0].filename == "watch-companion-my-data.json"


async def test_reveal_and_edit_work_after_a_restart(bot_process, world):
    driver = world.sandbox.driver
    alice, bob = world.users["alice"], world.users["bob"]
    story = "".join(f"In episode {n % 8 + 1} someone lives.\n" for n in range(160))
    fields = {"Headline": "Restart-proof", "Spoiler-free part": "Clear.", "Spoilers": story[:4000]}
    fields["Spoilers (continued)"] = story[4000:]
    await write_review(world, fields=fields, spoilers_through="S1E8")
    posts = public_posts(world)

    await bot_process.restart()

    warned = await driver.click(bob, posts[-1], "Reveal")
    await warned.wait_done()
    assert "You have not recorded any progress in The Trauma Code: Heroes On Call" in warned.text()
    anyway = await driver.click(bob, warned.original, "Show anyway")
    await anyway.wait_done()
    await world.sandbox.settle()
    assert rebuild_revealed([driver.payload(m) for m in anyway.messages]) == story
    edit = await driver.click(alice, posts[-1], "Edit")
    await edit.wait_modal()
    assert world.sandbox.pings == []


async def left_at(bot: WatchCompanion, world: DemoServer, *, expect_left: bool = True) -> dt.datetime | None:
    """When the bot's store says it left the demo server, once the gateway event has been handled."""
    for _ in range(500):  # the bot handles the event on its own schedule: look again until it has
        config = await bot.stores.guilds.get(world.guild.id)
        if (config.left_at is not None) == expect_left:
            return config.left_at
        await asyncio.sleep(0.01)
    raise AssertionError("the bot never recorded the change")


async def test_a_server_that_removed_the_bot_keeps_its_data_30_days_then_loses_it(club):
    world, bot = club
    driver = world.sandbox.driver
    clock = SettableClock(dt.datetime.now(dt.UTC))
    bot.clock = clock
    await write_review(world, fields={"Headline": "Kept", "Spoiler-free part": "For a while."})
    show = await show_of(bot)
    config = bot.get_cog("Config")

    await driver.remove_bot(world.guild)
    assert (await left_at(bot, world)) == clock.now

    clock.advance(days=29, hours=23)
    assert await config.purge() == []
    assert (await bot.stores.reviews.summary(world.guild.id, show.id)).count == 1

    # Invited back within the 30 days: nothing is due any more.
    await driver.add_bot(world.guild)
    assert await left_at(bot, world, expect_left=False) is None
    clock.advance(days=5)
    assert await config.purge() == []
    assert (await bot.stores.reviews.summary(world.guild.id, show.id)).count == 1

    await driver.remove_bot(world.guild)
    assert await left_at(bot, world) == clock.now
    clock.advance(days=30)
    assert await config.purge() == [world.guild.id]
    assert (await bot.stores.reviews.summary(world.guild.id, show.id)).count == 0
    assert (await bot.stores.guilds.get(world.guild.id)).left_at is None


async def test_a_server_that_removed_the_bot_while_it_was_offline_starts_its_30_days_at_the_next_start(
    bot_process, world, tmp_path
):
    driver = world.sandbox.driver
    saved = await driver.slash(world.users["alice"], world.channel, "config review-channel", channel=world.channel)
    await saved.wait_done()
    await bot_process.stop()
    await driver.remove_bot(world.guild)  # nobody is connected to hear GUILD_DELETE
    await bot_process.start()

    def stored_left_at() -> str | None:
        with contextlib.closing(sqlite3.connect(tmp_path / "bot.db")) as conn:
            row = conn.execute("SELECT left_at FROM guild_config WHERE guild_id = ?", (world.guild.id,)).fetchone()
        return None if row is None else row[0]

    for _ in range(500):  # READY comes first; on_ready waits for the servers it lists
        if stored_left_at() is not None:
            break
        await asyncio.sleep(0.02)
    left = stored_left_at()
    assert left is not None, bot_process.log()
    assert dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(left) < dt.timedelta(minutes=1)
    assert f"removed while offline from servers [{world.guild.id}]" in bot_process.log()


async def test_an_edit_that_needs_more_messages_adds_them_and_one_that_needs_fewer_removes_them(club):
    world, _bot = club
    driver = world.sandbox.driver
    alice = world.users["alice"]
    await write_review(world, fields={"Headline": "Short", "Spoiler-free part": "Clear.", "Spoilers": "Brief."})
    [first] = public_posts(world)
    long_story = "".join(f"Line {n} of a long story part.\n" for n in range(250))  # over 7,000 characters

    opened = await driver.click(alice, first, "Edit")
    await opened.wait_modal()
    grown = await driver.submit_modal(
        alice, opened, {"Spoilers": long_story[:4000], "Spoilers (continued)": long_story[4000:]}
    )
    await grown.wait_done()
    await world.sandbox.settle()
    posts = public_posts(world)
    assert len(posts) == 2
    assert posts[0].id == first.id
    assert driver.buttons(posts[0]) == []  # the buttons moved to the last message
    assert [b["label"] for b in driver.buttons(posts[-1])] == ["Reveal", "Edit"]
    assert rebuild_review([driver.payload(m) for m in posts]).spoiler == long_story

    opened = await driver.click(alice, posts[-1], "Edit")
    await opened.wait_modal()
    shrunk = await driver.submit_modal(alice, opened, {"Spoilers": "Brief again.", "Spoilers (continued)": ""})
    await shrunk.wait_done()
    await world.sandbox.settle()
    [only] = public_posts(world)
    assert only.id == first.id
    assert rebuild_review([driver.payload(only)]).spoiler == "Brief again."
    assert [b["label"] for b in driver.buttons(only)] == ["Reveal", "Edit"]
