"""The database's JSON column keeps every field of a show under its own name, each set to a value no other has."""

import dataclasses
import datetime as dt
import json

from bot.domain.models import CastMember, SeasonInfo, Show, ShowSource, SourceWork
from bot.domain.show_schema import (
    CastRecord,
    SeasonRecord,
    ShowRecord,
    SourceWorkRecord,
    decode_stored,
    encode_stored,
    show_from_record,
    stored_from_show,
)

EVERY_FIELD = Show(
    title="Signal",
    id=7,
    native_title="시그널",
    aliases=("Sig",),
    year=2016,
    country="KR",
    network="tvN",
    platform="Netflix",
    seasons=(SeasonInfo(1, 16, dt.date(2016, 1, 22)),),
    status="Ended",
    genres=("Thriller",),
    directors=("Kim Won Seok",),
    writers=("Kim Eun Hee",),
    cast=(CastMember("Lee Je Hoon", "Park Hae Young", ("Detective",)),),
    based_on=(SourceWork("true story", "Hwaseong murders", "police files"),),
    summary="A walkie-talkie connects two detectives.",
    poster_url="https://static.tvmaze.com/poster.jpg",
    source=ShowSource.TVMAZE,
    source_url="https://www.tvmaze.com/shows/1",
    catalog_key="signal",
    tvmaze_id=4242,
)


def test_every_field_of_a_show_comes_back_from_its_column():
    assert decode_stored(encode_stored(EVERY_FIELD), 7) == EVERY_FIELD


def test_the_column_names_each_field_as_the_catalogue_file_does():
    stored = json.loads(encode_stored(EVERY_FIELD))

    assert stored["key"] == "signal"
    assert stored["seasons"] == [{"number": 1, "episodes": 16, "premiere_date": "2016-01-22"}]
    assert stored["cast"] == [{"actor": "Lee Je Hoon", "character": "Park Hae Young", "nicknames": ["Detective"]}]
    assert (stored["summary"], stored["poster_url"], stored["source_url"]) == (
        EVERY_FIELD.summary,
        EVERY_FIELD.poster_url,
        EVERY_FIELD.source_url,
    )
    assert (stored["source"], stored["tvmaze_id"]) == ("tvmaze", 4242)


def test_a_source_given_as_text_is_stored_as_that_source():
    show = Show(title="Signal", source="import")  # type: ignore[arg-type]

    assert json.loads(encode_stored(show))["source"] == "import"
    assert decode_stored(encode_stored(show), 1).source is ShowSource.IMPORTED


def test_a_catalogue_record_is_a_bundled_show_with_nothing_only_the_bot_fills_in():
    record = ShowRecord(
        title="Signal",
        key="signal",
        native_title="시그널",
        aliases=["Sig"],
        year=2016,
        country="KR",
        network="tvN",
        platform="Netflix",
        seasons=[SeasonRecord(1, 16, dt.date(2016, 1, 22))],
        status="Ended",
        genres=["Thriller"],
        directors=["Kim Won Seok"],
        writers=["Kim Eun Hee"],
        cast=[CastRecord("Lee Je Hoon", "Park Hae Young", ["Detective"])],
        based_on=[SourceWorkRecord("true story", "Hwaseong murders", "police files")],
    )

    show = show_from_record(record, id=7)

    assert show == dataclasses.replace(
        EVERY_FIELD, summary=None, poster_url=None, source=ShowSource.BUNDLED, source_url=None, tvmaze_id=None
    )
    assert show.source is ShowSource.BUNDLED
    assert (show.summary, show.poster_url, show.source_url, show.tvmaze_id) == (None, None, None, None)


def test_a_record_with_only_a_title_has_every_other_field_empty():
    show = show_from_record(ShowRecord(title="Signal"), id=3)

    assert show == Show(title="Signal", id=3)
    assert json.loads(encode_stored(show)) == {"title": "Signal"}  # a bundled show: every field at its default


def test_the_stored_form_keeps_the_source_as_the_enum_even_when_given_as_text():
    assert stored_from_show(Show(title="Signal", source="tvmaze")).source is ShowSource.TVMAZE  # type: ignore[arg-type]
    assert stored_from_show(EVERY_FIELD).source is ShowSource.TVMAZE


def test_a_column_written_by_a_newer_build_reads_with_the_unknown_field_ignored():
    column = json.dumps({"title": "Signal", "source": "import", "rating": 9.1, "tvmaze_id": 5})

    assert decode_stored(column.encode("utf-8"), 11) == Show(
        title="Signal", id=11, source=ShowSource.IMPORTED, tvmaze_id=5
    )
