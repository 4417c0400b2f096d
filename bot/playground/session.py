"""``PlaygroundSession``: runs one playground line against the sandbox as the current member and prints what
that member would see. Every mistake a person can type is answered with one ``! ...`` line, never a traceback."""

from __future__ import annotations

import logging
from typing import Any, TextIO

from bot.playground.demo import REPLY_TIMEOUT, DemoServer
from bot.playground.lines import Line, ScriptError, help_text, parse_line
from bot.sandbox.driver import Driver
from bot.sandbox.errors import InteractionFailedError, SandboxUsageError
from bot.sandbox.protocol import JSON, OptionType
from bot.sandbox.render import render_modal
from bot.sandbox.results import InteractionResult
from bot.sandbox.rules import shorten
from bot.sandbox.state import Message

log = logging.getLogger(__name__)

# Longest piece of a typed line an error message repeats.
ECHO_MAX = 80


class PlaygroundSession:
    """The member acting, the last reply (for click, select, fill, reveal, expect) and the output stream."""

    def __init__(self, demo: DemoServer, out: TextIO) -> None:
        self.demo = demo
        self.out = out
        self.user = demo.users["alice"]
        self.last: InteractionResult | None = None
        self.last_message: Message | None = None

    @property
    def driver(self) -> Driver:
        return self.demo.sandbox.driver

    def commands(self) -> list[JSON]:
        return self.driver.commands(self.demo.guild) + self.driver.commands()

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def run(self, text: str) -> bool:
        """Run one line; False when it failed (unknown command, no reply, a broken Discord rule, an error)."""
        sandbox = self.demo.sandbox
        before = len(sandbox.violations)
        unknown_before = len(sandbox.unhandled)
        try:
            line = parse_line(text, self.commands())
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
        except EOFError:
            raise
        except Exception as exc:
            # A bug in the playground itself: one line for the person, the details in the log.
            log.debug("playground line failed", exc_info=True)
            self.say(f"! the playground could not run that line ({type(exc).__name__}: {shorten(str(exc), ECHO_MAX)})")
            return False
        broken = sandbox.violations[before:]
        for violation in broken:
            self.say(f"! Discord would refuse this: {violation.kind}: {shorten(violation.detail, 300)}")
        unknown = sandbox.unhandled[unknown_before:]
        for route in unknown:
            self.say(f"! the bot called a route the sandbox does not know: {route.method} {route.path}")
        return ok and not broken and not unknown

    async def execute(self, line: Line) -> bool:
        if line.verb == "help":
            self.say(help_text(self.commands(), list(self.demo.users)))
            return True
        if line.verb == "as":
            user = self.demo.users.get(line.argument.lower())
            if user is None:
                members = ", ".join(self.demo.users)
                raise ScriptError(f"no member {shorten(line.argument, ECHO_MAX)!r}; members: {members}")
            self.user = user
            self.say(f"(you are now {user.username})")
            return True
        if line.verb == "slash":
            spec = self._options_spec(line.path)
            values = {name: self._value(spec.get(name, {}), raw) for name, raw in line.options.items()}
            return await self._show(await self.driver.slash(self.user, self.demo.channel, line.path, values))
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
                self.say(f"! expected to see {shorten(line.argument, ECHO_MAX)!r}")
                return False
            return True
        if line.verb == "wait":
            await self.demo.sandbox.settle()
            return True
        if line.verb == "quit":
            raise EOFError
        raise ScriptError(f"don't know {line.verb!r}")

    def _options_spec(self, path: str) -> dict[str, JSON]:
        words = path.split()
        node: JSON | None = next((c for c in self.commands() if c["name"] == words[0]), None)
        for word in words[1:]:
            node = next((o for o in (node or {}).get("options") or [] if o["name"] == word), None)
        return {o["name"]: o for o in (node or {}).get("options") or []}

    def _value(self, spec: JSON, raw: str) -> Any:
        """What the member typed for one option, as the driver takes it (numbers are checked there)."""
        name = spec.get("name", "?")
        kind = spec.get("type")
        if not raw:
            raise ScriptError(f"option {name} was left empty; type a value after {name}:")
        if kind == OptionType.BOOLEAN:
            lowered = raw.lower()
            if lowered not in ("true", "false", "yes", "no"):
                raise ScriptError(f"option {name} takes true or false, not {shorten(raw, ECHO_MAX)!r}")
            return lowered in ("true", "yes")
        if kind == OptionType.USER:
            user = self.demo.users.get(raw.lstrip("@").lower())
            if user is None:
                members = ", ".join(self.demo.users)
                raise ScriptError(f"no member {shorten(raw, ECHO_MAX)!r}; members: {members}")
            return user
        if kind == OptionType.CHANNEL:
            channel_name = raw.lstrip("#")
            channel = next((c for c in self.demo.guild.channels.values() if c.name == channel_name), None)
            if channel is None:
                raise ScriptError(f"no channel #{shorten(channel_name, ECHO_MAX)}")
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
            self.user, self.demo.channel, line.path, focused, line.options[focused], others
        )
        if not choices:
            self.say("(no suggestions)")
        for choice in choices:
            self.say(f"  {choice['name']}")
        return True

    async def _show(self, result: InteractionResult) -> bool:
        await result.wait_done(timeout=REPLY_TIMEOUT)
        await self.demo.sandbox.settle()
        self.last = result
        if result.messages:
            self.last_message = result.messages[-1]
        if result.modal is not None:
            self.say(render_modal(result.modal))
            self.say("(fill it with: fill Label=value | Other=value)")
        text = result.text()
        if text:
            self.say(text)
        return "something went wrong on my side" not in text
