"""``watch-companion try``: the sandbox Discord and the real bot in one process, driven from a terminal prompt."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TextIO

from bot.app import WatchCompanion
from bot.runner import open_bot
from bot.sandbox.driver import Driver, InteractionFailedError, InteractionResult, SandboxUsageError
from bot.sandbox.script import HELP, Line, ScriptError, parse_line
from bot.sandbox.server import SandboxServer
from bot.sandbox.state import Channel, Guild, Message, User
from bot.settings import Settings

OPTION_BOOLEAN, OPTION_USER, OPTION_CHANNEL = 5, 6, 7
MEMBERS = ("alice", "bob")
REPLY_TIMEOUT = 10.0
BANNER = """\
Watch Companion playground: a sandbox Discord server "Drama Club" with members alice and bob, all on this machine.
You are alice in #general. Try:  /drama info title:The Trauma Code    (type help for more, quit to leave)"""


@dataclasses.dataclass
class World:
    sandbox: SandboxServer
    guild: Guild
    channel: Channel
    users: dict[str, User]


async def seed_world(sandbox: SandboxServer) -> World:
    """A demo server with two members; alice owns it (so she has every permission), bob is a plain member."""
    driver = sandbox.driver
    users = {name: await driver.create_user(name) for name in MEMBERS}
    guild = await driver.create_guild("Drama Club", owner=users["alice"])
    channel = await driver.create_text_channel(guild, "general")
    await driver.create_text_channel(guild, "reviews")
    await driver.create_text_channel(guild, "announcements")
    for user in users.values():
        await driver.add_member(guild, user)
    return World(sandbox, guild, channel, users)


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, workdir: Path, *, tvmaze_url: str | None = None
) -> AsyncIterator[tuple[World, WatchCompanion]]:
    """The sandbox, its demo server, and the real bot logged in to it over loopback.

    Offline unless ``tvmaze_url`` names a (loopback, in tests) TVmaze to use.
    """
    async with SandboxServer() as sandbox:
        world = await seed_world(sandbox)
        bot_settings = dataclasses.replace(
            settings,
            token=sandbox.token,
            discord_api_base=sandbox.url,
            database_path=workdir / "playground.db",
            offline=tvmaze_url is None,
            tvmaze_base_url=tvmaze_url or settings.tvmaze_base_url,
            dev_guild_id=None,
        )
        async with open_bot(bot_settings) as bot:
            runner = asyncio.create_task(bot.start(sandbox.token))
            try:
                # Commands sync in setup_hook, before the gateway; the first IDENTIFY means the bot is listening.
                # (on_ready would add discord.py's 2-second wait for more guilds, which a sandbox never sends.)
                await sandbox.driver.wait_commands(timeout=REPLY_TIMEOUT)
                await sandbox.gateway.wait_for(lambda: sandbox.gateway.identify_count > 0, timeout=REPLY_TIMEOUT)
                await sandbox.settle()
                yield world, bot
            finally:
                await bot.close()
                with contextlib.suppress(Exception):
                    await runner


class Session:
    """Runs playground lines against the sandbox as the current member and prints what they would see."""

    def __init__(self, world: World, out: TextIO) -> None:
        self.world = world
        self.out = out
        self.user = world.users["alice"]
        self.last: InteractionResult | None = None
        self.last_message: Message | None = None

    @property
    def driver(self) -> Driver:
        return self.world.sandbox.driver

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def run(self, text: str) -> bool:
        """Run one line; False when it failed (unknown command, no reply, a broken Discord rule, an error)."""
        commands = self.driver.commands(self.world.guild) + self.driver.commands()
        before = len(self.world.sandbox.violations)
        unknown_before = len(self.world.sandbox.unhandled)
        try:
            line = parse_line(text, commands)
            if line is None:
                return True
            ok = await self.execute(line)
        except (ScriptError, SandboxUsageError) as exc:
            self.say(f"! {exc}")
            return False
        except InteractionFailedError as exc:
            self.say(f"! This interaction failed: {exc}")
            return False
        except TimeoutError as exc:
            self.say(f"! No reply in time: {exc}")
            return False
        broken = self.world.sandbox.violations[before:]
        for violation in broken:
            self.say(f"! Discord would refuse this: {violation.kind}: {violation.detail}")
        unknown = self.world.sandbox.unhandled[unknown_before:]
        for route in unknown:
            self.say(f"! the bot called a route the sandbox does not know: {route.method} {route.path}")
        return ok and not broken and not unknown

    async def execute(self, line: Line) -> bool:
        if line.verb == "help":
            self.say(HELP)
            return True
        if line.verb == "as":
            user = self.world.users.get(line.argument.lower())
            if user is None:
                raise ScriptError(f"no member {line.argument!r}; members: {', '.join(self.world.users)}")
            self.user = user
            self.say(f"(you are now {user.username})")
            return True
        if line.verb == "slash":
            spec = self._options_spec(line.path)
            values = {name: self._value(spec.get(name, {}), raw) for name, raw in line.options.items()}
            return await self._show(await self.driver.slash(self.user, self.world.channel, line.path, values))
        if line.verb == "complete":
            return await self._complete(line)
        if line.verb == "click":
            return await self._show(await self.driver.click(self.user, self._target(), line.argument))
        if line.verb == "select":
            chosen = [v.strip() for v in line.argument.split(",")]
            return await self._show(await self.driver.select(self.user, self._target(), chosen))
        if line.verb == "fill":
            if self.last is None or self.last.modal is None:
                raise ScriptError("no form is open; a command that asks for details opens one")
            return await self._show(await self.driver.submit_modal(self.user, self.last, line.fields))
        if line.verb == "reveal":
            if self.last is None:
                raise ScriptError("nothing to reveal yet")
            self.say(self.last.text(reveal_spoilers=True))
            return True
        if line.verb == "expect":
            seen = self.last.text(reveal_spoilers=True) if self.last is not None else ""
            if line.argument not in seen:
                self.say(f"! expected to see {line.argument!r}")
                return False
            return True
        if line.verb == "wait":
            await self.world.sandbox.settle()
            return True
        if line.verb == "quit":
            raise EOFError
        raise ScriptError(f"don't know {line.verb!r}")

    def _options_spec(self, path: str) -> dict[str, Any]:
        words = path.split()
        commands = self.driver.commands(self.world.guild) + self.driver.commands()
        node: dict[str, Any] = next(c for c in commands if c["name"] == words[0])
        for word in words[1:]:
            node = next(o for o in node.get("options") or [] if o["name"] == word)
        return {o["name"]: o for o in node.get("options") or []}

    def _value(self, spec: dict[str, Any], raw: str) -> Any:
        kind = spec.get("type")
        if kind == OPTION_BOOLEAN:
            lowered = raw.lower()
            if lowered not in ("true", "false", "yes", "no"):
                raise ScriptError(f"option {spec.get('name')} takes true or false")
            return lowered in ("true", "yes")
        if kind == OPTION_USER:
            user = self.world.users.get(raw.lstrip("@").lower())
            if user is None:
                raise ScriptError(f"no member {raw!r}; members: {', '.join(self.world.users)}")
            return user
        if kind == OPTION_CHANNEL:
            name = raw.lstrip("#")
            channel = next((c for c in self.world.guild.channels.values() if c.name == name), None)
            if channel is None:
                raise ScriptError(f"no channel #{name}")
            return channel
        return raw

    def _target(self) -> Message:
        if self.last_message is None:
            raise ScriptError("no reply with buttons yet")
        return self.last_message

    async def _complete(self, line: Line) -> bool:
        if not line.options:
            raise ScriptError("type the option being completed, e.g. complete /drama info title:tra")
        focused = list(line.options)[-1]
        others = {k: v for k, v in line.options.items() if k != focused}
        choices = await self.driver.autocomplete(
            self.user, self.world.channel, line.path, focused, line.options[focused], others
        )
        if not choices:
            self.say("(no suggestions)")
        for choice in choices:
            self.say(f"  {choice['name']}")
        return True

    async def _show(self, result: InteractionResult) -> bool:
        await result.wait_done(timeout=REPLY_TIMEOUT)
        await self.world.sandbox.settle()
        self.last = result
        if result.messages:
            self.last_message = result.messages[-1]
        if result.modal is not None:
            from bot.sandbox.render import render_modal

            self.say(render_modal(result.modal))
            self.say("(fill it with: fill Label=value | Other=value)")
        text = result.text()
        if text:
            self.say(text)
        return "something went wrong on my side" not in text


async def play(settings: Settings, script: list[str] | None, out: TextIO = sys.stdout) -> int:
    """Run ``script`` lines (exit status 1 when any failed), or prompt interactively when it is None."""
    with tempfile.TemporaryDirectory(prefix="watch-companion-try-") as workdir:
        async with running_bot(settings, Path(workdir)) as (world, _bot):
            session = Session(world, out)
            if script is not None:
                return await _run_script(session, script)
            session.say(BANNER)
            await _interactive(session)
            return 0


async def _run_script(session: Session, lines: list[str]) -> int:
    failures = 0
    for number, text in enumerate(lines, start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        session.say(f"{session.user.username}> {text}")
        try:
            ok = await session.run(text)
        except EOFError:
            break
        if not ok:
            failures += 1
            session.say(f"! line {number} failed")
    return 1 if failures else 0


async def _interactive(session: Session) -> None:
    loop = asyncio.get_running_loop()
    while True:
        prompt = f"{session.user.username}> "
        try:
            text = await loop.run_in_executor(None, input, prompt)
        except (EOFError, KeyboardInterrupt):
            session.say("")
            return
        try:
            await session.run(text)
        except EOFError:
            return


def run_playground(settings: Settings, script: Path | None = None) -> int:
    """Entry point of ``watch-companion try``: quiet logs, then the prompt (or the script)."""
    if script is not None and not script.is_file():
        print(f"watch-companion: no such script: {script}", file=sys.stderr)
        return 2
    from bot.logs import setup_logging

    # The terminal is the user interface here: only problems are logged, and the sandbox token is redacted too.
    setup_logging("WARNING" if settings.log_level in ("INFO", "DEBUG") else settings.log_level, [])
    try:
        lines = script.read_text(encoding="utf-8").splitlines() if script is not None else None
        return asyncio.run(play(settings, lines))
    except KeyboardInterrupt:
        return 130
