"""Reading show records: the bundled ``data/catalog.json`` and files a server admin imports (JSON or CSV).

Pure: a file goes in; ``Show`` models and a list of every problem found come out. No Discord, no SQL.
The bundled file must be spotless (``load_catalog`` raises listing every bad record); an import keeps
its good rows and reports each bad one by the line it starts on (``parse_import``).
"""

from __future__ import annotations

import bisect
import codecs
import csv
import dataclasses
import datetime as dt
import difflib
import hashlib
import io
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypeVar

from bot.domain.models import CastMember, SeasonInfo, Show, SourceWork

CATALOG_FORMAT: Final = 1
MIN_YEAR: Final = 1950
MAX_YEAR: Final = 2100
MAX_TEXT: Final = 200
MAX_KEY: Final = 80
MAX_EPISODES: Final = 5000
# TVmaze numbers some shows' seasons by year, so season numbers are not small.
MAX_SEASON_NUMBER: Final = 9999
# An import is read whole; a cap keeps a stray multi-gigabyte file from taking the process down.
MAX_IMPORT_BYTES: Final = 20 * 1024 * 1024

BASED_ON_KINDS: Final = frozenset(
    {"novel", "web novel", "webtoon", "manga", "comic", "book", "film", "tv series", "play", "game", "true story"}
)
# TVmaze's vocabulary, so catalogue and TVmaze shows compare equal.
SHOW_STATUSES: Final = frozenset({"Running", "Ended", "To Be Determined", "In Development"})

_SHOW_FIELDS: Final = (
    "key",
    "title",
    "native_title",
    "aliases",
    "year",
    "country",
    "network",
    "platform",
    "seasons",
    "status",
    "genres",
    "directors",
    "writers",
    "cast",
    "based_on",
)
_SEASON_FIELDS: Final = ("number", "episodes", "premiere_date")
_CAST_FIELDS: Final = ("actor", "character", "nicknames")
_SOURCE_FIELDS: Final = ("kind", "title", "creator")
_LIST_LIMITS: Final = {
    "aliases": 50,
    "genres": 20,
    "directors": 20,
    "writers": 40,
    "seasons": 200,
    "cast": 200,
    "nicknames": 10,
    "based_on": 10,
}
_KEY_RE: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_COUNTRY_RE: Final = re.compile(r"[A-Z]{2}")
# Cc: C0/C1 controls (tabs and newlines included: a title is one line); Cf: invisible format characters
# such as bidi overrides and a stray BOM; Cs: lone surrogates, which JSON's \ud800 escapes can produce.
_BAD_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs"})

_T = TypeVar("_T")


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
    """

    line: int
    message: str
    column: int | None = None
    field: str | None = None
    record: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column is not None else "")
        if self.record:
            where += f" ({self.record})"
        return f"{where}: {self.message}"


@dataclass(slots=True)
class ImportResult:
    """What an import yields: the good shows (kept) and one problem per skipped row, in file order."""

    shows: list[Show] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)


def default_catalog_path() -> Path:
    """Where the shipped ``catalog.json`` is.

    A source checkout or editable install finds it at ``<repo>/data/catalog.json``; a wheel install
    finds it where the wheel's data files land (``<prefix>/share/watch-companion/``). When neither
    exists the repository path is returned, so the error names the place people expect.
    """
    in_repo = Path(__file__).resolve().parents[2] / "data" / "catalog.json"
    installed = Path(sys.prefix) / "share" / "watch-companion" / "catalog.json"
    return next((p for p in (in_repo, installed) if p.is_file()), in_repo)


def load_catalog(path: Path) -> list[Show]:
    """The shows of the bundled catalogue, in file order; raises ``CatalogError`` listing every problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(path, [CatalogProblem(f"cannot read the file: {exc.strerror or exc}")]) from exc
    text = _decode(data)
    if isinstance(text, _DocProblem):
        raise CatalogError(path, [CatalogProblem(text.message, line=text.line)])
    records, doc_problems = _json_records(text, require_format=True, allow_bare_list=False)
    problems = [CatalogProblem(p.message, line=p.line) for p in doc_problems]
    shows, record_problems = _build_shows(records, source="catalog", require_key=True)
    problems += [
        CatalogProblem(p.message, index=r.index, line=r.line, record=r.label, field=p.field) for r, p in record_problems
    ]
    if problems:
        raise CatalogError(path, problems)
    return shows


def parse_import(path: Path) -> ImportResult:
    """Shows from a JSON or CSV file an admin imports; bad rows become problems, good rows are kept.

    Never raises for bad content: an unreadable, empty, malformed or oversized file is one problem.
    """
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            limit_mb = MAX_IMPORT_BYTES // (1024 * 1024)
            return ImportResult(errors=[ImportProblem(1, f"the file is {size:,} bytes; the limit is {limit_mb} MB")])
        data = path.read_bytes()
    except OSError as exc:
        return ImportResult(errors=[ImportProblem(1, f"cannot read the file: {exc.strerror or exc}")])
    text = _decode(data)
    if isinstance(text, _DocProblem):
        return ImportResult(errors=[ImportProblem(text.line or 1, text.message)])
    if not text.strip():
        return ImportResult(errors=[ImportProblem(1, "the file is empty")])

    if _looks_like_json(path, text):
        records, doc_problems = _json_records(text, require_format=False, allow_bare_list=True)
    else:
        records, doc_problems = _csv_records(text)
    errors = [ImportProblem(p.line or 1, p.message, column=p.column) for p in doc_problems]
    shows, record_problems = _build_shows(records, source="import", require_key=False)
    errors += [_import_problem(r, p) for r, p in record_problems]
    errors.sort(key=lambda e: e.line)
    return ImportResult(shows=shows, errors=errors)


def validate_record(raw: object, *, require_key: bool = True) -> list[FieldProblem]:
    """Every problem with one show record (a decoded JSON object); empty when it is good."""
    return _read_record(raw, require_key=require_key)[1]


def slugify(title: str) -> str:
    """A catalogue key from a title: lowercase ASCII words joined by hyphens ("the-glory").

    A title that is not ASCII and leaves no ASCII letter behind (a Hangul title) gets a short stable
    hash instead: "시그널2" should not become "2".
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    # Room is left for the "-2016" or "-2" a colliding derived key gets.
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[: MAX_KEY - 10].strip("-")
    if slug and (title.isascii() or re.search(r"[a-z]", slug)):
        return slug
    return "show-" + hashlib.sha256(title.encode("utf-8", "surrogatepass")).hexdigest()[:10]


# --- one record -----------------------------------------------------------------------------------------


class _Problems:
    """Collects field problems for one record; the helpers below return None for a bad value."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, field_name: str, message: str) -> None:
        self.items.append(FieldProblem(field_name, message))


def _read_record(raw: object, *, require_key: bool) -> tuple[Show | None, list[FieldProblem]]:
    """The Show a record describes (source and key filled in later) and every problem with it."""
    problems = _Problems()
    if not isinstance(raw, dict):
        problems.add("record", f"must be an object with show fields, got {_describe(raw)}")
        return None, problems.items
    _reject_unknown(raw, _SHOW_FIELDS, problems, "record", "")

    key = raw.get("key")
    if key is None:
        if require_key:
            problems.add("key", "is required (lowercase words joined by hyphens, e.g. 'crash-landing-on-you')")
    elif not isinstance(key, str) or len(key) > MAX_KEY or not _KEY_RE.fullmatch(key):
        problems.add("key", f"must be lowercase letters and digits joined by hyphens, got {_describe(key)}")

    title = _text(raw.get("title"), problems, "title", "", required=True)
    native_title = _text(raw.get("native_title"), problems, "native_title", "")
    aliases = _text_list(raw.get("aliases"), problems, "aliases")
    year = _whole(raw.get("year"), problems, "year", "", MIN_YEAR, MAX_YEAR)
    country = _text(raw.get("country"), problems, "country", "")
    if country is not None and not _COUNTRY_RE.fullmatch(country):
        problems.add("country", f"must be a two-letter ISO 3166 code such as 'KR', got {_describe(country)}")
        country = None
    network = _text(raw.get("network"), problems, "network", "")
    platform = _text(raw.get("platform"), problems, "platform", "")
    status = _text(raw.get("status"), problems, "status", "")
    if status is not None and status not in SHOW_STATUSES:
        problems.add("status", f"must be one of {_choices(SHOW_STATUSES)}, got {_describe(status)}")
        status = None
    seasons = _items(raw.get("seasons"), problems, "seasons", _read_season)
    numbers = [s.number for s in seasons]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.add("seasons", f"season {number} is listed more than once")
    genres = _text_list(raw.get("genres"), problems, "genres")
    directors = _text_list(raw.get("directors"), problems, "directors")
    writers = _text_list(raw.get("writers"), problems, "writers")
    cast = _items(raw.get("cast"), problems, "cast", _read_cast_member)
    based_on = _items(raw.get("based_on"), problems, "based_on", _read_source_work)

    if problems.items or title is None:
        return None, problems.items
    show = Show(
        title=title,
        native_title=native_title,
        aliases=aliases,
        year=year,
        country=country,
        network=network,
        platform=platform,
        seasons=tuple(sorted(seasons, key=lambda s: s.number)),
        status=status,
        genres=genres,
        directors=directors,
        writers=writers,
        cast=cast,
        based_on=based_on,
        catalog_key=key if isinstance(key, str) else None,
    )
    return show, []


def _read_season(raw: Mapping[str, object], problems: _Problems, where: str) -> SeasonInfo | None:
    number = _whole(raw.get("number"), problems, "seasons", f"{where}number ", 1, MAX_SEASON_NUMBER, required=True)
    episodes = _whole(raw.get("episodes"), problems, "seasons", f"{where}episodes ", 1, MAX_EPISODES)
    premiere: dt.date | None = None
    value = raw.get("premiere_date")
    if value is not None:
        try:
            premiere = dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            premiere = None
        if premiere is None:
            problems.add("seasons", f"{where}premiere_date must be a date like 2025-01-24, got {_describe(value)}")
    if number is None:
        return None
    return SeasonInfo(number=number, episode_count=episodes, premiere_date=premiere)


def _read_cast_member(raw: Mapping[str, object], problems: _Problems, where: str) -> CastMember | None:
    actor = _text(raw.get("actor"), problems, "cast", f"{where}actor ", required=True)
    character = _text(raw.get("character"), problems, "cast", f"{where}character ")
    nicknames = _text_list(raw.get("nicknames"), problems, "cast", f"{where}nicknames", limit_name="nicknames")
    return CastMember(actor=actor, character=character, nicknames=nicknames) if actor else None


def _read_source_work(raw: Mapping[str, object], problems: _Problems, where: str) -> SourceWork | None:
    kind = _text(raw.get("kind"), problems, "based_on", f"{where}kind ", required=True)
    if kind is not None and kind not in BASED_ON_KINDS:
        problems.add("based_on", f"{where}kind must be one of {_choices(BASED_ON_KINDS)}, got {_describe(kind)}")
        kind = None
    title = _text(raw.get("title"), problems, "based_on", f"{where}title ")
    creator = _text(raw.get("creator"), problems, "based_on", f"{where}creator ")
    return SourceWork(kind=kind, title=title, creator=creator) if kind else None


def _items(
    value: object,
    problems: _Problems,
    name: str,
    read: Callable[[Mapping[str, object], _Problems, str], _T | None],
) -> tuple[_T, ...]:
    """A list of objects (seasons, cast, based_on), each read by ``read``; bad entries are reported."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add(name, f"must be a list, got {_describe(value)}")
        return ()
    if len(value) > _LIST_LIMITS[name]:
        problems.add(name, f"has {len(value)} entries; the limit is {_LIST_LIMITS[name]}")
        return ()
    allowed = {"seasons": _SEASON_FIELDS, "cast": _CAST_FIELDS, "based_on": _SOURCE_FIELDS}[name]
    result: list[_T] = []
    for position, item in enumerate(value, start=1):
        where = f"entry {position}: "
        if not isinstance(item, dict):
            problems.add(name, f"{where}must be an object, got {_describe(item)}")
            continue
        _reject_unknown(item, allowed, problems, name, where)
        read_item = read(item, problems, where)
        if read_item is not None:
            result.append(read_item)
    return tuple(result)


def _text(
    value: object, problems: _Problems, name: str, label: str, *, required: bool = False, limit: int = MAX_TEXT
) -> str | None:
    """A one-line piece of text, stripped and NFC-normalised (so Hangul typed as jamo compares equal).

    ``label`` prefixes the message for nested values ("entry 2: actor "); empty for a top-level field.
    """
    if value is None:
        if required:
            problems.add(name, f"{label}is required")
        return None
    if not isinstance(value, str):
        problems.add(name, f"{label}must be text, got {_describe(value)}")
        return None
    text = unicodedata.normalize("NFC", value.strip())
    if not text:
        if required:
            problems.add(name, f"{label}must not be empty")
        return None
    if len(text) > limit:
        problems.add(name, f"{label}is {len(text):,} characters long; the limit is {limit}")
        return None
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in _BAD_CATEGORIES:
            problems.add(name, f"{label}contains a control character (U+{ord(char):04X}) at character {position}")
            return None
    return text


def _text_list(
    value: object, problems: _Problems, name: str, label: str = "", *, limit_name: str | None = None
) -> tuple[str, ...]:
    """A list of text; repeats (ignoring case) are dropped rather than refused: they lose nothing."""
    if value is None:
        return ()
    prefix = f"{label} " if label else ""
    if not isinstance(value, list):
        problems.add(name, f"{prefix}must be a list of text, got {_describe(value)}")
        return ()
    limit = _LIST_LIMITS[limit_name or name]
    if len(value) > limit:
        problems.add(name, f"{prefix}has {len(value)} entries; the limit is {limit}")
        return ()
    result: list[str] = []
    seen: set[str] = set()
    for position, item in enumerate(value, start=1):
        text = _text(item, problems, name, f"{prefix}entry {position} ", required=True)
        if text is not None and text.casefold() not in seen:
            seen.add(text.casefold())
            result.append(text)
    return tuple(result)


def _whole(
    value: object, problems: _Problems, name: str, label: str, low: int, high: int, *, required: bool = False
) -> int | None:
    if value is None:
        if required:
            problems.add(name, f"{label}is required")
        return None
    # bool is an int in Python, but `true` is never a year or an episode count.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(name, f"{label}must be a whole number from {low} to {high}, got {_describe(value)}")
        return None
    return value


def _reject_unknown(
    raw: Mapping[str, object], allowed: Sequence[str], problems: _Problems, name: str, where: str
) -> None:
    """Unknown fields are refused so that a typo ("charater") cannot silently drop a fact.

    A top-level unknown field is reported under its own name; a nested one under its list's name.
    """
    for unknown in (k for k in raw if k not in allowed):
        hint = difflib.get_close_matches(unknown, allowed, n=1)
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else f"; known fields: {', '.join(allowed)}"
        if where:
            problems.add(name, f"{where}unknown field '{_preview(unknown)}'{suggestion}")
        else:
            problems.add(_preview(unknown), f"unknown field{suggestion}")


def _describe(value: object) -> str:
    """A decoded JSON value as a message shows it: short, with control characters made visible."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{_preview(value)}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return _preview(repr(value))


def _preview(text: str, limit: int = 40) -> str:
    visible = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[: limit + 1])
    return visible if len(visible) <= limit else visible[: limit - 1] + "…"


def _choices(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


# --- many records ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Located:
    """One record with where it came from; ``rename`` maps record fields back to the CSV's columns."""

    index: int
    line: int
    raw: object
    rename: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # Problems found before validation (a CSV cell the row syntax cannot read).
    problems: tuple[FieldProblem, ...] = ()

    @property
    def label(self) -> str | None:
        """The record's key, else its title, for messages."""
        if isinstance(self.raw, dict):
            for name in ("key", "title"):
                value = self.raw.get(name)
                if isinstance(value, str) and value.strip():
                    return _describe(value.strip())
        return None


@dataclass(frozen=True, slots=True)
class _DocProblem:
    """A problem with the file as a whole (encoding, syntax, header), not one record."""

    message: str
    line: int | None = None
    column: int | None = None


def _build_shows(
    records: Sequence[_Located], *, source: str, require_key: bool
) -> tuple[list[Show], list[tuple[_Located, FieldProblem]]]:
    """Read every record; drop and report bad ones and the later copy of a duplicate key or (title, year)."""
    read: list[tuple[_Located, Show]] = []
    problems: list[tuple[_Located, FieldProblem]] = []
    for record in records:
        show, found = _read_record(record.raw, require_key=require_key)
        problems += [(record, p) for p in (*record.problems, *found)]
        if record.problems:
            continue
        if show is not None:
            read.append((record, show))

    explicit: set[str] = {show.catalog_key for _, show in read if show.catalog_key}
    key_owner: dict[str, _Located] = {}
    title_owner: dict[tuple[str, int | None], _Located] = {}
    shows: list[Show] = []
    for record, show in read:
        key = show.catalog_key or _fresh_key(show, explicit | set(key_owner))
        title_year = (show.title.casefold(), show.year)
        if key in key_owner:
            first = key_owner[key]
            message = f"'{key}' is already used by the record at line {first.line}"
            problems.append((record, FieldProblem("key", message)))
            continue
        if title_year in title_owner:
            first = title_owner[title_year]
            year = show.year if show.year is not None else "unknown year"
            message = f"'{_preview(show.title)}' ({year}) is already listed at line {first.line}"
            problems.append((record, FieldProblem("title", message)))
            continue
        key_owner[key] = record
        title_owner[title_year] = record
        shows.append(dataclasses.replace(show, source=source, catalog_key=key))
    problems.sort(key=lambda rp: rp[0].index)
    return shows, problems


def _import_problem(record: _Located, problem: FieldProblem) -> ImportProblem:
    """A record problem as the importing admin reads it: by line, and by the CSV column they wrote."""
    column = record.rename.get(problem.field, problem.field)
    message = problem.message
    if column == "episodes":  # the CSV's one-season column: no "entry 1: episodes" to talk about
        message = message.removeprefix("entry 1: episodes ")
    return ImportProblem(record.line, f"{column}: {message}", field=column, record=record.label)


def _fresh_key(show: Show, taken: set[str]) -> str:
    """A derived key that no other record of the file uses: the title's slug, then with the year, then numbered.

    Derived keys carry an ``import-`` prefix so an import never silently replaces a bundled show; an admin who
    means to correct a bundled record names its key explicitly.
    """
    base = "import-" + slugify(show.title)
    candidates = [base] + ([f"{base}-{show.year}"] if show.year else [])
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{candidates[-1]}-{number}" in taken:
        number += 1
    return f"{candidates[-1]}-{number}"


def _decode(data: bytes) -> str | _DocProblem:
    """Text from bytes: UTF-8 (BOM or not) or BOM-marked UTF-16, as spreadsheets save it."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _DocProblem(
            f"the file is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')",
            line=data.count(b"\n", 0, exc.start) + 1,
        )


def _looks_like_json(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in {".json", ".csv", ".tsv"}:
        return suffix == ".json"
    return text.lstrip()[:1] in {"{", "["}


# --- JSON -----------------------------------------------------------------------------------------------

_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")


def _json_records(
    text: str, *, require_format: bool, allow_bare_list: bool
) -> tuple[list[_Located], list[_DocProblem]]:
    """The show objects of a JSON document with the line each starts on.

    The document is parsed once by ``json.loads`` (for its error positions), then walked again with
    ``raw_decode`` only to find where each show object starts.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [_DocProblem(f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)]
    except RecursionError:
        return [], [_DocProblem("not valid JSON: nested too deeply", line=1)]
    except ValueError:  # the one other failure: an integer with more digits than Python converts
        return [], [_DocProblem("not valid JSON: a number has too many digits", line=1)]

    shows: list[object]
    doc_problems: list[_DocProblem] = []
    if isinstance(document, list) and allow_bare_list:
        shows = document
    elif isinstance(document, dict):
        problems = _check_top_level(document, require_format=require_format)
        if "shows" not in document:
            return [], [*problems, _DocProblem("the file has no 'shows' list", line=1)]
        listed = document["shows"]
        if not isinstance(listed, list):
            return [], [*problems, _DocProblem(f"'shows' must be a list, got {_describe(listed)}", line=1)]
        shows = listed
        # Still read the records: every problem in one report, not one per attempt.
        doc_problems = problems
    else:
        expected = "an object with a 'shows' list" + (" or a list of shows" if allow_bare_list else "")
        return [], [_DocProblem(f"the file must hold {expected}, got {_describe(document)}", line=1)]

    try:
        starts = _show_offsets(text)
    except (IndexError, ValueError):  # cannot happen for a document json.loads accepted; never fail on it
        starts = []
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    if len(starts) != len(shows):  # cannot happen for a valid document; keep going without lines
        starts = [0] * len(shows)
    return [
        _Located(index=i, line=bisect.bisect_left(newlines, start) + 1, raw=raw)
        for i, (raw, start) in enumerate(zip(shows, starts, strict=True))
    ], doc_problems


def _check_top_level(document: Mapping[str, object], *, require_format: bool) -> list[_DocProblem]:
    problems: list[_DocProblem] = []
    version = document.get("format")
    if version is None:
        if require_format:
            problems.append(_DocProblem(f'the file needs "format": {CATALOG_FORMAT}', line=1))
    elif isinstance(version, bool) or version != CATALOG_FORMAT:
        problems.append(_DocProblem(f"unsupported format {_describe(version)}; expected {CATALOG_FORMAT}", line=1))
    for unknown in (k for k in document if k not in {"format", "shows"}):
        problems.append(_DocProblem(f"unknown top-level field '{_preview(unknown)}'; expected 'format', 'shows'", 1))
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


# --- CSV ------------------------------------------------------------------------------------------------

_CSV_TEXT_COLUMNS: Final = frozenset({"key", "title", "native_title", "country", "network", "platform", "status"})
_CSV_LIST_COLUMNS: Final = frozenset({"aliases", "genres", "directors", "writers"})
_CSV_COLUMNS: Final = (
    *sorted(_CSV_TEXT_COLUMNS | _CSV_LIST_COLUMNS),
    "year",
    "episodes",
    "seasons",
    "cast",
    "based_on",
)
_LIST_SEPARATOR: Final = re.compile(r"\s*[|;]\s*")
_AS: Final = re.compile(r"\s+as\s+", re.IGNORECASE)


def _csv_records(text: str) -> tuple[list[_Located], list[_DocProblem]]:
    """Rows of a CSV file as show records; header is line 1, a row's line is the physical line it starts on."""
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = next((d for d in (",", "\t", ";") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records: list[_Located] = []
    problems: list[_DocProblem] = []
    next_line = 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header, header_problems = _csv_header(cells, line)
                if header_problems:
                    return [], header_problems
                continue
            if len(cells) > len(header):
                problems.append(_DocProblem(f"the row has {len(cells)} cells but the header has {len(header)}", line))
                continue
            raw, rename, row_problems = _csv_row(dict(zip(header, cells, strict=False)))
            records.append(_Located(len(records), line, raw, rename, tuple(row_problems)))
    except csv.Error as exc:
        problems.append(_DocProblem(f"cannot read the CSV from here on: {exc}", line=next_line))
    if header is None:
        problems.append(_DocProblem("the file has no header row", line=1))
    return records, problems


def _csv_header(cells: list[str], line: int) -> tuple[list[str], list[_DocProblem]]:
    header = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in cells]
    problems: list[_DocProblem] = []
    for column in header:
        if column not in _CSV_COLUMNS:
            hint = difflib.get_close_matches(column, _CSV_COLUMNS, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else f"; known columns: {', '.join(_CSV_COLUMNS)}"
            problems.append(_DocProblem(f"unknown column '{_preview(column)}'{suggestion}", line))
    for column in sorted({c for c in header if header.count(c) > 1}):
        problems.append(_DocProblem(f"column '{_preview(column)}' appears more than once", line))
    if "title" not in header:
        problems.append(_DocProblem("the header has no 'title' column", line))
    return header, problems


def _csv_row(row: Mapping[str, str]) -> tuple[dict[str, object], dict[str, str], list[FieldProblem]]:
    """One CSV row as a JSON-shaped record, ready for the shared validation."""
    raw: dict[str, object] = {}
    rename: dict[str, str] = {}
    problems: list[FieldProblem] = []
    cells = {column: value.strip() for column, value in row.items() if value.strip()}
    for column, cell in cells.items():
        if column in _CSV_TEXT_COLUMNS:
            raw[column] = cell
        elif column in _CSV_LIST_COLUMNS:
            raw[column] = _LIST_SEPARATOR.split(cell)
        elif column == "year":
            raw["year"] = _csv_number(cell)
        elif column == "cast":
            raw["cast"] = [_csv_cast_member(item) for item in _LIST_SEPARATOR.split(cell)]
        elif column == "based_on":
            raw["based_on"], based_problems = _csv_based_on(cell)
            problems += based_problems
    if "episodes" in cells and "seasons" in cells:
        problems.append(FieldProblem("episodes", "give either episodes (one season) or seasons (like 8|16), not both"))
    elif "episodes" in cells:
        raw["seasons"] = [{"number": 1, "episodes": _csv_number(cells["episodes"])}]
        rename["seasons"] = "episodes"
    elif "seasons" in cells:
        counts = _LIST_SEPARATOR.split(cells["seasons"])
        raw["seasons"] = [{"number": n, "episodes": _csv_number(c)} for n, c in enumerate(counts, start=1)]
    return raw, rename, problems


def _csv_number(cell: str) -> object:
    """An int when the cell is one, None for '?' (unknown), else the text for validation to refuse."""
    if cell in {"", "?"}:
        return None
    return int(cell) if re.fullmatch(r"[0-9]{1,9}", cell) else cell


def _csv_cast_member(item: str) -> dict[str, str]:
    actor, *character = _AS.split(item, maxsplit=1)
    return {"actor": actor, "character": character[0]} if character else {"actor": actor}


def _csv_based_on(cell: str) -> tuple[list[dict[str, str]], list[FieldProblem]]:
    """``kind: Title by Creator`` entries; title or creator may be left out (``webtoon: by Hong Bicira``)."""
    works: list[dict[str, str]] = []
    problems: list[FieldProblem] = []
    for position, item in enumerate(_LIST_SEPARATOR.split(cell), start=1):
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
