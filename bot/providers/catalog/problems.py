"""What a catalogue or import reader reports: problems by record, field, line and column, and how values are quoted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.models import Show


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one field of a record; ``field`` is the top-level field (or CSV column)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """A problem in the bundled catalogue: which record (``index`` in ``shows``, its line, key or title)."""

    message: str
    index: int | None = None
    line: int | None = None
    record: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line is not None else []
        if self.record:
            where.append(self.record)
        prefix = f"shows[{self.index}]" if self.index is not None else "file"
        if where:
            prefix += f" ({', '.join(where)})"
        return f"{prefix}: {self.field}: {self.message}" if self.field else f"{prefix}: {self.message}"


class CatalogError(ValueError):
    """The bundled catalogue is unusable; ``problems`` lists every bad record, not only the first."""

    def __init__(self, path: Path, problems: Sequence[CatalogProblem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{path}: {count} problem{'s' if count != 1 else ''} in the catalogue:\n{lines}")


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A row or object of an import that was skipped (or a problem with the whole file), by line.

    ``message`` reads on its own ("year: must be a whole number ..."), so ``f"{path}:{line}: {message}"``
    is a complete report; ``field`` and ``record`` are there for callers that lay it out differently.
    ``row`` is the record's position in the file (0-based) when the problem is one record's, None for the file's.
    """

    line: int
    message: str
    column: int | None = None
    field: str | None = None
    record: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column is not None else "")
        if self.record:
            where += f" ({self.record})"
        return f"{where}: {self.message}"

    @property
    def position(self) -> str:
        """``LINE`` or ``LINE:COLUMN``, as compilers print it after a file name."""
        return f"{self.line}:{self.column}" if self.column is not None else str(self.line)


@dataclass(slots=True)
class ImportResult:
    """What an import yields: the good shows (kept) and one problem per skipped row, in file order."""

    shows: list[Show] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """How many rows (records) were skipped: a row with three problems counts once, a file problem not at all."""
        return len({e.row for e in self.errors if e.row is not None})


@dataclass(frozen=True, slots=True)
class DocProblem:
    """A problem with the file as a whole (encoding, syntax, header), not one record."""

    message: str
    line: int | None = None
    column: int | None = None
    # A problem that costs one row (a CSV row the reader cannot split) counts as a rejected row.
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Located:
    """One record with where it came from; ``rename`` maps record fields back to the CSV's columns."""

    index: int
    line: int
    raw: object
    rename: Mapping[str, str] = field(default_factory=dict)
    # Problems found before validation (a CSV cell the row syntax cannot read).
    problems: tuple[FieldProblem, ...] = ()
    column: int | None = None

    @property
    def label(self) -> str | None:
        """The record's key, else its title, for messages."""
        if isinstance(self.raw, dict):
            for name in ("key", "title"):
                value = self.raw.get(name)
                if isinstance(value, str) and value.strip():
                    return describe(value.strip())
        return None


def describe(value: object) -> str:
    """A decoded JSON value as a message shows it: short, with control characters made visible."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{preview(value)}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return preview(repr(value))


def preview(text: str, limit: int = 40) -> str:
    visible = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[: limit + 1])
    return visible if len(visible) <= limit else visible[: limit - 1] + "…"
