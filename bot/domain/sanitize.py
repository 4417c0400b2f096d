"""Text and links from outside sources made safe to show: HTML summaries to plain text, links limited to known sites.

The one HTML-to-text helper of the project: any source that sends HTML (TVmaze summaries) goes through it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, Final
from urllib.parse import urlsplit

TVMAZE_SITE: Final = "www.tvmaze.com"
# Discord refuses longer embed URLs; a real TVmaze link is well under 200 characters.
MAX_URL_LENGTH: Final = 2048
# Several times what a TVmaze summary holds (cards show 1,500 characters of it); each 1,000 characters of markup
# cost about 0.3 ms to parse, on the event loop.
MAX_MARKUP: Final = 8_000

_BLOCK_TAGS: Final = frozenset({"p", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"})
_SPACES: Final = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES: Final = re.compile(r"\n{3,}")
# Whitespace and control characters have no place in a URL; browsers drop some of them, which is how
# "java\tscript:" slips past a naive scheme check.
_UNSAFE_IN_URL: Final = re.compile(r"[\x00-\x20\x7f-\x9f\\<>\"'`]")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        # Source newlines inside HTML are layout, not breaks.
        self.parts.append(data.replace("\n", " "))


def html_to_text(value: Any, max_markup: int = MAX_MARKUP) -> str | None:
    """HTML as plain text: paragraphs kept as blank lines, tags dropped, entities decoded; None when empty.

    Reads at most ``max_markup`` characters of it.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    parser = _TextExtractor()
    parser.feed(value[:max_markup])
    parser.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text or None


def _https_url(value: Any) -> tuple[str, str] | None:
    """``(url, host)`` for a well-formed https URL without credentials, else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > MAX_URL_LENGTH or _UNSAFE_IN_URL.search(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a malformed port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "https" or not host or parts.username is not None or parts.password is not None:
        return None
    if port not in (None, 443):
        return None
    return url, host


def tvmaze_link(value: Any) -> str | None:
    """``value`` when it is an https link to a page on www.tvmaze.com, else None (never a javascript: URL)."""
    checked = _https_url(value)
    return checked[0] if checked is not None and checked[1] == TVMAZE_SITE else None


def image_link(value: Any) -> str | None:
    """``value`` when it is a well-formed https URL (Discord fetches images through its proxy), else None."""
    checked = _https_url(value)
    return checked[0] if checked is not None else None
