"""The rows of a CSV (or tab- or semicolon-separated) import as show records, each with the line it starts on."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable
from typing import Final

from bot.providers.catalog.problems import DocProblem, FieldProblem, Located, preview

_CSV_TEXT_COLUMNS: Final = frozenset({"key", "title", "native_title", "country", "network", "platform", "status"})
_CSV_LIST_COLUMNS: Final = frozenset({"aliases", "genres", "directors", "writers"})
CSV_COLUMNS: Final = (
    *sorted(_CSV_TEXT_COLUMNS | _CSV_LIST_COLUMNS),
    "year",
    "episodes",
    "seasons",
    "cast",
    "based_on",
)
_AS: Final = re.compile(r"\s+as\s+", re.IGNORECASE)
_NUMBER: Final = re.compile(r"[0-9]{1,9}")


def csv_records(text: str) -> tuple[list[Located], list[DocProblem]]:
    """Rows of a CSV file as show records; header is line 1, a row's line is the physical line it starts on."""
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = next((d for d in (",", "\t", ";") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records: list[Located] = []
    problems: list[DocProblem] = []
    next_line = 1
    rows = 0
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if not "".join(cells).strip():
                continue
            if header is None:
                header, header_problems = _csv_header(cells, line)
                if header_problems:
                    return [], header_problems
                continue
            row, rows = rows, rows + 1
            if len(cells) > len(header):
                message = f"the row has {len(cells)} cells but the header has {len(header)}"
                problems.append(DocProblem(message, line, row=row))
                continue
            raw, rename, row_problems = _csv_row(zip(header, cells, strict=False))
            records.append(Located(row, line, raw, rename, tuple(row_problems)))
    except csv.Error as exc:
        problems.append(DocProblem(f"cannot read the CSV from here on: {exc}", line=next_line))
    if header is None:
        problems.append(DocProblem("the file has no header row", line=1))
    return records, problems


def _csv_header(cells: list[str], line: int) -> tuple[list[str], list[DocProblem]]:
    header = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in cells]
    problems: list[DocProblem] = []
    for column in header:
        if column not in CSV_COLUMNS:
            hint = difflib.get_close_matches(column, CSV_COLUMNS, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else f"; known columns: {', '.join(CSV_COLUMNS)}"
            problems.append(DocProblem(f"unknown column '{preview(column)}'{suggestion}", line))
    for column in sorted({c for c in header if header.count(c) > 1}):
        problems.append(DocProblem(f"column '{preview(column)}' appears more than once", line))
    if "title" not in header:
        problems.append(DocProblem("the header has no 'title' column", line))
    return header, problems


def _csv_row(row: Iterable[tuple[str, str]]) -> tuple[dict[str, object], dict[str, str], list[FieldProblem]]:
    """One CSV row (column, cell pairs) as a JSON-shaped record, ready for the shared validation."""
    raw: dict[str, object] = {}
    rename: dict[str, str] = {}
    problems: list[FieldProblem] = []
    episodes = seasons = ""
    for column, value in row:
        cell = value.strip()
        if not cell:
            continue
        if column in _CSV_TEXT_COLUMNS:
            raw[column] = cell
        elif column in _CSV_LIST_COLUMNS:
            raw[column] = _split(cell)
        elif column == "year":
            raw["year"] = _csv_number(cell)
        elif column == "cast":
            raw["cast"] = [_csv_cast_member(item) for item in _split(cell)]
        elif column == "episodes":
            episodes = cell
        elif column == "seasons":
            seasons = cell
        elif column == "based_on":
            raw["based_on"], based_problems = _csv_based_on(cell)
            problems += based_problems
    if episodes and seasons:
        problems.append(FieldProblem("episodes", "give either episodes (one season) or seasons (like 8|16), not both"))
    elif episodes:
        raw["seasons"] = [{"number": 1, "episodes": _csv_number(episodes)}]
        rename["seasons"] = "episodes"
    elif seasons:
        counts = _split(seasons)
        raw["seasons"] = [{"number": n, "episodes": _csv_number(c)} for n, c in enumerate(counts, start=1)]
    return raw, rename, problems


def _split(cell: str) -> list[str]:
    """A cell's values separated by | or ;, the spaces around them dropped; split by C methods, not a regex."""
    if "|" not in cell and ";" not in cell:
        return [cell]
    return [item.strip() for item in cell.replace(";", "|").split("|")]


def _csv_number(cell: str) -> object:
    """An int when the cell is one, None for '?' (unknown), else the text for validation to refuse."""
    if cell in {"", "?"}:
        return None
    return int(cell) if _NUMBER.fullmatch(cell) else cell


def _csv_cast_member(item: str) -> dict[str, str]:
    if "as" not in item.lower():  # the usual "Actor" alone, without the regex
        return {"actor": item}
    actor, *character = _AS.split(item, maxsplit=1)
    return {"actor": actor, "character": character[0]} if character else {"actor": actor}


def _csv_based_on(cell: str) -> tuple[list[dict[str, str]], list[FieldProblem]]:
    """``kind: Title by Creator`` entries; title or creator may be left out (``webtoon: by Hong Bicira``)."""
    works: list[dict[str, str]] = []
    problems: list[FieldProblem] = []
    for position, item in enumerate(_split(cell), start=1):
        kind, colon, rest = item.partition(":")
        if not colon:
            problems.append(FieldProblem("based_on", f"entry {position}: write it as 'kind: Title by Creator'"))
            continue
        work = {"kind": kind.strip().lower()}
        rest = rest.strip()
        if rest.lower().startswith("by "):
            title, creator = "", rest[3:]
        else:
            title, _, creator = rest.rpartition(" by ") if " by " in rest else (rest, "", "")
        if title.strip():
            work["title"] = title.strip()
        if creator.strip():
            work["creator"] = creator.strip()
        works.append(work)
    return works, problems
