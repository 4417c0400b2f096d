"""Times as members type them (``2026-12-01 20:00``, ``20:00``, ``tomorrow 8pm``, ``fri 21:30``, ``in 2 hours``),
read in an IANA zone against an injected "now", and time zone names checked and autocompleted.

Why a small grammar and not dateparser: the bot accepts five short forms, and for those a grammar over ``zoneinfo``
is exact and says what it did. dateparser reads far more (200 locales, free text), which here is a cost: it
guesses ("fri 8" or "12/11" parse to something instead of asking), its "prefer future" has known bugs when a
time comes with a zone (scrapinghub/dateparser#403: the check runs in UTC, the result skips a day), it does not
tell a time in a daylight-saving gap or overlap from any other (it returns one datetime and no note), and it
costs a large import (regex, language data) for a bot that answers within Discord's 3-second deadline. The gap
and overlap rules below would be needed on top of dateparser anyway; the grammar itself is about 60 lines.

Rules: a bare time (``20:00``) is the next time the clock shows it (tomorrow when it has passed today, said in the
note); a weekday is the next such day whose time is still ahead; an explicit date or ``today`` in the past is an
error. A wall time that does not exist (spring forward) moves forward by the gap; one that happens twice (fall
back) is the first of the two; both say so in ``ParsedTime.note``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass

from bot.domain.errors import InvalidTimeError, TimeInPastError, UnknownTimezoneError
from bot.domain.markup import inert

# Far enough for any planned watch party; further is more likely a typo in the year.
MAX_AHEAD = dt.timedelta(days=366)
AUTOCOMPLETE_LIMIT = 25
# Offered when the zone option is still empty: where the bot's users mostly are.
COMMON_ZONES = (
    "Asia/Seoul",
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Asia/Manila",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
)

_HINT = "Try `2026-12-01 20:00`, `20:00`, `tomorrow 8pm`, `fri 21:30` or `in 2 hours`."
_WEEKDAYS = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
_DAY_WORDS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1}
_FILLERS = {"at", "on", "next", "this"}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)?")
_IN = re.compile(r"in\s+(.+)")
# Up to nine digits, so that a huge amount is refused as more than a year away, not as text that cannot be read.
_AMOUNT = re.compile(r"(\d{1,9}|an|a)\s*([a-z]+)")
_UNITS = {
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
}  # fmt: skip
_MAX_INPUT = 100


@dataclass(frozen=True, slots=True)
class ParsedTime:
    """A typed time: ``at`` in UTC (store it), ``local`` in the member's zone, and a note to show when set."""

    at: dt.datetime
    local: dt.datetime
    zone: str
    note: str | None = None


# -- zones ----------------------------------------------------------------------------------------------------------


@functools.cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone this machine knows (tzdata as a fallback), sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


@functools.cache
def _zone_index() -> tuple[dict[str, str], dict[str, list[str]], tuple[tuple[str, str], ...]]:
    folded: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    keys: list[tuple[str, str]] = []
    for name in zone_names():
        key = _fold_zone(name)
        folded[key] = name
        cities.setdefault(key.rsplit("/", 1)[-1], []).append(name)
        keys.append((key, name))
    return folded, cities, tuple(keys)


def _fold_zone(text: str) -> str:
    return "_".join(text.strip().split()).casefold()


def canonical_zone(name: str) -> str:
    """The zone's IANA name as spelled in the database; case, spaces for underscores, and a unique city forgiven."""
    folded, cities, _ = _zone_index()
    key = _fold_zone(name)
    if key in folded:
        return folded[key]
    by_city = cities.get(key, [])
    if len(by_city) == 1:
        return by_city[0]
    raise UnknownTimezoneError(name, zone_choices(name, limit=5))


def resolve_zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(canonical_zone(name))


def zone_choices(query: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[str]:
    """Zones for autocomplete: whole-name prefix first, then a city (or region part) prefix, then a substring."""
    key = _fold_zone(query[:_MAX_INPUT])
    if not key:
        return list(COMMON_ZONES[:limit])
    ranked: list[tuple[int, int, str]] = []
    for folded, name in _zone_index()[2]:
        if folded.startswith(key):
            rank = 0
        elif any(part.startswith(key) for part in folded.split("/")[1:]):
            rank = 1
        elif key in folded:
            rank = 2  # pragma: no mutate - the last rank: any larger number sorts the same
        else:
            continue
        # Region/City names before legacy aliases ("ROK", "US/Eastern", "Etc/GMT+9"; no "SystemV/" since tzdata 2020b).
        legacy = "/" not in name or name.startswith(("Etc/", "US/"))
        ranked.append((rank, legacy, name))
    ranked.sort()
    return [name for _, _, name in ranked[:limit]]


# -- times ----------------------------------------------------------------------------------------------------------


def parse_time(text: str, zone: str | zoneinfo.ZoneInfo, now: dt.datetime) -> ParsedTime:
    """Read ``text`` as a time in ``zone``; ``now`` is an aware datetime (injected: tests drive the clock)."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    tz = zone if isinstance(zone, zoneinfo.ZoneInfo) else resolve_zone(zone)
    words = " ".join(text.casefold().replace(",", " ").split()) if len(text) <= _MAX_INPUT else ""
    if not words:
        raise InvalidTimeError(f"I couldn't read that as a time. {_HINT}")
    shown = inert(text, _MAX_INPUT)  # the text as the messages quote it
    relative = _IN.fullmatch(words)
    if relative:
        at = now.astimezone(dt.UTC) + _duration(relative.group(1))
        return _checked(ParsedTime(at, at.astimezone(tz), str(tz.key)), now)
    day, clock = _split(words, shown)
    hour, minute = _clock(clock, shown, evening=day == "tonight")
    local_now = now.astimezone(tz)
    note: str | None = None  # pragma: no mutate - "" is as falsy as None: no note either way
    if isinstance(day, dt.date):
        date = day
    elif day in _DAY_WORDS:
        date = local_now.date() + dt.timedelta(days=_DAY_WORDS[day])
    elif day in _WEEKDAYS:
        ahead = (_WEEKDAYS[day] - local_now.weekday()) % 7
        date = local_now.date() + dt.timedelta(days=ahead)
        if _wall(date, hour, minute) <= local_now.replace(tzinfo=None):
            date += dt.timedelta(days=7)
    else:  # a bare time: the next time the clock shows it
        date = local_now.date()
        if _wall(date, hour, minute) <= local_now.replace(tzinfo=None):
            date += dt.timedelta(days=1)
            note = f"{hour:02d}:{minute:02d} has already passed today, so this is tomorrow."
    local, dst_note = localize(_wall(date, hour, minute), tz)
    notes = " ".join(n for n in (note, dst_note) if n) or None
    return _checked(ParsedTime(local.astimezone(dt.UTC), local, str(tz.key), notes), now)


def localize(wall: dt.datetime, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, str | None]:
    """A wall-clock time in ``tz`` as an aware datetime, and a note when daylight saving makes it move or repeat."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first, None
    stamp = f"{wall:%H:%M} on {wall:%Y-%m-%d} in {tz.key}"
    # The same instant read back in the zone; astimezone(None) would go through the machine's zone: the same instant.
    instant = first.astimezone(dt.UTC)  # pragma: no mutate - see above
    back = instant.astimezone(tz)
    if back.replace(tzinfo=None) == wall:
        return first, (
            f"{stamp} happens twice (the clocks go back); I used the first one, {first:%H:%M} {first.tzname()}."
        )
    return back, (
        f"{stamp} does not exist (the clocks go forward); I used {back:%H:%M} {back.tzname()}, the same moment."
    )


def discord_timestamp(at: dt.datetime, style: str = "F") -> str:
    """``<t:unix:F>``: each viewer's client shows it in their own zone."""
    return f"<t:{int(at.timestamp())}:{style}>"


def _split(words: str, shown: str) -> tuple[dt.date | str | None, str]:
    """The day part (a date, a day word, a weekday or None) and the clock part of the text (``shown``: the text as
    a message quotes it)."""
    words = re.sub(r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", words)  # 2026-12-01T20:00
    day: dt.date | str | None = None
    clock: list[str] = []
    for word in words.split():
        iso = _ISO_DATE.fullmatch(word)
        found: dt.date | str
        if iso:
            try:
                found = dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
            except ValueError:
                # Only digits and dashes: nothing in it to make inert.
                raise InvalidTimeError(f"{word} is not a date on the calendar.") from None
        elif word in _DAY_WORDS or word in _WEEKDAYS:
            found = word
        elif word in _FILLERS:
            continue
        else:
            clock.append(word)
            continue
        if day is not None:
            raise InvalidTimeError(f"“{shown}” names two days. {_HINT}")
        day = found
    return day, "".join(clock)


def _clock(text: str, shown: str, evening: bool) -> tuple[int, int]:
    if text in {"noon", "midday"}:
        return 12, 0
    if text == "midnight":
        return 0, 0
    if not text:
        raise InvalidTimeError(f"Add a time of day to “{shown}”, like 20:00 or 8pm.")
    match = _CLOCK.fullmatch(text.replace(".", ""))
    if not match:
        raise InvalidTimeError(f"I couldn't read “{shown}” as a time. {_HINT}")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if minute > 59:
        raise InvalidTimeError(f"“{shown}” has {minute} minutes; a time has 00 to 59.")
    if half:
        if not 1 <= hour <= 12:
            raise InvalidTimeError(f"With am or pm the hour runs from 1 to 12 (“{shown}”).")
        return (hour % 12) + (12 if half == "pm" else 0), minute
    if match.group(2) is None:
        raise InvalidTimeError(f"Is {hour} in the morning or the evening? Write {hour}am, {hour}pm or {hour:02d}:00.")
    if hour > 23:
        raise InvalidTimeError(f"“{shown}” has hour {hour}; a day has hours 0 to 23.")
    if evening and 1 <= hour < 12:
        hour += 12
    return hour, minute


def _duration(text: str) -> dt.timedelta:
    seconds = 0
    rest = text.replace("and", " ").strip()
    position = 0
    while position < len(rest):
        if rest[position] == " ":
            position += 1
            continue
        match = _AMOUNT.match(rest, position)
        if not match or match.group(2) not in _UNITS:
            shown = inert(text, _MAX_INPUT)
            raise InvalidTimeError(f"I couldn't read “in {shown}”. Try `in 2 hours` or `in 90 minutes`.")
        amount = 1 if match.group(1) in {"a", "an"} else int(match.group(1))
        seconds += amount * _UNITS[match.group(2)]
        position = match.end()
    if not seconds:  # nothing after "in", or only zero amounts
        raise InvalidTimeError("“in …” needs an amount of time after it, like `in 2 hours`.")
    if seconds > MAX_AHEAD.total_seconds():
        raise InvalidTimeError("That is more than a year away; pick a time within the next year.")
    return dt.timedelta(seconds=seconds)


def _wall(date: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, hour, minute)  # noqa: DTZ001 - a wall time, zoned by localize


def _checked(parsed: ParsedTime, now: dt.datetime) -> ParsedTime:
    if parsed.at <= now:
        when = f"{parsed.local:%Y-%m-%d %H:%M} {parsed.local.tzname()}"
        raise TimeInPastError(f"{when} has already passed. Pick a time in the future.")
    if parsed.at - now > MAX_AHEAD:
        raise InvalidTimeError("That is more than a year away; pick a time within the next year.")
    return parsed
