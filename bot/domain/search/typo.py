"""The typo tier: readings of each query word (as typed, or corrected by one edit), and the scan of a
segment for names that match one reading of every word, ranked by how few words were corrected, then by
how close the whole name is to the query."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING

from rapidfuzz.distance import OSA

from bot.domain.search.query import Query, Token

if TYPE_CHECKING:
    from bot.domain.search.segment import Segment

__all__ = ["COST_EDIT", "COST_SWAP", "Alternative", "Reading", "TypoKey", "edits", "readings", "scan"]

# Cost of one correction: a swap of neighbouring letters is the commonest slip, so it is preferred over
# the other single edits when nothing else tells two readings apart ("hosue": house before hose).
COST_SWAP = 0.8
COST_EDIT = 1.0
_ASCII_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# Correction candidates kept per query word.
MAX_ALTERNATIVES = 24
# Candidates checked per segment: each check reads every query word and a similarity.
_BUDGET = 750
_MAX_GATHER = 20000
# The similarity's scale in a key: any scale orders keys alike (equal similarities stay equal).
_PERCENT = 100.0

# (words corrected, minus similarity to the query in percent, total cost of the corrections): smaller is better.
TypoKey = tuple[int, float, float]


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a query word in the typo tier, and what it costs: the word as typed
    (``token`` set), or a correction that must equal (``whole``) or start a word of the name."""

    text: str
    cost: float
    whole: bool
    token: Token | None = None


@dataclass(frozen=True, slots=True)
class Alternative:
    """A reading located in one segment: vocabulary words [lo, hi)."""

    reading: Reading
    lo: int
    hi: int

    @property
    def cost(self) -> float:
        return self.reading.cost

    def pattern(self) -> str | None:
        """What a scan for names holding a word starting with this reading looks for, if it can."""
        reading = self.reading
        # Not mutated (performance): a pattern is scanned for only in a dense range of the one word driving a scan,
        # never a whole word's (one word), and gathering the best names instead finds the same ones below 8,192.
        literal = reading.token is None or reading.token.literal  # pragma: no mutate
        return None if reading.whole or not literal else " " + reading.text  # pragma: no mutate

    def in_words(self, padded: str) -> bool:
        reading = self.reading
        if reading.token is not None:
            return reading.token.in_words(padded)
        return (" " + reading.text + " " if reading.whole else " " + reading.text) in padded


def readings(token: Token, segments: Sequence[Segment], doubt: bool) -> list[Reading]:
    """Readings of one query word, decided over all segments alike (so that a show added later ranks as
    if it had been there at the build): the word itself when some name has it; else its one-edit
    corrections that some name has, and for a complete word also the words it starts (as costly as an
    edit: "brid" is "bird" mistyped before it is "bridge" cut short).

    ``doubt``: nothing matched the query as typed, so any word, though some name has it, may be a slip
    too ("moo lovers" was "moon lovers"; "fier" starts "fierce", and was meant as "fire")."""
    best: dict[str, Reading] = {}
    kept = 0  # the word as typed, kept next to its corrections
    if any(s.has_token(token) for s in segments):
        as_typed = Reading(
            token.text,
            0.0,
            # Not mutated: a reading with its token is located and matched by the token; ``whole`` is read only
            # by pattern(), which a whole word never needs and a start of a word reads as False, None alike.
            token.whole,  # pragma: no mutate
            token,
        )
        if not token.literal or not doubt:
            return [as_typed]
        best[token.text] = as_typed
        kept = 1
    elif token.whole and any(s.knows(token.text, True) for s in segments):
        best[token.text] = Reading(
            token.text,
            COST_EDIT,
            whole=False,  # pragma: no mutate - None reads as False too
        )
    for as_prefix in (False, True) if token.whole else (True,):
        for candidate, cost in edits(token.text):
            if (
                candidate in best
                # Not mutated: an equal cost is the same candidate again in the same pass (a later pass runs only
                # when this one found nothing), which would give the same reading.
                and best[candidate].cost <= cost  # pragma: no mutate
            ):
                continue
            # A short start of a word is too vague a correction to be worth anything.
            prefix = as_prefix and len(candidate) >= 3
            if any(s.knows(candidate, prefix) for s in segments):
                best[candidate] = Reading(candidate, cost, whole=not prefix)
        if len(best) > kept:
            break

    def commonness(reading: Reading) -> int:
        return sum(s.count_of(reading) for s in segments)

    ordered = sorted(best.values(), key=lambda r: (r.cost, -commonness(r), r.text))
    return ordered[:MAX_ALTERNATIVES]


def edits(word: str) -> Iterator[tuple[str, float]]:
    """Strings one edit from ``word``, swaps of neighbours first. Swaps and deletions work for any
    script; insertions and substitutions draw from ASCII letters and digits only, since a Hangul
    alphabet has 11,172 syllables. Two-letter words only get swaps (any other edit reaches too much)."""
    n = len(word)
    for i in range(n - 1):
        if word[i] != word[i + 1]:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :], COST_SWAP
    if n < 3:
        return
    for i in range(n):
        yield word[:i] + word[i + 1 :], COST_EDIT
    if word.isascii():
        for i in range(n):
            for ch in _ASCII_ALPHABET:
                if ch != word[i]:
                    yield word[:i] + ch + word[i + 1 :], COST_EDIT
        for i in range(n + 1):
            for ch in _ASCII_ALPHABET:
                yield word[:i] + ch + word[i:], COST_EDIT


def scan(
    segment: Segment,
    q: Query,
    options: Sequence[Sequence[Reading]],
    need: int,
    found: Mapping[int, object],
    dead: set[int],
) -> list[tuple[TypoKey, int]]:
    """Names of ``segment`` matching one reading of every query word, each with its key, best first,
    one per show."""
    groups = []
    for readings_of_word in options:
        # Cheapest first: the check below takes the first reading that matches as the cheapest.
        group = [
            Alternative(r, lo, hi)
            for r in readings_of_word
            for lo, hi in [segment.locate(r)]
            # Not mutated: an empty range matches no name here; leaving it out only saves work.
            if lo < hi  # pragma: no mutate
        ]
        if not group:
            return []
        groups.append(group)
    sizes = [sum(segment.word_count(a.lo, a.hi) for a in g) for g in groups]
    # Not mutated (performance): the rarest words drive; any order finds the same names below the caps.
    order = sorted(range(len(groups)), key=sizes.__getitem__)  # pragma: no mutate
    best: dict[int, tuple[TypoKey, int]] = {}
    norms, show_ids, padded = segment.norms, segment.show_ids, segment.padded

    def consider(nid: int) -> bool:
        """Score a candidate if every query word matches it; whether it did."""
        text = padded(nid)
        # Not mutated: the same start for every name shifts every key alike, so their order does not change.
        cost = 0.0  # pragma: no mutate
        corrected = 0  # pragma: no mutate
        for group in groups:
            # Readings are sorted by cost, so the first that matches is the cheapest.
            matched = next((a.cost for a in group if a.in_words(text)), None)
            if matched is None:
                # Not mutated: only the driving word's count reads it, and a name streamed for the one word of a
                # query always has it (two words or more take the pair path below the gather cap).
                return False  # pragma: no mutate
            cost += matched
            corrected += matched > 0
        # Similarity counts a swap of neighbours as one edit, as the costs above do.
        key = (corrected, -_PERCENT * OSA.normalized_similarity(q.text, norms[nid]), cost)
        show_id = show_ids[nid]
        previous = best.get(show_id)
        best[show_id] = (key, nid) if previous is None else min(previous, (key, nid))
        return True  # pragma: no mutate - counts toward the stop after twice the names wanted (a cap)

    budget = _BUDGET
    if len(groups) >= 2 and sizes[order[1]] <= _MAX_GATHER:  # pragma: no mutate - performance cap
        pair = segment.both([(a.lo, a.hi) for a in groups[order[0]]], [(a.lo, a.hi) for a in groups[order[1]]])
        for nid in islice(pair, budget):  # pragma: no mutate - performance cap
            if show_ids[nid] not in found and show_ids[nid] not in dead:
                consider(nid)
        return sorted(best.values())[:need]
    # Otherwise one reading of the rarest word at a time, cheapest first, each best first; once enough
    # shows are in hand, only a correction where the word as typed matched cannot beat them (similarity
    # outranks cost, so one correction must be weighed against the next).
    driver = sorted(groups[order[0]], key=lambda a: a.cost)
    for i, alt in enumerate(driver):
        taken = 0
        # Not mutated (performance): without the pattern the stream gathers the same best names below 8,192.
        stream = segment.word_stream(alt.lo, alt.hi, alt.pattern())  # pragma: no mutate
        if len(groups) == 1:
            # A name that is just this word is as close to a one-word query as a name holding it can be, but the
            # stream comes in rank order and stops after a few: "hosue" must find "House" behind "House Party".
            stream = chain(segment.named(alt.reading.text), stream)
        for nid in stream:
            show_id = show_ids[nid]
            if show_id in found or show_id in dead or show_id in best:
                continue
            # Not mutated below (performance caps): the budget is reached only past the gather cap; a reading's
            # stream stops after twice the names wanted; and the early stop only skips names that have more
            # corrected words than those in hand.
            budget -= 1  # pragma: no mutate
            if budget < 0:  # pragma: no mutate
                return sorted(best.values())[:need]  # pragma: no mutate
            if consider(nid):
                taken += 1  # pragma: no mutate
                if taken >= 2 * need:  # pragma: no mutate
                    break
        corrects_more = i + 1 >= len(driver) or (driver[i + 1].cost > 0) > (alt.cost > 0)  # pragma: no mutate
        if len(best) >= need and corrects_more:  # pragma: no mutate
            break
    return sorted(best.values())[:need]
