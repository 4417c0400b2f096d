"""Typed records the whole bot passes around: shows, seasons, episodes, cast, source material."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class ShowSource(StrEnum):
    """Where a stored show came from; the values are what the database's ``shows.source`` column holds."""

    BUNDLED = "catalog"
    IMPORTED = "import"
    TVMAZE = "tvmaze"


@dataclass(frozen=True, slots=True)
class CastMember:
    """An actor and the character they play; nicknames are what other characters call them."""

    actor: str
    character: str | None = None
    nicknames: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceWork:
    """Source material a show is based on (``kind``: "web novel", "webtoon", "novel", ...)."""

    kind: str
    title: str | None = None
    creator: str | None = None


@dataclass(frozen=True, slots=True)
class SeasonInfo:
    """One season; ``episode_count`` is None while a season is announced but not yet listed."""

    number: int
    episode_count: int | None = None
    premiere_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Episode:
    """One episode; ``airstamp`` is aware (UTC) or None when the time is unknown."""

    season: int
    number: int
    name: str | None = None
    airdate: dt.date | None = None
    airstamp: dt.datetime | None = None
    runtime: int | None = None


@dataclass(frozen=True, slots=True)
class Show:
    """A drama as the bot knows it, from the bundled catalogue, an import, or TVmaze.

    ``id`` is the database id (0 until stored). Empty fields mean "not known", never a guess.
    """

    title: str
    id: int = 0
    native_title: str | None = None
    aliases: tuple[str, ...] = ()
    year: int | None = None
    country: str | None = None
    network: str | None = None
    platform: str | None = None
    seasons: tuple[SeasonInfo, ...] = ()
    status: str | None = None
    genres: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    writers: tuple[str, ...] = ()
    cast: tuple[CastMember, ...] = ()
    based_on: tuple[SourceWork, ...] = ()
    summary: str | None = None
    poster_url: str | None = None
    source: ShowSource = ShowSource.BUNDLED
    source_url: str | None = None
    catalog_key: str | None = None
    tvmaze_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def episode_count(self) -> int | None:
        """All regular episodes over every season, or None when any season's count is unknown."""
        if not self.seasons or any(s.episode_count is None for s in self.seasons):
            return None
        return sum(s.episode_count or 0 for s in self.seasons)

    def season(self, number: int) -> SeasonInfo | None:
        return next((s for s in self.seasons if s.number == number), None)

    def search_names(self) -> list[tuple[str, str]]:
        """Every name this show can be found by, as ``(kind, name)`` pairs, titles first."""
        names: list[tuple[str, str]] = [("title", self.title)]
        if self.native_title:
            names.append(("native", self.native_title))
        names.extend(("alias", a) for a in self.aliases)
        for member in self.cast:
            names.append(("cast", member.actor))
            if member.character:
                names.append(("character", member.character))
            names.extend(("nickname", n) for n in member.nicknames)
        return names
