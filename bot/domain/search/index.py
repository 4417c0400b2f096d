"""The search index: builds segments from stored names, keeps them in step with changes, and answers a
query tier by tier, best tier first (see the package docstring)."""

from __future__ import annotations

import dataclasses
import gc
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import compress, repeat
from operator import itemgetter

from bot.domain.search import snapshot
from bot.domain.search.blob import side_by_side
from bot.domain.search.labels import Labels
from bot.domain.search.query import Query, fallbacks
from bot.domain.search.ranking import (
    AUTOCOMPLETE_LIMIT,
    KIND_CODES,
    KINDS,
    MAX_LIMIT,
    NameKind,
    SearchHit,
    Tier,
    choice_name,
    rank_score,
)
from bot.domain.search.romanise import romanise
from bot.domain.search.segment import Columns, Segment
from bot.domain.search.typo import Reading, readings, scan
from bot.domain.text import normalize

__all__ = ["SearchIndex"]

# Rebuild the main segment once the recent additions or removals get this large (relative or absolute).
DELTA_MIN = 2000
DELTA_FRACTION = 0.1

_CODE_OF = {kind.value: code for kind, code in KIND_CODES.items()}
_ROMANISED = KIND_CODES[NameKind.ROMANISED]
# Kinds whose Hangul is romanised: the show's own names (people's names are romanised by the catalogue).
_ROMANISE = frozenset(KIND_CODES[k] for k in (NameKind.TITLE, NameKind.NATIVE, NameKind.ALIAS))

_Tier = Callable[[Segment, Query, int, Mapping[int, object], set[int]], list[int]]

# (tier, quality within the tier, how a segment finds it), in the order they are tried.
_PLAN: tuple[tuple[Tier, int, _Tier], ...] = (
    (Tier.EXACT, 1, Segment.exact),
    (Tier.EXACT, 0, Segment.exact_compact),
    (Tier.PREFIX, 1, Segment.prefix),
    (Tier.PREFIX, 0, Segment.prefix_compact),
    (Tier.WORDS, 0, Segment.word_prefix),
    (Tier.INNER, 2, Segment.initials_prefix),
    (Tier.INNER, 1, Segment.substring),
    (Tier.INNER, 0, Segment.initials_inner),
)

_Found = dict[int, SearchHit]
# Whether the hits so far (best first) already answer the caller, before searching the given tier and worse ones.
Settled = Callable[[Sequence[SearchHit], Tier], bool]
_Segments = list[tuple[Segment, set[int]]]


class SearchIndex:
    """Search over every name of every show, answered from memory.

    Changes go to a small second segment, rebuilt on each change, and retire the show's copy in the
    main one; once changes add up to a tenth of the main segment, both are merged into a new one.
    """

    def __init__(self) -> None:
        self._labels = Labels({})
        self._base = Segment(Columns())
        self._delta = self._base
        self._recent: dict[int, list[tuple[int, str, str, float]]] = {}  # show_id -> (kind, name, norm, pop)
        self._dead: set[int] = set()  # shows whose copy in the main segment is stale

    # --- building and changing ----------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        rows: Iterable[tuple[int, str, str, str]],
        labels: Mapping[int, str],
        popularity: Mapping[int, float] | None = None,
    ) -> SearchIndex:
        """An index over ``rows`` of ``(show_id, kind, name, normalize(name))`` as the database stores
        them. A show without a label is labelled by its title."""
        with _no_gc():
            return cls._build(rows, labels, popularity)

    @classmethod
    def _build(
        cls,
        rows: Iterable[tuple[int, str, str, str]],
        labels: Mapping[int, str],
        popularity: Mapping[int, float] | None,
    ) -> SearchIndex:
        index = cls()
        table = rows if isinstance(rows, list) else list(rows)
        names = Columns()
        names.show_ids = list(map(itemgetter(0), table))
        names.origs = list(map(itemgetter(2), table))
        # Every later step reads each normal form several times over: copies made side by side are read in order in
        # memory, not wherever each fetched row happened to be allocated (each pass over them several times as fast).
        names.norms = side_by_side(list(map(itemgetter(3), table)))
        pops = {k: float(v) for k, v in (popularity or {}).items() if v == v}  # NaN is no popularity
        names.pops = list(map(pops.get, names.show_ids, repeat(0.0)))
        try:
            names.kinds = list(map(_CODE_OF.__getitem__, map(itemgetter(1), table)))
            clean = all(names.norms) and all(map(str.isprintable, names.norms))
        except KeyError:
            clean = False
        if not clean:
            # A stored form that normalize() cannot have made (empty, control or invisible characters)
            # is redone, an unknown kind read as an alias: both rare, so they get a slow pass of their own.
            names.kinds = [KIND_CODES[NameKind.read(row[1])] for row in table]
            for i, (_, _, name, norm) in enumerate(table):
                if not norm or not norm.isprintable():
                    names.norms[i] = normalize(name)
            names.keep([i for i, norm in enumerate(names.norms) if norm])
        _add_romanised(names)
        index._labels = Labels(_with_fallbacks(labels, names))
        index._base = Segment(names)
        return index

    def add_show(self, show_id: int, label: str, names: Sequence[tuple[str, str]], popularity: float = 0.0) -> None:
        """Index ``names`` (``(kind, name)`` pairs, as ``Show.search_names()`` gives them) for
        ``show_id``, replacing whatever was indexed for it before."""
        self._stage(show_id, label, names, popularity)
        self._changed()

    def add_shows(self, shows: Iterable[tuple[int, str, Sequence[tuple[str, str]], float]]) -> None:
        """``add_show`` for many ``(show_id, label, names, popularity)`` at once: the change segment is
        rebuilt once, not once per show (a start replaying the changes since a saved index)."""
        for show_id, label, names, popularity in shows:
            self._stage(show_id, label, names, popularity)
        self._changed()

    @property
    def compact(self) -> bool:
        """True when the index is one built segment with no changes on top (what ``snapshot`` saves)."""
        return not (self._recent or self._dead or len(self._delta))

    def _stage(self, show_id: int, label: str, names: Sequence[tuple[str, str]], popularity: float) -> None:
        pop = 0.0 if math.isnan(popularity) else float(popularity)
        staged = Columns()
        for kind, name in names:
            norm = normalize(name)
            if norm:
                staged.append(show_id, KIND_CODES[NameKind.read(kind)], name, norm, pop)
        _add_romanised(staged)
        title = next((name for kind, name in names if kind == NameKind.TITLE), "")
        self._labels.set(show_id, label or title or f"Show #{show_id}")
        if self._base.has_show(show_id):
            self._dead.add(show_id)
        self._recent[show_id] = list(zip(staged.kinds, staged.origs, staged.norms, staged.pops, strict=True))

    def remove_show(self, show_id: int) -> None:
        """Forget a show; an unknown id is ignored."""
        self._labels.remove(show_id)
        if self._base.has_show(show_id):
            self._dead.add(show_id)
        self._recent.pop(show_id, None)
        self._changed()

    def _changed(self) -> None:
        recent = Columns()
        for show_id, entries in self._recent.items():
            for kind, name, norm, pop in entries:
                recent.append(show_id, kind, name, norm, pop)
        if len(recent) + len(self._dead) > max(DELTA_MIN, DELTA_FRACTION * len(self._base)):
            names = Columns()
            self._base.columns(self._dead, names)
            for show_id, kind, name, norm, pop in zip(
                recent.show_ids, recent.kinds, recent.origs, recent.norms, recent.pops, strict=True
            ):
                names.append(show_id, kind, name, norm, pop)
            with _no_gc():
                self._base = Segment(names)
            self._labels = Labels(self._labels.merged())
            self._recent.clear()
            self._dead = set()
            recent = Columns()
        self._delta = Segment(recent)

    # --- keeping a built index ----------------------------------------------------------------------

    def snapshot(self) -> bytes:
        """The index as bytes, to store and load on a later start instead of building again.

        Only a freshly built index (no changes since) can be saved: it is one segment and one label table.
        """
        if not self.compact:
            raise ValueError("only a freshly built index can be saved; build it again first")
        return snapshot.dump(self._labels, self._base)

    @classmethod
    def from_snapshot(cls, data: bytes) -> SearchIndex:
        """An index from ``snapshot()`` bytes; ValueError when they are not a snapshot of this format."""
        index = cls()
        index._labels, index._base = snapshot.load(data)
        index._delta = Segment(Columns())
        return index

    # --- reading ------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._labels.size

    def label(self, show_id: int) -> str | None:
        return self._labels.get(show_id)

    def search(self, query: str, limit: int = 25, settled: Settled | None = None) -> list[SearchHit]:
        """At most ``limit`` (capped at 100) shows matching ``query``, one hit each, best first. A query
        with nothing searchable in it (empty, or only punctuation or emoji) finds nothing.

        ``settled(hits so far, next tier)`` may end the search before a tier once its answer is all the caller
        needs (``ranking.match_settled`` for resolving a typed title): the hits are then the best ones, maybe fewer.
        """
        limit = min(limit, MAX_LIMIT)
        q = Query.parse(query) if limit > 0 else None
        if q is None:
            return []
        segments = self._segments()
        found = self._tiers(q, limit, segments, settled)
        if not found:
            found, q = self._fallback(q, limit, segments)
        need = limit - len(found)
        if need > 0 and settled is not None and settled(list(found.values()), Tier.TYPO):
            need = 0
        live = [s for s, _ in segments]
        options = self._readings(q, live, found) if need > 0 else []
        if options and all(options) and any(r.cost for words in options for r in words):
            typos = [
                ((*key, s.rank_key(nid)), s, nid)
                for s, dead in segments
                for key, nid in scan(s, q, options, need, found, dead)
            ]
            typos.sort(key=itemgetter(0))
            for (corrected, neg_similarity, cost, _), segment, nid in typos[:need]:
                score = -10.0 * corrected - neg_similarity / 20.0 - cost / 100.0 + self._rank(segment, nid) / 1000.0
                hit = self._hit(segment, nid, Tier.TYPO, score)
                found[hit.show_id] = hit
        return list(found.values())

    @staticmethod
    def _readings(q: Query, live: list[Segment], found: _Found) -> list[list[Reading]]:
        """The typo tier's readings of each query word. When nothing matched as typed, the last word may be
        a slip though some word starts with it; a complete word that some name has is doubted only when
        every word is known, so the slip must hide in one of them ("moo lovers"): an unknown word is the
        likelier slip, and correcting every common word besides would cost far more than it finds."""
        doubt = not found
        known = doubt and all(any(s.has_token(token) for s in live) for token in q.tokens)
        return [readings(token, live, doubt=known if token.whole else doubt) for token in q.tokens]

    def _tiers(self, q: Query, limit: int, segments: _Segments, settled: Settled | None = None) -> _Found:
        """Hits of tiers 0 to 3, best first, up to ``limit`` shows (fewer once ``settled`` says so)."""
        found: _Found = {}
        for tier, quality, find in _PLAN:
            need = limit - len(found)
            if need <= 0 or (settled is not None and found and settled(list(found.values()), tier)):
                break
            ranked = [(s.rank_key(nid), s, nid) for s, dead in segments for nid in find(s, q, need, found, dead)]
            ranked.sort(key=itemgetter(0))
            for _, segment, nid in ranked[:need]:
                hit = self._hit(segment, nid, tier, quality * 4 + self._rank(segment, nid))
                found[hit.show_id] = hit
        return found

    def _fallback(self, q: Query, limit: int, segments: _Segments) -> tuple[_Found, Query]:
        """Hits for a query that found nothing as typed, read another way (a label with its year, a title
        with a season after it), and the query that found them; none and ``q`` itself otherwise."""
        for fallback in fallbacks(q.text):
            other = Query.of_normal(fallback.text)
            if other is None:
                continue
            found = self._tiers(other, limit, segments)
            if not found:
                continue
            if fallback.label:
                # The label typed in full ("Kingdom (2019)") names that show as surely as its title does.
                same = [h for h in found.values() if normalize(h.label) == fallback.label]
                exact = {h.show_id: dataclasses.replace(h, tier=Tier.EXACT, kind=NameKind.TITLE) for h in same}
                # The others match the title but not the year: offered, never taken as meant.
                found = exact | {
                    k: dataclasses.replace(v, tier=max(v.tier, Tier.INNER)) for k, v in found.items() if k not in exact
                }
            return found, other
        return {}, q

    def _rank(self, segment: Segment, nid: int) -> float:
        return rank_score(segment.group(nid), segment.pops[nid], len(segment.norms[nid]))

    def _segments(self) -> _Segments:
        """The segments to search, each with the shows whose names there are stale."""
        if not len(self._delta):
            return [(self._base, self._dead)]
        return [(self._base, self._dead), (self._delta, set())]

    def _hit(self, segment: Segment, nid: int, tier: Tier, score: float) -> SearchHit:
        show_id = segment.show_ids[nid]
        matched = segment.orig(nid)
        label = self._labels.get(show_id) or matched
        return SearchHit(show_id, label, matched, KINDS[segment.kinds[nid]], tier, score)

    def popular(self, limit: int = AUTOCOMPLETE_LIMIT) -> list[SearchHit]:
        """The most popular shows by their titles, best first."""
        limit = max(0, min(limit, MAX_LIMIT))
        title = KIND_CODES[NameKind.TITLE]
        ranked: list[tuple[tuple[int, float, int, int], Segment, int]] = []
        for segment, dead in self._segments():
            kinds = segment.kinds
            titles = (nid for nid in range(len(segment)) if kinds[nid] == title)
            ranked.extend((segment.rank_key(nid), segment, nid) for nid in segment.collect(titles, limit, {}, dead))
        ranked.sort(key=itemgetter(0))
        return [self._hit(segment, nid, Tier.EXACT, self._rank(segment, nid)) for _, segment, nid in ranked[:limit]]

    def autocomplete(self, query: str) -> list[tuple[str, str]]:
        """Discord choices ``(name, value)`` for ``query``: at most 25, each name 1..100 characters (the
        label, plus the name that matched when it was not the title), each value ``"#<show id>"``. An
        empty query offers the most popular shows."""
        hits = self.search(query, AUTOCOMPLETE_LIMIT) if normalize(query) else self.popular(AUTOCOMPLETE_LIMIT)
        return [(choice_name(hit), f"#{hit.show_id}") for hit in hits]


def _add_romanised(names: Columns) -> None:
    """Append the romanisation of each Hangul title, native title and alias, as a name of its own."""
    kinds, norms = names.kinds, names.norms
    # Only names with Hangul can change: the ASCII ones (most) are passed over in C.
    candidates = compress(range(len(norms)), map(operator.not_, map(str.isascii, norms)))
    rows = [i for i in candidates if kinds[i] in _ROMANISE]
    spelled = list(map(romanise, map(norms.__getitem__, rows)))
    changed = list(map(operator.ne, spelled, map(norms.__getitem__, rows)))
    rows = list(compress(rows, changed))
    names.show_ids.extend(map(names.show_ids.__getitem__, rows))
    names.kinds.extend(repeat(_ROMANISED, len(rows)))
    names.origs.extend(map(names.origs.__getitem__, rows))
    names.norms.extend(compress(spelled, changed))
    names.pops.extend(map(names.pops.__getitem__, rows))


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: building allocates hundreds of thousands of containers, none
    of them in cycles, and every collection it would trigger meanwhile walks all of them for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _with_fallbacks(labels: Mapping[int, str], names: Columns) -> Mapping[int, str]:
    """``labels``, plus a title (or else any name) for each show that has names but no label."""
    missing = set(names.show_ids).difference(labels)
    if not all(labels.values()):
        missing.update(k for k, v in labels.items() if not v)
        missing.intersection_update(names.show_ids)
    if not missing:
        return labels
    title = KIND_CODES[NameKind.TITLE]
    out = {k: v for k, v in labels.items() if v}
    for show_id, kind, name in zip(names.show_ids, names.kinds, names.origs, strict=True):
        if show_id in missing and (kind == title or show_id not in out):
            out[show_id] = name
    return out
