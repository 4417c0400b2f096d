"""Where a viewer is in a show: a (season, episode) position, checked against the show's real counts.

Season 0 holds specials: they are never a position (they count toward neither progress nor completion), they are
only marked one by one.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from bot.domain.episodes import MAX_SEASON, check_episode
from bot.domain.errors import EpisodeOutOfRangeError
from bot.domain.markup import inert
from bot.domain.models import SeasonInfo, Show

SPECIALS_SEASON = 0
# Highest special number accepted while the show does not list its specials' count.
MAX_SPECIAL = 999


class Position(NamedTuple):
    """A regular episode: season 1 and up, episode 1 and up. Ordered by season, then episode.

    A named tuple rather than an ordered dataclass: every progress update builds and compares a few of these, and a
    tuple does both in C (about five times faster than the dataclass's generated methods).
    """

    season: int
    episode: int

    def label(self) -> str:
        return f"S{self.season} E{self.episode}"


def regular_seasons(show: Show) -> tuple[SeasonInfo, ...]:
    """The show's seasons without the specials, in order."""
    return _regular(show.seasons)


# Progress updates run these for every update of a batch; a show's seasons are few and rarely change.
@functools.lru_cache(maxsize=4096)
def _regular(seasons: tuple[SeasonInfo, ...]) -> tuple[SeasonInfo, ...]:
    return tuple(sorted((s for s in seasons if s.number != SPECIALS_SEASON), key=lambda s: s.number))


# A show's seasons by number and its last episode, by the identity of its seasons tuple (kept here, so the id cannot be
# reused while cached). Every update of a batch asks these of the same few shows: an identity lookup skips hashing
# the SeasonInfo records (what lru_cache does) and the linear ``Show.season`` scan.
_FACTS: dict[int, tuple[tuple[SeasonInfo, ...], dict[int, SeasonInfo], Position | None]] = {}
_FACTS_LIMIT = 4096


def _facts(seasons: tuple[SeasonInfo, ...]) -> tuple[tuple[SeasonInfo, ...], dict[int, SeasonInfo], Position | None]:
    # Only a cache below: an entry found by the id holds that very tuple (an id is not reused while the tuple lives), a
    # missed or dropped entry is computed again, and ``check_position`` asks ``check_episode`` whenever ``by_number``
    # does not vouch for an episode, so a wrong key, size or season map changes no answer, only the speed.
    entry = _FACTS.get(id(seasons))  # pragma: no mutate - a cache lookup (see above)
    if entry is None:
        by_number: dict[int, SeasonInfo] = {}
        for info in seasons:
            by_number.setdefault(info.number, info)  # pragma: no mutate - see above; first one wins, as in Show.season
        if len(_FACTS) >= _FACTS_LIMIT:  # pragma: no mutate - the cache's size cap
            _FACTS.clear()
        entry = (seasons, by_number, _last(seasons))
        _FACTS[id(seasons)] = entry  # pragma: no mutate - storing into the cache (see above)
    return entry


def check_position(show: Show, season: int, episode: int) -> Position:
    """``Position(season, episode)`` once the show's real counts allow it (EpisodeOutOfRangeError otherwise)."""
    # A fast path only: whatever it does not vouch for, check_episode decides, so a stricter test here changes nothing.
    info = _facts(show.seasons)[1].get(season) if 1 <= season <= MAX_SEASON else None  # pragma: no mutate - fast path
    count = info.episode_count if info is not None else None
    if info is None or episode < 1 or (count is not None and episode > count):  # pragma: no mutate - fast path
        check_episode(show, season, episode)  # raises with the real range, or passes while seasons are unlisted
    return Position(season, episode)


def check_special(show: Show, number: int) -> None:
    """Refuse a special the show does not have (any 1..999 passes while the count of specials is unknown)."""
    info = show.season(SPECIALS_SEASON)
    limit = info.episode_count if info and info.episode_count is not None else MAX_SPECIAL
    if not 1 <= number <= limit:
        if info and info.episode_count is not None:
            raise EpisodeOutOfRangeError(
                f"{inert(show.title, 200)} has specials 1 to {limit}; there is no special {number}."
            )
        raise EpisodeOutOfRangeError(f"Special numbers run from 1 to {MAX_SPECIAL}.")


def first_position(show: Show) -> Position:
    seasons = regular_seasons(show)
    return Position(seasons[0].number if seasons else 1, 1)


def last_position(show: Show) -> Position | None:
    """The show's last regular episode, or None while the last season's count (or any season) is unknown."""
    return _facts(show.seasons)[2]


@functools.lru_cache(maxsize=4096)
def _last(all_seasons: tuple[SeasonInfo, ...]) -> Position | None:
    seasons = _regular(all_seasons)
    if not seasons or seasons[-1].episode_count is None or seasons[-1].episode_count < 1:
        return None
    return Position(seasons[-1].number, seasons[-1].episode_count)


def is_last(show: Show, position: Position) -> bool:
    last = last_position(show)
    return last is not None and position >= last


def following(show: Show, position: Position | None) -> Position | None:
    """The episode after ``position`` (the first one for None), crossing into the next season; None after the last."""
    if position is None:
        return first_position(show)
    seasons = regular_seasons(show)
    info = show.season(position.season)
    count = info.episode_count if info else None
    if not seasons or (info is not None and (count is None or position.episode < count)):
        return Position(position.season, position.episode + 1)
    later = [s for s in seasons if s.number > position.season]
    return Position(later[0].number, 1) if later else None


def total_episodes(show: Show) -> int | None:
    """Regular episodes over every season (specials excluded), or None when a count is unknown."""
    seasons = regular_seasons(show)
    if not seasons or any(s.episode_count is None for s in seasons):
        return None
    return sum(s.episode_count or 0 for s in seasons)


def episodes_through(show: Show, position: Position | None) -> int | None:
    """How many regular episodes are watched once ``position`` is reached, or None when an earlier count is unknown."""
    if position is None:
        return 0
    done = 0
    for season in regular_seasons(show):
        if season.number >= position.season:
            break
        if season.episode_count is None:
            return None
        done += season.episode_count
    info = show.season(position.season)
    cap = info.episode_count if info and info.episode_count is not None else position.episode
    return done + min(position.episode, cap)
