"""An immutable index segment over a batch of names: packed columns, sorted keys, word postings, and the
candidate streams of tiers 0 to 3. A segment saves and restores its own state (``state``/``from_state``):
a new column is declared once, in ``_ARRAYS`` or ``_BLOBS``, and both directions follow."""

from __future__ import annotations

import heapq
import operator
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import accumulate, chain, compress, islice, repeat

import msgspec

from bot.domain.search.blob import NAME_MARK, Blob, BlobState, SnapshotError, array_from
from bot.domain.search.query import END, Query, Token
from bot.domain.search.ranking import KIND_CODES, KIND_GROUPS, KINDS, NameKind
from bot.domain.search.typo import Reading
from bot.domain.text import initials_of_normalized

__all__ = ["Columns", "Segment", "SegmentState"]

# Below this many candidates, gathering them all and sorting is cheaper than anything clever; above
# it, matches are dense enough that a best-first scan finds what it needs after a short walk.
SPARSE = 2048
# Candidates checked per tier before giving up: bounds the worst case (two very common words whose
# combination is rare) at a millisecond or two. Candidates arrive best first, so the cut loses the tail.
MAX_VERIFY = 1500
# Upper bounds on what one tier gathers from posting lists and word scans.
MAX_GATHER = 20000
MAX_WORDS = 4000

_ID_MASK = (1 << 44) - 1
# Letters a query needs (spaces aside) before it may match as the start of a romanised title.
ROMANISED_PREFIX_MIN = 6
_ROMANISED = KIND_CODES[NameKind.ROMANISED]


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


class Columns:
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

    def keep(self, rows: list[int]) -> None:
        """Keep only the names at ``rows``, in that order."""
        for column in self.__slots__:
            setattr(self, column, list(map(getattr(self, column).__getitem__, rows)))


class SegmentState(msgspec.Struct, frozen=True):
    """A segment as saved: its kind codes, then its number and text columns by name."""

    kinds: bytes
    arrays: dict[str, bytes]
    blobs: dict[str, BlobState]


Candidates = Callable[["Segment", Query, int, Mapping[int, object], set[int]], list[int]]


class Segment:
    """An immutable index over a batch of names. Name ids follow rank order (title kinds first, then
    popularity, then shorter names), so the lowest id that matches is the best match of its tier.

    Everything is kept in arrays and joined strings rather than per-name Python objects: a fraction of
    the memory, and nothing small left behind to pin the allocator's pages once the rows are freed.
    """

    # What ``state`` saves and ``from_state`` restores. Number columns: array type, whether there is one
    # item per name, whether the items are name ids. Text columns: whether there is one item per name.
    _ARRAYS: Mapping[str, tuple[str, bool, bool]] = {
        "show_ids": ("q", True, False),
        "pops": ("d", True, False),
        "orig_at": ("I", True, True),
        "key_ids": ("I", True, True),
        "compact_ids": ("I", True, True),
        "postings": ("I", False, True),
        "post_start": ("I", False, False),
    }
    _BLOBS: Mapping[str, bool] = {
        "norms": True,
        "hangul": False,
        "initials": False,
        "origs": True,
        "vocab": False,
        "ascii_words": False,
    }

    __slots__ = (
        *_ARRAYS,
        *_BLOBS,
        "kinds",
        "prefix_hashes",
        "shows",
        "word_hashes",
    )

    show_ids: array[int]
    pops: array[float]
    orig_at: array[int]  # where each name's original form is in ``origs``
    key_ids: array[int]  # name ids in the order of their normal forms
    compact_ids: array[int]  # name ids in the order of their normal forms without spaces
    postings: array[int]  # name ids of each vocabulary word, ascending, one list after another
    post_start: array[int]  # where each word's list starts in ``postings``
    norms: Blob
    hangul: Blob
    initials: Blob
    origs: Blob
    vocab: Blob
    ascii_words: Blob
    kinds: bytes
    word_hashes: array[int]
    prefix_hashes: array[int]
    shows: array[int] | None

    def __init__(self, names: Columns) -> None:
        count = len(names)
        pop_rank = {p: r for r, p in enumerate(sorted(set(names.pops), reverse=True))}
        levels = len(pop_rank) + 1
        # One integer per name orders by kind group, popularity, length, show id: sorting plain ints is
        # several times faster than sorting tuples. The first two come from one lookup per name.
        lead = {
            (kind, pop): (KIND_GROUPS[kind] * levels + rank) * 1024
            for kind in range(len(KIND_GROUPS))
            for pop, rank in pop_rank.items()
        }
        ranks = [
            ((lead[kind, pop] + (length if length < 1024 else 1023)) << 44) + (show_id & _ID_MASK)
            for show_id, kind, length, pop in zip(
                names.show_ids, names.kinds, map(len, names.norms), names.pops, strict=True
            )
        ]
        order = sorted(range(count), key=ranks.__getitem__)
        del ranks, lead
        self.show_ids = array("q", list(map(names.show_ids.__getitem__, order)))
        self.kinds = bytes(map(names.kinds.__getitem__, order))
        self.pops = array("d", list(map(names.pops.__getitem__, order)))
        # Each name sits between "\x01 " and " ", so a scan finds a whole-name prefix ("\x01 " + q), a word
        # start (" " + w) or a whole word (" " + w + " "). The names are read back from the joined text:
        # fresh strings side by side in rank order, so every later pass over them walks memory in order
        # instead of jumping between strings scattered by the sort (several times faster at 500,000 names).
        self.norms, norms = Blob.relocated(list(map(names.norms.__getitem__, order)), NAME_MARK + " ", " ")
        # Names with Hangul (or any non-ASCII) again on their own: Hangul text cannot be in an ASCII
        # name, so a scan for it walks a fifth of the text.
        other_ids = array("I", compress(range(count), map(operator.not_, map(str.isascii, norms))))
        other_norms = list(map(norms.__getitem__, other_ids))
        self.hangul = Blob(other_norms, NAME_MARK + " ", " ", other_ids)
        self.initials = Blob(initials_of_normalized(other_norms), NAME_MARK, "", other_ids)
        del other_norms
        # Original names are only read back for hits, never scanned: kept in the order they came in
        # (one join, no reshuffle of scattered objects), found through where each name came from.
        self.origs = Blob(names.origs)
        self.orig_at = array("I", order)
        del order
        self.key_ids = array("I", sorted(range(count), key=norms.__getitem__))
        compact = list(map(str.replace, norms, repeat(" "), repeat("")))
        self.compact_ids = array("I", sorted(range(count), key=compact.__getitem__))
        del compact

        # Romanised titles are found by their whole name (exact, prefix, spaces gone), never by their words:
        # a romanisation is a guess at a spelling already, its short syllable-words ("sae", "me") would
        # match what people type for other titles, and they would outnumber every other word.
        romanised = _ROMANISED
        kinds = self.kinds
        postings_of: dict[str, list[int]] = {}
        get = postings_of.get
        for nid, norm in enumerate(norms):
            if kinds[nid] == romanised:
                continue
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
        del norms
        words = sorted(postings_of)
        lists = list(map(postings_of.__getitem__, words))
        del postings_of
        self.postings = array("I", list(chain.from_iterable(lists)))
        self.post_start = array("I", accumulate(map(len, lists), initial=0))
        del lists
        self.vocab = Blob(words)
        # ASCII words again, between marks, so that a scan finds a word start, an end or anything
        # inside; Hangul text is looked for in the names themselves, which cost the same to scan.
        ascii_ids = array("I", compress(range(len(words)), map(str.isascii, words)))
        ascii_words = list(map(words.__getitem__, ascii_ids))
        self.ascii_words = Blob(ascii_words, NAME_MARK, NAME_MARK, ascii_ids)
        del words
        self._derive(ascii_words)

    def _derive(self, words: list[str] | None = None) -> None:
        """What is made from the saved columns rather than saved (Python's str hash differs between
        processes): typo filters, so that a miss among hundreds of probed spellings is settled by one bisect
        in C instead of a search through the packed vocabulary. ``words``: the ASCII words, when at hand."""
        if words is None:
            words = [self.ascii_words[i] for i in range(len(self.ascii_words))]
        self.word_hashes = _sorted_hashes(words)
        self.prefix_hashes = _sorted_hashes([w[:n] for w in words for n in range(3, len(w) + 1)])
        self.shows = None  # sorted show ids, made when first needed (changes only)

    # --- saving --------------------------------------------------------------------------------------

    def state(self) -> SegmentState:
        return SegmentState(
            self.kinds,
            {name: getattr(self, name).tobytes() for name in self._ARRAYS},
            {name: getattr(self, name).state() for name in self._BLOBS},
        )

    @classmethod
    def from_state(cls, state: SegmentState) -> Segment:
        """The segment ``state`` saved; SnapshotError when the columns do not fit together."""
        if set(state.arrays) != set(cls._ARRAYS) or set(state.blobs) != set(cls._BLOBS):
            raise SnapshotError("snapshot columns are not this format's")
        seg = object.__new__(cls)
        count = len(state.kinds)
        if max(state.kinds, default=0) >= len(KINDS):
            raise SnapshotError("snapshot name kinds are unknown")
        seg.kinds = state.kinds
        for name, (typecode, per_name, name_ids) in cls._ARRAYS.items():
            column = array_from(state.arrays[name], typecode, count if per_name else None)
            if name_ids and column and max(column) >= count:
                raise SnapshotError("snapshot name ids point past the names")
            setattr(seg, name, column)
        for name, per_name in cls._BLOBS.items():
            setattr(seg, name, Blob.from_state(state.blobs[name], count if per_name else None))
        if len(seg.vocab) != len(seg.post_start) - 1:
            raise SnapshotError("snapshot words and their postings differ in number")
        starts = seg.post_start
        if not starts or starts[0] != 0 or starts[-1] != len(seg.postings) or array("I", sorted(starts)) != starts:
            raise SnapshotError("snapshot word postings are out of order")
        for blob in (seg.hangul, seg.initials, seg.ascii_words):
            if blob.ids is None or (
                blob.ids and max(blob.ids) >= (len(seg.vocab) if blob is seg.ascii_words else count)
            ):
                raise SnapshotError("snapshot scan ids point past their column")
        seg._derive()
        return seg

    # --- reading -------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.show_ids)

    def has_show(self, show_id: int) -> bool:
        if self.shows is None:
            self.shows = array("q", sorted(set(self.show_ids)))
        at = bisect_left(self.shows, show_id)
        return at < len(self.shows) and self.shows[at] == show_id

    def columns(self, dead: set[int], into: Columns) -> None:
        """Append the names of live shows to ``into`` (to rebuild)."""
        for nid, show_id in enumerate(self.show_ids):
            if show_id not in dead:
                into.append(show_id, self.kinds[nid], self.orig(nid), self.norms[nid], self.pops[nid])

    def orig(self, nid: int) -> str:
        """The name as it was given."""
        return self.origs[self.orig_at[nid]]

    def group(self, nid: int) -> int:
        return KIND_GROUPS[self.kinds[nid]]

    def rank_key(self, nid: int) -> tuple[int, float, int, int]:
        """Where a name sorts within a tier, comparable across segments (the order of name ids)."""
        return (self.group(nid), -self.pops[nid], len(self.norms[nid]), self.show_ids[nid])

    def padded(self, nid: int) -> str:
        return " " + self.norms[nid] + " "

    # --- ranges and candidate streams, each ascending by name id ---------------------------------------

    def _key_range(self, lo: str, hi: str) -> tuple[int, int]:
        key = self.norms.__getitem__
        start = bisect_left(self.key_ids, lo, key=key)
        return start, bisect_left(self.key_ids, hi, start, key=key)

    def _compact_range(self, lo: str, hi: str) -> tuple[int, int]:
        norms = self.norms

        def key(nid: int) -> str:
            return norms[nid].replace(" ", "")

        start = bisect_left(self.compact_ids, lo, key=key)
        return start, bisect_left(self.compact_ids, hi, start, key=key)

    def word_range(self, lo: str, hi: str) -> tuple[int, int]:
        words = range(len(self.vocab))
        key = self.vocab.__getitem__
        start = bisect_left(words, lo, key=key)
        return start, bisect_left(words, hi, start, key=key)

    def word_count(self, lo: int, hi: int) -> int:
        """Postings under vocabulary words [lo, hi): an upper bound on the names they occur in."""
        return self.post_start[hi] - self.post_start[lo]

    def _gather(self, ranges: Iterable[tuple[int, int]], cap: int = MAX_GATHER) -> list[int]:
        """Name ids under the vocabulary ranges, sorted, each once; at most ``cap`` of them, the best
        ones unless the ranges hold more than four times that."""
        ids: list[int] = []
        post_start, postings = self.post_start, self.postings
        for lo, hi in ranges:
            for word in range(lo, min(hi, lo + MAX_WORDS)):
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

    def both(self, rarer: Iterable[tuple[int, int]], other: Iterable[tuple[int, int]]) -> list[int]:
        """Name ids under both sets of vocabulary ranges, ascending: a set intersection in C, far cheaper
        than checking the rarer side's names one by one (each ~1µs in Python)."""
        return sorted(set(self._postings(rarer)).intersection(self._postings(other)))

    def word_stream(self, lo: int, hi: int, pattern: str | None) -> Iterator[int]:
        """Names holding a word from vocabulary range [lo, hi), best first. ``pattern`` (" " + prefix),
        when given, lets a dense range of many words be scanned for rather than merged."""
        if self.word_count(lo, hi) <= SPARSE:
            return iter(self._gather([(lo, hi)]))
        if hi - lo <= 64:
            view = memoryview(self.postings)
            post_start = self.post_start
            streams = [iter(view[post_start[w] : post_start[w + 1]]) for w in range(lo, hi)]
            return streams[0] if len(streams) == 1 else _dedup(heapq.merge(*streams))
        if pattern is not None:
            return self._scan(pattern)
        # Many words and nothing to scan for (a syllable still being composed): the best few suffice.
        return iter(self._gather([(lo, hi)], SPARSE))

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
                if checked > MAX_VERIFY:
                    break
                if not accept(nid):
                    continue
            seen.add(show_id)
            out.append(nid)
            if len(out) >= need:
                break
        return out

    # --- tiers 0 to 3 ----------------------------------------------------------------------------------

    def exact(self, q: Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        return self.collect(self.named(q.text), need, found, dead)

    def named(self, norm: str) -> list[int]:
        """The names whose normal form is ``norm``, best first."""
        lo, hi = self._key_range(norm, norm + "\x00")
        return sorted(self.key_ids[lo:hi])

    def exact_compact(self, q: Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        """The whole name equals the query once spaces are gone from both: "squidgame", "d p" for "dp"."""
        lo, hi = self._compact_range(q.compact, q.compact + "\x00")
        return self.collect(sorted(self.compact_ids[lo:hi]), need, found, dead)

    def _spelled_prefix(self, q: Query) -> Callable[[int], bool] | None:
        """Which names a prefix of ``q`` may match: all, unless it is too short to start a romanised title.
        Romanised syllables are short and dense, so "sae me" starts the spelling of some Hangul title
        (새멋...) about as surely as it is "Save Me" mistyped; a whole romanisation still matches exactly."""
        if len(q.compact) >= ROMANISED_PREFIX_MIN or not q.text.isascii():
            return None
        kinds = self.kinds
        return lambda nid: kinds[nid] != _ROMANISED

    def prefix(self, q: Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        lo, hi = self._key_range(q.whole.lo, q.whole.hi)
        stream: Iterable[int]
        if hi - lo <= SPARSE or not q.whole.literal:
            stream = sorted(self.key_ids[lo:hi])
        else:
            stream = self._scan(NAME_MARK + " " + q.text)
        return self.collect(stream, need, found, dead, self._spelled_prefix(q))

    def prefix_compact(self, q: Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        """The query starts the name once spaces are gone from both ("hometown chacha")."""
        lo, hi = self._compact_range(q.compact, q.compact + END)
        # A short query starts so many names that the plain prefix tier has already filled the answer;
        # past that, the first few in key order are as good as any.
        stream = sorted(self.compact_ids[lo : min(hi, lo + SPARSE)])
        return self.collect(stream, need, found, dead, self._spelled_prefix(q))

    def word_prefix(self, q: Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        sized = []
        for token in q.tokens:
            lo, hi = self.word_range(token.lo, token.hi)
            if lo == hi:
                return []
            sized.append((self.word_count(lo, hi), lo, hi, token))
        sized.sort(key=lambda s: s[0])
        _, lo, hi, token = sized[0]
        rest = [s[3] for s in sized[1:]]
        stream: Iterable[int]
        if len(sized) >= 2 and sized[1][0] <= MAX_GATHER:
            _, lo2, hi2, _ = sized[1]
            stream = self.both([(lo, hi)], [(lo2, hi2)])
            rest = rest[1:]
        else:
            stream = self.word_stream(lo, hi, " " + token.text if token.literal and not token.whole else None)
        if not rest:
            return self.collect(stream, need, found, dead)
        padded = self.padded
        return self.collect(stream, need, found, dead, lambda nid: all(t.in_words(padded(nid)) for t in rest))

    def _words_with(self, pattern: str) -> list[tuple[int, int]]:
        """Vocabulary ranges (one word each) of the ASCII words containing ``pattern``, marks included.
        A word mixing Hangul and ASCII (a digit inside a Korean word) is rare, and scanning every Hangul
        word for ASCII text would cost more than all the other steps of a query."""
        return [(w, w + 1) for w in islice(self.ascii_words.stream(pattern), MAX_WORDS)]

    def substring(self, q: Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
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
            sources = [self._words_with(words[0] + NAME_MARK)]
            for token in (*(Token.word(w) for w in words[1:-1]), Token.prefix(words[-1])):
                sources.append([self.word_range(token.lo, token.hi)])
        counts = [sum(self.word_count(lo, hi) for lo, hi in ranges) for ranges in sources]
        if not all(counts):
            return []
        rarest = min(range(len(sources)), key=counts.__getitem__)
        norms = self.norms
        if len(words) == 1:
            if counts[rarest] > SPARSE:
                # Common enough that a scan for the text itself meets new matches soon, best first
                # (names where it starts a word were all found by the tier before).
                return self.collect(norms.stream(text), need, found, dead)
            return self.collect(self._gather(sources[rarest]), need, found, dead)
        # Check only the best candidates of the rarest part: a rare phrase of common words is not
        # worth a scan of every name.
        candidates = self._gather(sources[rarest], SPARSE)
        return self.collect(candidates, need, found, dead, lambda nid: text in norms[nid])

    def initials_prefix(self, q: Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        if not q.consonants:
            return []
        return self.collect(self.initials.stream(NAME_MARK + q.consonants), need, found, dead)

    def initials_inner(self, q: Query, need: int, found: Mapping[int, object], dead: set[int]) -> list[int]:
        if not q.consonants:
            return []
        return self.collect(self.initials.stream(q.consonants), need, found, dead)

    # --- lookups for the typo tier -----------------------------------------------------------------------

    def _known(self, candidate: str, as_prefix: bool) -> tuple[int, int]:
        """Vocabulary range of ``candidate`` as a word, or as the start of words; empty when unknown."""
        if candidate.isascii() and not _has_hash(self.prefix_hashes if as_prefix else self.word_hashes, candidate):
            return 0, 0
        return self.word_range(candidate, candidate + (END if as_prefix else "\x00"))

    def knows(self, candidate: str, as_prefix: bool) -> bool:
        lo, hi = self._known(candidate, as_prefix)
        return lo < hi

    def has_token(self, token: Token) -> bool:
        lo, hi = self.word_range(token.lo, token.hi)
        return lo < hi

    def count_of(self, reading: Reading) -> int:
        return self.word_count(*self.locate(reading))

    def locate(self, reading: Reading) -> tuple[int, int]:
        if reading.token is not None:
            return self.word_range(reading.token.lo, reading.token.hi)
        return self._known(reading.text, not reading.whole)
