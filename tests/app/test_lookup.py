"""Show lookup against the loopback fake TVmaze: a result is stored so the next lookup stays local."""

import pytest

from bot.db.meta import MetaStore
from bot.db.shows import ShowStore
from bot.domain.errors import RemoteUnavailableError
from bot.domain.ranking import show_label
from bot.domain.search import SearchIndex
from bot.lookup import IndexStart, ShowLookup
from bot.providers.tvmaze import TvmazeSource
from tests.fakes.tvmaze import FakeClock, FakeTvmaze


@pytest.fixture
async def online(db, catalog):
    async with FakeTvmaze() as fake, TvmazeSource(fake.url, clock=FakeClock(autojump=True)) as remote:
        lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, remote)
        await lookup.start()
        yield lookup, fake


async def test_a_tvmaze_result_is_stored_and_the_second_lookup_makes_no_request(online):
    lookup, fake = online
    show = await lookup.resolve("Golden Hour Ward")
    assert show.source == "tvmaze"
    assert show.source_url
    assert show.platform == "Netflix"
    assert show.seasons, "the full record (seasons) is fetched once"
    made = len(fake.requests)
    assert made >= 2

    again = await lookup.resolve("Golden Hour Ward")
    assert again.id == show.id
    assert len(fake.requests) == made
    assert lookup.search("golden hour")[0].label.startswith("Golden Hour Ward")


async def test_local_titles_never_reach_tvmaze(online):
    lookup, fake = online
    show = await lookup.resolve("중증외상센터")
    assert show.title == "The Trauma Code: Heroes On Call"
    assert fake.requests == []


async def test_tvmaze_down_still_answers_from_local_data(online):
    lookup, fake = online
    fake.fail_always(500)
    with pytest.raises(RemoteUnavailableError):
        await lookup.resolve("Golden Hour Ward")
    assert (await lookup.resolve("The Trauma Code")).title == "The Trauma Code: Heroes On Call"


async def test_episodes_come_from_tvmaze_once_then_from_the_database(online):
    lookup, fake = online
    show = await lookup.resolve("Golden Hour Ward")
    first = await lookup.episodes(show)
    assert len(first) == 8
    made = len(fake.requests)
    assert await lookup.episodes(show) == first
    assert len(fake.requests) == made


async def test_an_updated_show_is_served_fresh_not_from_the_recent_cache(db, catalog):
    import dataclasses

    lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog)
    await lookup.start()
    show = await lookup.resolve("Goblin")
    assert (await lookup.get(show.id)).status is None
    await lookup.add_shows([dataclasses.replace(show, status="Ended")])
    assert (await lookup.get(show.id)).status == "Ended"
    assert (await lookup.resolve("Goblin")).status == "Ended"


async def start_lookup(db, catalog, caplog):
    lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, snapshot_min_shows=1)
    caplog.clear()
    with caplog.at_level("INFO", logger="bot.lookup"):
        await lookup.start()
        await lookup.close()  # the index is saved after start-up; wait for it
    return lookup, lookup.started_by


async def test_a_saved_index_is_loaded_on_the_next_start_and_answers_the_same(db, catalog, caplog):
    first, how = await start_lookup(db, catalog, caplog)
    assert how is IndexStart.BUILT
    second, how = await start_lookup(db, catalog, caplog)
    assert how is IndexStart.LOADED
    for query in ("trauma", "ㅈㅈㅇㅅ", "Gangster", "Truama Code", "도깨비"):
        assert second.search(query, 10) == first.search(query, 10)


async def test_shows_written_after_the_saved_index_are_replayed_on_the_next_start(db, catalog, caplog):
    import dataclasses

    first, _ = await start_lookup(db, catalog, caplog)
    show = await first.resolve("Goblin")
    await first.add_shows([dataclasses.replace(show, id=0, catalog_key="new-one", title="Entirely New Drama")])
    await first.add_shows([dataclasses.replace(show, title="Goblin Renamed")])
    second, how = await start_lookup(db, catalog, caplog)
    assert how is IndexStart.REPLAYED
    assert second.replayed == 2
    assert second.search("entirely new", 1)[0].label.startswith("Entirely New Drama")
    assert second.search("goblin renamed", 1)[0].show_id == show.id
    # Exactly what a fresh build from the database answers.
    rows, labels, popularity = await first.store.index_rows()
    fresh = SearchIndex.build(rows, labels, popularity)
    for query in ("goblin", "guardian", "entirely", "trauma", "ㅈㅈㅇㅅ", "도깨비", "Gong Yoo"):
        assert [(h.show_id, h.tier, h.matched) for h in second.search(query, 10)] == [
            (h.show_id, h.tier, h.matched) for h in fresh.search(query, 10)
        ], query


async def test_an_unreadable_saved_index_is_rebuilt(db, catalog, caplog):
    await start_lookup(db, catalog, caplog)
    await db.conn.execute("UPDATE search_snapshot SET data = x'00ff'")
    lookup, how = await start_lookup(db, catalog, caplog)
    assert how is IndexStart.BUILT
    assert "unreadable" in caplog.text
    assert lookup.search("trauma", 1)[0].label.startswith("The Trauma Code")


def imported_show(n: int):
    from bot.domain.models import Show, ShowSource

    return Show(title=f"Imported Drama {n}", year=2024, source=ShowSource.IMPORTED, catalog_key=f"import-drama-{n}")


@pytest.mark.parametrize("count", [3, 1200])  # folded into the live index / a new index built off the event loop
async def test_a_running_lookup_sees_shows_another_process_imported_after_a_refresh(db, catalog, count):
    lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, refresh_seconds=None)
    await lookup.start()
    before = len(lookup.index)
    # What `catalog import` does from its own process: write through its own store, in chunks.
    await ShowStore(db).merge([imported_show(n) for n in range(count)], chunk_size=500)
    assert lookup.search("imported drama 2", 1) == []
    assert await lookup.refresh() == count
    assert len(lookup.index) == before + count
    assert lookup.search(f"imported drama {count - 1}", 1)[0].label == f"Imported Drama {count - 1} (2024)"
    assert lookup.search("trauma", 1)[0].label.startswith("The Trauma Code")
    assert await lookup.refresh() == 0


async def test_a_refresh_serves_an_imported_correction_not_the_remembered_show(db, catalog):
    import dataclasses

    lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, refresh_seconds=None)
    await lookup.start()
    goblin = await lookup.resolve("Goblin")
    from bot.domain.models import ShowSource

    await ShowStore(db).merge([dataclasses.replace(goblin, id=0, source=ShowSource.IMPORTED, status="Ended")])
    await lookup.refresh()
    assert (await lookup.resolve("Goblin")).status == "Ended"


async def test_an_import_made_before_the_first_start_survives_the_bundled_catalogue(db, catalog):
    import dataclasses

    from bot.domain.models import ShowSource

    seed = next(s for s in catalog.shows if s.native_title == "중증외상센터")
    correction = dataclasses.replace(seed, source=ShowSource.IMPORTED, catalog_key=None, platform="Disney+")
    await ShowStore(db).merge([correction])
    lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, refresh_seconds=None)
    await lookup.start()
    show = await lookup.resolve("중증외상센터")
    assert (show.platform, show.source) == ("Disney+", "import")
    assert [h.label for h in lookup.search("trauma code", 10)].count(show_label(seed.title, seed.year)) == 1
