"""ShowStore.link_tvmaze: a catalogue show linked to its TVmaze record, how it was decided, and conflicts."""

import dataclasses
import datetime as dt

import pytest

from bot.db.shows import ShowStore
from bot.domain.errors import TvmazeLinkTakenError
from bot.domain.models import Episode, SeasonInfo, Show

SEED = Show(title="The Trauma Code: Heroes On Call", year=2025, platform="Netflix", seasons=(SeasonInfo(1, 8),))
OTHER = Show(title="Golden Hour Ward", year=2025, catalog_key="golden-hour-ward")


async def test_a_link_is_stored_with_how_it_was_decided_and_survives_a_bundled_merge(db):
    store = ShowStore(db)
    show_id = await store.add(dataclasses.replace(SEED, catalog_key="the-trauma-code"))
    linked = await store.link_tvmaze(show_id, 900101, "matched", "title, year, network or platform")

    assert linked is not None
    assert linked.tvmaze_id == 900101
    assert (await store.get(show_id)).tvmaze_id == 900101
    assert await store.tvmaze_link(show_id) == (900101, "matched", "title, year, network or platform")
    # The bundled file brings the same show again without a TVmaze id: the link stays.
    await store.merge([dataclasses.replace(SEED, catalog_key="the-trauma-code", genres=("Medical",))])
    assert (await store.get(show_id)).tvmaze_id == 900101


async def test_correcting_a_link_drops_the_old_records_episodes(db):
    store = ShowStore(db)
    show_id = await store.add(SEED)
    await store.link_tvmaze(show_id, 1, "matched", "title")
    await store.save_episodes(show_id, [Episode(1, 1, airdate=dt.date(2025, 1, 24))])
    await store.link_tvmaze(show_id, 2, "manual", "by 42")
    assert await store.episodes(show_id) == []
    assert await store.tvmaze_link(show_id) == (2, "manual", "by 42")


async def test_a_tvmaze_id_another_show_holds_is_refused(db):
    store = ShowStore(db)
    first = await store.add(SEED)
    second = await store.add(OTHER)
    await store.link_tvmaze(first, 7, "manual", "by 1")
    with pytest.raises(TvmazeLinkTakenError, match="already linked to “The Trauma Code"):
        await store.link_tvmaze(second, 7, "manual", "by 1")
    assert (await store.get(second)).tvmaze_id is None


async def test_linking_a_missing_show_is_none(db):
    assert await ShowStore(db).link_tvmaze(404, 7, "manual", "by 1") is None


async def test_a_show_is_found_by_its_tvmaze_id(db):
    store = ShowStore(db)
    show_id = await store.add(SEED)
    assert await store.by_tvmaze_id(900101) is None
    await store.link_tvmaze(show_id, 900101, "manual", "by 1")
    assert (await store.by_tvmaze_id(900101)).id == show_id
