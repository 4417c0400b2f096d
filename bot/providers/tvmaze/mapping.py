"""TVmaze's JSON shapes as the bot's models, trusting nothing: a field of the wrong type is unknown, not an error.

Links reach a record only when they are https links to www.tvmaze.com, images only over https; summaries are
plain text; an episode listed twice is kept once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from bot.domain.models import CastMember, Episode, SeasonInfo, Show, ShowSource
from bot.domain.sanitize import html_to_text, image_link, tvmaze_link
from bot.providers.base import SourceError

log = logging.getLogger(__name__)

# Longer than any real name; a record carrying megabytes in one would otherwise slow every search of it.
MAX_TEXT = 500


class TvmazeError(SourceError):
    """TVmaze answered something the bot cannot use (an unexpected status or a malformed body)."""


def show_from_tvmaze(payload: Mapping[str, Any]) -> Show:
    """A TVmaze show record (optionally with ``_embedded`` seasons, cast, nextepisode) as a ``Show``.

    Missing, null or mistyped fields stay unknown; embed keys are absent, not empty, when TVmaze has nothing.
    """
    if not isinstance(payload, Mapping):
        raise TvmazeError("a TVmaze show must be a JSON object")
    title = _text(payload.get("name"))
    tvmaze_id = _int(payload.get("id"))
    if not title or tvmaze_id is None:
        raise TvmazeError("a TVmaze show needs a name and an integer id")
    network = _mapping(payload.get("network"))
    web_channel = _mapping(payload.get("webChannel"))
    image = _mapping(payload.get("image"))
    embedded = _mapping(payload.get("_embedded"))
    premiered = _date(payload.get("premiered"))
    country = _mapping(network.get("country")) or _mapping(web_channel.get("country"))
    return Show(
        title=title,
        year=premiered.year if premiered else None,
        country=_text(country.get("code")),
        network=_text(network.get("name")),
        platform=_text(web_channel.get("name")),
        seasons=tuple(_seasons(_list(embedded.get("seasons")))),
        status=_text(payload.get("status")),
        genres=tuple(dict.fromkeys(g for g in map(_text, _list(payload.get("genres"))) if g)),
        cast=tuple(_cast(_list(embedded.get("cast")))),
        summary=html_to_text(payload.get("summary")),
        poster_url=image_link(image.get("original")) or image_link(image.get("medium")),
        source=ShowSource.TVMAZE,
        source_url=tvmaze_link(payload.get("url")),
        tvmaze_id=tvmaze_id,
        extra=_extra(payload, embedded),
    )


def show_or_none(payload: Any) -> Show | None:
    """``show_from_tvmaze``, or None (logged) for a record that does not fit."""
    if payload is None:
        return None
    try:
        return show_from_tvmaze(payload)
    except TvmazeError:
        log.warning("skipping a TVmaze show record that does not fit: %.200r", payload)
        return None


def embedded_episodes(payload: Any) -> list[Any] | None:
    """The episode rows embedded in a show answer, or None when it has no (well-formed) episodes embed."""
    episodes = _mapping(_mapping(payload).get("_embedded")).get("episodes")
    return episodes if isinstance(episodes, list) else None


def episode_from_tvmaze(payload: Mapping[str, Any]) -> Episode | None:
    """A regular TVmaze episode as an ``Episode``; None for specials (their ``number`` is null).

    ``airstamp`` is read with its own offset and returned in UTC; an empty ``airtime`` means TVmaze does
    not know the hour (streaming releases), so only the date is kept.
    """
    if not isinstance(payload, Mapping):
        raise TvmazeError("a TVmaze episode must be a JSON object")
    if payload.get("number") is None or payload.get("type", "regular") not in ("regular", None):
        return None
    number = _int(payload.get("number"))
    season = _int(payload.get("season"))
    if number is None or season is None:
        raise TvmazeError("a TVmaze episode needs integer season and number")
    airstamp = _airstamp(payload.get("airstamp")) if _text(payload.get("airtime")) else None
    return Episode(
        season=season,
        number=number,
        name=_text(payload.get("name")),
        airdate=_date(payload.get("airdate")),
        airstamp=airstamp,
        runtime=_int(payload.get("runtime")),
    )


def episode_or_none(payload: Any) -> Episode | None:
    try:
        return episode_from_tvmaze(payload)
    except TvmazeError:
        log.warning("skipping a TVmaze episode record that does not fit: %.200r", payload)
        return None


def unique_episodes(episodes: Iterable[Episode | None]) -> list[Episode]:
    """Regular episodes in TVmaze's order, each (season, number) once: the first listing wins."""
    seen: dict[tuple[int, int], Episode] = {}
    repeated = 0
    for episode in episodes:
        if episode is None:
            continue
        if (episode.season, episode.number) in seen:
            repeated += 1
        else:
            seen[episode.season, episode.number] = episode
    if repeated:
        log.warning("TVmaze listed %d episodes a second time; kept the first listing of each", repeated)
    return list(seen.values())


def seasons_from_tvmaze(rows: Any) -> list[SeasonInfo]:
    return _seasons(_list(rows))


def _seasons(rows: list[Any]) -> list[SeasonInfo]:
    seasons: dict[int, SeasonInfo] = {}
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        number = _int(row.get("number"))
        if number is None:
            continue
        seasons[number] = SeasonInfo(
            number=number,
            # An announced season has no order yet: unknown, not zero.
            episode_count=_int(row.get("episodeOrder")),
            premiere_date=_date(row.get("premiereDate")),
        )
    return [seasons[n] for n in sorted(seasons)]


def _cast(rows: list[Any]) -> list[CastMember]:
    cast: list[CastMember] = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        actor = _text(_mapping(row.get("person")).get("name"))
        if actor:
            cast.append(CastMember(actor=actor, character=_text(_mapping(row.get("character")).get("name"))))
    return cast


def _extra(payload: Mapping[str, Any], embedded: Mapping[str, Any]) -> dict[str, str]:
    # Facts the Show model has no field for but the poller and lookups can use.
    extra: dict[str, str] = {}
    for key in ("language", "type"):
        value = _text(payload.get(key))
        if value:
            extra[key] = value
    updated = _int(payload.get("updated"))
    if updated is not None:
        extra["updated"] = str(updated)
    externals = _mapping(payload.get("externals"))
    for key in ("imdb", "thetvdb"):
        value = externals.get(key)
        number = _int(value)
        external = _text(value) or (str(number) if number is not None else None)
        if external:
            extra[key] = external
    following = _mapping(embedded.get("nextepisode"))
    if following:
        with contextlib.suppress(TvmazeError):
            upcoming = episode_from_tvmaze(following)
            if upcoming is not None:
                extra["next_episode"] = f"S{upcoming.season}E{upcoming.number}"
                if upcoming.airstamp is not None:
                    extra["next_airstamp"] = upcoming.airstamp.isoformat()
                elif upcoming.airdate is not None:
                    extra["next_airdate"] = upcoming.airdate.isoformat()
    return extra


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    # JSON true/false arrive as bool, which Python counts as int.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip()[:MAX_TEXT].strip() or None


def _date(value: Any) -> dt.date | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _airstamp(value: Any) -> dt.datetime | None:
    text = _text(value)
    if text is None:
        return None
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    # A stamp without an offset names no instant; guessing a zone would put the episode hours off.
    if stamp.tzinfo is None:
        return None
    try:
        return stamp.astimezone(dt.UTC)
    except OverflowError:  # year 1 or 9999 with an offset
        return None
