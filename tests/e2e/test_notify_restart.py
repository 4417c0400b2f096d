"""The real bot process, polling the fake TVmaze every 3 seconds: it records season 2 of The Trauma Code, cannot
deliver it (Discord answers 503), and is killed with SIGKILL; the next process on the same database delivers it,
once per announce channel and once per follower, and nothing is recorded twice."""

import asyncio
import signal

import pytest

from bot.db.announcements import AnnouncementStore
from bot.db.database import Database
from bot.db.guilds import GuildConfigStore
from tests.e2e.conftest import BotProcess, assert_clean
from tests.e2e.notify_world import TRAUMA_CODE, add_trauma_code
from tests.fakes.tvmaze import FakeTvmaze

pytestmark = pytest.mark.e2e

MESSAGES = "POST /api/v10/channels/{channel_id}/messages"
WAIT = 30.0


async def until(condition, what):  # what: read in the traceback when it times out
    async with asyncio.timeout(WAIT):
        # Polled: the condition spans another process's database writes, which signal nothing here.
        while not await condition():  # noqa: ASYNC110
            await asyncio.sleep(0.1)


async def test_news_recorded_before_a_sigkill_is_delivered_once_after_restart(sandbox, world, tmp_path):
    driver = sandbox.driver
    announce = next(c for c in world.guild.channels.values() if c.name == "announcements")
    carol = await driver.create_user("carol")
    second = await driver.create_guild("Second Club", owner=carol)
    second_general = await driver.create_text_channel(second, "general")
    second_news = await driver.create_text_channel(second, "news")
    async with FakeTvmaze() as fake:
        add_trauma_code(fake)
        bot = BotProcess(sandbox, tmp_path)
        bot.env.update({"OFFLINE": "0", "TVMAZE_BASE_URL": fake.url, "POLL_INTERVAL_MINUTES": "0.05"})
        db = await Database.open(tmp_path / "bot.db")
        try:
            guilds = GuildConfigStore(db)
            await guilds.set_announce_channel(world.guild.id, announce.id)
            await guilds.set_announce_channel(second.id, second_news.id)
            await bot.start()
            for user, channel in ((world.users["alice"], world.channel), (world.users["bob"], world.channel)):
                result = await driver.slash(user, channel, "notify follow", title="The Trauma Code")
                await result.wait_done(timeout=30)
                assert "ollowing **The Trauma Code: Heroes On Call**" in result.text()
            result = await driver.slash(carol, second_general, "notify follow", title="The Trauma Code")
            await result.wait_done(timeout=30)

            sandbox.fail_route(MESSAGES, 503)
            store = AnnouncementStore(db)

            feeds = len(fake.requests_to("/updates/shows"))

            async def polled_again():
                return len(fake.requests_to("/updates/shows")) > feeds

            # A poll after the follows, so the season added next is news to the bot.
            await until(polled_again, "a poll")
            fake.add_season(TRAUMA_CODE)

            async def recorded_and_refused():
                events = await store.events_for(TRAUMA_CODE)
                refused = [r for r in sandbox.requests if r.status == 503]
                # Killed between ticks: a claim held at the kill would keep its rows for CLAIM_FOR (5 minutes).
                claimed = await db.fetchval(
                    "SELECT COUNT(*) FROM announce_outbox WHERE state = 'pending' AND claimed_by IS NOT NULL"
                )
                return len(events) == 1 and len(refused) >= 5 and claimed == 0

            await until(recorded_and_refused, "season 2 recorded and a delivery refused")
            bot.process.send_signal(signal.SIGKILL)
            bot.process.wait(timeout=10)
            assert await store.pending_count() > 0, "killed with deliveries still owed"

            sandbox.clear_outages()
            await bot.start()

            async def delivered():
                return await store.pending_count() == 0

            await until(delivered, "the outbox emptied")
            await sandbox.settle()
            bot_id = sandbox.bot.id
            for channel in (announce, second_news):
                posts = [m for m in driver.messages(channel) if m.author_id == bot_id]
                assert len(posts) == 1
                assert "season 2 is announced" in driver.render(posts[0])
            for user in (world.users["alice"], world.users["bob"], carol):
                assert len([m for m in driver.dms(user) if m.author_id == bot_id]) == 1
            assert len(await store.events_for(TRAUMA_CODE)) == 1
        finally:
            if bot.process is not None and bot.process.poll() is None:
                await bot.stop()
            await db.close()
    assert "Traceback" not in bot.log(), bot.log()
    assert_clean(sandbox)
