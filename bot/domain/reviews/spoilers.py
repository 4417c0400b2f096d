"""How far a review's spoilers reach (``spoilers_through``) and who may see them (the Reveal decision).

Episode numbering across seasons: a bare number ("8") is an episode of season 1, as ``/progress set`` reads an
episode without a season; later seasons are written ``S2E3``. When a bare number is past season 1 of a show that has
more seasons, it is refused with the ``SxEy`` form that number would be if counted across seasons ("S2E2"), so the
member decides and nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import total_ordering

from bot.domain.episodes import check_episode
from bot.domain.errors import EpisodeOutOfRangeError, InvalidInputError
from bot.domain.markup import inert
from bot.domain.models import Show

# Large enough for any real show, small enough that a pasted number cannot be huge.
MAX_NUMBER = 10_000
_BARE = re.compile(r"(?:ep(?:isode)?\.?)?([0-9]+)", re.ASCII | re.IGNORECASE)
_SEASON_EPISODE = re.compile(r"s(?:eason)?([0-9]+)[,.:]?e(?:p(?:isode)?)?([0-9]+)", re.ASCII | re.IGNORECASE)


@total_ordering
@dataclass(frozen=True, slots=True)
class EpisodeRef:
    """One episode of a show, ordered by season then episode."""

    season: int
    episode: int

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, EpisodeRef):
            return NotImplemented
        return (self.season, self.episode) < (other.season, other.episode)

    @property
    def code(self) -> str:
        """The compact form members type and exports carry: "S2E3"."""
        return f"S{self.season}E{self.episode}"

    def label(self, multi_season: bool = False) -> str:
        """ "episode 8", or "season 2, episode 3" for a show with several seasons or a season past the first."""
        if self.season == 1 and not multi_season:
            return f"episode {self.episode}"
        return f"season {self.season}, episode {self.episode}"


def parse_episode_ref(text: str) -> EpisodeRef:
    """Read "8", "ep 8", "S2E3", "s02 e03", "Season 2 Episode 3" (any case and spacing, full-width digits too)."""
    return _parse(text)[0]


def _parse(text: str) -> tuple[EpisodeRef, bool]:
    """The episode and whether it was typed as a bare number (no season)."""
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    bare = _BARE.fullmatch(compact)
    if bare:
        season, episode = 1, int(bare.group(1))
    else:
        both = _SEASON_EPISODE.fullmatch(compact)
        if not both:
            raise InvalidInputError(
                f"“{inert(text, 40)}” is not an episode: write an episode number such as 8, or S2E3 for a later season."
            )
        season, episode = int(both.group(1)), int(both.group(2))
    if not (1 <= season <= MAX_NUMBER and 1 <= episode <= MAX_NUMBER):
        raise InvalidInputError("Season and episode numbers run from 1 to 10,000.")
    return EpisodeRef(season, episode), bare is not None


def absolute_to_season(show: Show, number: int) -> EpisodeRef | None:
    """Episode ``number`` counted across all seasons, as season and episode; None when counts are unknown or short."""
    remaining = number
    for season in sorted(show.seasons, key=lambda s: s.number):
        if season.episode_count is None:
            return None
        if remaining <= season.episode_count:
            return EpisodeRef(season.number, remaining)
        remaining -= season.episode_count
    return None


def resolve_spoilers_through(show: Show, text: str | None) -> EpisodeRef | None:
    """``spoilers_through`` as typed, checked against the show; None when the member left it empty.

    A bare number past season 1 of a show with more seasons is refused with the S/E form to use instead.
    """
    if text is None or not text.strip():
        return None
    ref, typed_bare = _parse(text)
    first = show.season(1)
    if typed_bare and len(show.seasons) > 1 and first and first.episode_count and ref.episode > first.episode_count:
        across = absolute_to_season(show, ref.episode)
        hint = f" Counting across seasons, episode {ref.episode} is {across.code}." if across else ""
        raise EpisodeOutOfRangeError(
            f"Season 1 of {inert(show.title, 200)} has {first.episode_count} episodes; "
            f"write a later season's episode as S2E3.{hint}"
        )
    check_episode(show, ref.season, ref.episode)
    return ref


@dataclass(frozen=True, slots=True)
class ViewerProgress:
    """Where a viewer is in a show: the last episode they watched, and whether they finished it."""

    season: int
    episode: int
    completed: bool = False

    @property
    def ref(self) -> EpisodeRef:
        return EpisodeRef(self.season, self.episode)


@dataclass(frozen=True, slots=True)
class RevealDecision:
    """Whether the spoilers are shown at once; otherwise ``message`` tells the viewer why and offers "show anyway"."""

    allowed: bool
    message: str


def decide_reveal(
    through: EpisodeRef | None,
    progress: ViewerProgress | None,
    *,
    show_title: str,
    multi_season: bool = False,
) -> RevealDecision:
    """The Reveal rule: a viewer who completed the show, or is at or past ``through``, sees the spoilers.

    ``through`` None means the review did not say how far it goes: only a viewer who completed the show passes.
    """
    title = inert(show_title, 100)
    covers = (
        f"this review discusses up to {through.label(multi_season)}"
        if through is not None
        else "this review may discuss the whole show"
    )
    if progress is not None and (progress.completed or (through is not None and progress.ref >= through)):
        return RevealDecision(True, "")
    if progress is None:
        where = f"You have not recorded any progress in {title}"
        hint = " (`/progress set` records it)"
    else:
        where = f"You are on {progress.ref.label(multi_season)} of {title}"
        hint = ""
    return RevealDecision(False, f"{where}{hint}; {covers}. Show the spoilers anyway?")
