"""Rules about seasons and episodes that every feature checks the same way."""

from __future__ import annotations

from bot.domain.errors import EpisodeOutOfRangeError
from bot.domain.markup import inert
from bot.domain.models import Show

MAX_SEASON = 100


def check_season(show: Show, season: int) -> None:
    """Refuse a season the show does not have (any season 1..100 passes while none are listed yet)."""
    known = sorted(s.number for s in show.seasons)
    if 1 <= season <= MAX_SEASON and (not known or season in known):
        return
    listed = ", ".join(str(n) for n in known) or "none listed yet"
    raise EpisodeOutOfRangeError(f"{inert(show.title, 200)} has no season {season} (seasons: {listed}).")


def check_episode(show: Show, season: int, episode: int) -> None:
    """Refuse an episode number past the season's real count, when that count is known."""
    check_season(show, season)
    info = show.season(season)
    count = info.episode_count if info else None
    if episode < 1 or (count is not None and episode > count):
        where = f"season {season} of {inert(show.title, 200)}" if len(show.seasons) > 1 else inert(show.title, 200)
        limit = f"episodes 1 to {count}" if count else "episode numbers from 1"
        raise EpisodeOutOfRangeError(f"There is no episode {episode} in {where}: it has {limit}.")
