"""The declared shape of a show record: what the catalogue file holds and what the database's JSON column stores.

One schema for both. ``ShowRecord`` is a record as people write it (the bundled ``catalog.json``, a JSON import);
``StoredShow`` adds what only the bot fills in (TVmaze's id, summary, poster, where the record came from). msgspec
checks names, nesting and types in C and encodes the column. The limits below are the rules a file must meet on top
(the catalogue reader checks them with messages that say what to fix); stored TVmaze records are not held to them.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal, get_args

import msgspec

from bot.domain.models import CastMember, SeasonInfo, Show, ShowSource, SourceWork

MIN_YEAR: Final = 1950
MAX_YEAR: Final = 2100
MAX_TEXT: Final = 200
MAX_KEY: Final = 80
MAX_EPISODES: Final = 5000
# TVmaze numbers some shows' seasons by year, so season numbers are not small.
MAX_SEASON_NUMBER: Final = 9999
KEY_PATTERN: Final = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
COUNTRY_PATTERN: Final = r"^[A-Z]{2}$"
LIST_LIMITS: Final = {
    "aliases": 50,
    "genres": 20,
    "directors": 20,
    "writers": 40,
    "seasons": 200,
    "cast": 200,
    "nicknames": 10,
    "based_on": 10,
}

BasedOnKind = Literal[
    "novel", "web novel", "webtoon", "manga", "comic", "book", "film", "tv series", "play", "game", "true story"
]
# TVmaze's vocabulary, so catalogue and TVmaze shows compare equal.
ShowStatus = Literal["Running", "Ended", "To Be Determined", "In Development"]
BASED_ON_KINDS: Final = frozenset(get_args(BasedOnKind))
SHOW_STATUSES: Final = frozenset(get_args(ShowStatus))


class SeasonRecord(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    number: int
    episodes: int | None = None
    premiere_date: dt.date | None = None


class CastRecord(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    actor: str
    character: str | None = None
    nicknames: list[str] = []


class SourceWorkRecord(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    kind: str
    title: str | None = None
    creator: str | None = None


class ShowRecord(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """A show as the catalogue file (and a JSON import) writes it."""

    title: str
    key: str | None = None
    native_title: str | None = None
    aliases: list[str] = []
    year: int | None = None
    country: str | None = None
    network: str | None = None
    platform: str | None = None
    seasons: list[SeasonRecord] = []
    status: str | None = None
    genres: list[str] = []
    directors: list[str] = []
    writers: list[str] = []
    cast: list[CastRecord] = []
    based_on: list[SourceWorkRecord] = []


class StoredShow(ShowRecord, forbid_unknown_fields=False):
    """A show as the database's JSON column keeps it: the record plus what the bot itself learnt.

    Unknown fields are ignored here (not refused): a newer build may have stored more than this one reads.
    """

    summary: str | None = None
    poster_url: str | None = None
    source: ShowSource = ShowSource.BUNDLED
    source_url: str | None = None
    tvmaze_id: int | None = None


SHOW_FIELDS: Final = ShowRecord.__struct_fields__
SEASON_FIELDS: Final = SeasonRecord.__struct_fields__
CAST_FIELDS: Final = CastRecord.__struct_fields__
SOURCE_FIELDS: Final = SourceWorkRecord.__struct_fields__

_ENCODER: Final = msgspec.json.Encoder()
_STORED_DECODER: Final = msgspec.json.Decoder(StoredShow)


def show_from_record(record: ShowRecord, **extra: object) -> Show:
    """The ``Show`` a record describes; ``extra`` sets the model fields the record does not carry (the id)."""
    stored = record if isinstance(record, StoredShow) else None
    return Show(
        title=record.title,
        native_title=record.native_title,
        aliases=tuple(record.aliases),
        year=record.year,
        country=record.country,
        network=record.network,
        platform=record.platform,
        seasons=tuple(SeasonInfo(s.number, s.episodes, s.premiere_date) for s in record.seasons),
        status=record.status,
        genres=tuple(record.genres),
        directors=tuple(record.directors),
        writers=tuple(record.writers),
        cast=tuple(CastMember(c.actor, c.character, tuple(c.nicknames)) for c in record.cast),
        based_on=tuple(SourceWork(b.kind, b.title, b.creator) for b in record.based_on),
        catalog_key=record.key,
        summary=stored.summary if stored else None,
        poster_url=stored.poster_url if stored else None,
        source=stored.source if stored else ShowSource.BUNDLED,
        source_url=stored.source_url if stored else None,
        tvmaze_id=stored.tvmaze_id if stored else None,
        **extra,  # type: ignore[arg-type]
    )


def stored_from_show(show: Show) -> StoredShow:
    # The models' own values go in unchecked: they were validated when read, or came from TVmaze's parser.
    # Positional, in the declared field order (ShowRecord's, then StoredShow's): an import encodes 100,000 of these.
    source = show.source
    return StoredShow(
        show.title,
        show.catalog_key,
        show.native_title,
        list(show.aliases),
        show.year,
        show.country,
        show.network,
        show.platform,
        [SeasonRecord(s.number, s.episode_count, s.premiere_date) for s in show.seasons],
        show.status,
        list(show.genres),
        list(show.directors),
        list(show.writers),
        [CastRecord(c.actor, c.character, list(c.nicknames)) for c in show.cast],
        [SourceWorkRecord(b.kind, b.title, b.creator) for b in show.based_on],
        show.summary,
        show.poster_url,
        # The type test only skips a call for the usual case: ShowSource(x) is x for a ShowSource.
        source if type(source) is ShowSource else ShowSource(source),  # pragma: no mutate
        show.source_url,
        show.tvmaze_id,
    )


def encode_stored(show: Show) -> str:
    """The database's JSON column for ``show``."""
    return _ENCODER.encode(stored_from_show(show)).decode()  # UTF-8, as JSON is


def decode_stored(data: str | bytes, show_id: int) -> Show:
    """The ``Show`` a JSON column holds."""
    return show_from_record(_STORED_DECODER.decode(data), id=show_id)
