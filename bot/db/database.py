"""One aiosqlite connection per process: WAL, foreign keys, numbered migrations, atomic and batched writes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

T = TypeVar("T")
WriteOp = Callable[[aiosqlite.Connection], Awaitable[T]]
# A transaction's body run on the database thread itself: the raw connection and the write generation before it.
SyncOp = Callable[[sqlite3.Connection, int], T]

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# How many queued writes share one transaction at most; bounds how long one commit holds the lock.
MAX_BATCH = 256


class StorageError(Exception):
    """The database cannot be used as it is configured or as it is on disk; the message says what to do, in a line."""


MEMORY = ":memory:"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The numbered ``.sql`` files shipped in ``bot/db/migrations``, in order."""
    folder = resources.files("bot.db") / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 0001, 0002, ... without gaps; found {versions}")
    return found


class Database:
    """The process's SQLite connections: ``conn`` writes, ``reader`` reads what is committed.

    aiosqlite serialises statements on one thread but does not isolate coroutines from each other, so every
    write goes through ``transaction()`` (a lock plus BEGIN/COMMIT), ``write()`` (queued, then many small
    writes from concurrent coroutines share one transaction, each in its own savepoint) or ``run_atomic()`` (a
    whole transaction in one trip to the database thread, for the hottest write path). Reads (``fetchall``,
    ``fetchone``, ``fetchval``, ``run_read``, or a store's own on ``reader``) never see a write half done.

    ``generation`` counts transactions: it grows by one when a transaction begins and by one when it ends, so it is
    odd while one is open, and a value seen twice with nothing between means nothing was written in between.
    Stores that keep rows in the process compare it to know when what they kept may be stale.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        # Reads go through a connection of their own (the same one for an in-memory database, which a second
        # connection would not see): on the writing one they would run inside whatever transaction another coroutine
        # has open between two of its statements, and see what it has half-written or is about to roll back.
        self.reader = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._pending: list[tuple[WriteOp[Any], asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches_committed = 0
        self.generation = 0

    @classmethod
    async def open(cls, path: str | Path, migrations: Iterable[Migration] | None = None) -> Database:
        """Open, check (``PRAGMA quick_check``) and migrate the database; ``StorageError`` says why it cannot be.

        Nothing is created silently: the folder must exist, and a file that is not a SQLite database, a damaged
        one or one this process may not write is refused before anything is stored.
        """
        target = str(path)
        if target != MEMORY:
            _check_location(Path(target))
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so sqlite3 never opens hidden transactions.
            conn = await aiosqlite.connect(target, isolation_level=None)
        except sqlite3.Error as exc:
            raise _storage_error(target, exc) from exc
        conn.row_factory = sqlite3.Row
        db = cls(conn, target)
        try:
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await db._quick_check()
            await db.migrate(bundled_migrations() if migrations is None else list(migrations))
            if target != MEMORY:
                # A read-only file opens and reads; the first write would fail. Find out now, before any work.
                await conn.execute("BEGIN IMMEDIATE")
                await conn.execute("ROLLBACK")
                db.reader = await _open_reader(target)
        except sqlite3.Error as exc:
            await db.close()
            raise _storage_error(target, exc) from exc
        except BaseException:
            await db.close()
            raise
        return db

    async def _quick_check(self) -> None:
        rows = await self.fetchall("PRAGMA quick_check(3)")
        problems = [" ".join(str(r[0]).split()) for r in rows if str(r[0]) != "ok"]
        if problems:
            raise StorageError(
                f"the database {self.path} is damaged ({problems[0][:160]}); restore it from a backup, or move it"
                " aside so that a new one is created"
            )

    async def close(self) -> None:
        if self._flusher is not None and not self._flusher.done():
            # Waits for queued writes to land; never raises what the flush raised (its callers got that).
            await asyncio.wait([self._flusher])
        if self.reader is not self.conn:
            await self.reader.close()
        await self.conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- schema -------------------------------------------------------------------------------------------------

    async def schema_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self, migrations: list[Migration]) -> list[int]:
        """Apply the migrations newer than ``user_version``, all in one transaction; returns the versions applied."""
        current = await self.schema_version()
        todo = [m for m in migrations if m.version > current]
        if not todo:
            return []
        async with self.transaction() as conn:
            for migration in todo:
                log.info("applying migration %s", migration.name)
                for statement in _split_sql(migration.sql):
                    await conn.execute(statement)
            # PRAGMA takes no parameters; the version is an int we produced.
            await conn.execute(f"PRAGMA user_version = {int(todo[-1].version)}")
        return [m.version for m in todo]

    # -- reads --------------------------------------------------------------------------------------------------

    # Reads see what is committed (``reader``), and each is one trip to its connection's thread: a statement left
    # open between trips would hold its read snapshot, and every later read on that connection would see the
    # database as it was then.

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return list(await self.reader.execute_fetchall(sql, tuple(params)))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = await self.run_read(lambda raw: _first_row(raw, sql, tuple(params)))
        return row

    async def run_read(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``op(connection)`` on the reading connection's thread in one trip: for reads whose statements must
        all be finished when it returns (see above). Several statements in one op each see what is committed when
        they run; an op that needs them to agree wraps them in BEGIN and COMMIT."""
        return await _in_thread(self.reader, op, self.reader._conn)

    async def fetchval(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def pragma(self, name: str) -> Any:
        """A setting of the writing connection (``PRAGMA name``, a bare name); the reading one has its own."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a PRAGMA name: {name!r}")
        rows = list(await self.conn.execute_fetchall(f"PRAGMA {name}"))
        return rows[0][0] if rows else None

    # -- writes -------------------------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """All statements inside commit together or not at all; other writers wait for the lock."""
        async with self._lock:
            self.generation += 1
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                    await self.conn.execute("COMMIT")
                except BaseException:
                    # Also when COMMIT itself fails (a deferred constraint, a full disk, a lock): the transaction is
                    # still open then, and without the rollback every later BEGIN on this connection would fail.
                    await self._rollback()
                    raise
            finally:
                self.generation += 1

    @contextlib.asynccontextmanager
    async def bulk_writes(self, checkpoint_pages: int | None) -> AsyncIterator[None]:
        """Around a long run of transactions (an import): let the write-ahead log grow to ``checkpoint_pages`` before
        SQLite copies it into the database file, then copy what is left at the end, so that the next writer (a
        running bot) does not find it to copy. ``None``: nothing changes."""
        if checkpoint_pages is None:
            yield
            return
        previous = int(await self.pragma("wal_autocheckpoint") or 1000)
        await self.conn.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint_pages):d}")
        try:
            yield
        finally:
            async with self._lock:  # never inside another coroutine's open transaction
                await self.conn.execute(f"PRAGMA wal_autocheckpoint = {previous:d}")
                await self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    async def run_atomic(self, op: SyncOp[T]) -> T:
        """Run ``op(connection, generation)`` as one transaction in a single trip to the database thread.

        BEGIN, the op's statements and COMMIT (or ROLLBACK when anything raises) run back to back on the thread that
        owns the connection, so a batch costs one wake-up of the event loop instead of one per statement. The op is
        plain synchronous code holding the raw ``sqlite3`` connection; it must not touch the event loop.
        ``generation`` is the write generation before this transaction began.
        """
        async with self._lock:
            before = self.generation
            self.generation += 1
            try:
                value: T = await _in_thread(self.conn, _atomically, self.conn._conn, op, before)
            finally:
                self.generation += 1
            self.batches_committed += 1
            return value

    async def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # "no transaction is active": SQLite already rolled it back
            await self.conn.execute("ROLLBACK")

    async def write(self, op: WriteOp[T]) -> T:
        """Run ``op(conn)`` atomically, sharing a transaction with other writes queued at the same moment.

        Each op runs in its own savepoint, so one failing op is undone alone and its caller gets the exception;
        the others still commit. Returns once the transaction holding the op has committed.
        """
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((op, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        batch: list[tuple[WriteOp[Any], asyncio.Future[Any]]] = []
        try:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                await self._flush_batch(batch)
                batch = []
        except BaseException:
            # Cancelled (the loop is closing) or broken: no caller may wait forever for a write that will not come.
            failure = StorageError("the write was stopped before it was stored (the bot is shutting down?)")
            for _, future in (*batch, *self._pending):
                if not future.done():
                    future.set_exception(failure)
            self._pending = []
            raise

    async def _flush_batch(self, batch: list[tuple[WriteOp[Any], asyncio.Future[Any]]]) -> None:
        results: list[tuple[asyncio.Future[Any], bool, Any]] = []
        try:
            async with self.transaction() as conn:
                for op, future in batch:
                    await conn.execute("SAVEPOINT write_op")
                    try:
                        value = await op(conn)
                    except Exception as exc:  # the op's own failure goes to its caller only
                        await conn.execute("ROLLBACK TO write_op")
                        await conn.execute("RELEASE write_op")
                        results.append((future, False, exc))
                    else:
                        await conn.execute("RELEASE write_op")
                        results.append((future, True, value))
        except Exception as exc:  # the commit itself failed: nothing in the batch was stored
            log.warning("a batch of %d writes was not stored: %s", len(batch), exc)
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        self.batches_committed += 1
        for future, ok, value in results:
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


async def _in_thread(conn: aiosqlite.Connection, function: Callable[..., T], *args: Any) -> T:
    """Run ``function(*args)`` on ``conn``'s thread, in its queue with its statements.

    aiosqlite queues any callable for its thread through ``_execute`` (its own execute() is built on it); the public
    API has no way to run several statements in one hop. Pinned in pyproject.toml.
    """
    in_thread: Callable[..., Awaitable[T]] = conn._execute  # untyped in aiosqlite
    return await in_thread(function, *args)


async def _open_reader(target: str) -> aiosqlite.Connection:
    """A second connection to the database file, for reads only (SQLite refuses any write through it)."""
    reader = await aiosqlite.connect(target, isolation_level=None)
    try:
        reader.row_factory = sqlite3.Row
        await reader.execute("PRAGMA busy_timeout=5000")
        await reader.execute("PRAGMA query_only=ON")
    except BaseException:
        await reader.close()
        raise
    return reader


def _first_row(raw: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> Any:
    """On the database thread: the first row, the statement closed (reset) before returning."""
    cursor = raw.execute(sql, params)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def _atomically(raw: sqlite3.Connection, op: SyncOp[T], generation: int) -> T:
    """On the database thread: ``op`` between BEGIN IMMEDIATE and COMMIT, rolled back if anything raises."""
    raw.execute("BEGIN IMMEDIATE")
    try:
        value = op(raw, generation)
        raw.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):  # "no transaction is active": SQLite already rolled it back
            raw.execute("ROLLBACK")
        raise
    return value


def _check_location(path: Path) -> None:
    """Refuse what SQLite would either create silently or fail on later with a vaguer message."""
    if path.is_dir():
        raise StorageError(f"DATABASE_URL points to a folder ({path}), not a database file; add a file name")
    folder = path.parent
    if not folder.is_dir():
        raise StorageError(f"the folder {folder} does not exist; create it, or point DATABASE_URL elsewhere")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StorageError(f"the database {path} is read-only; the bot must be able to write it")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(f"the folder {folder} is read-only; SQLite writes its journal beside the database")


def _storage_error(target: str, exc: sqlite3.Error) -> StorageError:
    text = " ".join(str(exc).split())
    if "not a database" in text:
        return StorageError(f"{target} is not a SQLite database; point DATABASE_URL at the bot's database file")
    if "malformed" in text or (isinstance(exc, sqlite3.DatabaseError) and "corrupt" in text):
        return StorageError(f"the database {target} is damaged ({text}); restore it from a backup")
    if "readonly" in text or "read-only" in text:
        return StorageError(f"the database {target} is read-only (the file or its folder); the bot must write it")
    if "unable to open" in text:
        return StorageError(f"cannot open the database {target} ({text}); check the path and its permissions")
    return StorageError(f"cannot use the database {target}: {text}")


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (``executescript`` would COMMIT behind our transaction's back)."""
    statements: list[str] = []
    buffer: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if stripped.startswith("--") or not stripped:
            continue
        buffer.append(line)
        candidate = "\n".join(buffer)
        if stripped.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buffer = []
    if "\n".join(buffer).strip():
        statements.append("\n".join(buffer))
    return statements
