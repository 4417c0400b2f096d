"""A small model of how Discord reads markdown, for checking what the review encoder produces.

Discord's parser (simple-markdown) takes a backslash before any character that is not a letter, digit or space as an
escape, and finds a spoiler as ``||`` followed by the shortest text up to the next ``||``, escapes or not. The checks
here hold under both readings of that.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"
CONTINUED = "\u2026" + ZWSP
MARKUP = set("\\*_~`|><[]#")
_ESCAPABLE = re.compile(r"[^0-9A-Za-z\s]")


def tokens(line: str) -> list[tuple[str, bool]]:
    """Each displayed character of ``line`` with whether a backslash escaped it; a backslash that escapes nothing
    (before a letter, digit, space or the end) is returned as itself, unescaped."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line) and _ESCAPABLE.match(line[i + 1]):
            out.append((line[i + 1], True))
            i += 2
        else:
            out.append((ch, False))
            i += 1
    return out


def spoiler_spans(line: str) -> tuple[str, list[str]]:
    """Split a line as the regex spoiler rule does: (text outside spoilers, [hidden contents])."""
    outside: list[str] = []
    hidden: list[str] = []
    i = 0
    while i < len(line):
        if line.startswith("||", i):
            end = line.find("||", i + 3)
            if end != -1:
                hidden.append(line[i + 2 : end])
                i = end + 2
                continue
        outside.append(line[i])
        i += 1
    return "".join(outside), hidden


def problems(rendered: str) -> list[str]:
    """Everything in rendered review text that Discord would read as markup or a mention (empty when inert)."""
    found: list[str] = []
    rendered = rendered.removesuffix(CONTINUED)  # the bot's own mark after the last line
    if "@everyone" in rendered or "@here" in rendered:
        found.append("mass mention")
    for line in rendered.split("\n"):
        body = line
        if len(line) >= 4 and line.startswith("||") and line.endswith("||"):
            body = line[2:-2]
            if "||" in body or body.endswith("|"):
                found.append(f"spoiler closes early in {line!r}")
        toks = tokens(body)
        for ch, escaped in toks:
            if not escaped and ch in MARKUP:
                found.append(f"unescaped {ch!r} in {line!r}")
        lead = [ch for ch, esc in toks if ch != ZWSP]
        lead_esc = [esc for ch, esc in toks if ch != ZWSP]
        k = 0
        while k < len(lead) and lead[k] in " \t":
            k += 1
        if k < len(lead) and lead[k] in "-+" and not lead_esc[k]:
            found.append(f"list marker in {line!r}")
        digits = k
        while digits < len(lead) and lead[digits] in "0123456789":
            digits += 1
        if digits > k and digits < len(lead) and lead[digits] in ".)" and not lead_esc[digits]:
            found.append(f"numbered list in {line!r}")
    return found


def outside_spoilers(rendered: str) -> str:
    """The characters of rendered text that are not inside any spoiler, under the regex spoiler rule."""
    return "".join(spoiler_spans(line)[0] for line in rendered.split("\n"))


def title_problems(rendered: str) -> list[str]:
    """What an embed title (one line, inline markup only) would read as markup or a mention."""
    found = ["mass mention"] if "@everyone" in rendered or "@here" in rendered else []
    if "\n" in rendered:
        found.append("line break in a title")
    found += [f"unescaped {ch!r}" for ch, escaped in tokens(rendered) if not escaped and ch in "\\*_~`|<"]
    return found
