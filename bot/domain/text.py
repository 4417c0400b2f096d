"""Text folding for search: one normal form for stored names and typed queries; Hangul initial consonants."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from itertools import repeat

__all__ = [
    "CHOSEONG",
    "MAX_NORMALIZED_LENGTH",
    "choseong_range",
    "initials",
    "initials_of_normalized",
    "is_initials_query",
    "is_syllable",
    "normalize",
]

# Only this much of the raw input is looked at: a 10,000-character paste costs the same as a title.
_RAW_LIMIT = 256
MAX_NORMALIZED_LENGTH = 200

# The 19 initial consonants in syllable order, as the compatibility letters a Korean keyboard types.
CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_SYLLABLE_BASE = 0xAC00
_SYLLABLE_LAST = 0xD7A3
_SYLLABLES_PER_INITIAL = 21 * 28

# Invisible code points that are not category Cf but still change nothing a reader sees: variation
# selectors, the combining grapheme joiner, Mongolian and Khmer invisibles, and the Hangul fillers that
# people use to make blank-looking names. Dropped like Cf so that they cannot split or pad a name.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)

# NFKC turns compatibility jamo (ㄱ U+3131, the letters keyboards produce) into conjoining jamo (U+1100),
# which render oddly on their own and no longer equal what initials() produces. Map them back.
_CONJOINING_TO_COMPAT: dict[int, int] = {
    ord(unicodedata.normalize("NFKC", chr(cp))): cp for cp in range(0x3131, 0x318F)
}

# Cap the per-character caches so hostile input cannot grow them without bound.
_CACHE_LIMIT = 65536


def _is_ignorable(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE_RANGES)


class _PrepareTable(dict[int, str | None]):
    """Before NFKC: drop invisibles (so they cannot sit between jamo that NFKC would compose), control
    whitespace becomes a space, other controls go."""

    def __missing__(self, cp: int) -> str | None:
        ch = chr(cp)
        category = unicodedata.category(ch)
        out: str | None
        if category == "Cc":
            out = " " if ch.isspace() else None
        elif category == "Cf" or _is_ignorable(cp):
            out = None
        else:
            out = ch
        # Equivalent <=: the cache holding one entry more changes no result.
        if len(self) < _CACHE_LIMIT:  # pragma: no mutate
            self[cp] = out
        return out


class _FoldTable(dict[int, str | None]):
    """After NFKC and casefolding: letters, digits and marks stay; everything else separates words."""

    def __missing__(self, cp: int) -> str | None:
        out: str | None
        if cp in _CONJOINING_TO_COMPAT:
            out = chr(_CONJOINING_TO_COMPAT[cp])
        else:
            ch = chr(cp)
            category = unicodedata.category(ch)
            # Equivalent when mutated: unreachable from normalize(), as _PREPARE drops all NFKC could make these.
            if category in ("Cc", "Cf") or _is_ignorable(cp):  # pragma: no mutate
                out = None  # pragma: no mutate
            elif category[0] in "LNM":
                out = ch
            else:
                out = " "
        # Equivalent <=: the cache holding one entry more changes no result.
        if len(self) < _CACHE_LIMIT:  # pragma: no mutate
            self[cp] = out
        return out


_PREPARE = _PrepareTable()
_FOLD = _FoldTable()


def _ascii_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in range(128):
        ch = chr(cp)
        if ch.isalnum():
            table[cp] = ch.lower()
        elif ch.isspace() or ch.isprintable():
            table[cp] = " "
        else:
            table[cp] = None
    return table


# Plain ASCII needs neither NFKC nor a category lookup; this keeps normalising a catalogue fast.
_ASCII = _ascii_table()


def normalize(text: str) -> str:
    """Fold ``text`` to the form search compares: NFKC, casefolded, invisibles dropped, punctuation and
    symbols read as spaces, single spaces, at most ``MAX_NORMALIZED_LENGTH`` characters.

    Letters and digits of every script survive, so Hangul syllables and initial consonants (ㅈㅈㅇㅅ)
    stay searchable. Idempotent: ``normalize(normalize(x)) == normalize(x)``.
    """
    raw = text[:_RAW_LIMIT]
    if raw.isascii():
        folded = raw.translate(_ASCII)
    else:
        prepared = unicodedata.normalize("NFKC", raw.translate(_PREPARE))
        folded = unicodedata.normalize("NFKC", prepared.casefold()).translate(_FOLD)
    result = " ".join(folded.split())
    if len(result) > MAX_NORMALIZED_LENGTH:
        result = result[:MAX_NORMALIZED_LENGTH].rstrip()
    return result


class _InitialsTable(dict[int, str | None]):
    def __missing__(self, cp: int) -> None:
        return None


def _initials_table() -> _InitialsTable:
    # ASCII listed too, so that spaces and Latin letters in a Hangul name need no __missing__ call.
    table = _InitialsTable(dict.fromkeys(range(128)))
    for cp in range(_SYLLABLE_BASE, _SYLLABLE_LAST + 1):
        table[cp] = CHOSEONG[(cp - _SYLLABLE_BASE) // _SYLLABLES_PER_INITIAL]
    for ch in CHOSEONG:
        table[ord(ch)] = ch
    return table


_INITIALS = _initials_table()


def initials(text: str) -> str:
    """The initial consonant of each Hangul syllable in ``text``, as the letters a keyboard types
    (``"중증외상센터"`` gives ``"ㅈㅈㅇㅅㅅㅌ"``). Initial consonants already typed as letters are kept;
    everything else, spaces included, is dropped."""
    return unicodedata.normalize("NFC", text).translate(_INITIALS)


def initials_of_normalized(texts: Iterable[str]) -> list[str]:
    """``initials()`` of many texts that ``normalize()`` produced (so already composed), in bulk, for
    building a search index."""
    return list(map(str.translate, texts, repeat(_INITIALS)))


def choseong_range(consonant: str) -> tuple[str, str] | None:
    """The half-open range of syllables that start with ``consonant`` (``"ㅇ"`` gives ``("아", "자")``),
    or None when it is not one of the 19 initial consonants. Lets ``중증ㅇ`` (a syllable still being typed
    in a Korean input method) match ``중증외상센터``."""
    index = CHOSEONG.find(consonant) if len(consonant) == 1 else -1
    if index < 0:
        return None
    first = _SYLLABLE_BASE + index * _SYLLABLES_PER_INITIAL
    return chr(first), chr(first + _SYLLABLES_PER_INITIAL)


def is_syllable(ch: str) -> bool:
    """Whether ``ch`` is one precomposed Hangul syllable (가..힣)."""
    return len(ch) == 1 and _SYLLABLE_BASE <= ord(ch) <= _SYLLABLE_LAST


def is_initials_query(q: str) -> bool:
    """Whether ``q`` normalises to initial consonants only (``"ㅈㅈㅇㅅ"``, ``"ㅅㄹ ㅂㅅㅊ"``)."""
    folded = normalize(q)
    return bool(folded) and all(ch == " " or ch in CHOSEONG for ch in folded)
