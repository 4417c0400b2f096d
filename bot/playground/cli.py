"""Running the playground from a terminal: the prompt, or a script file; its failures as one line each."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
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
