"""One show record: its validation against the declared schema and the catalogue's rules.

Pure: decoded records go in; ``Show`` models and every problem found come out. A record that is right (nearly
all of them) takes the fast path: msgspec checks its shape against ``ShowRecord`` in C and a short pass applies the
text rules. A record with anything wrong is read field by field, so its report names every problem, not the first.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

import msgspec

from bot.domain.models import CastMember, SeasonInfo, Show, SourceWork
from bot.domain.show_schema import (
    BASED_ON_KINDS,
    CAST_FIELDS,
    LIST_LIMITS,
    MAX_EPISODES,
    MAX_KEY,
    MAX_SEASON_NUMBER,
    MAX_TEXT,
    MAX_YEAR,
    MIN_YEAR,
    SEASON_FIELDS,
    SHOW_FIELDS,
    SHOW_STATUSES,
    SOURCE_FIELDS,
    ShowRecord,
)
from bot.providers.catalog.problems import FieldProblem, describe, preview

_KEY_RE: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_COUNTRY_RE: Final = re.compile(r"[A-Z]{2}")
# Cc: C0/C1 controls (tabs and newlines included: a title is one line); Cf: invisible format characters
# such as bidi overrides and a stray BOM; Cs: lone surrogates, which JSON's \ud800 escapes can produce.
_BAD_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs"})

_T = TypeVar("_T")


def validate_record(raw: object, *, require_key: bool = True) -> list[FieldProblem]:
    """Every problem with one show record (a decoded JSON object); empty when it is good."""
    return careful_read(raw, require_key=require_key)[1]


def read_record(raw: object, *, require_key: bool) -> tuple[Show | None, list[FieldProblem]]:
    """The Show a record describes (source and key filled in later), or None and every problem with it."""
    fields = fast_fields(raw, require_key=require_key)
    if fields is not None:
        return Show(**fields), []
    return careful_read(raw, require_key=require_key)


# --- one record, the fast path --------------------------------------------------------------------------

_CONVERT_ERRORS: Final = (msgspec.ValidationError, TypeError, ValueError)


class _RefusedError(Exception):
    """The fast path met something the careful path must explain."""


def fast_fields(raw: object, *, require_key: bool) -> dict[str, Any] | None:
    """The fields of the Show a right record describes (built once its key and source are known), else None.

    None sends the record to ``careful_read``, which names what is wrong. Both apply the same rules: a record
    this accepts, ``careful_read`` accepts as the same Show.
    """
    if not isinstance(raw, dict):
        return None
    try:
        record = msgspec.convert(raw, ShowRecord, strict=True)
        return _clean(record, require_key=require_key)
    except (_RefusedError, *_CONVERT_ERRORS):
        return None


def _clean_text(value: str | None) -> str | None:
    """Stripped, NFC text; None for blank; refused when too long or not plainly printable."""
    if value is None:
        return None
    # ASCII (the usual case) is always NFC.
    text = value.strip() if value.isascii() else _nfc(value.strip())
    if not text:
        return None
    if len(text) > MAX_TEXT or not text.isprintable():
        raise _RefusedError  # the careful path tells a control character from a wide space
    return text


def _required_text(value: str) -> str:
    text = _clean_text(value)
    if text is None:
        raise _RefusedError
    return text


def _clean_texts(values: list[str], limit: int) -> tuple[str, ...]:
    if not values:
        return ()
    if len(values) > limit:
        raise _RefusedError
    result: list[str] = []
    seen: set[str] = set()
    for value in values:
        # _required_text inlined: this loop runs for most strings of an import.
        text = value.strip() if value.isascii() else _nfc(value.strip())
        if not text or len(text) > MAX_TEXT or not text.isprintable():
            raise _RefusedError
        folded = text.casefold()
        if folded not in seen:
            seen.add(folded)
            result.append(text)
    return tuple(result)


def _clean(record: ShowRecord, *, require_key: bool) -> dict[str, Any]:
    key = record.key
    if key is None:
        if require_key:
            raise _RefusedError
    elif len(key) > MAX_KEY or not _KEY_RE.fullmatch(key):
        raise _RefusedError
    title = _required_text(record.title)
    country = _clean_text(record.country)
    status = _clean_text(record.status)
    if (country is not None and not _COUNTRY_RE.fullmatch(country)) or (
        status is not None and status not in SHOW_STATUSES
    ):
        raise _RefusedError
    year = record.year
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise _RefusedError
    if len(record.seasons) > LIST_LIMITS["seasons"] or len(record.cast) > LIST_LIMITS["cast"]:
        raise _RefusedError
    seasons: list[SeasonInfo] = []
    for season in record.seasons:
        episodes = season.episodes
        if not 1 <= season.number <= MAX_SEASON_NUMBER or (episodes is not None and not 1 <= episodes <= MAX_EPISODES):
            raise _RefusedError
        seasons.append(SeasonInfo(season.number, episodes, season.premiere_date))
    if len({s.number for s in seasons}) != len(seasons):
        raise _RefusedError
    cast: list[CastMember] = []
    nickname_limit = LIST_LIMITS["nicknames"]
    for member in record.cast:
        # _required_text and _clean_text inlined: this loop runs for most records' longest list.
        actor = member.actor.strip() if member.actor.isascii() else _nfc(member.actor.strip())
        if not actor or len(actor) > MAX_TEXT or not actor.isprintable():
            raise _RefusedError
        character = member.character
        if character is not None:
            character = _clean_text(character)
        nicknames = _clean_texts(member.nicknames, nickname_limit) if member.nicknames else ()
        cast.append(CastMember(actor, character, nicknames))
    if len(record.based_on) > LIST_LIMITS["based_on"]:
        raise _RefusedError
    based_on: list[SourceWork] = []
    for work in record.based_on:
        kind = _required_text(work.kind)
        if kind not in BASED_ON_KINDS:
            raise _RefusedError
        based_on.append(SourceWork(kind, _clean_text(work.title), _clean_text(work.creator)))
    return {
        "title": title,
        "native_title": _clean_text(record.native_title),
        "aliases": _clean_texts(record.aliases, LIST_LIMITS["aliases"]),
        "year": year,
        "country": country,
        "network": _clean_text(record.network),
        "platform": _clean_text(record.platform),
        "seasons": tuple(sorted(seasons, key=lambda s: s.number)),
        "status": status,
        "genres": _clean_texts(record.genres, LIST_LIMITS["genres"]),
        "directors": _clean_texts(record.directors, LIST_LIMITS["directors"]),
        "writers": _clean_texts(record.writers, LIST_LIMITS["writers"]),
        "cast": tuple(cast),
        "based_on": tuple(based_on),
        "catalog_key": key,
    }


def _nfc(text: str) -> str:
    """NFC, so Hangul typed as jamo compares equal; the check alone is much cheaper than normalising."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


# --- one record, every problem named ------------------------------------------------------------------


class _Problems:
    """Collects field problems for one record; the helpers below return None for a bad value."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, field_name: str, message: str) -> None:
        self.items.append(FieldProblem(field_name, message))


def careful_read(raw: object, *, require_key: bool) -> tuple[Show | None, list[FieldProblem]]:
    """The Show a record describes (source and key filled in later) and every problem with it."""
    problems = _Problems()
    if not isinstance(raw, dict):
        problems.add("record", f"must be an object with show fields, got {describe(raw)}")
        return None, problems.items
    _reject_unknown(raw, SHOW_FIELDS, problems, "record", "")

    key = raw.get("key")
    if key is None:
        if require_key:
            problems.add("key", "is required (lowercase words joined by hyphens, e.g. 'crash-landing-on-you')")
    elif not isinstance(key, str) or len(key) > MAX_KEY or not _KEY_RE.fullmatch(key):
        problems.add("key", f"must be lowercase letters and digits joined by hyphens, got {describe(key)}")

    title = _text(raw.get("title"), problems, "title", "", required=True)
    native_title = _text(raw.get("native_title"), problems, "native_title", "")
    aliases = _text_list(raw.get("aliases"), problems, "aliases")
    year = _whole(raw.get("year"), problems, "year", "", MIN_YEAR, MAX_YEAR)
    country = _text(raw.get("country"), problems, "country", "")
    if country is not None and not _COUNTRY_RE.fullmatch(country):
        problems.add("country", f"must be a two-letter ISO 3166 code such as 'KR', got {describe(country)}")
        country = None
    network = _text(raw.get("network"), problems, "network", "")
    platform = _text(raw.get("platform"), problems, "platform", "")
    status = _text(raw.get("status"), problems, "status", "")
    if status is not None and status not in SHOW_STATUSES:
        problems.add("status", f"must be one of {_choices(SHOW_STATUSES)}, got {describe(status)}")
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
            problems.add("seasons", f"{where}premiere_date must be a date like 2025-01-24, got {describe(value)}")
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
        problems.add("based_on", f"{where}kind must be one of {_choices(BASED_ON_KINDS)}, got {describe(kind)}")
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
        problems.add(name, f"must be a list, got {describe(value)}")
        return ()
    if len(value) > LIST_LIMITS[name]:
        problems.add(name, f"has {len(value)} entries; the limit is {LIST_LIMITS[name]}")
        return ()
    allowed = {"seasons": SEASON_FIELDS, "cast": CAST_FIELDS, "based_on": SOURCE_FIELDS}[name]
    result: list[_T] = []
    for position, item in enumerate(value, start=1):
        where = f"entry {position}: "
        if not isinstance(item, dict):
            problems.add(name, f"{where}must be an object, got {describe(item)}")
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
        problems.add(name, f"{label}must be text, got {describe(value)}")
        return None
    text = _nfc(value.strip())
    if not text:
        if required:
            problems.add(name, f"{label}must not be empty")
        return None
    if len(text) > limit:
        problems.add(name, f"{label}is {len(text):,} characters long; the limit is {limit}")
        return None
    if text.isprintable():  # the common case, checked in C; spaces such as U+3000 make it fall through
        return text
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
        problems.add(name, f"{prefix}must be a list of text, got {describe(value)}")
        return ()
    limit = LIST_LIMITS[limit_name or name]
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
        problems.add(name, f"{label}must be a whole number from {low} to {high}, got {describe(value)}")
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
            problems.add(name, f"{where}unknown field '{preview(unknown)}'{suggestion}")
        else:
            problems.add(preview(unknown), f"unknown field{suggestion}")


def _choices(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))
