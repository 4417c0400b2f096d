"""Storage faults: each is refused with one clear line before any work, and nothing written is silently lost."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db.database import Database, StorageError

REPO = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` (a file or a folder) as this process cannot write it, even as root (where chmod is not enough)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


async def refused(path: Path | str) -> str:
    with pytest.raises(StorageError) as caught:
        await Database.open(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


async def test_a_file_that_is_not_a_database_is_refused_and_left_as_it_was(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("my shopping list, not a database\n" * 200)
    assert "is not a SQLite database" in await refused(path)
    assert path.read_text().startswith("my shopping list")


async def test_a_damaged_database_is_found_at_start(tmp_path):
    path = tmp_path / "damaged.db"
    db = await Database.open(path)
    for i in range(300):
        await db.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"k{i}", "v" * 500))
    await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await db.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 3 + 2000] = b"Z" * 2000  # scribble over a page of the meta table
    path.write_bytes(bytes(data))
    assert "is damaged" in await refused(path)


async def test_a_read_only_database_file_is_refused_before_any_work(tmp_path):
    path = tmp_path / "bot.db"
    await (await Database.open(path)).close()
    with read_only(path):
        assert "read-only" in await refused(path)


async def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    with read_only(folder):
        assert "read-only" in await refused(folder / "bot.db")
    assert list(folder.iterdir()) == []


async def test_a_path_that_is_a_folder_is_refused(tmp_path):
    assert "points to a folder" in await refused(tmp_path)


async def test_a_folder_that_does_not_exist_is_not_created(tmp_path):
    assert "does not exist" in await refused(tmp_path / "typo" / "bot.db")
    assert not (tmp_path / "typo").exists()


async def test_a_commit_that_fails_is_rolled_back_and_the_connection_stays_usable(db):
    async def orphan_checked_at_commit(conn):
        # A deferred foreign key is checked by COMMIT, not by the INSERT: COMMIT itself fails.
        await conn.execute("PRAGMA defer_foreign_keys = ON")
        await conn.execute("INSERT INTO meta (key, value) VALUES ('lost', 'with the orphan')")
        await conn.execute("INSERT INTO show_names (show_id, kind, name, norm) VALUES (999, 'title', 'x', 'x')")

    with pytest.raises(sqlite3.IntegrityError):
        await db.write(orphan_checked_at_commit)
    assert await db.fetchval("SELECT COUNT(*) FROM meta") == 0

    async def good(conn):
        await conn.execute("INSERT INTO meta (key, value) VALUES ('kept', '1')")

    await db.write(good)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO meta (key, value) VALUES ('also kept', '1')")
    assert [r[0] for r in await db.fetchall("SELECT key FROM meta ORDER BY key")] == ["also kept", "kept"]


async def test_a_cancelled_flush_fails_its_callers_instead_of_leaving_them_waiting(db):
    entered = asyncio.Event()
    release = asyncio.Event()

    async def slow(conn):
        entered.set()
        await release.wait()

    async def quick(conn):
        await conn.execute("INSERT INTO meta (key, value) VALUES ('q', '1')")

    first = asyncio.create_task(db.write(slow))
    await entered.wait()
    queued = asyncio.create_task(db.write(quick))  # waits behind the batch in flight
    await asyncio.sleep(0)
    db._flusher.cancel()
    # wait_for only guards the test run against the hang this test is about; nothing here is timed.
    outcomes = await asyncio.wait_for(asyncio.gather(first, queued, return_exceptions=True), timeout=10)
    assert all(isinstance(o, StorageError) for o in outcomes), outcomes
    assert await db.fetchval("SELECT COUNT(*) FROM meta") == 0

    await db.write(quick)  # the next write starts a new flush and lands
    assert await db.fetchval("SELECT COUNT(*) FROM meta") == 1


def run_cli(args: list[str], database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env |= {"DATABASE_URL": database_url, "DISCORD_TOKEN": "fake-bot-token-for-tests-only-0123456789", "OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def one_clear_line(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert words in lines[0]


@pytest.fixture
def shows_csv(tmp_path: Path) -> Path:
    path = tmp_path / "shows.csv"
    path.write_text("title,year\nSignal,2016\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["catalog", "stats"], ["catalog", "import", "shows.csv"], ["run"]])
def test_the_commands_say_a_file_is_not_a_database_in_one_line(tmp_path, shows_csv, command):
    (tmp_path / "notes.db").write_text("not a database\n" * 100)
    one_clear_line(run_cli(command, "sqlite:///notes.db", tmp_path), "is not a SQLite database")


@pytest.mark.parametrize("command", [["catalog", "import", "shows.csv"], ["run"]])
def test_an_in_memory_database_is_refused_where_the_work_would_vanish(tmp_path, shows_csv, command):
    result = run_cli(command, "sqlite:///:memory:", tmp_path)
    one_clear_line(result, ":memory:")
    assert "imported" not in result.stdout


def test_catalog_import_into_a_missing_folder_says_so_and_creates_nothing(tmp_path, shows_csv):
    one_clear_line(run_cli(["catalog", "import", "shows.csv"], "sqlite:///nope/bot.db", tmp_path), "does not exist")
    assert not (tmp_path / "nope").exists()
