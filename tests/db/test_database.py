import asyncio
import sqlite3

import aiosqlite
import pytest

from bot.db.database import Database, Migration, bundled_migrations


async def tables(db: Database) -> set[str]:
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {r[0] for r in rows}


async def test_migrations_run_from_zero_to_latest(tmp_path):
    latest = bundled_migrations()[-1].version
    db = await Database.open(tmp_path / "fresh.db")
    try:
        assert await db.schema_version() == latest
        assert {"shows", "show_names", "episodes", "meta", "search_snapshot"} <= await tables(db)
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
    finally:
        await db.close()


async def test_running_migrations_twice_changes_nothing(tmp_path):
    path = tmp_path / "twice.db"
    db = await Database.open(path)
    await db.close()
    with sqlite3.connect(path) as raw:
        before = raw.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    db = await Database.open(path)
    try:
        assert await db.migrate(bundled_migrations()) == []
        after = await db.fetchall("SELECT type, name, sql FROM sqlite_master ORDER BY name")
        assert [tuple(r) for r in after] == before
    finally:
        await db.close()


async def test_a_failing_migration_leaves_the_schema_untouched(tmp_path):
    broken = [
        Migration(1, "0001_ok.sql", "CREATE TABLE a (x INTEGER);"),
        Migration(2, "0002_bad.sql", "CREATE TABLE b (y INTEGER);\nINSERT INTO missing VALUES (1);"),
    ]
    conn = await aiosqlite.connect(tmp_path / "broken.db", isolation_level=None)
    db = Database(conn, "broken.db")
    try:
        with pytest.raises(sqlite3.OperationalError):
            await db.migrate(broken)
        assert await db.schema_version() == 0
        assert not {"a", "b"} & await tables(db)
    finally:
        await db.close()


async def test_a_failed_transaction_leaves_nothing_behind(db):
    async def half_way():
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
            await conn.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
            raise RuntimeError("half way")

    with pytest.raises(RuntimeError):
        await half_way()
    assert await db.fetchall("SELECT * FROM meta") == []


async def test_concurrent_writes_share_one_transaction_and_all_land(db):
    async def put(i: int) -> int:
        async def op(conn):
            await conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"k{i}", str(i)))
            return i

        return await db.write(op)

    before = db.batches_committed
    results = await asyncio.gather(*(put(i) for i in range(50)))
    assert results == list(range(50))
    assert await db.fetchval("SELECT COUNT(*) FROM meta") == 50
    # 50 writes issued together commit in far fewer transactions (the first may go alone).
    assert db.batches_committed - before <= 2


async def test_one_failing_write_in_a_batch_is_undone_alone(db):
    async def good(conn):
        await conn.execute("INSERT INTO meta (key, value) VALUES ('good', '1')")

    async def bad(conn):
        await conn.execute("INSERT INTO meta (key, value) VALUES ('bad', '1')")
        await conn.execute("INSERT INTO meta (key, value) VALUES ('good', 'duplicate key')")

    outcomes = await asyncio.gather(db.write(good), db.write(bad), return_exceptions=True)
    assert outcomes[0] is None
    assert isinstance(outcomes[1], sqlite3.IntegrityError)
    rows = await db.fetchall("SELECT key, value FROM meta ORDER BY key")
    assert [tuple(r) for r in rows] == [("good", "1")]


async def test_foreign_keys_are_enforced(db):
    async def orphan(conn):
        await conn.execute("INSERT INTO show_names (show_id, kind, name, norm) VALUES (999, 'title', 'x', 'x')")

    with pytest.raises(sqlite3.IntegrityError):
        await db.write(orphan)
