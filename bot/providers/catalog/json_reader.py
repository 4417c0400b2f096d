"""The show records of a JSON document, each with the line and column it starts on; syntax errors by line and column."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Final

from bot.providers.catalog.problems import DocProblem, Located, describe, preview

CATALOG_FORMAT: Final = 1

_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")


def json_records(text: str, *, require_format: bool, allow_bare_list: bool) -> tuple[list[Located], list[DocProblem]]:
    """The show objects of a JSON document with where each starts.

    The document is parsed once by ``json.loads`` (for its error positions), then walked again with
    ``raw_decode`` only to find where each show object starts.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [DocProblem(f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)]
    except RecursionError:
        return [], [DocProblem("not valid JSON: nested too deeply", line=1)]
    except ValueError:  # the one other failure: an integer with more digits than Python converts
        return [], [DocProblem("not valid JSON: a number has too many digits", line=1)]

    shows: list[object]
    doc_problems: list[DocProblem] = []
    if isinstance(document, list) and allow_bare_list:
        shows = document
    elif isinstance(document, dict):
        problems = _check_top_level(document, require_format=require_format)
        if "shows" not in document:
            return [], [*problems, DocProblem("the file has no 'shows' list", line=1)]
        listed = document["shows"]
        if not isinstance(listed, list):
            return [], [*problems, DocProblem(f"'shows' must be a list, got {describe(listed)}", line=1)]
        shows = listed
        # Still read the records: every problem in one report, not one per attempt.
        doc_problems = problems
    else:
        expected = "an object with a 'shows' list" + (" or a list of shows" if allow_bare_list else "")
        return [], [DocProblem(f"the file must hold {expected}, got {describe(document)}", line=1)]

    try:
        starts = _show_offsets(text)
    except (IndexError, ValueError):  # cannot happen for a document json.loads accepted; never fail on it
        starts = []
    if len(starts) != len(shows):  # cannot happen for a valid document; keep going without positions
        return [Located(index=i, line=1, raw=raw) for i, raw in enumerate(shows)], doc_problems
    located: list[Located] = []
    line, line_start, previous = 1, 0, 0
    for index, (raw, start) in enumerate(zip(shows, starts, strict=True)):
        # Counted between consecutive records, so the whole document is scanned once, not once per record.
        newlines = text.count("\n", previous, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", previous, start) + 1
        previous = start
        located.append(Located(index=index, line=line, raw=raw, column=start - line_start + 1))
    return located, doc_problems


def _check_top_level(document: Mapping[str, object], *, require_format: bool) -> list[DocProblem]:
    problems: list[DocProblem] = []
    version = document.get("format")
    if version is None:
        if require_format:
            problems.append(DocProblem(f'the file needs "format": {CATALOG_FORMAT}', line=1))
    elif isinstance(version, bool) or version != CATALOG_FORMAT:
        problems.append(DocProblem(f"unsupported format {describe(version)}; expected {CATALOG_FORMAT}", line=1))
    for unknown in (k for k in document if k not in {"format", "shows"}):
        problems.append(DocProblem(f"unknown top-level field '{preview(unknown)}'; expected 'format', 'shows'", 1))
    return problems


def _show_offsets(text: str) -> list[int]:
    """Where each element of the shows array starts, in a document ``json.loads`` already accepted."""
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if text.startswith("[", pos):
        return _array_offsets(text, pos, decoder)[0]
    offsets: list[int] = []
    if not text.startswith("{", pos):
        return offsets
    pos = _skip(text, pos + 1)
    while text[pos] != "}":
        name, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past the colon
        if name == "shows" and text.startswith("[", pos):
            # A repeated key: the last one wins, as in json.loads.
            offsets, pos = _array_offsets(text, pos, decoder)
        else:
            _, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return offsets


def _array_offsets(text: str, pos: int, decoder: json.JSONDecoder) -> tuple[list[int], int]:
    offsets: list[int] = []
    pos = _skip(text, pos + 1)
    while text[pos] != "]":
        offsets.append(pos)
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return offsets, pos + 1


def _skip(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos
