"""How progress reads in a reply ("ep 3/8", a text bar) and which episodes a viewer has not reached yet."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.models import Episode, Show
from bot.domain.progress.positions import SPECIALS_SEASON, Position, episodes_through, regular_seasons, total_episodes

BAR_WIDTH = 10
_FULL = "█"
_EMPTY = "░"


def position_label(show: Show, position: Position | None) -> str:
    """ "ep 3/8" for a one-season show, "S2 ep 3/10" otherwise, "ep 3" while the count is unknown."""
    if position is None:
        return "not started"
    info = show.season(position.season)
    count = info.episode_count if info else None
    episode = f"ep {position.episode}/{count}" if count else f"ep {position.episode}"
    if len(regular_seasons(show)) <= 1 and position.season == 1:
        return episode
    return f"S{position.season} {episode}"


def progress_bar(done: int, total: int | None, width: int = BAR_WIDTH) -> str:
    """A bar of ``width`` blocks and a percentage; full only when every episode is done. Empty when unknown."""
    if not total or total < 1:
        return ""
    done = max(0, min(done, total))
    filled = done * width // total  # rounded down: below width until done == total
    return f"{_FULL * filled}{_EMPTY * (width - filled)} {done * 100 // total}%"


def progress_line(show: Show, position: Position | None) -> str:
    """ "ep 3/8 ███░░░░░░░ 37%": the label, then the bar over every regular episode when the counts are known."""
    label = position_label(show, position)
    done = episodes_through(show, position)
    # done is None only when a season's count is unknown, and then so is the total: no bar.
    bar = progress_bar(done or 0, total_episodes(show))
    return f"{label} {bar}" if bar else label


def has_seen(seen_through: Position | None, specials: Iterable[int], season: int, episode: int) -> bool:
    """Whether a viewer has reached an episode: regular ones by position, specials only when marked."""
    if season == SPECIALS_SEASON:
        return episode in set(specials)
    return seen_through is not None and Position(season, episode) <= seen_through


def unseen_episodes(
    episodes: Iterable[Episode], seen_through: Position | None, specials: Iterable[int] = ()
) -> frozenset[tuple[int, int]]:
    """The (season, number) of each episode whose title and summary must stay hidden from this viewer."""
    marked = frozenset(specials)
    return frozenset((e.season, e.number) for e in episodes if not has_seen(seen_through, marked, e.season, e.number))
