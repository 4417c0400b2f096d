"""Opening and closing the bot's resources in order: database, catalogue, bot; the database closes last."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator

from bot.api_base import apply_api_base
from bot.app import WatchCompanion
from bot.db.database import Database
from bot.db.meta import MetaStore
from bot.db.shows import ShowStore
from bot.lookup import ShowLookup
from bot.providers.bundled import BundledCatalog
from bot.providers.tvmaze import TvmazeSource
from bot.settings import Settings


@contextlib.asynccontextmanager
async def open_bot(settings: Settings, *, sync_commands: bool = True) -> AsyncIterator[WatchCompanion]:
    apply_api_base(settings.discord_api_base)
    async with contextlib.AsyncExitStack() as stack:
        db = await stack.enter_async_context(await Database.open(settings.database_path))
        remote = None
        if not settings.offline:
            # A member is waiting on these lookups: one quick retry, not the poller's 2-4-8 s back-off.
            interactive = TvmazeSource(settings.tvmaze_base_url, retries=1, backoff_base=1.0)
            remote = await stack.enter_async_context(interactive)
        lookup = ShowLookup(
            ShowStore(db),
            MetaStore(db),
            BundledCatalog.load(),
            remote,
            refresh_seconds=settings.catalog_refresh_seconds,
        )
        # Entered last, so it closes first: the bot stops before TVmaze's session and the database close.
        bot = await stack.enter_async_context(WatchCompanion(settings, db, lookup, sync_commands=sync_commands))
        yield bot


async def run_bot(settings: Settings) -> None:
    """Serve until closed: by Discord, by SIGTERM, or by Ctrl-C (which cancels this task)."""
    if not settings.token:
        raise ValueError("run_bot needs settings.token")
    async with open_bot(settings) as bot:
        loop = asyncio.get_running_loop()
        # discord.py installs no SIGTERM handler; without one, a container stop skips closing the database.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
        await bot.start(settings.token)


async def sync_now(settings: Settings) -> str:
    if not settings.token:
        raise ValueError("sync_now needs settings.token")
    async with open_bot(settings, sync_commands=False) as bot:
        await bot.login(settings.token)
        return await bot.sync_commands(force=True)
