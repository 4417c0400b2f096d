"""The in-memory show search behind autocomplete and ``/drama search``: ranked, typo-tolerant, local only.

Every name a show can be found by (titles, native title, aliases, cast, characters, nicknames, and the
romanisation of its Hangul titles) is normalised once and indexed. A query is answered tier by tier, best
tier first, and stops as soon as enough shows are found:

0. exact: the whole name equals the query, or does once the spaces are gone from both (``squidgame``,
   ``dp`` for D.P.);
1. prefix of the whole name (``"the trau"``; ``"중증ㅇ"`` too, a syllable still being composed), also
   with the spaces gone (``hometown chacha``);
2. the query's words are words of the name, the last one maybe cut short (``"code"`` and
   ``"trauma co"`` find "The Trauma Code");
3. inner substring (``"외상"`` finds 중증외상센터) and Hangul initial consonants (``"ㅈㅈㅇㅅ"``);
4. typos: words corrected by one edit each (swap of neighbours, insertion, deletion, substitution); when
   nothing matched as typed, any word, not only an unknown one.

A query that finds nothing as typed is read once more as an autocomplete label (``Kingdom (2019)``) or a
title with a season after it (``The Glory season 2``).

Within a tier, titles come before cast and character names, then more popular shows, then shorter
names. Name ids are assigned in that order, so every posting list and scan already runs best first
and can stop early; candidate counts are capped so that the worst query stays cheap.

Modules: ``query`` (the normal form of a query), ``segment`` (an index segment, its tiers and its saved
state), ``typo`` (the typo tier), ``ranking`` (hits, order within a tier, choices, the confident match),
``romanise`` (Hangul titles in Latin letters), ``labels``, ``snapshot`` (saved bytes), ``index`` (the whole).
"""

from bot.domain.search.blob import SnapshotError
from bot.domain.search.index import SearchIndex
from bot.domain.search.ranking import (
    AUTOCOMPLETE_LIMIT,
    CONFIDENT_TIER,
    MAX_LIMIT,
    TITLE_KINDS,
    NameKind,
    SearchHit,
    Tier,
    choice_name,
    confident_match,
    match_settled,
)
from bot.domain.search.snapshot import SNAPSHOT_FORMAT

__all__ = [
    "AUTOCOMPLETE_LIMIT",
    "CONFIDENT_TIER",
    "MAX_LIMIT",
    "SNAPSHOT_FORMAT",
    "TITLE_KINDS",
    "NameKind",
    "SearchHit",
    "SearchIndex",
    "SnapshotError",
    "Tier",
    "choice_name",
    "confident_match",
    "match_settled",
]
