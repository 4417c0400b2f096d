"""The Revised Romanization of Hangul titles, made at index time, so that ``ojingeo geim`` finds 오징어 게임
without anyone typing the romanisation into the catalogue.

The spelling of each syllable comes from koroman (the National Institute of Korean Language's rules). Its
letter-by-letter mode is used, syllable by syllable: that is the spelling fans see on posters and in
wikis ("Gaetmaeul Chachacha", "Sarangui Bulsichak"), and per syllable it is a table lookup, so romanising
100,000 titles costs a ``str.translate`` each instead of about 60 µs a word for the sound-change rules.
"""

from __future__ import annotations

import koroman

from bot.domain.text import normalize

__all__ = ["has_syllables", "romanise"]

_SYLLABLE_FIRST = 0xAC00
_SYLLABLE_LAST = 0xD7A3


class _SyllableTable(dict[int, str]):
    """Hangul syllable -> its romanisation, filled on first use (11,172 syllables, most never seen).
    Any other character is left as it is (``str.translate`` keeps a character whose lookup fails)."""

    def __missing__(self, cp: int) -> str:
        if not _SYLLABLE_FIRST <= cp <= _SYLLABLE_LAST:
            raise KeyError(cp)
        out = str(koroman.romanize(chr(cp), use_pronunciation_rules=False, casing_option="lowercase"))
        self[cp] = out
        return out


_TABLE = _SyllableTable({cp: chr(cp) for cp in range(128)})


def has_syllables(text: str) -> bool:
    """Whether ``text`` holds a precomposed Hangul syllable (가..힣)."""
    return not text.isascii() and any(_SYLLABLE_FIRST <= ord(ch) <= _SYLLABLE_LAST for ch in text)


def romanise(norm: str) -> str:
    """The romanisation of a normalised name, in normal form: its Hangul syllables spelled in Latin
    letters, everything else kept (``"오징어 게임"`` gives ``"ojingeo geim"``)."""
    return normalize(norm.translate(_TABLE))
