"""Review text in Discord markdown and back: the one reversible encoding every posted piece of a review uses.

``clean_text`` is the canonical form of what a member submitted (line breaks as ``\\n``, invisible controls dropped).
``encode_chunk`` renders clean text so that nothing in it is markup: every markdown character is backslash-escaped,
``@`` and ``|`` are followed by a zero-width space (so no ``@everyone`` and no ``||`` can form), and in spoiler mode
each non-blank line is wrapped in its own ``||...||`` (Discord's spoiler markup does not survive every line and
paragraph construct, and a per-line wrapper keeps every character of a line inside it). ``decode_chunk`` undoes it
exactly. The zero-width space is the encoding's own mark: ``clean_text`` removes any a member typed, so every one in
rendered text was put there by the encoder and decoding drops them all.
"""

from __future__ import annotations

import re
import unicodedata

ZWSP = "\u200b"
# Ends a piece whose text continues on the same line in the next piece (a split inside a very long line).
CONTINUED = "\u2026" + ZWSP
SPOILER = "||"

# Escaped wherever they appear: emphasis, strike, code, spoiler, quotes, mentions and emoji, masked links, headings,
# and ":" so that "https://..." is not turned into a link whose address would carry the escapes.
_ALWAYS_ESCAPED = frozenset("\\*_~`|><[]#:")
# An embed title is one line that Discord reads for inline emphasis, strike, code and spoilers only (no links,
# quotes, headings or lists): escaping no more than these keeps a headline free of stray backslashes on any client.
_TITLE_ESCAPED = frozenset("\\*_~`|<")
# Bidirectional controls, zero-width and other invisible format characters that could hide or reorder markup.
_DROPPED = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3164\ufeff\uffa0"
)
# Kept although category Cf: they join emoji and shape Indic and Persian text; they cannot form any markup.
_KEPT_FORMAT = frozenset("\u200c\u200d")
_LINE_BREAKS = str.maketrans({"\r": "\n", "\v": "\n", "\f": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})


def _keep(ch: str) -> bool:
    if ch in ("\n", "\t") or ch in _KEPT_FORMAT:
        return True
    if ch in _DROPPED:
        return False
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs"):
        return False
    if category == "Cf":
        # Tag characters spell the subdivision flags (England, Scotland); other format characters go.
        # No format character follows U+E007F (the next, U+E0080, is unassigned): a higher bound changes nothing.
        return 0xE0020 <= ord(ch) <= 0xE007F  # pragma: no mutate
    return True


def clean_text(text: str) -> str:
    """The canonical form of submitted text: every line break as ``\\n``; controls, bidi overrides and zero-width
    characters dropped. Idempotent; plain text (the seed review) comes back unchanged."""
    unified = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    if all(_keep(ch) for ch in unified):
        return unified
    return "".join(ch for ch in unified if _keep(ch))


def utf16_len(text: str) -> int:
    """Length as Discord counts it at most (UTF-16 code units), so a piece within this is within every limit."""
    if text.isascii():  # pragma: no mutate - a shortcut only: ASCII text has one code unit per character
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class _Escaper:
    """Escapes a set of characters in one regex pass (much faster than ``str.translate`` with string values)."""

    def __init__(self, chars: frozenset[str]) -> None:
        self.table = {ch: "\\" + ch for ch in chars}
        self.table["|"] = "\\|" + ZWSP  # a pipe never meets another, or the end of a spoiler, as "||"
        self.table["@"] = "@" + ZWSP  # no "@everyone", "@here" or "<@id>" can form
        self.pattern = re.compile("[" + re.escape("".join(sorted(self.table))) + "]")

    def __call__(self, text: str) -> str:
        return self.pattern.sub(lambda m: self.table[m.group()], text)


_escape_line = _Escaper(_ALWAYS_ESCAPED)
_escape_title = _Escaper(_TITLE_ESCAPED)


# A list marker ("- ", "+ ", "1. ", "2) ") or subtext ("-# ") after a line's leading spaces.
_LIST_MARKER = re.compile(r"[ \t]*(?:[0-9]+[.)]|[-+])")


def _list_marker(line: str) -> int | None:
    """Where a list marker opens ``line`` (its last character), or None."""
    match = _LIST_MARKER.match(line)
    return match.end() - 1 if match else None


def encode_lines(text: str, spoiler: bool) -> list[str]:
    """Each line of clean text as inert markdown; in spoiler markup when ``spoiler`` and the line is not blank."""
    out: list[str] = []
    # The escaper neither adds nor removes a line break, so both lists have one item per line: strict changes nothing.
    for line, escaped in zip(text.split("\n"), _escape_line(text).split("\n"), strict=True):  # pragma: no mutate
        if not line.strip():
            out.append(line)
            continue
        marker = _list_marker(line)
        if marker is not None:  # only spaces and digits come before it, so it sits at the same place once escaped
            escaped = escaped[:marker] + "\\" + escaped[marker:]
        out.append(SPOILER + escaped + SPOILER if spoiler else escaped)
    return out


def encode_line(line: str, spoiler: bool) -> str:
    """One line of clean text (no ``\\n``), as ``encode_lines`` renders it."""
    return encode_lines(line, spoiler)[0]


def encode_title(text: str) -> str:
    """One line of clean text as an embed title: inline markup escaped, ``@`` broken, ends fenced. Decoded by
    ``decode_chunk`` like every other piece."""
    return _fence(_escape_title(" ".join(text.split("\n"))))


def _fence(rendered: str) -> str:
    if rendered[:1].isspace():
        rendered = ZWSP + rendered
    if rendered[-1:].isspace():
        rendered += ZWSP
    return rendered


def encode_chunk(text: str, spoiler: bool = False, continued: bool = False) -> str:
    """A piece of clean text as one embed description (or title); ``continued`` when its last line goes on in the
    next piece. Whitespace at either end is fenced with a zero-width space, as Discord trims it."""
    rendered = _fence("\n".join(encode_lines(text, spoiler)))
    return rendered + CONTINUED if continued else rendered


def decode_chunk(rendered: str) -> tuple[str, bool]:
    """The clean text ``encode_chunk`` was given, and whether it was marked as continued."""
    continued = rendered.endswith(CONTINUED)
    if continued:
        rendered = rendered[: -len(CONTINUED)]
    lines: list[str] = []
    for line in rendered.split("\n"):
        if len(line) >= 2 * len(SPOILER) and line.startswith(SPOILER) and line.endswith(SPOILER):
            line = line[len(SPOILER) : -len(SPOILER)]
        lines.append(_unescape(line))
    return "\n".join(lines), continued


_ESCAPED_CHAR = re.compile(r"\\(.)", re.DOTALL)


def _unescape(line: str) -> str:
    # Every zero-width space is the encoder's own; every backslash escapes the character after it.
    return _ESCAPED_CHAR.sub(r"\1", line.replace(ZWSP, ""))


def plain(text: str, limit: int) -> str:
    """Text for places Discord shows without markdown (embed author and footer): one line, invisibles dropped, cut
    to ``limit`` with "…". Never used for spoiler text."""
    flat = " ".join(clean_text(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
