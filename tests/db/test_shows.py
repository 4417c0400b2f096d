import dataclasses
import datetime as dt

import pytest

from bot.db.shows import ShowStore
from bot.domain.models import CastMember, Episode, SeasonInfo, Show, ShowSource, SourceWork

SEED = Show(
    title="The Trauma Code: Heroes On Call",
    native_title="중증외상센터",
    aliases=("The Trauma Code",),
    year=2025,
    platform="Netflix",
    seasons=(SeasonInfo(1, 8),),
    genres=("Medical Drama",),
    directors=("Lee Do Yoon",),
    cast=(CastMember("Ju Ji Hoon", "Baek Kang Hyuk"), CastMember("Ha Young", "Cheon Jang Mi", ("Gangster",))),
    based_on=(SourceWork("web novel", "Severe Trauma Center: Golden Hour", "Han San"),),
    catalog_key="the-trauma-code",
)


async def test_a_show_round_trips_with_every_field(db):
    store = ShowStore(db)
    show_id = await store.add(SEED)
    loaded = await store.get(show_id)
    assert loaded is not None
    assert loaded.id == show_id
    assert loaded == dataclasses.replace(SEED, id=show_id)


async def test_adding_again_by_catalogue_key_updates_in_place(db):
    store = ShowStore(db)
    first = await store.add(SEED)
    changed = dataclasses.replace(SEED, status="Ended")
    second = await store.add(changed)
    assert first == second
    assert (await store.get(first)).status == "Ended"
    assert await store.count_by_source() == {"catalog": 1}
    rows, labels, _ = await store.index_rows()
    assert labels == {first: "The Trauma Code: Heroes On Call (2025)"}
    # names are replaced, not duplicated
    assert len(rows) == len(SEED.search_names())


async def test_index_rows_carry_normalised_names(db):
    store = ShowStore(db)
    show_id = await store.add(SEED)
    rows, _, popularity = await store.index_rows()
    by_name = {name: (sid, kind, norm) for sid, kind, name, norm in rows}
    assert by_name["Gangster"] == (show_id, "nickname", "gangster")
    assert by_name["중증외상센터"][1] == "native"
    assert popularity[show_id] > 0


async def test_episodes_are_stored_with_aware_times(db):
    store = ShowStore(db)
    show_id = await store.add(SEED)
    stamp = dt.datetime(2025, 1, 24, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    await store.save_episodes(show_id, [Episode(1, 1, "Pilot", dt.date(2025, 1, 24), stamp, 60), Episode(1, 2)])
    episodes = await store.episodes(show_id)
    assert [e.number for e in episodes] == [1, 2]
    assert episodes[0].airstamp == stamp
    assert episodes[0].airstamp.tzinfo is not None
    assert await store.episodes(show_id, season=2) == []


async def test_every_change_to_shows_moves_the_generation(db):
    store = ShowStore(db)
    assert await store.generation() == 0
    await store.add(SEED)
    assert await store.generation() == 1
    await store.add_many([dataclasses.replace(SEED, status="Ended")])
    assert await store.generation() == 2


async def test_a_snapshot_is_served_with_its_generation_for_its_format_only(db):
    store = ShowStore(db)
    assert await store.load_snapshot(1) is None
    await store.save_snapshot(3, 1, b"index bytes")
    assert await store.load_snapshot(1) == (3, b"index bytes")
    assert await store.load_snapshot(2) is None
    await store.save_snapshot(4, 1, b"newer")
    assert await store.load_snapshot(1) == (4, b"newer")


async def test_index_rows_since_a_generation_hold_only_the_shows_written_after_it(db):
    store = ShowStore(db)
    first = await store.add(SEED)
    generation = await store.generation()
    second = await store.add(dataclasses.replace(SEED, catalog_key="other", title="Other Drama", native_title=None))
    rows, labels, _ = await store.index_rows(changed_since=generation)
    assert set(labels) == {second}
    assert {row[0] for row in rows} == {second}
    assert first not in labels
    rows, labels, _ = await store.index_rows(changed_since=await store.generation())
    assert (rows, labels) == ([], {})


# -- merge: precedence, the same show updated in place, chunks ---------------------------------------------------

BUNDLED = dataclasses.replace(SEED, source=ShowSource.BUNDLED)


def imported(**changes) -> Show:
    return dataclasses.replace(
        SEED, **{"source": ShowSource.IMPORTED, "catalog_key": "import-the-trauma-code", **changes}
    )


async def stored_shows(store: ShowStore) -> list[Show]:
    rows = await store.db.fetchall("SELECT id FROM shows ORDER BY id")
    return [await store.get(r[0]) for r in rows]


async def test_an_import_of_a_bundled_show_updates_it_and_the_bundled_file_then_leaves_it_alone(db):
    store = ShowStore(db)
    await store.merge([BUNDLED])
    counts = await store.merge([imported(status="Ended", network="JTBC")])
    assert (counts.added, counts.updated) == (0, 1)
    # The next start stores the bundled file again (say it changed): the admin's correction stays.
    counts = await store.merge([dataclasses.replace(BUNDLED, platform="Netflix Korea")])
    assert (counts.added, counts.updated, counts.kept) == (0, 0, 1)
    [show] = await stored_shows(store)
    assert (show.source, show.status, show.network, show.platform) == ("import", "Ended", "JTBC", "Netflix")
    # The bundled key stays on the record, so the bundled file keeps recognising it.
    assert show.catalog_key == SEED.catalog_key


async def test_on_a_fresh_database_an_import_made_before_the_first_start_is_not_overwritten(db):
    store = ShowStore(db)
    await store.merge([imported(status="Ended")])
    counts = await store.merge(
        [BUNDLED, dataclasses.replace(BUNDLED, catalog_key="goblin", title="Goblin", native_title=None)]
    )
    assert (counts.added, counts.kept) == (1, 1)
    shows = {s.title: s for s in await stored_shows(store)}
    assert shows[SEED.title].source == "import"
    assert shows[SEED.title].status == "Ended"
    assert shows["Goblin"].source == "catalog"


async def test_a_tvmaze_record_is_never_replaced_by_the_bundled_file(db):
    store = ShowStore(db)
    tvmaze = dataclasses.replace(SEED, source=ShowSource.TVMAZE, catalog_key=None, tvmaze_id=77, summary="From TVmaze")
    await store.add(tvmaze)
    counts = await store.merge([BUNDLED])
    assert counts.kept == 1
    [show] = await stored_shows(store)
    assert (show.source, show.summary, show.tvmaze_id) == ("tvmaze", "From TVmaze", 77)


async def test_the_bundled_file_updates_its_own_records(db):
    store = ShowStore(db)
    await store.merge([BUNDLED])
    counts = await store.merge([dataclasses.replace(BUNDLED, status="Ended")])
    assert (counts.added, counts.updated) == (0, 1)
    [show] = await stored_shows(store)
    assert show.status == "Ended"


@pytest.mark.parametrize(
    "same",
    [
        {"title": "the trauma code:  HEROES on call"},  # the same title as search folds it
        {"title": "Golden Hour", "native_title": "중증외상센터"},  # renamed in English, same Hangul title and year
    ],
)
async def test_the_same_show_imported_again_is_updated_not_added(db, same):
    store = ShowStore(db)
    await store.merge([imported()])
    counts = await store.merge([imported(status="Ended", **same)])
    assert (counts.added, counts.updated) == (0, 1)
    [show] = await stored_shows(store)
    assert show.status == "Ended"
    rows, labels, _ = await store.index_rows()
    assert len(labels) == 1
    assert len(rows) == len(show.search_names())  # the old names are gone, not kept beside the new ones


@pytest.mark.parametrize(
    "other",
    [
        {"year": 2026},  # a remake or a second production: same titles, another year
        {"title": "Another Drama", "native_title": "중증외상센터", "year": None},  # a shared Hangul title, no year
    ],
)
async def test_a_different_show_is_added(db, other):
    store = ShowStore(db)
    await store.merge([imported()])
    counts = await store.merge([imported(**other)])
    assert counts.added == 1
    assert len(await stored_shows(store)) == 2


async def test_a_title_derived_key_of_an_earlier_import_does_not_make_another_show_the_same(db):
    store = ShowStore(db)
    await store.merge([imported(title="Signal", native_title=None, year=2016, catalog_key="import-signal")])
    counts = await store.merge([imported(title="Signal", native_title=None, year=2020, catalog_key="import-signal")])
    assert counts.added == 1
    shows = await stored_shows(store)
    assert [(s.year, s.catalog_key) for s in shows] == [(2016, "import-signal"), (2020, "import-signal-2")]


async def test_merge_writes_in_chunks_each_its_own_transaction(db):
    store = ShowStore(db)
    shows = [imported(title=f"Drama {i}", native_title=None, catalog_key=f"import-drama-{i}") for i in range(25)]
    before = await store.generation()
    counts = await store.merge(shows, chunk_size=10)
    assert counts.added == 25
    assert await store.generation() == before + 3
    generations = await db.fetchall("SELECT changed_gen, COUNT(*) FROM shows GROUP BY changed_gen ORDER BY 1")
    assert [tuple(r)[1] for r in generations] == [10, 10, 5]
    _, labels, _ = await store.index_rows()
    assert sorted(labels.values()) == sorted(f"Drama {i} (2025)" for i in range(25))


async def test_a_json_column_written_before_migration_3_reads_back_with_its_key(tmp_path):
    import json
    import sqlite3

    from bot.db.database import Database, bundled_migrations

    path = tmp_path / "old.db"
    old = await Database.open(path, bundled_migrations()[:2])
    data = {"title": "Signal", "year": 2016, "source": "catalog", "catalog_key": "signal", "seasons": []}
    await old.conn.execute(
        "INSERT INTO shows (source, catalog_key, title, year, data, updated_at) VALUES (?, ?, ?, ?, ?, '')",
        ("catalog", "signal", "Signal", 2016, json.dumps(data)),
    )
    await old.close()
    db = await Database.open(path)
    try:
        show = await ShowStore(db).get(1)
        assert (show.title, show.catalog_key, show.year) == ("Signal", "signal", 2016)
    finally:
        await db.close()
    with sqlite3.connect(path) as raw:
        assert "catalog_key" not in raw.execute("SELECT data FROM shows").fetchone()[0]
