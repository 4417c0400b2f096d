import dataclasses
import datetime as dt

from bot.db.shows import ShowStore
from bot.domain.models import CastMember, Episode, SeasonInfo, Show, SourceWork

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
