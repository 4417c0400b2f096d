"""The 437 real K-drama rows of ../shared/realdata-kdrama (read from there, never copied here): each show once."""

from collections import Counter
from pathlib import Path

import pytest

from bot.db.meta import MetaStore
from bot.db.shows import ShowStore
from bot.domain.text import normalize
from bot.lookup import ShowLookup
from bot.providers.catalog import parse_import

REAL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata-kdrama" / "realdata.csv"

pytestmark = pytest.mark.skipif(not REAL_DATA.is_file(), reason=f"the shared real data is not at {REAL_DATA}")


async def labels_twice(store: ShowStore) -> list[tuple[str, int | None]]:
    rows = await store.db.fetchall("SELECT title, year FROM shows")
    counts = Counter((normalize(r[0]), r[1]) for r in rows)
    return [label for label, n in counts.items() if n > 1]


@pytest.mark.parametrize("bundled_first", [True, False])
async def test_real_shows_appear_once_whatever_was_stored_first(db, catalog, bundled_first):
    store = ShowStore(db)
    lookup = ShowLookup(store, MetaStore(db), catalog, refresh_seconds=None)
    result = parse_import(REAL_DATA)
    assert (len(result.shows), result.rejected) == (437, 0)
    if bundled_first:
        await lookup.store_bundled()
    await store.merge(result.shows)
    await lookup.start()  # stores the bundled file when it was not yet
    assert await labels_twice(store) == []
    # Bundled shows the file also lists (Crash Landing on You, Signal, ...) are stored once, as imported.
    assert sum((await store.count_by_source()).values()) == 453
    counts = await store.merge(parse_import(REAL_DATA).shows)
    assert (counts.added, counts.updated) == (0, 437)
    labels = [h.label for h in lookup.search("crash landing on you", 10)]
    assert labels.count("Crash Landing on You (2019)") == 1
