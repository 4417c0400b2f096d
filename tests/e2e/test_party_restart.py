"""The real bot process: a session that started while the bot was down gets its reminder when the bot comes back
(within the hour), once, even across another restart; the check-in button on a post from before a restart works."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from bot.db.progress import to_text

pytestmark = pytest.mark.e2e

NAME = "Late Night Trauma"


def move_session_start(database, starts_at: dt.datetime) -> None:
    """What the clock did while the bot was down: the planned start is now in the past."""
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE party_sessions SET starts_at = ? WHERE closed_at IS NULL", (to_text(starts_at),))


async def slash(world, user, command, **options):
    result = await world.sandbox.driver.slash(world.users[user], world.channel, command, **options)
    await result.wait_done()
    return result


def reminders(world) -> list[str]:
    return [m.content for m in world.sandbox.driver.messages(world.channel) if "starts now" in m.content]


@pytest.mark.parametrize(("down_for", "reminded"), [(dt.timedelta(minutes=20), 1), (dt.timedelta(hours=3), 0)])
async def test_a_session_missed_while_down_is_reminded_once_within_the_hour(world, bot_process, down_for, reminded):
    driver = world.sandbox.driver
    await slash(world, "alice", "party create", title="The Trauma Code", name=NAME)
    scheduled = await slash(world, "alice", "party schedule", name=NAME, when="in 2 hours", timezone="UTC")
    assert len(driver.scheduled_events(world.guild)) == 1

    await bot_process.stop()
    move_session_start(bot_process.workdir / "bot.db", dt.datetime.now(dt.UTC) - down_for)
    await bot_process.start()
    if reminded:
        await driver.wait_message(world.channel, lambda m: "starts now" in m.content, timeout=15)
    await bot_process.restart()
    await world.sandbox.settle()
    assert len(reminders(world)) == reminded

    # The post from the first run still checks members in.
    checked = await driver.click(world.users["bob"], scheduled, "Check in")
    await checked.wait_done()
    assert "checked in for ep 1/8" in checked.text()
    status = await slash(world, "bob", "party status", name=NAME)
    assert "@bob: not started ✅ checked in" in status.text()
