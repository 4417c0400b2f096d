"""Running the playground from a terminal: the prompt, or a script file; its failures as one line each."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import sys
import tempfile
import threading
from pathlib import Path
from typing import TextIO

from bot.playground.demo import running_bot
from bot.playground.session import PlaygroundSession
from bot.settings import Settings

BANNER = """\
Watch Companion playground: a sandbox Discord server "Drama Club" with members alice and bob, all on this machine.
You are alice in #general. Try:  /drama info title:The Trauma Code    (type help for more, quit to leave)"""

EXIT_FAILED_LINE = 1
EXIT_USAGE = 2
# What a shell reports for a program whose reader went away (128 + SIGPIPE).
EXIT_BROKEN_PIPE = 141
EXIT_INTERRUPTED = 130


async def play(settings: Settings, script: list[str] | None, out: TextIO = sys.stdout) -> int:
    """Run ``script`` lines (exit status 1 when any failed), or prompt interactively when it is None."""
    with tempfile.TemporaryDirectory(prefix="watch-companion-try-") as workdir:
        async with running_bot(settings, Path(workdir)) as (demo, _bot):
            session = PlaygroundSession(demo, out)
            if script is not None:
                return await _run_script(session, script)
            session.say(BANNER)
            await _interactive(session)
            return 0


async def _run_script(session: PlaygroundSession, lines: list[str]) -> int:
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
    return EXIT_FAILED_LINE if failures else 0


async def _interactive(session: PlaygroundSession) -> None:
    prompt = Prompt(asyncio.get_running_loop())
    try:
        while True:
            try:
                text = await prompt.ask(f"{session.user.username}> ")
            except EOFError:
                session.say("")
                return
            try:
                await session.run(text)
            except EOFError:
                return
    finally:
        prompt.close()


class Prompt:
    """Lines from stdin, read on a thread one at a time when asked.

    Not ``input()`` on the loop's executor: at Ctrl-C ``asyncio.run`` joins the executor's threads, and one
    blocked in ``input()`` kept the playground from exiting until Enter was pressed. This thread waits with
    ``select`` in short steps, so it notices ``close()`` and never holds stdin while the interpreter exits.
    """

    POLL = 0.1

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._wanted = threading.Event()
        self._closed = threading.Event()
        self._prompt = ""
        self._answer: asyncio.Future[str] | None = None
        self._thread = threading.Thread(target=self._read, name="playground-prompt", daemon=True)
        self._thread.start()

    async def ask(self, prompt: str) -> str:
        """The next line typed, without its newline; ``EOFError`` at the end of input."""
        self._prompt = prompt
        self._answer = self._loop.create_future()
        self._wanted.set()
        return await self._answer

    def close(self) -> None:
        self._closed.set()
        self._wanted.set()
        self._thread.join(timeout=2 * self.POLL)

    def _read(self) -> None:
        while not self._closed.is_set():
            self._wanted.wait()
            self._wanted.clear()
            answer = self._answer
            if answer is None or self._closed.is_set():
                continue
            try:
                sys.stdout.write(self._prompt)
                sys.stdout.flush()
                line = self._next_line()
            except BaseException as exc:  # a closed pipe, a closed stdin: the prompt's caller decides
                self._deliver(answer, exc)
                return
            if line is None:
                return
            self._deliver(answer, line.rstrip("\n") if line else EOFError())

    def _next_line(self) -> str | None:
        """A line ("" at the end of input), or None once closed."""
        while not self._closed.is_set():
            try:
                ready, _, _ = select.select([sys.stdin], [], [], self.POLL)
            except (OSError, ValueError):
                ready = [sys.stdin]  # stdin select cannot watch (not a file descriptor): read it directly
            if ready:
                return sys.stdin.readline()
        return None

    def _deliver(self, answer: asyncio.Future[str], outcome: str | BaseException) -> None:
        def settle() -> None:
            if answer.done():
                return
            if isinstance(outcome, BaseException):
                answer.set_exception(outcome)
            else:
                answer.set_result(outcome)

        with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody is waiting any more
            self._loop.call_soon_threadsafe(settle)


def read_script(script: Path) -> list[str] | str:
    """The script's lines, or the one line that says why it cannot be read."""
    if not script.is_file():
        return f"no such script: {script}"
    try:
        return script.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        line, byte = exc.object.count(b"\n", 0, exc.start) + 1, exc.object[exc.start]
        return f"{script} is not UTF-8 text (line {line}, byte 0x{byte:02x}); save it as UTF-8 and try again"
    except OSError as exc:
        return f"cannot read {script}: {exc.strerror or exc}"


def run_playground(settings: Settings, script: Path | None = None) -> int:
    """Entry point of ``watch-companion try``: quiet logs, then the prompt (or the script)."""
    lines: list[str] | None = None
    if script is not None:
        read = read_script(script)
        if isinstance(read, str):
            print(f"watch-companion: {read}", file=sys.stderr)
            return EXIT_USAGE
        lines = read
    from bot.logs import setup_logging

    # The terminal is the user interface here: only problems are logged, and the sandbox token is redacted too.
    setup_logging("WARNING" if settings.log_level in ("INFO", "DEBUG") else settings.log_level, [])
    # Whatever a member types or a reply holds (a lone surrogate, bytes that are not UTF-8) is shown, not fatal.
    for stream in (sys.stdin, sys.stdout):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    try:
        return asyncio.run(play(settings, lines))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`watch-companion try | head -3`): stop quietly. Point stdout at /dev/null so
        # that the interpreter's last flush at exit does not complain about the closed pipe either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
