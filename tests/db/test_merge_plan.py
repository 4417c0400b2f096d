"""A merge worked out before it is written (``ShowStore.plan_merge``): written as planned it stores what ``merge``
stores and tells the search index exactly what the database will hold; when another writer came in between, the rest
is worked out again against what is stored, so no id is taken twice and no show is stored twice."""

from __future__ import annotations

import dataclasses
from functools import partial

from bot.db.database import Database
from bot.db.shows import ShowStore
from bot.domain.models import CastMember, Show, ShowSource

TITLES = "SELECT id, title, year, source FROM shows ORDER BY id"


def drama(n: int, **changes: object) -> Show:
    show = Show(
        title=f"Harbour Lights {n}",
        native_title=f"항구의 불빛 {n}",
        year=2010 + n,
        cast=(CastMember(f"Actor {n}", f"Keeper {n}"),),
        source=ShowSource.IMPORTED,
    )
    return dataclasses.replace(show, **changes)


async def stored(db: Database) -> list[tuple[object, ...]]:
    return [tuple(row) for row in await db.fetchall(TITLES)]


async def test_a_plan_written_as_planned_gives_the_index_exactly_what_the_database_then_holds(db):
    store = ShowStore(db)
    await store.merge([drama(0), drama(1, source=ShowSource.BUNDLED, catalog_key="harbour-lights-1")])
    shows = [
        drama(2),
        drama(0, status="Ended"),  # an update of a stored show: its names move to where this chunk writes them
        drama(3),
        drama(2, network="tvN"),  # met again two chunks later: stored once, with the later chunk's names
        drama(4),
        drama(1, source=ShowSource.BUNDLED, catalog_key="harbour-lights-1", status="Ended"),
    ]

    plan = await store.plan_merge(shows, chunk_size=2)
    before = await store.index_rows()
    counts = await store.write_merge(plan)

    assert plan.held
    assert (counts.added, counts.updated) == (3, 3)
    assert plan.index_rows(*before) == await store.index_rows()
    assert [row[1] for row in await stored(db)] == [f"Harbour Lights {n}" for n in range(5)]
    assert await store.generation() == plan.generation


async def test_a_plan_made_before_another_writer_stored_shows_is_worked_out_again(db, tmp_path):
    store = ShowStore(db)
    await store.merge([drama(0)])
    plan = await store.plan_merge([drama(1), drama(2), drama(3)], chunk_size=2)
    # Another process (a running bot fetching from TVmaze) stores a show that takes the id planned for drama 1,
    # and the same show as drama 3 (same title, same year).
    other = await Database.open(tmp_path / "test.db")
    try:
        await ShowStore(other).add_many([drama(9, source=ShowSource.TVMAZE, tvmaze_id=99), drama(3, tvmaze_id=3)])
    finally:
        await other.close()

    counts = await store.write_merge(plan)

    assert not plan.held
    assert (counts.added, counts.updated) == (2, 1)
    titles = [row[1] for row in await stored(db)]
    assert sorted(titles) == sorted(f"Harbour Lights {n}" for n in (0, 1, 2, 3, 9))
    assert (await store.by_tvmaze_id(99)).title == "Harbour Lights 9"
    assert (await store.by_tvmaze_id(3)).title == "Harbour Lights 3", "drama 3 updated in place, its link kept"
    rows, labels, _ = await store.index_rows()
    assert {row[0] for row in rows} == set(labels)
    assert len(labels) == 5


async def test_a_writer_between_two_chunks_has_the_later_chunks_worked_out_again(db, tmp_path):
    store = ShowStore(db)
    plan = await store.plan_merge([drama(1), drama(2), drama(3), drama(4)], chunk_size=2)
    await db.run_atomic(partial(plan.write_chunk, 0))
    other = await Database.open(tmp_path / "test.db")
    try:
        await ShowStore(other).add_many([drama(4, tvmaze_id=4), drama(8)])  # drama 4 again, and a new show
    finally:
        await other.close()

    await db.run_atomic(partial(plan.write_chunk, 1))

    assert not plan.held
    counts = plan.counts()
    assert (counts.added, counts.updated) == (3, 1)
    rows = await stored(db)
    assert sorted(row[1] for row in rows) == sorted(f"Harbour Lights {n}" for n in (1, 2, 3, 4, 8))
    assert len({row[0] for row in rows}) == 5
