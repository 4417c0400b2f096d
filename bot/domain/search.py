"""The in-memory show search behind autocomplete and ``/drama search``: ranked, typo-tolerant, local only.

Every name a show can be found by (titles, native title, aliases, cast, characters, nicknames) is
normalised once and indexed. A query is answered tier by tier, best tier first, and stops as soon as
enough shows are found:

0. exact: the whole name equals the query;
1. prefix of the whole name (``"the trau"``; ``"중증ㅇ"`` too, a syllable still being composed);
2. the query's words are words of the name, the last one maybe cut short (``"code"`` and
   ``"trauma co"`` find "The Trauma Code");
3. inner substring (``"외상"`` finds 중증외상센터) and Hangul initial consonants (``"ㅈㅈㅇㅅ"``);
4. typos: each unknown word corrected by one edit (swap of neighbours, insertion, deletion, substitution).

Within a tier, titles come before cast and character names, then more popular shows, then shorter
names. Name ids are assigned in that order, so every posting list and scan already runs best first
and can stop early; candidate counts are capped so that the worst query stays cheap.

An empty query finds nothing in :meth:`SearchIndex.search`; :meth:`SearchIndex.autocomplete` answers it
with the most popular shows, since Discord asks before the user has typed anything.
"""

from __future__ import annotations

import gc
import heapq
import math
import operator
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate, chain, compress, islice, pairwise, repeat
from operator import itemgetter
from typing import Any, TypeVar

from rapidfuzz.distance import OSA

from bot.domain.packing import Packable, pack, unpack
from bot.domain.text import CHOSEONG, choseong_range, initials_of_normalized, is_syllable, normalize

__all__ = ["AUTOCOMPLETE_LIMIT", "MAX_LIMIT", "SearchHit", "SearchIndex"]

AUTOCOMPLETE_LIMIT = 25  # Discord shows at most 25 choices
MAX_LIMIT = 100
_CHOICE_NAME_MAX = 100  # Discord rejects a choice name over 100 characters

TITLE_KINDS = frozenset({"title", "native", "alias"})
_KNOWN_KINDS = ("title", "native", "alias", "nickname", "character", "cast")

# Below this many candidates, gathering them all and sorting is cheaper than anything clever; above
# it, matches are dense enough that a best-first scan finds what it needs after a short walk.
_SPARSE = 2048
# Candidates checked per tier before giving up: bounds the worst case (two very common words whose
# combination is rare) at a millisecond or two. Candidates arrive best first, so the cut loses the tail.
_MAX_VERIFY = 1500
# Upper bounds on what one tier gathers from posting lists and word scans.
_MAX_GATHER = 20000
_MAX_WORDS = 4000
# Correction candidates kept per query word.
_MAX_ALTERNATIVES = 24

# Cost of one correction: a swap of neighbouring letters is the commonest slip, so it is preferred
# over the other single edits when both could explain the typed word ("hosue": house before hose).
_COST_SWAP = 0.8
_COST_EDIT = 1.0
_ASCII_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

_T = TypeVar("_T")
_ID_MASK = (1 << 44) - 1
_END = "\U0010ffff"  # sorts after every character a normalised key can hold (normalize drops it)
_NAME_MARK = "\x01"  # separates names in a scan blob; normalize drops control characters, so no key has it

# Rebuild the main segment once the recent additions or removals get this large (relative or absolute).
_DELTA_MIN = 2000
_DELTA_FRACTION = 0.1


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One show found by a search, with the name that matched it."""

    show_id: int
    label: str  # the show's display label, e.g. "The Trauma Code: Heroes On Call (2025)"
    matched: str  # the name (original form) that matched, e.g. "Gangster"
    kind: str  # "title" | "native" | "alias" | "cast" | "character" | "nickname"
    tier: int  # 0 exact, 1 prefix of the whole name, 2 word prefix, 3 inner substring / initials, 4 typo
    score: float  # higher is better within a tier


@dataclass(frozen=True, slots=True)
class _Token:
    """One query word. Words before the last are complete ("whole"); the last may still be being
    typed, so it is a prefix. A trailing initial consonant after a syllable or a space (``중증ㅇ``,
    ``사랑의 ㅂ``) stands for any syllable starting with it: a Korean input method shows that mid-syllable."""

    text: str
    whole: bool
    head: str  # text without the trailing consonant, or all of it
    lo: str  # bisect bounds: keys k with lo <= k < hi are the ones this token matches
    hi: str
    first: str  # allowed range for the character after head; empty when literal
    last: str

    @property
    def literal(self) -> bool:
        return not self.first

    @classmethod
    def prefix(cls, text: str, after_space: bool = False) -> _Token:
        """``after_space``: the text followed a space in the query, so a lone consonant starts a word."""
        before = text[-2] if len(text) >= 2 else (" " if after_space else "")
        if before == " " or is_syllable(before):
            span = choseong_range(text[-1])
            if span is not None:
                head = text[:-1]
                return cls(text, False, head, head + span[0], head + span[1], span[0], span[1])
        return cls(text, False, text, text, text + _END, "", "")

    @classmethod
    def word(cls, text: str) -> _Token:
        # Keys never hold "\x00", so text + "\x00" is the next key after text itself.
        return cls(text, True, text, text, text + "\x00", "", "")

    def starts(self, s: str, at: int = 0) -> bool:
        """Whether ``s[at:]`` begins with this prefix."""
        if self.literal:
            return s.startswith(self.text, at)
        after = at + len(self.head)
        return s.startswith(self.head, at) and after < len(s) and self.first <= s[after] < self.last

    def in_words(self, padded: str) -> bool:
        """Whether a word of ``padded`` (a name with a space on each side) is, or starts with, this."""
        if self.whole:
            return " " + self.text + " " in padded
        if self.literal:
            return " " + self.text in padded
        needle = " " + self.head
        at = padded.find(needle)
        while at >= 0:
            if self.starts(padded, at + 1):
                return True
            at = padded.find(needle, at + 1)
        return False


@dataclass(frozen=True, slots=True)
class _Query:
    text: str
    whole: _Token  # the whole query as a prefix of a name
    tokens: tuple[_Token, ...]
    consonants: str  # the query's consonants without spaces when it is an initials query, else ""

    @classmethod
    def parse(cls, raw: str) -> _Query | None:
        text = normalize(raw)
        if not text:
            return None
        words = text.split()
        tokens = (*(_Token.word(w) for w in words[:-1]), _Token.prefix(words[-1], len(words) > 1))
        consonants = text.replace(" ", "")
        if not all(ch in CHOSEONG for ch in consonants):
            consonants = ""
        return cls(text, _Token.prefix(text), tokens, consonants)


@dataclass(frozen=True, slots=True)
class _Reading:
    """One way to read a query word in the typo tier, and what it costs: the word as typed
    (``token`` set), or a correction that must equal (``whole``) or start a word of the name."""

    text: str
    cost: float
    whole: bool
    token: _Token | None = None


@dataclass(frozen=True, slots=True)
class _Alternative:
    """A reading located in one segment: vocabulary words [lo, hi)."""

    reading: _Reading
    lo: int
    hi: int

    @property
    def cost(self) -> float:
        return self.reading.cost

    def pattern(self) -> str | None:
        """What a scan for names holding a word starting with this reading looks for, if it can."""
        reading = self.reading
        literal = reading.token is None or reading.token.literal
        return None if reading.whole or not literal else " " + reading.text

    def in_words(self, padded: str) -> bool:
        reading = self.reading
        if reading.token is not None:
            return reading.token.in_words(padded)
        return (" " + reading.text + " " if reading.whole else " " + reading.text) in padded


class _Blob:
    """Strings joined into one, each behind ``lead`` and before ``trail``: a list without a Python
    object per item, and one ``str.find`` walks all items at C speed, in order."""

    __slots__ = ("ids", "lead", "starts", "text", "trail")

    def __init__(self, items: Sequence[str], lead: str = "", trail: str = "", ids: array[int] | None = None) -> None:
        self.text = lead + (trail + lead).join(items) + trail if items else ""
        extra = len(lead) + len(trail)
        self.starts = array("I", accumulate(map(operator.add, map(len, items), repeat(extra)), initial=0))
        self.lead = len(lead)
        self.trail = len(trail)
        self.ids = ids  # what stream() yields for each position; the position itself when None

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, position: int) -> str:
        return self.text[self.starts[position] + self.lead : self.starts[position + 1] - self.trail]

    def stream(self, pattern: str) -> Iterator[int]:
        """Ids of the items containing ``pattern`` (lead and trail included), ascending, each once."""
        find = self.text.find
        starts, ids = self.starts, self.ids
        at = find(pattern)
        while at >= 0:
            position = bisect_right(starts, at) - 1
            yield position if ids is None else ids[position]
            at = find(pattern, starts[position + 1])


def _dedup(ids: Iterable[int]) -> Iterator[int]:
    previous = -1
    for i in ids:
        if i != previous:
            yield i
            previous = i


def _sorted_hashes(strings: Iterable[str]) -> array[int]:
    return array("q", sorted(set(map(hash, strings))))


def _has_hash(hashes: array[int], s: str) -> bool:
    h = hash(s)
    at = bisect_left(hashes, h)
    return at < len(hashes) and hashes[at] == h


class _Columns:
    """Names as parallel columns (the shape in which the database hands them over)."""

    __slots__ = ("kinds", "norms", "origs", "pops", "show_ids")

    def __init__(self) -> None:
        self.show_ids: list[int] = []
        self.kinds: list[int] = []
        self.origs: list[str] = []
        self.norms: list[str] = []
        self.pops: list[float] = []

    def __len__(self) -> int:
        return len(self.show_ids)

    def append(self, show_id: int, kind: int, orig: str, norm: str, pop: float) -> None:
        self.show_ids.append(show_id)
        self.kinds.append(kind)
        self.origs.append(orig)
        self.norms.append(norm)
        self.pops.append(pop)


class _Segment:
    """An immutable index over a batch of names. Name ids follow rank order (title kinds first, then
    popularity, then shorter names), so the lowest id that matches is the best match of its tier.

    Everything is kept in arrays and joined strings rather than per-name Python objects: a fraction of
    the memory, and nothing small left behind to pin the allocator's pages once the rows are freed.
    """

    __slots__ = (
        "ascii_words",
        "hangul",
        "initials",
        "key_ids",
        "kind_groups",
        "kinds",
        "norms",
        "orig_at",
        "origs",
        "pops",
        "post_start",
        "postings",
        "prefix_hashes",
        "show_ids",
        "shows",
        "vocab",
        "word_hashes",
    )

    def __init__(self, names: _Columns, kind_groups: Sequence[int]) -> None:
        count = len(names)
        pop_rank = {p: r for r, p in enumerate(sorted(set(names.pops), reverse=True))}
        levels = len(pop_rank) + 1
        # One integer per name orders by kind group, popularity, length, show id: sorting plain ints is
        # several times faster than sorting tuples.
        ranks = [
            (((kind_groups[kind] * levels + pop_rank[pop]) * 1024 + min(len(norm), 1023)) << 44) + (show_id & _ID_MASK)
            for show_id, kind, norm, pop in zip(names.show_ids, names.kinds, names.norms, names.pops, strict=True)
        ]
        order = sorted(range(count), key=ranks.__getitem__)
        del ranks
        self.show_ids = array("q", list(map(names.show_ids.__getitem__, order)))
        self.kinds = bytes(map(names.kinds.__getitem__, order))
        self.kind_groups = kind_groups
        self.pops = array("d", list(map(names.pops.__getitem__, order)))
        self.shows: array[int] | None = None  # sorted show ids, made when first needed (changes only)
        norms = list(map(names.norms.__getitem__, order))
        # Each name sits between "\x01 " and " ", so a scan finds a whole-name prefix ("\x01 " + q), a word
        # start (" " + w) or a whole word (" " + w + " ").
        self.norms = _Blob(norms, _NAME_MARK + " ", " ")
        # Names with Hangul (or any non-ASCII) again on their own: Hangul text cannot be in an ASCII
        # name, so a scan for it walks a fifth of the text.
        other_ids = array("I", compress(range(count), map(operator.not_, map(str.isascii, norms))))
        other_norms = list(map(norms.__getitem__, other_ids))
        self.hangul = _Blob(other_norms, _NAME_MARK + " ", " ", other_ids)
        self.initials = _Blob(initials_of_normalized(other_norms), _NAME_MARK, "", other_ids)
        del other_norms
        # Original names are only read back for hits, never scanned: kept in the order they came in
        # (one join, no reshuffle of scattered objects), found through where each name came from.
        self.origs = _Blob(names.origs)
        self.orig_at = array("I", order)
        del order
        self.key_ids = array("I", sorted(range(count), key=norms.__getitem__))

        postings_of: dict[str, list[int]] = {}
        get = postings_of.get
        for nid, norm in enumerate(norms):
            if " " in norm:
                for word in norm.split():
                    found = get(word)
                    if found is None:
                        postings_of[word] = [nid]
                    elif found[-1] != nid:  # a word twice in one name is one posting
                        found.append(nid)
            else:
                found = get(norm)
                if found is None:
                    postings_of[norm] = [nid]
                else:
                    found.append(nid)
        words = sorted(postings_of)
        lists = list(map(postings_of.__getitem__, words))
        del postings_of
        self.postings = array("I", list(chain.from_iterable(lists)))
        self.post_start = array("I", accumulate(map(len, lists), initial=0))
        del lists
        self.vocab = _Blob(words)
        # ASCII words again, between marks, so that a scan finds a word start, an end or anything
        # inside; Hangul text is looked for in the names themselves, which cost the same to scan.
        ascii_ids = array("I", compress(range(len(words)), map(str.isascii, words)))
        ascii_words = list(map(words.__getitem__, ascii_ids))
        self.ascii_words = _Blob(ascii_words, _NAME_MARK, _NAME_MARK, ascii_ids)
        # Typo correction probes hundreds of spellings of an ASCII word; most miss, and a miss is
        # settled here by one bisect in C instead of a search through the packed vocabulary.
        self.word_hashes = _sorted_hashes(ascii_words)
        self.prefix_hashes = _sorted_hashes(w[:n] for w in ascii_words for n in range(3, len(w) + 1))
        del words, ascii_words

    def __len__(self) -> int:
        return len(self.show_ids)

    def has_show(self, show_id: int) -> bool:
        if self.shows is None:
            self.shows = array("q", sorted(set(self.show_ids)))
        at = bisect_left(self.shows, show_id)
        return at < len(self.shows) and self.shows[at] == show_id

    def columns(self, dead: set[int], into: _Columns) -> None:
        """Append the names of live shows to ``into`` (to rebuild)."""
        for nid, show_id in enumerate(self.show_ids):
            if show_id not in dead:
                into.append(show_id, self.kinds[nid], self.orig(nid), self.norms[nid], self.pops[nid])

    def orig(self, nid: int) -> str:
        """The name as it was given."""
        return self.origs[self.orig_at[nid]]

    def group(self, nid: int) -> int:
        return self.kind_groups[self.kinds[nid]]

    def rank_key(self, nid: int) -> tuple[int, float, int, int]:
        """Where a name sorts within a tier, comparable across segments (the order of name ids)."""
        return (self.group(nid), -self.pops[nid], len(self.norms[nid]), self.show_ids[nid])

    # --- ranges and candidate streams, each ascending by name id ---------------------------------

    def _key_range(self, lo: str, hi: str) -> tuple[int, int]:
        key = self.norms.__getitem__
        start = bisect_left(self.key_ids, lo, key=key)
        return start, bisect_left(self.key_ids, hi, start, key=key)

    def _word_range(self, lo: str, hi: str) -> tuple[int, int]:
        words = range(len(self.vocab))
        key = self.vocab.__getitem__
        start = bisect_left(words, lo, key=key)
        return start, bisect_left(words, hi, start, key=key)

    def _word_count(self, lo: int, hi: int) -> int:
        """Postings under vocabulary words [lo, hi): an upper bound on the names they occur in."""
        return self.post_start[hi] - self.post_start[lo]

    def _gather(self, ranges: Iterable[tuple[int, int]], cap: int = _MAX_GATHER) -> list[int]:
        """Name ids under the vocabulary ranges, sorted, each once; at most ``cap`` of them, the best
        ones unless the ranges hold more than four times that."""
        ids: list[int] = []
        post_start, postings = self.post_start, self.postings
        for lo, hi in ranges:
            for word in range(lo, min(hi, lo + _MAX_WORDS)):
                start = post_start[word]
                ids.extend(postings[start : min(post_start[word + 1], start + cap)])
            if len(ids) > 4 * cap:
                break
        return sorted(set(ids))[:cap]

    def _scan(self, pattern: str) -> Iterator[int]:
        """Names containing ``pattern`` (marks included), best first."""
        return self.hangul.stream(pattern) if not pattern.isascii() else self.norms.stream(pattern)

    def _postings(self, ranges: Iterable[tuple[int, int]]) -> Iterator[int]:
        post_start, view = self.post_start, memoryview(self.postings)
        return chain.from_iterable(view[post_start[lo] : post_start[hi]] for lo, hi in ranges)

    def _both(self, rarer: Iterable[tuple[int, int]], other: Iterable[tuple[int, int]]) -> list[int]:
        """Name ids under both sets of vocabulary ranges, ascending: a set intersection in C, far cheaper
        than checking the rarer side's names one by one (each ~1µs in Python)."""
        return sorted(set(self._postings(rarer)).intersection(self._postings(other)))

    def _word_stream(self, lo: int, hi: int, pattern: str | None) -> Iterator[int]:
        """Names holding a word from vocabulary range [lo, hi), best first. ``pattern`` (" " + prefix),
        when given, lets a dense range of many words be scanned for rather than merged."""
        if self._word_count(lo, hi) <= _SPARSE:
            return iter(self._gather([(lo, hi)]))
        if hi - lo <= 64:
            view = memoryview(self.postings)
            post_start = self.post_start
            streams = [iter(view[post_start[w] : post_start[w + 1]]) for w in range(lo, hi)]
            return streams[0] if len(streams) == 1 else _dedup(heapq.merge(*streams))
        if pattern is not None:
            return self._scan(pattern)
        # Many words and nothing to scan for (a syllable still being composed): the best few suffice.
        return iter(self._gather([(lo, hi)], _SPARSE))

    def collect(
        self,
        stream: Iterable[int],
        need: int,
        found: Mapping[int, object],
        dead: set[int],
        accept: Callable[[int], bool] | None = None,
    ) -> list[int]:
        """The first name of each new show in ``stream`` that ``accept`` passes, up to ``need`` shows."""
        out: list[int] = []
        seen: set[int] = set()
        show_ids = self.show_ids
        checked = 0
        for nid in stream:
            show_id = show_ids[nid]
            if show_id in seen or show_id in found or show_id in dead:
                continue
            if accept is not None:
                checked += 1
                if checked > _MAX_VERIFY:
                    break
                if not accept(nid):
                    continue
            seen.add(show_id)
            out.append(nid)
            if len(out) >= need:
                break
        return out

    def _padded(self, nid: int) -> str:
        return " " + self.norms[nid] + " "

    # --- tiers 0 to 3 -----------------------------------------------------------------------------

    def exact(self, q: _Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        lo, hi = self._key_range(q.text, q.text + "\x00")
        return self.collect(sorted(self.key_ids[lo:hi]), need, found, dead)

    def prefix(self, q: _Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        lo, hi = self._key_range(q.whole.lo, q.whole.hi)
        stream: Iterable[int]
        if hi - lo <= _SPARSE or not q.whole.literal:
            stream = sorted(self.key_ids[lo:hi])
        else:
            stream = self._scan(_NAME_MARK + " " + q.text)
        return self.collect(stream, need, found, dead)

    def word_prefix(self, q: _Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        sized = []
        for token in q.tokens:
            lo, hi = self._word_range(token.lo, token.hi)
            if lo == hi:
                return []
            sized.append((self._word_count(lo, hi), lo, hi, token))
        sized.sort(key=lambda s: s[0])
        _, lo, hi, token = sized[0]
        rest = [s[3] for s in sized[1:]]
        stream: Iterable[int]
        if len(sized) >= 2 and sized[1][0] <= _MAX_GATHER:
            _, lo2, hi2, _ = sized[1]
            stream = self._both([(lo, hi)], [(lo2, hi2)])
            rest = rest[1:]
        else:
            stream = self._word_stream(lo, hi, " " + token.text if token.literal and not token.whole else None)
        if not rest:
            return self.collect(stream, need, found, dead)
        padded = self._padded
        return self.collect(stream, need, found, dead, lambda nid: all(t.in_words(padded(nid)) for t in rest))

    def _words_with(self, pattern: str) -> list[tuple[int, int]]:
        """Vocabulary ranges (one word each) of the ASCII words containing ``pattern``, marks included.
        A word mixing Hangul and ASCII (a digit inside a Korean word) is rare, and scanning every Hangul
        word for ASCII text would cost more than all the other steps of a query."""
        return [(w, w + 1) for w in islice(self.ascii_words.stream(pattern), _MAX_WORDS)]

    def substring(self, q: _Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        text = q.text
        if len(text) < 2 or q.consonants:
            return []
        if not text.isascii():
            # Hangul names scan fast (about a byte pair per syllable, no spaces to speak of), best first;
            # names where the text starts a word were all found by the tier before.
            return self.collect(self.hangul.stream(text), need, found, dead)
        words = text.split()
        if len(words) == 1:
            sources = [self._words_with(text)]
        else:
            # Inside "the trauma code", "uma co" starts with the end of a word, ends with the start of
            # one, and has whole words in between; the rarest of these supplies the candidates.
            sources = [self._words_with(words[0] + _NAME_MARK)]
            for token in (*(_Token.word(w) for w in words[1:-1]), _Token.prefix(words[-1])):
                sources.append([self._word_range(token.lo, token.hi)])
        counts = [sum(self._word_count(lo, hi) for lo, hi in ranges) for ranges in sources]
        if not all(counts):
            return []
        rarest = min(range(len(sources)), key=counts.__getitem__)
        norms = self.norms
        if len(words) == 1:
            if counts[rarest] > _SPARSE:
                # Common enough that a scan for the text itself meets new matches soon, best first
                # (names where it starts a word were all found by the tier before).
                return self.collect(norms.stream(text), need, found, dead)
            return self.collect(self._gather(sources[rarest]), need, found, dead)
        # Check only the best candidates of the rarest part: a rare phrase of common words is not
        # worth a scan of every name.
        candidates = self._gather(sources[rarest], _SPARSE)
        return self.collect(candidates, need, found, dead, lambda nid: text in norms[nid])

    def initials_prefix(self, q: _Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        if not q.consonants:
            return []
        return self.collect(self.initials.stream(_NAME_MARK + q.consonants), need, found, dead)

    def initials_inner(self, q: _Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        if not q.consonants:
            return []
        return self.collect(self.initials.stream(q.consonants), need, found, dead)

    # --- tier 4: typos ----------------------------------------------------------------------------

    def _known(self, candidate: str, as_prefix: bool) -> tuple[int, int]:
        """Vocabulary range of ``candidate`` as a word, or as the start of words; empty when unknown."""
        if candidate.isascii() and not _has_hash(self.prefix_hashes if as_prefix else self.word_hashes, candidate):
            return 0, 0
        return self._word_range(candidate, candidate + (_END if as_prefix else "\x00"))

    def knows(self, candidate: str, as_prefix: bool) -> bool:
        lo, hi = self._known(candidate, as_prefix)
        return lo < hi

    def has_token(self, token: _Token) -> bool:
        lo, hi = self._word_range(token.lo, token.hi)
        return lo < hi

    def count_of(self, reading: _Reading) -> int:
        return self._word_count(*self._locate(reading))

    def _locate(self, reading: _Reading) -> tuple[int, int]:
        if reading.token is not None:
            return self._word_range(reading.token.lo, reading.token.hi)
        return self._known(reading.text, not reading.whole)

    def typo(
        self,
        q: _Query,
        readings: Sequence[Sequence[_Reading]],
        need: int,
        found: Mapping[int, object],
        dead: set[int],
    ) -> list[tuple[tuple[float, float], int]]:
        """Names matching one reading of every query word, each with its key (total cost of the
        readings, minus similarity to the query), best first, one per show."""
        groups = []
        for options in readings:
            # Cheapest first: the check below takes the first reading that matches as the cheapest.
            group = [_Alternative(r, lo, hi) for r in options for lo, hi in [self._locate(r)] if lo < hi]
            if not group:
                return []
            groups.append(group)
        sizes = [sum(self._word_count(a.lo, a.hi) for a in g) for g in groups]
        order = sorted(range(len(groups)), key=sizes.__getitem__)
        best: dict[int, tuple[tuple[float, float], int]] = {}
        norms, show_ids, padded = self.norms, self.show_ids, self._padded

        def consider(nid: int) -> bool:
            """Score a candidate if every query word matches it; whether it did."""
            text = padded(nid)
            cost = 0.0
            for group in groups:
                # Readings are sorted by cost, so the first that matches is the cheapest.
                matched = next((a.cost for a in group if a.in_words(text)), None)
                if matched is None:
                    return False
                cost += matched
            # Similarity counts a swap of neighbours as one edit, as the costs above do.
            key = (cost, -100.0 * OSA.normalized_similarity(q.text, norms[nid]))
            show_id = show_ids[nid]
            previous = best.get(show_id)
            if previous is None or (key, nid) < previous:
                best[show_id] = (key, nid)
            return True

        budget = _MAX_VERIFY // 2  # each check here costs twice as much (every word, and a similarity)
        if len(groups) >= 2 and sizes[order[1]] <= _MAX_GATHER:
            pair = self._both([(a.lo, a.hi) for a in groups[order[0]]], [(a.lo, a.hi) for a in groups[order[1]]])
            for nid in islice(pair, budget):
                if show_ids[nid] not in found and show_ids[nid] not in dead:
                    consider(nid)
            return sorted(best.values())[:need]
        # Otherwise one reading of the rarest word at a time, cheapest first, each best first; once
        # enough shows are in hand, costlier readings cannot beat them.
        driver = sorted(groups[order[0]], key=lambda a: a.cost)
        for i, alt in enumerate(driver):
            taken = 0
            for nid in self._word_stream(alt.lo, alt.hi, alt.pattern()):
                show_id = show_ids[nid]
                if show_id in found or show_id in dead or show_id in best:
                    continue
                budget -= 1
                if budget < 0:
                    return sorted(best.values())[:need]
                if consider(nid):
                    taken += 1
                    if taken >= 2 * need:
                        break
            cheapest_next = driver[i + 1].cost if i + 1 < len(driver) else math.inf
            if len(best) >= need and cheapest_next > alt.cost:
                break
        return sorted(best.values())[:need]


def _readings(token: _Token, segments: Sequence[_Segment], doubt: bool) -> list[_Reading]:
    """Readings of one query word for the typo tier, decided over all segments alike (so that a show
    added later ranks as if it had been there at the build): the word itself when some name has it;
    else its one-edit corrections that some name has, and for a complete word also the words it
    starts (as costly as an edit: "brid" is "bird" mistyped before it is "bridge" cut short).

    ``doubt``: nothing matched the query as typed, so the last word, though it starts some word, may
    be a slip too ("fier" starts "fierce", and was meant as "fire")."""
    best: dict[str, _Reading] = {}
    if any(s.has_token(token) for s in segments):
        as_typed = _Reading(token.text, 0.0, token.whole, token)
        if token.whole or not token.literal or not doubt:
            return [as_typed]
        best[token.text] = as_typed
    elif token.whole and any(s.knows(token.text, True) for s in segments):
        best[token.text] = _Reading(token.text, _COST_EDIT, whole=False)
    for as_prefix in (False, True) if token.whole else (True,):
        for candidate, cost in _edits(token.text):
            if candidate in best and best[candidate].cost <= cost:
                continue
            # A short start of a word is too vague a correction to be worth anything.
            prefix = as_prefix and len(candidate) >= 3
            if any(s.knows(candidate, prefix) for s in segments):
                best[candidate] = _Reading(candidate, cost, whole=not prefix)
        if best:
            break

    def commonness(reading: _Reading) -> int:
        return sum(s.count_of(reading) for s in segments)

    ordered = sorted(best.values(), key=lambda r: (r.cost, -commonness(r), r.text))
    return ordered[:_MAX_ALTERNATIVES]


def _edits(word: str) -> Iterator[tuple[str, float]]:
    """Strings one edit from ``word``, swaps of neighbours first. Swaps and deletions work for any
    script; insertions and substitutions draw from ASCII letters and digits only, since a Hangul
    alphabet has 11,172 syllables. Two-letter words only get swaps (any other edit reaches too much)."""
    n = len(word)
    for i in range(n - 1):
        if word[i] != word[i + 1]:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :], _COST_SWAP
    if n < 3:
        return
    for i in range(n):
        yield word[:i] + word[i + 1 :], _COST_EDIT
    if word.isascii():
        for i in range(n):
            for ch in _ASCII_ALPHABET:
                if ch != word[i]:
                    yield word[:i] + ch + word[i + 1 :], _COST_EDIT
        for i in range(n + 1):
            for ch in _ASCII_ALPHABET:
                yield word[:i] + ch + word[i:], _COST_EDIT


def _squash(x: float) -> float:
    """Map any popularity into (0, 1), keeping order, so a score can hold it next to other terms."""
    if math.isnan(x):
        return 0.5
    return 0.5 + math.atan(x) / math.pi


_Tier = Callable[[_Segment, _Query, int, Mapping[int, object], set[int]], list[int]]

# (tier, quality within the tier, how a segment finds it); quality orders the parts of tier 3.
_PLAN: tuple[tuple[int, int, _Tier], ...] = (
    (0, 0, _Segment.exact),
    (1, 0, _Segment.prefix),
    (2, 0, _Segment.word_prefix),
    (3, 2, _Segment.initials_prefix),
    (3, 1, _Segment.substring),
    (3, 0, _Segment.initials_inner),
)


class _Labels:
    """Show id -> label: a packed table from the last build plus a dict of changes since."""

    __slots__ = ("changed", "gone", "ids", "size", "texts")

    def __init__(self, labels: Mapping[int, str]) -> None:
        ids = sorted(labels)
        self.ids = array("q", ids)
        self.texts = _Blob(list(map(labels.__getitem__, ids)))
        self.changed: dict[int, str] = {}
        self.gone: set[int] = set()
        self.size = len(ids)

    def get(self, show_id: int) -> str | None:
        label = self.changed.get(show_id)
        if label is not None or show_id in self.gone:
            return label
        at = bisect_left(self.ids, show_id)
        return self.texts[at] if at < len(self.ids) and self.ids[at] == show_id else None

    def set(self, show_id: int, label: str) -> None:
        if self.get(show_id) is None:
            self.size += 1
        self.gone.discard(show_id)
        self.changed[show_id] = label

    def remove(self, show_id: int) -> None:
        if self.get(show_id) is not None:
            self.size -= 1
        self.changed.pop(show_id, None)
        self.gone.add(show_id)

    def merged(self) -> dict[int, str]:
        out = {show_id: self.texts[i] for i, show_id in enumerate(self.ids) if show_id not in self.gone}
        out.update(self.changed)
        return out


class SearchIndex:
    """Search over every name of every show, answered from memory; see the module docstring.

    Changes go to a small second segment, rebuilt on each change, and retire the show's copy in the
    main one; once changes add up to a tenth of the main segment, both are merged into a new one.
    """

    def __init__(self) -> None:
        self._kinds: list[str] = list(_KNOWN_KINDS)
        self._kind_codes: dict[str, int] = {k: i for i, k in enumerate(self._kinds)}
        self._kind_groups: list[int] = [0 if k in TITLE_KINDS else 1 for k in self._kinds]
        self._labels = _Labels({})
        self._base = _Segment(_Columns(), self._kind_groups)
        self._delta = self._base
        self._recent: dict[int, list[tuple[int, str, str, float]]] = {}  # show_id -> (kind, name, norm, pop)
        self._dead: set[int] = set()  # shows whose copy in the main segment is stale

    # --- building and changing --------------------------------------------------------------------

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
        names = _Columns()
        names.show_ids = list(map(itemgetter(0), table))
        names.origs = list(map(itemgetter(2), table))
        names.norms = list(map(itemgetter(3), table))
        pops = {k: float(v) for k, v in (popularity or {}).items() if v == v}  # NaN is no popularity
        names.pops = list(map(pops.get, names.show_ids, repeat(0.0)))
        try:
            names.kinds = list(map(index._kind_codes.__getitem__, map(itemgetter(1), table)))
            clean = all(names.norms) and all(map(str.isprintable, names.norms))
        except KeyError:
            clean = False
        if not clean:
            # A stored form that normalize() cannot have made (empty, control or invisible characters)
            # is redone, an unknown kind gets a code: both rare, so they get a slow pass of their own.
            names.kinds = [index._kind_code(row[1]) for row in table]
            for i, (_, _, name, norm) in enumerate(table):
                if not norm or not norm.isprintable():
                    names.norms[i] = normalize(name)
            keep = [i for i, norm in enumerate(names.norms) if norm]
            for column in ("show_ids", "kinds", "origs", "norms", "pops"):
                setattr(names, column, _pick(getattr(names, column), keep))
        index._labels = _Labels(_with_fallbacks(labels, names))
        index._base = _Segment(names, index._kind_groups)
        return index

    def _kind_code(self, kind: str) -> int:
        code = self._kind_codes.get(kind)
        if code is None:
            if len(self._kinds) >= 255:
                return self._kind_codes["alias"]
            code = len(self._kinds)
            self._kinds.append(kind)
            self._kind_codes[kind] = code
            self._kind_groups.append(0 if kind in TITLE_KINDS else 1)
        return code

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
        entries = [(self._kind_code(kind), name, normalize(name), pop) for kind, name in names]
        title = next((name for kind, name in names if kind == "title"), "")
        self._labels.set(show_id, label or title or f"Show #{show_id}")
        if self._base.has_show(show_id):
            self._dead.add(show_id)
        self._recent[show_id] = [e for e in entries if e[2]]

    def remove_show(self, show_id: int) -> None:
        """Forget a show; an unknown id is ignored."""
        self._labels.remove(show_id)
        if self._base.has_show(show_id):
            self._dead.add(show_id)
        self._recent.pop(show_id, None)
        self._changed()

    def _changed(self) -> None:
        recent = _Columns()
        for show_id, entries in self._recent.items():
            for kind, name, norm, pop in entries:
                recent.append(show_id, kind, name, norm, pop)
        if len(recent) + len(self._dead) > max(_DELTA_MIN, _DELTA_FRACTION * len(self._base)):
            names = _Columns()
            self._base.columns(self._dead, names)
            for show_id, kind, name, norm, pop in zip(
                recent.show_ids, recent.kinds, recent.origs, recent.norms, recent.pops, strict=True
            ):
                names.append(show_id, kind, name, norm, pop)
            with _no_gc():
                self._base = _Segment(names, self._kind_groups)
            self._labels = _Labels(self._labels.merged())
            self._recent.clear()
            self._dead = set()
            recent = _Columns()
        self._delta = _Segment(recent, self._kind_groups)

    # --- keeping a built index ------------------------------------------------------------------

    def snapshot(self) -> bytes:
        """The index as bytes, to store and load on a later start instead of building again.

        Only a freshly built index (no changes since) can be saved: it is one segment and one label table.
        """
        if not self.compact:
            raise ValueError("only a freshly built index can be saved; build it again first")
        seg, labels = self._base, self._labels
        state: list[Packable] = [
            SNAPSHOT_FORMAT,
            list[Packable](self._kinds),
            list[Packable](self._kind_groups),
            labels.ids,
            _blob_state(labels.texts),
            seg.show_ids,
            seg.kinds,
            seg.pops,
            seg.orig_at,
            seg.key_ids,
            seg.postings,
            seg.post_start,
            *(_blob_state(getattr(seg, name)) for name in _SEGMENT_BLOBS),
        ]
        return pack(state)

    @classmethod
    def from_snapshot(cls, data: bytes) -> SearchIndex:
        """An index from ``snapshot()`` bytes; ValueError when they are not a snapshot of this format."""
        state = unpack(data)
        if not isinstance(state, list) or len(state) != 12 + len(_SEGMENT_BLOBS) or state[0] != SNAPSHOT_FORMAT:
            raise ValueError("not a search index snapshot of this format")
        kinds, groups, label_ids, label_texts = state[1:5]
        show_ids, kind_codes, pops, orig_at, key_ids, postings, post_start = state[5:12]
        if not (isinstance(kinds, list) and all(isinstance(k, str) for k in kinds)):
            raise ValueError("snapshot kinds are not text")
        if not (isinstance(groups, list) and len(groups) == len(kinds) and all(g in (0, 1) for g in groups)):
            raise ValueError("snapshot kind groups do not match the kinds")
        index = cls()
        index._kinds = [str(k) for k in kinds]
        index._kind_codes = {k: i for i, k in enumerate(index._kinds)}
        index._kind_groups = [int(str(g)) for g in groups]
        labels = object.__new__(_Labels)
        labels.ids = _array(label_ids, "q")
        labels.texts = _blob_from(label_texts, len(labels.ids))
        labels.changed, labels.gone, labels.size = {}, set(), len(labels.ids)
        seg = object.__new__(_Segment)
        seg.show_ids = _array(show_ids, "q")
        count = len(seg.show_ids)
        if not isinstance(kind_codes, bytes) or len(kind_codes) != count or max(kind_codes, default=0) >= len(kinds):
            raise ValueError("snapshot name kinds do not match the names")
        seg.kinds = kind_codes
        seg.kind_groups = index._kind_groups
        seg.pops = _array(pops, "d", count)
        seg.orig_at = _array(orig_at, "I", count)
        seg.key_ids = _array(key_ids, "I", count)
        seg.postings = _array(postings, "I")
        seg.post_start = _array(post_start, "I")
        seg.shows = None
        blobs = dict(zip(_SEGMENT_BLOBS, state[12:], strict=True))
        seg.norms = _blob_from(blobs["norms"], count)
        seg.origs = _blob_from(blobs["origs"], count)
        seg.hangul = _blob_from(blobs["hangul"])
        seg.initials = _blob_from(blobs["initials"])
        seg.vocab = _blob_from(blobs["vocab"], len(seg.post_start) - 1)
        seg.ascii_words = _blob_from(blobs["ascii_words"])
        bounds = (seg.orig_at, seg.key_ids, seg.postings)
        if any(max(column, default=0) >= count for column in bounds):
            raise ValueError("snapshot name ids point past the names")
        # Python's str hash differs between processes, so the typo filters are made anew.
        words = [seg.ascii_words[i] for i in range(len(seg.ascii_words))]
        seg.word_hashes = _sorted_hashes(words)
        seg.prefix_hashes = _sorted_hashes(w[:n] for w in words for n in range(3, len(w) + 1))
        index._labels = labels
        index._base = seg
        index._delta = _Segment(_Columns(), index._kind_groups)
        return index

    # --- reading --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._labels.size

    def label(self, show_id: int) -> str | None:
        return self._labels.get(show_id)

    def search(self, query: str, limit: int = 25) -> list[SearchHit]:
        """At most ``limit`` (capped at 100) shows matching ``query``, one hit each, best first. A query
        with nothing searchable in it (empty, or only punctuation or emoji) finds nothing."""
        limit = min(limit, MAX_LIMIT)
        q = _Query.parse(query) if limit > 0 else None
        if q is None:
            return []
        found: dict[int, SearchHit] = {}
        segments = self._segments()
        for tier, quality, find in _PLAN:
            need = limit - len(found)
            if need <= 0:
                return list(found.values())
            ranked = [(s.rank_key(nid), s, nid) for s, dead in segments for nid in find(s, q, need, found, dead)]
            ranked.sort(key=lambda r: r[0])
            for _, segment, nid in ranked[:need]:
                hit = self._hit(segment, nid, tier, quality * 4 + _rank_score(segment, nid))
                found[hit.show_id] = hit
        need = limit - len(found)
        live = [s for s, _ in segments]
        readings = [_readings(token, live, doubt=not found) for token in q.tokens] if need > 0 else []
        if readings and all(readings) and any(r.cost for options in readings for r in options):
            typos = [
                ((*key, s.rank_key(nid)), s, nid)
                for s, dead in segments
                for key, nid in s.typo(q, readings, need, found, dead)
            ]
            typos.sort(key=lambda r: r[0])
            for (cost, neg_similarity, _), segment, nid in typos[:need]:
                score = -10.0 * cost - neg_similarity / 100.0 + _rank_score(segment, nid) / 1000.0
                hit = self._hit(segment, nid, 4, score)
                found[hit.show_id] = hit
        return list(found.values())

    def _segments(self) -> list[tuple[_Segment, set[int]]]:
        """The segments to search, each with the shows whose names there are stale."""
        if not len(self._delta):
            return [(self._base, self._dead)]
        return [(self._base, self._dead), (self._delta, set())]

    def _hit(self, segment: _Segment, nid: int, tier: int, score: float) -> SearchHit:
        show_id = segment.show_ids[nid]
        matched = segment.orig(nid)
        label = self._labels.get(show_id) or matched
        return SearchHit(show_id, label, matched, self._kinds[segment.kinds[nid]], tier, score)

    def popular(self, limit: int = AUTOCOMPLETE_LIMIT) -> list[SearchHit]:
        """The most popular shows by their titles, best first."""
        limit = max(0, min(limit, MAX_LIMIT))
        ranked: list[tuple[tuple[int, float, int, int], _Segment, int]] = []
        for segment, dead in self._segments():
            kinds = segment.kinds
            titles = (nid for nid in range(len(segment)) if kinds[nid] == 0)
            ranked.extend((segment.rank_key(nid), segment, nid) for nid in segment.collect(titles, limit, {}, dead))
        ranked.sort(key=lambda r: r[0])
        return [self._hit(segment, nid, 0, _rank_score(segment, nid)) for _, segment, nid in ranked[:limit]]

    def autocomplete(self, query: str) -> list[tuple[str, str]]:
        """Discord choices ``(name, value)`` for ``query``: at most 25, each name 1..100 characters (the
        label, plus the name that matched when it was not the title), each value ``"#<show id>"``. An
        empty query offers the most popular shows."""
        hits = self.search(query, AUTOCOMPLETE_LIMIT) if normalize(query) else self.popular(AUTOCOMPLETE_LIMIT)
        return [(_choice_name(hit), f"#{hit.show_id}") for hit in hits]


# A hit in this tier or better (exact, prefix, word prefix) is taken as what the member meant.
CONFIDENT_TIER = 2


def confident_match(hits: Sequence[SearchHit]) -> SearchHit | None:
    """The hit a typed title surely means: the best one when it matched well, or the only one there is."""
    if hits and (hits[0].tier <= CONFIDENT_TIER or len(hits) == 1):
        return hits[0]
    return None


def _pick(column: list[_T], keep: list[int]) -> list[_T]:
    return list(map(column.__getitem__, keep))


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


def _with_fallbacks(labels: Mapping[int, str], names: _Columns) -> Mapping[int, str]:
    """``labels``, plus a title (or else any name) for each show that has names but no label."""
    missing = set(names.show_ids).difference(labels)
    if not all(labels.values()):
        missing.update(k for k, v in labels.items() if not v)
        missing.intersection_update(names.show_ids)
    if not missing:
        return labels
    out = {k: v for k, v in labels.items() if v}
    for show_id, kind, name in zip(names.show_ids, names.kinds, names.origs, strict=True):
        if show_id in missing and (kind == 0 or show_id not in out):
            out[show_id] = name
    return out


def _rank_score(segment: _Segment, nid: int) -> float:
    """The rank order within a tier as a float in [0, 4): title kinds, then popularity, then shortness."""
    return 2.0 * (1 - segment.group(nid)) + _squash(segment.pops[nid]) + 1.0 / (2 + len(segment.norms[nid]))


def _choice_name(hit: SearchHit) -> str:
    """The label, then " — as Gangster" (" — with Ju Ji Hoon" for cast) when the label does not already
    show what matched; cut with an ellipsis to Discord's 100 characters."""
    label = " ".join(hit.label.split()) or f"Show #{hit.show_id}"
    matched = " ".join(hit.matched.split())
    hint = ""
    if hit.kind != "title" and matched and normalize(matched) not in normalize(label):
        hint = f" — {'with' if hit.kind == 'cast' else 'as'} {matched}"
    if len(hint) > _CHOICE_NAME_MAX // 2:
        hint = hint[: _CHOICE_NAME_MAX // 2 - 1] + "…"
    room = _CHOICE_NAME_MAX - len(hint)
    if len(label) > room:
        label = label[: room - 1].rstrip() + "…"
    return label + hint


SNAPSHOT_FORMAT = 1
# The packed text columns of a segment, in snapshot order.
_SEGMENT_BLOBS = ("norms", "hangul", "initials", "origs", "vocab", "ascii_words")


def _blob_state(blob: _Blob) -> list[Packable]:
    return [blob.text, blob.starts, blob.lead, blob.trail, blob.ids]


def _array(value: Packable, typecode: str, length: int | None = None) -> array[Any]:
    if not isinstance(value, array) or value.typecode != typecode or (length is not None and len(value) != length):
        raise ValueError("snapshot column has the wrong type or length")
    return value


def _blob_from(state: Packable, length: int | None = None) -> _Blob:
    if not isinstance(state, list) or len(state) != 5:
        raise ValueError("snapshot text column is malformed")
    text, starts, lead, trail, ids = state
    if not (isinstance(text, str) and isinstance(lead, int) and isinstance(trail, int)):
        raise ValueError("snapshot text column is malformed")
    blob = object.__new__(_Blob)
    blob.text = text
    blob.starts = _array(starts, "I", None if length is None else length + 1)
    if len(blob.starts) == 0 or blob.starts[-1] > len(text) or any(a > b for a, b in pairwise(blob.starts)):
        raise ValueError("snapshot text column offsets are out of order")
    blob.lead, blob.trail = lead, trail
    blob.ids = None if ids is None else _array(ids, "I", len(blob.starts) - 1)
    return blob
