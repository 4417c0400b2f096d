"""Making user and catalogue text inert before it goes into Discord markdown: no formatting, no mentions."""

from __future__ import annotations

import re
import unicodedata

# Characters that start or end Discord markdown (bold, italics, strike, spoilers, code, quotes, headings, links).
_MARKDOWN = re.compile(r"([\\*_~`|>\[\]()<])")
# Headings and list markers only mean something at the start of a line.
_LINE_START = re.compile(r"(?m)^(\s*)([#-])")
_MENTION = re.compile(r"@(everyone|here|[!&]?\d)")
_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn"}
ZWSP = "\u200b"
_WHITESPACE = re.compile(r"\s")


def strip_invisible(text: str, keep_newlines: bool = False) -> str:
    """Drop control, format (zero-width, bidi override) and unassigned characters."""
    return "".join(ch for ch in text if (keep_newlines and ch == "\n") or unicodedata.category(ch) not in _INVISIBLE)


def inert(text: str | None, limit: int = 1024, keep_newlines: bool = False) -> str:
    """``text`` shown literally: markdown escaped, mentions broken, invisibles dropped, cut to ``limit`` with "…"."""
    if not text:
        return ""
    if not keep_newlines:
        # Line breaks and tabs are spaces here: stripped as control characters they glued words together.
        text = _WHITESPACE.sub(" ", text)
    cleaned = strip_invisible(text, keep_newlines=keep_newlines)
    if not keep_newlines:
        cleaned = " ".join(cleaned.split())
    cleaned = _MARKDOWN.sub(r"\\\1", cleaned)
    cleaned = _LINE_START.sub(r"\1\\\2", cleaned)
    cleaned = _MENTION.sub("@" + ZWSP + r"\1", cleaned)
    if len(cleaned) <= limit:
        return cleaned
    cut = cleaned[: limit - 1]
    # Never leave a lone escaping backslash at the cut.
    if cut.endswith("\\") and not cut.endswith("\\\\"):
        cut = cut[:-1]
    return cut + "…"
