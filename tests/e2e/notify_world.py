"""The world the /notify journeys run in: the real bot online against a fake TVmaze that lists The Trauma Code,
the demo server plus a second server, each with an announce channel, and members following from both.

Polls and deliveries are driven by the test (``poll``), on the bot's own poller and courier; the bot's clock for
them is a settable one, and its TVmaze client sleeps on a fake clock, so no back-off or downtime is waited out.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

from bot.db.guilds import GuildConfigStore
from bot.playground.demo import DemoServer
from bot.sandbox.state import Channel, Guild, User
from tests.clock import SettableClock
from tests.fakes.tvmaze import FIXTURES, FakeClock, FakeTvmaze

TRAUMA_CODE = 900010
TITLE = "The Trauma Code: Heroes On Call"


def trauma_code_record() -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The Trauma Code as TVmaze lists it (fixture shapes, this show's facts): the show, season 1, its 8 episodes
    released together on Netflix on 24 January 2025 (no air time: a date-only release)."""
    base = json.loads((FIXTURES / "show-900001.json").read_text(encoding="utf-8"))
    show = copy.deepcopy(base)
    show.pop("_embedded", None)
    show.update(
        id=TRAUMA_CODE,
        url=f"https://www.tvmaze.com/shows/{TRAUMA_CODE}/the-trauma-code-heroes-on-call",
        name=TITLE,
        premiered="2025-01-24",
        status="Ended",
        image={
            "medium": f"https://static.tvmaze.com/uploads/images/medium_portrait/{TRAUMA_CODE}.jpg",
            "original": f"https://static.tvmaze.com/uploads/images/original_untouched/{TRAUMA_CODE}.jpg",
        },
        _links={"self": {"href": f"https://api.tvmaze.com/shows/{TRAUMA_CODE}"}},
    )
    season = {
        "id": TRAUMA_CODE * 100 + 1,
        "url": f"https://www.tvmaze.com/seasons/{TRAUMA_CODE * 100 + 1}/season-1",
        "number": 1,
        "name": "",
        "episodeOrder": 8,
        "premiereDate": "2025-01-24",
        "endDate": "2025-01-24",
        "network": None,
        "webChannel": show["webChannel"],
    }
    episodes = [
        {
            "id": TRAUMA_CODE * 10_000 + n,
            "url": f"https://www.tvmaze.com/episodes/{TRAUMA_CODE * 10_000 + n}",
            "name": f"Episode {n}",
            "season": 1,
            "number": n,
            "type": "regular",
            "airdate": "2025-01-24",
            "airtime": "",
            "airstamp": "2025-01-24T12:00:00+00:00",
            "runtime": 50,
        }
        for n in range(1, 9)
    ]
    return show, [season], episodes


def add_trauma_code(fake: FakeTvmaze) -> None:
    show, seasons, episodes = trauma_code_record()
    fake.add_show(show, seasons=seasons, episodes=episodes, akas=[{"name": "중증외상센터", "country": None}])


class NotifyWorld:
    """Two servers with announce channels; alice and bob in the first, carol in the second."""

    def __init__(self, world: DemoServer, fake: FakeTvmaze, bot: Any, clock: SettableClock, source_clock: FakeClock):
        self.world = world
        self.fake = fake
        self.bot = bot
        self.clock = clock
        self.source_clock = source_clock
        self.driver = world.sandbox.driver
        self.cog = bot.get_cog("Notify")
        self.users: dict[str, User] = dict(world.users)
        self.announce: dict[str, Channel] = {}
        self.guilds: dict[str, Guild] = {"first": world.guild}
        self.channels: dict[str, Channel] = {"first": world.channel}

    async def setup(self) -> None:
        driver = self.driver
        first = self.world.guild
        self.announce["first"] = next(c for c in first.channels.values() if c.name == "announcements")
        carol = self.users["carol"] = await driver.create_user("carol")
        second = self.guilds["second"] = await driver.create_guild("Second Club", owner=carol)
        self.channels["second"] = await driver.create_text_channel(second, "general")
        self.announce["second"] = await driver.create_text_channel(second, "news")
        await self.world.sandbox.settle()
        # Each server's owner sets its announce channel as a manager would.
        for owner, server in (("alice", "first"), ("carol", "second")):
            result = await self.slash("config announce-channel", user=owner, channel=self.announce[server])
            assert "#" + self.announce[server].name in result.text(), result.text()
        config = GuildConfigStore(self.bot.db)
        assert set(await config.announce_channels()) == {g.id for g in self.guilds.values()}

    def where(self, user: str) -> Channel:
        return self.channels["second"] if user == "carol" else self.channels["first"]

    async def slash(self, command: str, user: str = "alice", **options: Any) -> Any:
        result = await self.driver.slash(self.users[user], self.where(user), command, **options)
        await result.wait_done(timeout=30)
        return result

    async def poll(self, minutes: float = 60) -> tuple[Any, Any]:
        """One poll and one delivery, ``minutes`` after the last."""
        self.clock.advance(minutes=minutes)
        polled = await self.cog.run_poll()
        delivered = await self.cog.deliver()
        await self.world.sandbox.settle()
        return polled, delivered

    def posts(self, server: str) -> list[Any]:
        bot_id = self.world.sandbox.bot.id
        return [m for m in self.driver.messages(self.announce[server]) if m.author_id == bot_id]

    def dms(self, user: str) -> list[Any]:
        bot_id = self.world.sandbox.bot.id
        return [m for m in self.driver.dms(self.users[user]) if m.author_id == bot_id]

    def render(self, message: Any) -> str:
        return str(self.driver.render(message))


def start_clock() -> SettableClock:
    return SettableClock(dt.datetime.now(dt.UTC))
