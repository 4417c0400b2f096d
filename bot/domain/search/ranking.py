"""What a search answers: the kinds of names and tiers of match, the hit itself, the order within a tier,
Discord choice names, and the rule for when one hit is surely what a member meant."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from bot.domain.text import normalize

__all__ = [
    "AUTOCOMPLETE_LIMIT",
    "CONFIDENT_TIER",
    "MAX_LIMIT",
    "TITLE_KINDS",
    "NameKind",
    "SearchHit",
    "Tier",
    "choice_name",
    "confident_match",
]

AUTOCOMPLETE_LIMIT = 25  # Discord shows at most 25 choices
MAX_LIMIT = 100
CHOICE_NAME_MAX = 100  # Discord rejects a choice name over 100 characters


class NameKind(StrEnum):
    """What a name of a show is. The order is the code a segment stores for it, so only ever append."""

    TITLE = "title"
    NATIVE = "native"
    ALIAS = "alias"
    NICKNAME = "nickname"
    CHARACTER = "character"
    CAST = "cast"
    # The Revised Romanization of a Hangul title, made at index time (``ojingeo geim`` for 오징어 게임).
    ROMANISED = "romanised"

    @classmethod
    def read(cls, kind: str) -> NameKind:
        """The kind a stored row names; a kind this version does not know is read as an alias."""
        try:
            return cls(kind)
        except ValueError:
            return cls.ALIAS


# Names of the show itself, ranked before the names of the people in it.
TITLE_KINDS = frozenset({NameKind.TITLE, NameKind.NATIVE, NameKind.ALIAS, NameKind.ROMANISED})
KIND_CODES: dict[NameKind, int] = {kind: code for code, kind in enumerate(NameKind)}
KINDS: tuple[NameKind, ...] = tuple(NameKind)
# 0 for title kinds, 1 for people's names, by kind code.
KIND_GROUPS: tuple[int, ...] = tuple(0 if kind in TITLE_KINDS else 1 for kind in NameKind)


class Tier(IntEnum):
    """How a name matched a query, best first."""

    EXACT = 0  # the whole name (or it without its spaces, or the label) equals the query
    PREFIX = 1  # the query starts the whole name
    WORDS = 2  # the query's words are words of the name, the last one maybe cut short
    INNER = 3  # inside the name, or Hangul initial consonants
    TYPO = 4  # a word corrected by one edit


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One show found by a search, with the name that matched it."""

    show_id: int
    label: str  # the show's display label, e.g. "The Trauma Code: Heroes On Call (2025)"
    matched: str  # the name (original form) that matched, e.g. "Gangster"
    kind: NameKind
    tier: Tier
    score: float  # higher is better within a tier


# A hit in this tier or better (exact, prefix, word prefix) may be taken as meant when it leads clearly.
CONFIDENT_TIER = Tier.WORDS
# How many tiers the best hit must lead the runner-up by when it is not an exact title.
_CLEAR_LEAD = 2


def confident_match(hits: Sequence[SearchHit]) -> SearchHit | None:
    """The hit a typed title surely means, or None when the member should pick.

    ``hits`` are a search's results, best first, with at least two asked for (one hit cannot show a lead).
    The best hit is sure when it is an exact title, alias or native title (or the label) that no other show
    shares, when it is the only hit, or when it is a good match (``CONFIDENT_TIER`` or better) that leads
    the runner-up by two tiers or more. An actor in several shows, or a common surname, is never sure.
    """
    if not hits:
        return None
    best = hits[0]
    if len(hits) == 1:
        return best
    runner = hits[1]
    if _exact_title(best):
        return None if _exact_title(runner) else best
    if best.tier <= CONFIDENT_TIER and runner.tier - best.tier >= _CLEAR_LEAD:
        return best
    return None


def match_settled(found: Sequence[SearchHit], next_tier: Tier) -> bool:
    """Whether hits of ``next_tier`` or worse can no longer change what ``confident_match`` says of ``found`` (the
    hits of the better tiers, best first), so a search for a title to resolve may stop there.

    A second hit already settles it; an exact title is beaten only by another exact title; any other good match
    needs the runner-up within one tier to be doubted. A weak best hit is sure only when it is the only hit at all,
    which takes every tier to know.
    """
    if len(found) >= 2:
        return True
    if not found:
        return False
    best = found[0]
    if _exact_title(best):
        return next_tier > Tier.EXACT
    return best.tier <= CONFIDENT_TIER and next_tier - best.tier >= _CLEAR_LEAD


def _exact_title(hit: SearchHit) -> bool:
    return hit.tier == Tier.EXACT and hit.kind in TITLE_KINDS


def squash(x: float) -> float:
    """Map any popularity into (0, 1), keeping order, so a score can hold it next to other terms (the index
    reads a NaN popularity as none, 0)."""
    return 0.5 + math.atan(x) / math.pi


def rank_score(group: int, popularity: float, length: int) -> float:
    """The rank order within a tier as a float in [0, 4): title kinds, then popularity, then shortness."""
    return 2.0 * (1 - group) + squash(popularity) + 1.0 / (2 + length)


def choice_name(hit: SearchHit) -> str:
    """The label, then " — as Gangster" (" — with Ju Ji Hoon" for cast) when the label does not already
    show what matched; cut with an ellipsis to Discord's 100 characters."""
    label = " ".join(hit.label.split()) or f"Show #{hit.show_id}"
    matched = " ".join(hit.matched.split())
    hint = ""
    if hit.kind != NameKind.TITLE and matched and normalize(matched) not in normalize(label):
        hint = f" — {'with' if hit.kind == NameKind.CAST else 'as'} {matched}"
    if len(hint) > CHOICE_NAME_MAX // 2:
        hint = hint[: CHOICE_NAME_MAX // 2 - 1] + "…"
    room = CHOICE_NAME_MAX - len(hint)
    if len(label) > room:
        label = label[: room - 1].rstrip() + "…"
    return label + hint
