"""Many records of one file: each read, the later copy of a key or of the same show refused, keys made up for the rest.

The same show is the same title, or the same native title, in the same year (``bot.domain.precedence``): a second
copy in one file would only overwrite the first when stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from bot.domain.models import Show, ShowSource
from bot.domain.precedence import DERIVED_KEY_PREFIX, IdentityKey, identity_keys
from bot.domain.show_schema import MAX_KEY
from bot.providers.catalog.problems import FieldProblem, ImportProblem, Located, preview
from bot.providers.catalog.records import careful_read, fast_fields


def slugify(title: str) -> str:
    """A catalogue key from a title: lowercase ASCII words joined by hyphens ("the-glory").

    A title that is not ASCII and leaves no ASCII letter behind (a Hangul title) gets a short stable
    hash instead: "시그널2" should not become "2".
    """
    # ASCII text is its own NFKD form.
    ascii_text = title if title.isascii() else unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    # Room is left for the "-2016" or "-2" a colliding derived key gets.
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[: MAX_KEY - 10].strip("-")
    if slug and (title.isascii() or re.search(r"[a-z]", slug)):
        return slug
    return "show-" + hashlib.sha256(title.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def build_shows(
    records: Sequence[Located], *, source: ShowSource, require_key: bool
) -> tuple[list[Show], list[tuple[Located, FieldProblem]]]:
    """Read every record; drop and report bad ones and the later copy of a duplicate key or of the same show.

    The same show is the same title, or the same native title, in the same year (``bot.domain.precedence``): a
    second copy in one file would only overwrite the first when stored.
    """
    # Most records come as fields (the fast path) and become a Show once, with their key and source.
    read: list[tuple[Located, dict[str, Any] | Show]] = []
    problems: list[tuple[Located, FieldProblem]] = []
    for record in records:
        if record.problems:
            found = careful_read(record.raw, require_key=require_key)[1]
            problems += [(record, p) for p in (*record.problems, *found)]
            continue
        fields = fast_fields(record.raw, require_key=require_key)
        if fields is not None:
            read.append((record, fields))
            continue
        show, found = careful_read(record.raw, require_key=require_key)
        problems += [(record, p) for p in found]
        if show is not None:
            read.append((record, show))

    # One set of taken keys, grown as keys are handed out: a derived key is checked against it in constant time.
    taken: set[str] = {key for _, item in read if (key := _key_of(item))}
    key_owner: dict[str, Located] = {}
    same_owner: dict[IdentityKey, Located] = {}
    shows: list[Show] = []
    for record, item in read:
        title, native_title, year = (
            (item["title"], item["native_title"], item["year"])
            if isinstance(item, dict)
            else (item.title, item.native_title, item.year)
        )
        key = _key_of(item) or _fresh_key(title, year, taken)
        if key in key_owner:
            first = key_owner[key]
            message = f"'{key}' is already used by the record at line {first.line}"
            problems.append((record, FieldProblem("key", message)))
            continue
        identity = identity_keys(title, native_title, year)
        first_copy = next((same_owner[k] for k in identity if k in same_owner), None)
        if first_copy is not None:
            shown_year = year if year is not None else "unknown year"
            message = f"'{preview(title)}' ({shown_year}) is already listed at line {first_copy.line}"
            problems.append((record, FieldProblem("title", message)))
            continue
        key_owner[key] = record
        taken.add(key)
        for k in identity:
            same_owner[k] = record
        if isinstance(item, dict):
            item["catalog_key"], item["source"] = key, source  # the fields were made for this Show alone
            shows.append(Show(**item))
        else:
            shows.append(dataclasses.replace(item, source=source, catalog_key=key))
    problems.sort(key=lambda rp: rp[0].index)
    return shows, problems


def import_problem(record: Located, problem: FieldProblem) -> ImportProblem:
    """A record problem as the importing admin reads it: by line, and by the CSV column they wrote."""
    column = record.rename.get(problem.field, problem.field)
    message = problem.message
    if column == "episodes":  # the CSV's one-season column: no "entry 1: episodes" to talk about
        message = message.removeprefix("entry 1: episodes ")
    return ImportProblem(
        record.line, f"{column}: {message}", column=record.column, field=column, record=record.label, row=record.index
    )


def _key_of(item: dict[str, Any] | Show) -> str | None:
    key = item["catalog_key"] if isinstance(item, dict) else item.catalog_key
    return key if isinstance(key, str) else None


def _fresh_key(title: str, year: int | None, taken: set[str]) -> str:
    """A derived key that no other record of the file uses: the title's slug, then with the year, then numbered.

    Derived keys carry an ``import-`` prefix so an import never takes a bundled show's key by accident; an import
    that is the same show as a stored one (same title or native title, same year) updates that one anyway.
    """
    base = DERIVED_KEY_PREFIX + slugify(title)
    candidates = [base] + ([f"{base}-{year}"] if year else [])
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{candidates[-1]}-{number}" in taken:
        number += 1
    return f"{candidates[-1]}-{number}"
