"""Reading show records: the bundled ``data/catalog.json`` and files a server admin imports (JSON or CSV).

Pure: a file goes in; ``Show`` models and a list of every problem found come out. No Discord, no SQL.
The bundled file must be spotless (``load_catalog`` raises listing every bad record); an import keeps
its good rows and reports each bad one by the line (and, for JSON, the column) it starts on (``parse_import``).
Records and their rules are in ``records``, the readers in ``json_reader`` and ``csv_reader``.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path
from typing import Final

from bot.domain.models import Show, ShowSource
from bot.providers.catalog.batch import build_shows, import_problem, slugify
from bot.providers.catalog.csv_reader import csv_records
from bot.providers.catalog.json_reader import CATALOG_FORMAT, json_records
from bot.providers.catalog.problems import (
    CatalogError,
    CatalogProblem,
    DocProblem,
    FieldProblem,
    ImportProblem,
    ImportResult,
)
from bot.providers.catalog.records import validate_record

__all__ = [
    "CATALOG_FORMAT",
    "MAX_IMPORT_BYTES",
    "CatalogError",
    "CatalogProblem",
    "FieldProblem",
    "ImportProblem",
    "ImportResult",
    "default_catalog_path",
    "load_catalog",
    "parse_import",
    "slugify",
    "validate_record",
]

# An import is read whole; a cap keeps a stray multi-gigabyte file from taking the process down. 100,000 shows
# with cast lists come to about 40 MB of JSON.
MAX_IMPORT_BYTES: Final = 128 * 1024 * 1024


def default_catalog_path() -> Path:
    """Where the shipped ``catalog.json`` is.

    A source checkout or editable install finds it at ``<repo>/data/catalog.json``; a wheel install
    finds it where the wheel's data files land (``<prefix>/share/watch-companion/``). When neither
    exists the repository path is returned, so the error names the place people expect.
    """
    in_repo = Path(__file__).resolve().parents[3] / "data" / "catalog.json"
    installed = Path(sys.prefix) / "share" / "watch-companion" / "catalog.json"
    return next((p for p in (in_repo, installed) if p.is_file()), in_repo)


def load_catalog(path: Path) -> list[Show]:
    """The shows of the bundled catalogue, in file order; raises ``CatalogError`` listing every problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(path, [CatalogProblem(f"cannot read the file: {exc.strerror or exc}")]) from exc
    text = _decode(data)
    if isinstance(text, DocProblem):
        raise CatalogError(path, [CatalogProblem(text.message, line=text.line)])
    records, doc_problems = json_records(text, require_format=True, allow_bare_list=False)
    problems = [CatalogProblem(p.message, line=p.line) for p in doc_problems]
    shows, record_problems = build_shows(records, source=ShowSource.BUNDLED, require_key=True)
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
    if isinstance(text, DocProblem):
        return ImportResult(errors=[ImportProblem(text.line or 1, text.message)])
    if not text.strip():
        return ImportResult(errors=[ImportProblem(1, "the file is empty")])

    if _looks_like_json(path, text):
        records, doc_problems = json_records(text, require_format=False, allow_bare_list=True)
    else:
        records, doc_problems = csv_records(text)
    errors = [ImportProblem(p.line or 1, p.message, column=p.column, row=p.row) for p in doc_problems]
    shows, record_problems = build_shows(records, source=ShowSource.IMPORTED, require_key=False)
    errors += [import_problem(r, p) for r, p in record_problems]
    errors.sort(key=lambda e: e.line)
    return ImportResult(shows=shows, errors=errors)


def _decode(data: bytes) -> str | DocProblem:
    """Text from bytes: UTF-8 (BOM or not) or BOM-marked UTF-16, as spreadsheets save it."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return DocProblem(
            f"the file is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')",
            line=data.count(b"\n", 0, exc.start) + 1,
        )


def _looks_like_json(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in {".json", ".csv", ".tsv"}:
        return suffix == ".json"
    return text.lstrip()[:1] in {"{", "["}
