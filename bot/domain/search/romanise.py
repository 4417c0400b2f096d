"""The Revised Romanization of Hangul titles, made at index time, so that ``ojingeo geim`` finds 오징어 게임
without anyone typing the romanisation into the catalogue.

The spelling of each syllable comes from koroman (the National Institute of Korean Language's rules), in
its letter-by-letter mode: that is the spelling fans see on posters and in wikis ("Gaetmaeul Chachacha",
"Sarangui Bulsichak"), and it depends on the syllable alone, so koroman spells all 11,172 syllables once
(one call, a few milliseconds) and romanising a title is a ``str.translate``. Its sound-change mode costs
about 60 µs a word, several seconds for 100,000 titles.
"""

from __future__ import annotations

from functools import cache

import koroman

from bot.domain.text import MAX_NORMALIZED_LENGTH

__all__ = ["romanise", "syllable_table"]

_SYLLABLES = range(0xAC00, 0xD7A4)  # 가..힣


@cache
def syllable_table() -> dict[int, str]:
    """Hangul syllable code point -> its romanisation in lowercase letters."""
    spelled = koroman.romanize(
        " ".join(map(chr, _SYLLABLES)), use_pronunciation_rules=False, casing_option="lowercase"
    ).split(" ")
    if len(spelled) != len(_SYLLABLES) or not all(s.isascii() and s.isalpha() for s in spelled):
        raise RuntimeError("koroman did not spell every Hangul syllable in letters")
    return dict(zip(_SYLLABLES, spelled, strict=True))


def romanise(norm: str) -> str:
    """The romanisation of a normalised name, in normal form: its Hangul syllables spelled in lowercase
    Latin letters, everything else kept (``"오징어 게임"`` gives ``"ojingeo geim"``)."""
    # Letters for syllables keep the normal form; only the length can grow past its limit.
    return norm.translate(syllable_table())[:MAX_NORMALIZED_LENGTH].rstrip()
