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
        assert await db.pragma("foreign_keys") == 1
        assert (await db.pragma("journal_mode")).lower() == "wal"
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


async def test_run_atomic_commits_its_statements_together_in_one_trip(db):
    seen_generations = []

    def op(raw: sqlite3.Connection, generation: int) -> int:
        seen_generations.append((generation, db.generation))
        raw.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        raw.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
        return 2

    before = db.generation
    assert await db.run_atomic(op) == 2
    # The op saw the generation before it began, while the database's was odd (a transaction open).
    assert seen_generations == [(before, before + 1)]
    assert db.generation == before + 2
    with sqlite3.connect(db.path) as other:  # committed: another connection sees both rows
        assert other.execute("SELECT key, value FROM meta ORDER BY key").fetchall() == [("a", "1"), ("b", "2")]


async def test_run_atomic_rolls_back_everything_when_its_op_fails_and_the_connection_stays_usable(db):
    def op(raw: sqlite3.Connection, generation: int) -> None:
        raw.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        raw.execute("INSERT INTO meta (key, value) VALUES ('a', 'duplicate key')")

    before = db.generation
    with pytest.raises(sqlite3.IntegrityError):
        await db.run_atomic(op)
    assert db.generation == before + 2
    assert await db.fetchall("SELECT * FROM meta") == []
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO meta (key, value) VALUES ('after', '1')")
    assert await db.fetchval("SELECT value FROM meta WHERE key = 'after'") == "1"


async def test_every_transaction_moves_the_generation_by_two(db):
    before = db.generation

    async def op(conn):
        await conn.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")

    await db.write(op)
    assert db.generation == before + 2
    inside = []

    async def given_up():
        async with db.transaction():
            inside.append(db.generation)
            raise RuntimeError("given up")

    with pytest.raises(RuntimeError):
        await given_up()
    assert inside == [before + 3]
    assert db.generation == before + 4


async def test_a_read_sees_what_is_committed_never_what_another_coroutine_is_half_way_through(db):
    """Reads go through their own connection: not inside a batch another coroutine has open on the writing one."""
    inside, release = asyncio.Event(), asyncio.Event()
    half = "SELECT value FROM meta WHERE key = 'half-written'"

    async def op(conn):
        await conn.execute("INSERT INTO meta (key, value) VALUES ('half-written', 'not yet')")
        inside.set()
        await release.wait()
        raise RuntimeError("the op changed its mind")

    writing = asyncio.create_task(db.write(op))
    await inside.wait()
    during = (
        await db.fetchval(half),
        await db.fetchall(half),
        await db.run_read(lambda raw: raw.execute(half).fetchall()),
    )
    release.set()
    with pytest.raises(RuntimeError):
        await writing

    assert during == (None, [], [])
    assert await db.fetchval(half) is None

    async def commit(conn):
        await conn.execute("INSERT INTO meta (key, value) VALUES ('half-written', 'now whole')")

    await db.write(commit)
    assert await db.fetchval(half) == "now whole", "a write is seen by the next read once it returns"
    with pytest.raises(sqlite3.OperationalError):
        await db.reader.execute("DELETE FROM meta")
