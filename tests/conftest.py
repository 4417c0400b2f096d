"""Shared fixtures: a migrated temporary database and an offline bot built the way production builds it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings

from bot.app import WatchCompanion
from bot.db.database import Database
from bot.db.meta import MetaStore
from bot.db.shows import ShowStore
from bot.lookup import ShowLookup
from bot.providers.bundled import BundledCatalog
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[1]

# No deadline on property tests: a per-example time limit is a timed assertion, and on a loaded 2-core machine a
# slow example is not a bug. (``--hypothesis-profile=ci``, as mutation testing passes, still takes precedence.)
settings.register_profile("watch-companion", deadline=None)
settings.load_profile("watch-companion")


def offline_settings(tmp_path: Path, **overrides: str) -> Settings:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "OFFLINE": "1"}
    env.update(overrides)
    return Settings.from_env(env)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "test.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(scope="session")
def catalog() -> BundledCatalog:
    return BundledCatalog.load()


@pytest.fixture
async def offline_bot(tmp_path: Path, db: Database, catalog: BundledCatalog) -> AsyncIterator[WatchCompanion]:
    """The real bot class with every extension loaded, not logged in (no network, no sandbox)."""
    lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog)
    bot = WatchCompanion(offline_settings(tmp_path), db, lookup, sync_commands=False)
    await bot.setup_hook()
    try:
        yield bot
    finally:
        for name in list(bot.extensions):
            await bot.unload_extension(name)
