"""End-to-end fixtures: the sandbox Discord on loopback and the real bot, as a subprocess or in-process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.playground.demo import DemoServer, running_bot, seed_demo
from bot.sandbox.server import SandboxServer
from tests.conftest import offline_settings

START_TIMEOUT = 30.0


class BotProcess:
    """``python -m bot run`` against the sandbox, restartable on the same database."""

    def __init__(self, sandbox: SandboxServer, workdir: Path, log_level: str = "INFO") -> None:
        self.sandbox = sandbox
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_GUILD"))},
            "DISCORD_TOKEN": sandbox.token,
            "DISCORD_API_BASE": sandbox.url,
            "DATABASE_URL": f"sqlite:///{workdir / 'bot.db'}",
            "OFFLINE": "1",
            "LOG_LEVEL": log_level,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    async def start(self) -> None:
        identified = self.sandbox.gateway.identify_count
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child; we poll, never block on it
            [sys.executable, "-m", "bot", "run"], env=self.env, cwd=self.workdir, stdout=log, stderr=log
        )
        log.close()
        self.starts += 1
        await self.sandbox.gateway.wait_for(
            lambda: self.sandbox.gateway.identify_count > identified or self.process.poll() is not None,
            timeout=START_TIMEOUT,
        )
        assert self.process.poll() is None, f"the bot exited at start:\n{self.log()}"
        # Commands sync in setup_hook, which runs before the gateway connects: IDENTIFY means both are done.
        await self.sandbox.settle()

    async def stop(self) -> int:
        """SIGTERM, as a service manager would; returns the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        for _ in range(300):
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        else:
            self.process.kill()
            pytest.fail(f"the bot did not exit within 15 s of SIGTERM:\n{self.log()}")
        return self.process.returncode

    async def restart(self) -> None:
        assert await self.stop() == 0, self.log()
        await self.start()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def assert_clean(sandbox: SandboxServer) -> None:
    """Every e2e test ends with Discord having nothing to refuse and no route the sandbox did not know."""
    assert sandbox.violations == [], sandbox.violations
    assert sandbox.unhandled == [], sandbox.unhandled


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    async with SandboxServer(strict=True) as server:
        yield server


@pytest.fixture
async def world(sandbox: SandboxServer) -> DemoServer:
    return await seed_demo(sandbox)


@pytest.fixture
async def bot_process(sandbox: SandboxServer, world: DemoServer, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(sandbox, tmp_path)
    await process.start()
    try:
        yield process
    finally:
        if process.process is not None and process.process.poll() is None:
            assert await process.stop() == 0, process.log()
    assert "Traceback" not in process.log(), process.log()
    assert_clean(sandbox)


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[DemoServer]:
    """The bot in this process (faster to start) against its own sandbox; same code path as `run`."""
    async with running_bot(offline_settings(tmp_path), tmp_path) as (world, _bot):
        yield world
        await world.sandbox.settle()
        assert_clean(world.sandbox)
