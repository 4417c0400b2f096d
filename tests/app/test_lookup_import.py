"""``ShowLookup.import_shows`` (what `catalog import` runs): the shows are stored and the search index is ready over
everything stored, whichever way it was made: in a worker process while the shows were written, here when the worker
fails, or from the database when another process stored shows meanwhile. Each way gives the index a build from the
database gives, byte for byte."""

from __future__ import annotations

import dataclasses
import logging
import os
import stat
import sys
from pathlib import Path

import pytest

from bot.db.database import Database, StorageError
from bot.db.merge import MergePlan
from bot.db.meta import MetaStore
from bot.db.shows import ShowStore
from bot.domain.models import CastMember, Show, ShowSource
from bot.domain.search import SearchIndex
from bot.lookup import REBUILD_AT, IndexStart, ShowLookup

COUNT = 300


def drama(n: int) -> Show:
    return Show(
        title=f"Lantern Harbor {n}",
        native_title=f"등불 항구 {n}",
        year=1995 + n % 30,
        cast=(CastMember(f"Actor {n % 37}", f"Keeper {n}"), CastMember(f"Actor {n % 41}", "Rival")),
        source=ShowSource.IMPORTED,
    )


def make_lookup(db: Database, catalog, store: ShowStore | None = None) -> ShowLookup:
    # Every import goes through the worker (however small) and every index is saved, so small tests cover both.
    return ShowLookup(
        store or ShowStore(db), MetaStore(db), catalog, refresh_seconds=None, worker_min_names=0, snapshot_min_shows=0
    )


async def index_from_database(db: Database) -> bytes:
    return SearchIndex.build(*await ShowStore(db).index_rows()).snapshot()


def stand_in_interpreter(tmp_path: Path, script: str) -> str:
    """An executable that takes the worker's place: what a broken interpreter or a crashing worker would do."""
    path = tmp_path / "python-stand-in"
    path.write_text(f"#!/bin/sh\ncat > /dev/null\n{script}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


async def test_an_import_builds_the_index_in_a_worker_while_the_shows_are_written(db, catalog):
    lookup = make_lookup(db, catalog)

    counts = await lookup.import_shows([drama(n) for n in range(COUNT)])
    await lookup.close()

    assert counts.added == COUNT
    assert lookup.started_by is IndexStart.BUILT_ALONGSIDE
    assert lookup.index.snapshot() == await index_from_database(db)
    assert lookup.search("lantern harbor 217", 1)[0].label == "Lantern Harbor 217 (2002)"
    assert lookup.search("등불 항구 42", 1)[0].label == "Lantern Harbor 42 (2007)"
    assert lookup.search("trauma code", 1)[0].label.startswith("The Trauma Code"), "bundled shows are indexed too"
    # The worker's snapshot was saved: the next start loads it instead of building.
    again = make_lookup(db, catalog)
    await again.start()
    assert again.started_by is IndexStart.LOADED
    assert again.index.snapshot() == lookup.index.snapshot()


async def test_the_worker_imports_this_bot_whatever_folder_the_import_runs_in(db, catalog, tmp_path, monkeypatch):
    # A folder of the user's own with a package named ``bot`` in it: ``python -m`` looks in the working folder first.
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "__init__.py").write_text("raise SystemExit('not this bot')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    lookup = make_lookup(db, catalog)

    await lookup.import_shows([drama(n) for n in range(COUNT)])

    assert lookup.started_by is IndexStart.BUILT_ALONGSIDE
    assert lookup.index.snapshot() == await index_from_database(db)


async def test_an_import_that_updates_stored_shows_indexes_their_new_names_only(db, catalog):
    lookup = make_lookup(db, catalog)
    await lookup.import_shows([drama(n) for n in range(20)])
    renamed = [dataclasses.replace(drama(n), cast=(CastMember("Yoon Se Ah", f"Captain {n}"),)) for n in range(10)]

    counts = await lookup.import_shows(renamed)

    assert (counts.added, counts.updated) == (0, 10)
    assert lookup.started_by is IndexStart.BUILT_ALONGSIDE
    assert lookup.index.snapshot() == await index_from_database(db)
    assert lookup.search("captain 7", 1)[0].label == "Lantern Harbor 7 (2002)"
    assert lookup.search("keeper 7", 5) == [], "the names it no longer has are gone from the index"


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in interpreter is a shell script")
@pytest.mark.parametrize(
    ("script", "logged"),
    [
        ("echo 'worker fell over' >&2; exit 3", "exited with 3 (worker fell over)"),
        ("printf 'not a snapshot'", "snapshot does not load"),
    ],
)
async def test_a_failed_worker_leaves_the_index_to_be_built_here(
    db, catalog, tmp_path, monkeypatch, caplog, script, logged
):
    monkeypatch.setattr(sys, "executable", stand_in_interpreter(tmp_path, script))
    lookup = make_lookup(db, catalog)

    with caplog.at_level(logging.WARNING, logger="bot.index_worker"):
        counts = await lookup.import_shows([drama(n) for n in range(COUNT)])

    assert counts.added == COUNT
    assert lookup.started_by is IndexStart.BUILT
    assert logged in caplog.text
    assert lookup.index.snapshot() == await index_from_database(db)


async def test_no_interpreter_to_start_leaves_the_index_to_be_built_here(db, catalog, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    lookup = make_lookup(db, catalog)

    with caplog.at_level(logging.INFO, logger="bot.index_worker"):
        await lookup.import_shows([drama(n) for n in range(COUNT)])

    assert lookup.started_by is IndexStart.BUILT
    assert "no worker process for the search index" in caplog.text
    assert lookup.index.snapshot() == await index_from_database(db)


async def test_a_small_import_builds_the_index_here_without_a_worker(db, catalog, tmp_path, monkeypatch):
    # Were a worker started, it would fail loudly: this one is never asked.
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, refresh_seconds=None)

    await lookup.import_shows([drama(n) for n in range(30)])

    assert lookup.started_by is IndexStart.BUILT
    assert lookup.index.snapshot() == await index_from_database(db)


class InterruptedStore(ShowStore):
    """Our store, with another process's write landing between the plan and its first chunk."""

    def __init__(self, db: Database, path: Path) -> None:
        super().__init__(db)
        self.path = path

    async def write_merge(self, plan: MergePlan):
        other = await Database.open(self.path)
        try:
            interloper = Show(title="Moonlit Ferry", year=2021, source=ShowSource.TVMAZE, tvmaze_id=77)
            await ShowStore(other).add_many([interloper, dataclasses.replace(drama(5), tvmaze_id=5)])
        finally:
            await other.close()
        return await super().write_merge(plan)


async def test_shows_another_process_stored_meanwhile_are_in_the_index_built_from_the_database(db, catalog, tmp_path):
    lookup = make_lookup(db, catalog, InterruptedStore(db, tmp_path / "test.db"))

    counts = await lookup.import_shows([drama(n) for n in range(COUNT)])

    assert (counts.added, counts.updated) == (COUNT - 1, 1), "drama 5 was stored by the other process first"
    assert lookup.started_by is IndexStart.BUILT
    assert lookup.index.snapshot() == await index_from_database(db)
    assert lookup.search("moonlit ferry", 1)[0].label == "Moonlit Ferry (2021)"
    assert [h.label for h in lookup.search("lantern harbor 5", 10)].count("Lantern Harbor 5 (2000)") == 1


@pytest.mark.parametrize("saved", [True, False])
async def test_a_running_bot_takes_in_a_large_import_from_the_index_the_import_saved(db, catalog, saved):
    running = ShowLookup(ShowStore(db), MetaStore(db), catalog, refresh_seconds=None)
    await running.start()
    shows = [drama(n) for n in range(REBUILD_AT + 100)]
    if saved:  # `catalog import`, from its own process
        importer = make_lookup(db, catalog)
        await importer.import_shows(shows)
        await importer.close()
    else:  # a writer that saves no index
        await ShowStore(db).merge(shows)

    assert await running.refresh() == len(shows)

    assert running.refreshed_by is (IndexStart.LOADED if saved else IndexStart.BUILT)
    assert running.index.snapshot() == await index_from_database(db)
    assert running.search("lantern harbor 577", 1)[0].label == "Lantern Harbor 577 (2002)"
    assert await running.refresh() == 0


def worker_processes() -> list[int]:
    """This process's children running the index worker (Linux: read from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if parent == os.getpid() and b"bot.index_worker" in command:
            children.append(int(entry.name))
    return children


class FailingStore(ShowStore):
    """Our store, failing once armed and the worker is under way (a full disk, say)."""

    armed = False

    async def write_merge(self, plan: MergePlan):
        if not self.armed:
            return await super().write_merge(plan)
        assert worker_processes(), "the worker was started before the writes"
        raise StorageError("the disk is full")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads child processes from /proc")
async def test_an_import_that_fails_ends_its_worker_and_keeps_the_index_it_had(db, catalog):
    store = FailingStore(db)
    lookup = make_lookup(db, catalog, store)
    await lookup.start()
    before = lookup.index.snapshot()
    store.armed = True

    with pytest.raises(StorageError):
        await lookup.import_shows([drama(n) for n in range(COUNT)])

    assert worker_processes() == []
    assert lookup.index.snapshot() == before


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in interpreter is a shell script")
async def test_the_worker_is_not_given_the_bot_token(db, catalog, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token-that-must-stay-here")
    monkeypatch.setenv("WATCH_COMPANION_PROBE", "passed on")
    # The stand-in reports what it was given, then fails, so the index is built here and the report is logged.
    script = 'echo "token=[$DISCORD_TOKEN] probe=[$WATCH_COMPANION_PROBE]" >&2; exit 4'
    monkeypatch.setattr(sys, "executable", stand_in_interpreter(tmp_path, script))
    lookup = make_lookup(db, catalog)

    with caplog.at_level(logging.WARNING, logger="bot.index_worker"):
        await lookup.import_shows([drama(n) for n in range(COUNT)])

    assert "token=[] probe=[passed on]" in caplog.text
