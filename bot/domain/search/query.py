"""The normal form of a query: its words as bisect bounds over sorted keys, a Hangul syllable still being
composed, initial consonants, the query without its spaces, and the readings tried when it finds nothing
as typed (an autocomplete label with its year, a title with a season after it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.text import CHOSEONG, choseong_range, is_syllable, normalize

__all__ = ["END", "Query", "Token", "fallbacks"]

END = "\U0010ffff"  # sorts after every character a normalised key can hold (normalize drops it)


@dataclass(frozen=True, slots=True)
class Token:
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
    def prefix(cls, text: str, after_space: bool = False) -> Token:
        """``after_space``: the text followed a space in the query, so a lone consonant starts a word."""
        before = text[-2] if len(text) >= 2 else (" " if after_space else "")
        if before == " " or is_syllable(before):
            span = choseong_range(text[-1])
            if span is not None:
                head = text[:-1]
                return cls(text, False, head, head + span[0], head + span[1], span[0], span[1])
        return cls(text, False, text, text, text + END, "", "")

    @classmethod
    def word(cls, text: str) -> Token:
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
            # Equivalent at + 2: needle is " " + head and a name has single spaces, so it never recurs one on.
            at = padded.find(needle, at + 1)  # pragma: no mutate
        return False


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    whole: Token  # the whole query as a prefix of a name
    tokens: tuple[Token, ...]
    consonants: str  # the query's consonants without spaces when it is an initials query, else ""
    compact: str  # the query without spaces: "squidgame", "사랑의불시착", "dp" (D.P.)

    @classmethod
    def parse(cls, raw: str) -> Query | None:
        return cls.of_normal(normalize(raw))

    @classmethod
    def of_normal(cls, text: str) -> Query | None:
        """The query for text that ``normalize`` produced."""
        if not text:
            return None
        words = text.split()
        tokens = (*(Token.word(w) for w in words[:-1]), Token.prefix(words[-1], len(words) > 1))
        compact = text.replace(" ", "")
        consonants = compact if all(ch in CHOSEONG for ch in compact) else ""
        return cls(text, Token.prefix(text), tokens, consonants, compact)


# "kingdom 2019": an autocomplete label ("Kingdom (2019)") typed by hand, normalised.
_WITH_YEAR = re.compile(r"(.+) ((?:19|20)\d\d)")
# "the glory season 2", "the glory part 2", "더 글로리 시즌2": a season of a show the catalogue holds once.
_WITH_SEASON = re.compile(r"(.+?) (?:season|series|part|시즌|파트) ?\d{1,3}")


@dataclass(frozen=True, slots=True)
class Fallback:
    """Another reading of a query that found nothing as typed: ``text`` to search instead, and the
    label (normalised) a show must have to count as an exact match, when the query was a label."""

    text: str
    label: str = ""


def fallbacks(text: str) -> list[Fallback]:
    """Readings of the normalised query ``text`` worth a second search when it finds nothing as typed."""
    out: list[Fallback] = []
    year = _WITH_YEAR.fullmatch(text)
    if year is not None:
        out.append(Fallback(year.group(1), text))
    season = _WITH_SEASON.fullmatch(text)
    if season is not None:
        out.append(Fallback(season.group(1)))
    return out
