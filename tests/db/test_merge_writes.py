"""What a bulk merge writes: the same names, in the same order, as storing the shows one by one, however many names
a chunk has; and the connection's checkpointing as it was, once the merge is over."""

import pytest

from bot.db.database import Database
from bot.db.merge import NAMES_PER_STATEMENT
from bot.db.shows import ShowStore
from bot.domain.models import CastMember, Show, ShowSource

NAMES = "SELECT show_id, kind, name, norm FROM show_names ORDER BY rowid"


def show(number: int, cast_size: int) -> Show:
    """A show with ``cast_size`` cast members, one of them with a character and a nickname."""
    cast = tuple(CastMember(f"Actor {number} {i}") for i in range(cast_size))
    if cast:
        cast = (CastMember(cast[0].actor, "The Lead", ("Boss",)), *cast[1:])
    return Show(
        title=f"Harbour Lights {number}",
        native_title=f"항구의 불빛 {number}",
        year=2000 + number % 20,
        cast=cast,
        source=ShowSource.IMPORTED,
        catalog_key=f"import-harbour-lights-{number}",
    )


# Chunks whose names end just short of, exactly at and just past a full INSERT, and several INSERTs' worth.
@pytest.mark.parametrize(
    "cast_sizes",
    [
        [NAMES_PER_STATEMENT - 5],  # with title, native title, the lead's character and nickname: one short
        [NAMES_PER_STATEMENT - 4],
        [NAMES_PER_STATEMENT - 3],
        [0, 3, 150, 150, 150, 7],
    ],
)
async def test_a_bulk_merge_writes_the_names_that_storing_one_by_one_writes(tmp_path, cast_sizes):
    shows = [show(n, size) for n, size in enumerate(cast_sizes)]
    one_by_one = await Database.open(tmp_path / "rows.db")
    bulk = await Database.open(tmp_path / "bulk.db")
    try:
        await ShowStore(one_by_one).add_many(shows)
        counts = await ShowStore(bulk).merge(shows, chunk_size=4)

        expected = [tuple(row) for row in await one_by_one.fetchall(NAMES)]
        written = [tuple(row) for row in await bulk.fetchall(NAMES)]
    finally:
        await one_by_one.close()
        await bulk.close()
    assert counts.added == len(shows)
    assert written == expected
    assert len(written) == sum(cast_sizes) + sum(4 if size else 2 for size in cast_sizes)


async def test_a_merge_of_many_chunks_leaves_checkpointing_as_it_found_it(db):
    before = await db.pragma("wal_autocheckpoint")

    await ShowStore(db).merge([show(n, 2) for n in range(30)], chunk_size=10)

    assert await db.pragma("wal_autocheckpoint") == before
    assert await db.fetchval("SELECT COUNT(*) FROM shows") == 30
