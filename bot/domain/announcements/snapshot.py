"""What TVmaze said about a followed show at one fetch: the state announcements are diffed from.

Built from TVmaze's JSON by a strict parser: a field of the wrong type fails the whole record (and the poller
keeps the previous snapshot), because reading a malformed season list as "no seasons" would announce every
season again at the next good fetch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.sanitize import image_link, tvmaze_link


class SnapshotFormatError(ValueError):
    """A TVmaze record the snapshot cannot be built from (missing id, a field of the wrong type)."""


class ShowStatus(StrEnum):
    """TVmaze's show statuses."""

    RUNNING = "Running"
    ENDED = "Ended"
    TBD = "To Be Determined"
    IN_DEVELOPMENT = "In Development"


@dataclass(frozen=True, slots=True)
class SeasonSnapshot:
    """One season; an announced season has no episode order and no dates yet."""

    number: int
    episode_order: int | None = None
    premiere_date: dt.date | None = None
    end_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class EpisodeSnapshot:
    """One regular episode; ``airstamp`` is UTC, or None when only the day is known (a streaming release)."""

    season: int
    number: int
    name: str | None = None
    airdate: dt.date | None = None
    airstamp: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ShowSnapshot:
    """A followed show as TVmaze listed it at ``fetched_at`` (aware UTC).

    ``episodes`` is empty when they were not fetched; ``timezone`` is the broadcaster's IANA zone, the day a
    date-only release counts as "today" in (UTC when unknown).
    """

    tvmaze_id: int
    title: str
    fetched_at: dt.datetime
    status: ShowStatus | None = None
    seasons: tuple[SeasonSnapshot, ...] = ()
    episodes: tuple[EpisodeSnapshot, ...] = ()
    next_episode: EpisodeSnapshot | None = None
    updated: int | None = None
    url: str | None = None
    poster_url: str | None = None
    timezone: str | None = None

    def season(self, number: int) -> SeasonSnapshot | None:
        return next((s for s in self.seasons if s.number == number), None)

    @property
    def latest_season(self) -> int:
        return max((s.number for s in self.seasons), default=0)

    def known_episodes(self) -> tuple[EpisodeSnapshot, ...]:
        """The listed episodes plus the next episode when the list does not hold it, by season and number."""
        episodes = {(e.season, e.number): e for e in self.episodes}
        if self.next_episode is not None:
            episodes.setdefault((self.next_episode.season, self.next_episode.number), self.next_episode)
        return tuple(episodes[k] for k in sorted(episodes))


# -- from TVmaze's JSON -------------------------------------------------------------------------------------------


def snapshot_from_tvmaze(show: Any, fetched_at: dt.datetime, episodes: Sequence[Any] | None = None) -> ShowSnapshot:
    """A snapshot from ``/shows/{id}`` with ``embed[]=seasons`` and ``embed[]=nextepisode`` (and optionally
    ``embed[]=episodes``, or the ``/shows/{id}/episodes`` list as ``episodes``).

    Raises ``SnapshotFormatError`` when the record does not have TVmaze's shape.
    """
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be aware")
    record = _object(show, "show")
    tvmaze_id = _required_int(record, "id")
    title = _optional_str(record, "name")
    if not title:
        raise SnapshotFormatError(f"show {tvmaze_id} has no name")
    embedded = _optional_object(record, "_embedded") or {}
    if episodes is None and "episodes" in embedded:
        episodes = _list(embedded["episodes"], "_embedded.episodes")
    status_text = _optional_str(record, "status")
    next_raw = embedded.get("nextepisode")
    return ShowSnapshot(
        tvmaze_id=tvmaze_id,
        title=title,
        fetched_at=fetched_at.astimezone(dt.UTC),
        status=_status(status_text),
        seasons=_seasons(embedded.get("seasons")),
        episodes=tuple(e for e in (_episode(row) for row in episodes or ()) if e is not None),
        next_episode=_episode(next_raw) if next_raw is not None else None,
        updated=_optional_int(record, "updated"),
        # TVmaze's own links go into posts: only an https page on its site, and an https image, are kept.
        url=tvmaze_link(_optional_str(record, "url")),
        poster_url=_poster(record),
        timezone=_timezone(record),
    )


def _status(text: str | None) -> ShowStatus | None:
    # A status TVmaze adds later is unknown here: no transition is announced from or to it.
    try:
        # The guard is for the type checker: ShowStatus(None) raises ValueError too, so mutating it changes nothing.
        return ShowStatus(text) if text else None  # pragma: no mutate
    except ValueError:
        return None


def _seasons(raw: Any) -> tuple[SeasonSnapshot, ...]:
    if raw is None:
        return ()
    seasons: dict[int, SeasonSnapshot] = {}
    for row in _list(raw, "_embedded.seasons"):
        season = _object(row, "season")
        number = _required_int(season, "number")
        seasons[number] = SeasonSnapshot(
            number=number,
            episode_order=_optional_int(season, "episodeOrder"),
            premiere_date=_optional_date(season, "premiereDate"),
            end_date=_optional_date(season, "endDate"),
        )
    return tuple(seasons[n] for n in sorted(seasons))


def _episode(raw: Any) -> EpisodeSnapshot | None:
    row = _object(raw, "episode")
    # Specials have no number and are not announced.
    if row.get("number") is None or row.get("type") not in ("regular", None):
        return None
    airtime = _optional_str(row, "airtime")
    return EpisodeSnapshot(
        season=_required_int(row, "season"),
        number=_required_int(row, "number"),
        name=_optional_str(row, "name"),
        airdate=_optional_date(row, "airdate"),
        # An empty airtime means TVmaze does not know the hour: keep the day, never a made-up midnight.
        airstamp=_optional_instant(row, "airstamp") if airtime else None,
    )


def _poster(record: Mapping[str, Any]) -> str | None:
    image = _optional_object(record, "image")
    if image is None:
        return None
    return image_link(_optional_str(image, "original")) or image_link(_optional_str(image, "medium"))


def _timezone(record: Mapping[str, Any]) -> str | None:
    for key in ("network", "webChannel"):
        channel = _optional_object(record, key)
        country = _optional_object(channel, "country") if channel else None
        if country:
            return _optional_str(country, "timezone")
    return None


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SnapshotFormatError(f"a TVmaze {what} must be a JSON object, not {type(value).__name__}")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise SnapshotFormatError(f"{what} must be a JSON list, not {type(value).__name__}")
    return value


def _optional_object(record: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = record.get(key)
    return None if value is None else _object(value, key)


def _optional_int(record: Mapping[str, Any], key: str) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    # JSON true/false arrive as bool, which Python counts as int.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SnapshotFormatError(f"{key} must be an integer, not {value!r:.40}")
    return value


def _required_int(record: Mapping[str, Any], key: str) -> int:
    value = _optional_int(record, key)
    if value is None:
        raise SnapshotFormatError(f"{key} is missing")
    return value


def _optional_str(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SnapshotFormatError(f"{key} must be a string, not {value!r:.40}")
    return value.strip() or None


def _optional_date(record: Mapping[str, Any], key: str) -> dt.date | None:
    text = _optional_str(record, key)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SnapshotFormatError(f"{key} is not a date: {text!r:.40}") from None


def _optional_instant(record: Mapping[str, Any], key: str) -> dt.datetime | None:
    text = _optional_str(record, key)
    if text is None:
        return None
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SnapshotFormatError(f"{key} is not a time: {text!r:.40}") from None
    # Without an offset the stamp names no instant; guessing a zone would put the episode hours off.
    return stamp.astimezone(dt.UTC) if stamp.tzinfo is not None else None


# -- to and from the stored JSON ----------------------------------------------------------------------------------


def snapshot_to_dict(snapshot: ShowSnapshot) -> dict[str, Any]:
    return {
        "tvmaze_id": snapshot.tvmaze_id,
        "title": snapshot.title,
        "fetched_at": snapshot.fetched_at.astimezone(dt.UTC).isoformat(),
        "status": snapshot.status.value if snapshot.status else None,
        "seasons": [
            {
                "number": s.number,
                "episode_order": s.episode_order,
                "premiere_date": _iso(s.premiere_date),
                "end_date": _iso(s.end_date),
            }
            for s in snapshot.seasons
        ],
        "episodes": [_episode_to_dict(e) for e in snapshot.episodes],
        "next_episode": _episode_to_dict(snapshot.next_episode) if snapshot.next_episode else None,
        "updated": snapshot.updated,
        "url": snapshot.url,
        "poster_url": snapshot.poster_url,
        "timezone": snapshot.timezone,
    }


def snapshot_from_dict(data: Mapping[str, Any]) -> ShowSnapshot:
    next_episode = data.get("next_episode")
    return ShowSnapshot(
        tvmaze_id=int(data["tvmaze_id"]),
        title=str(data["title"]),
        fetched_at=dt.datetime.fromisoformat(data["fetched_at"]),
        status=ShowStatus(data["status"]) if data.get("status") else None,
        seasons=tuple(
            SeasonSnapshot(
                number=int(s["number"]),
                episode_order=s.get("episode_order"),
                premiere_date=_date(s.get("premiere_date")),
                end_date=_date(s.get("end_date")),
            )
            for s in data.get("seasons") or ()
        ),
        episodes=tuple(_episode_from_dict(e) for e in data.get("episodes") or ()),
        next_episode=_episode_from_dict(next_episode) if next_episode else None,
        updated=data.get("updated"),
        url=data.get("url"),
        poster_url=data.get("poster_url"),
        timezone=data.get("timezone"),
    )


def _episode_to_dict(episode: EpisodeSnapshot) -> dict[str, Any]:
    return {
        "season": episode.season,
        "number": episode.number,
        "name": episode.name,
        "airdate": _iso(episode.airdate),
        "airstamp": episode.airstamp.astimezone(dt.UTC).isoformat() if episode.airstamp else None,
    }


def _episode_from_dict(data: Mapping[str, Any]) -> EpisodeSnapshot:
    stamp = data.get("airstamp")
    return EpisodeSnapshot(
        season=int(data["season"]),
        number=int(data["number"]),
        name=data.get("name"),
        airdate=_date(data.get("airdate")),
        airstamp=dt.datetime.fromisoformat(stamp) if stamp else None,
    )


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
