import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import times as times_module
from bot.domain.errors import InvalidTimeError, TimeInPastError, UnknownTimezoneError, UserFacingError
from bot.domain.times import (
    MAX_AHEAD,
    canonical_zone,
    discord_timestamp,
    localize,
    parse_time,
    zone_choices,
    zone_names,
)

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
# Monday 30 November 2026, 18:00 in Seoul.
NOW = dt.datetime(2026, 11, 30, 18, 0, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _empty_zone_caches() -> None:
    """The zone list and index are cached; each test starts with none kept, so it checks the code that builds them."""
    times_module.zone_names.cache_clear()
    times_module._zone_index.cache_clear()


def local(text: str, zone: str = "Asia/Seoul", now: dt.datetime = NOW) -> str:
    parsed = parse_time(text, zone, now)
    assert parsed.at.tzinfo is dt.UTC
    assert parsed.at == parsed.local
    return f"{parsed.local:%Y-%m-%d %a %H:%M}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 20:00", "2026-12-01 Tue 20:00"),
        ("2026-12-01T20:00", "2026-12-01 Tue 20:00"),
        ("20:00", "2026-11-30 Mon 20:00"),
        ("tomorrow 8pm", "2026-12-01 Tue 20:00"),
        ("8 PM tomorrow", "2026-12-01 Tue 20:00"),
        ("tomorrow at 8:30 p.m.", "2026-12-01 Tue 20:30"),
        ("fri 21:30", "2026-12-04 Fri 21:30"),
        ("Friday, 9pm", "2026-12-04 Fri 21:00"),
        ("mon 19:00", "2026-11-30 Mon 19:00"),  # today is Monday and 19:00 is still ahead
        ("mon 17:00", "2026-12-07 Mon 17:00"),  # today 17:00 has passed: next Monday
        ("tonight 9:00", "2026-11-30 Mon 21:00"),
        ("today noon", None),
        ("in 2 hours", "2026-11-30 Mon 20:00"),
        ("in 1 hour and 30 minutes", "2026-11-30 Mon 19:30"),
        ("in 90 min", "2026-11-30 Mon 19:30"),
        ("in an hour", "2026-11-30 Mon 19:00"),
        ("in 3 days", "2026-12-03 Thu 18:00"),
        ("12am", "2026-12-01 Tue 00:00"),
        ("midnight", "2026-12-01 Tue 00:00"),
    ],
)
def test_the_forms_people_type(text, expected):
    if expected is None:
        with pytest.raises(TimeInPastError):
            local(text)
    else:
        assert local(text) == expected


def test_a_bare_time_that_has_passed_is_tomorrow_and_says_so():
    parsed = parse_time("17:00", "Asia/Seoul", NOW)
    assert f"{parsed.local:%Y-%m-%d %H:%M}" == "2026-12-01 17:00"
    assert parsed.note == "17:00 has already passed today, so this is tomorrow."


def test_times_are_read_in_the_members_zone_and_stored_in_utc():
    parsed = parse_time("2026-12-01 20:00", "America/New_York", NOW)
    assert parsed.at == dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)
    assert parsed.zone == "America/New_York"
    assert discord_timestamp(parsed.at) == f"<t:{int(parsed.at.timestamp())}:F>"
    assert discord_timestamp(parsed.at, "R").endswith(":R>")


def test_a_time_in_the_spring_forward_gap_moves_on_and_says_so():
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    parsed = parse_time("2026-03-08 02:30", "America/New_York", now)
    assert f"{parsed.local:%H:%M %Z}" == "03:30 EDT"
    assert parsed.at == dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC)
    assert parsed.note is not None
    assert "does not exist" in parsed.note
    assert "03:30 EDT" in parsed.note


def test_a_time_that_happens_twice_is_the_first_and_says_so():
    now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    parsed = parse_time("2026-11-01 01:30", "America/New_York", now)
    assert f"{parsed.local:%H:%M %Z}" == "01:30 EDT"
    assert parsed.at == dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)
    assert parsed.note is not None
    assert "happens twice" in parsed.note


def test_an_ordinary_time_has_no_note():
    assert parse_time("2026-12-01 20:00", "Asia/Seoul", NOW).note is None


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("2026-11-29 20:00", TimeInPastError, "2026-11-29 20:00 KST has already passed"),
        ("today 17:00", TimeInPastError, "has already passed"),
        ("2026-02-30 20:00", InvalidTimeError, "not a date on the calendar"),
        ("banana", InvalidTimeError, "couldn't read"),
        ("tomorrow", InvalidTimeError, "Add a time of day"),
        ("fri 8", InvalidTimeError, "morning or the evening"),
        ("25:00", InvalidTimeError, "hours 0 to 23"),
        ("20:75", InvalidTimeError, "00 to 59"),
        ("13pm", InvalidTimeError, "1 to 12"),
        ("tomorrow fri 20:00", InvalidTimeError, "two days"),
        ("in 0 hours", InvalidTimeError, "needs an amount"),
        ("in 2 fortnights", InvalidTimeError, "in 2 hours"),
        ("2028-01-01 20:00", InvalidTimeError, "more than a year"),
        ("", InvalidTimeError, "couldn't read"),
        ("20:00" + " " * 200, InvalidTimeError, "couldn't read"),
    ],
)
def test_what_is_not_a_usable_time_gets_a_clear_message(text, error, message):
    with pytest.raises(error, match=message):
        parse_time(text, "Asia/Seoul", NOW)


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        parse_time("20:00", "UTC", dt.datetime(2026, 1, 1))  # noqa: DTZ001


# -- zones ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("Asia/Seoul", "Asia/Seoul"), ("asia/seoul", "Asia/Seoul"), ("america/new york", "America/New_York"),
     ("seoul", "Asia/Seoul"), ("UTC", "UTC")],
)  # fmt: skip
def test_zone_names_are_forgiving_about_case_spaces_and_a_unique_city(typed, zone):
    assert canonical_zone(typed) == zone


@pytest.mark.parametrize("typed", ["Mars/Olympus", "", "/etc/passwd", "../../etc/localtime", "Louisville"])
def test_unknown_zones_are_refused_with_suggestions(typed):
    with pytest.raises(UnknownTimezoneError) as caught:
        parse_time("20:00", typed, NOW)
    assert "is not a time zone I know" in caught.value.message
    if typed == "Louisville":
        assert "America/Louisville" in caught.value.suggestions


def test_zone_autocomplete_ranks_prefixes_and_cities():
    assert zone_choices("Asia/Se")[0] == "Asia/Seoul"
    assert zone_choices("seo")[0] == "Asia/Seoul"
    assert "America/New_York" in zone_choices("new y")
    assert zone_choices("york")[0] == "America/New_York"
    assert len(zone_choices("a")) == 25
    assert zone_choices("")[0] == "Asia/Seoul"
    assert zone_choices("zzzz") == []
    assert all(name in zone_names() for name in zone_choices("an"))


# -- properties ----------------------------------------------------------------------------------------------------

ZONES = st.sampled_from(["Asia/Seoul", "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"])
# hypothesis takes naive bounds and attaches the zone itself.
NOWS = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2035, 1, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), ZONES, NOWS)
def test_any_text_is_a_future_time_or_a_user_facing_error(text, zone, now):
    try:
        parsed = parse_time(text, zone, now)
    except UserFacingError:
        return
    assert now < parsed.at <= now + MAX_AHEAD
    assert parsed.at.utcoffset() == dt.timedelta(0)


@settings(max_examples=300, deadline=None)
@given(NOWS, ZONES, st.timedeltas(min_value=dt.timedelta(minutes=1), max_value=dt.timedelta(days=300)))
def test_an_explicit_future_date_reads_back_as_the_wall_time_typed(now, zone, ahead):
    tz = ZoneInfo(zone)
    wall = (now + ahead).astimezone(tz).replace(second=0, microsecond=0, tzinfo=None, fold=0)
    try:
        parsed = parse_time(f"{wall:%Y-%m-%d %H:%M}", zone, now)
    except TimeInPastError:  # the minute rounded down onto or before now
        assert localize(wall, tz)[0] <= now
        return
    if parsed.note is None:
        assert parsed.local.replace(tzinfo=None) == wall
    else:  # a daylight-saving edge: the time either moved forward or is the first of two
        assert parsed.local.replace(tzinfo=None) >= wall


@settings(max_examples=300, deadline=None)
@given(NOWS, ZONES, st.integers(0, 23), st.integers(0, 59))
def test_a_bare_time_is_the_next_time_the_clock_shows_it(now, zone, hour, minute):
    parsed = parse_time(f"{hour:02d}:{minute:02d}", zone, now)
    assert now < parsed.at <= now + dt.timedelta(hours=25)
    if parsed.note is None or "does not exist" not in parsed.note:
        assert (parsed.local.hour, parsed.local.minute) == (hour, minute)


@settings(max_examples=200, deadline=None)
@given(NOWS, ZONES, st.integers(1, 500), st.sampled_from([("minutes", 60), ("hours", 3600), ("days", 86400)]))
def test_in_n_units_is_exactly_that_much_later(now, zone, amount, unit):
    name, seconds = unit
    if amount * seconds > MAX_AHEAD.total_seconds():
        with pytest.raises(InvalidTimeError):
            parse_time(f"in {amount} {name}", zone, now)
        return
    assert parse_time(f"in {amount} {name}", zone, now).at == now + dt.timedelta(seconds=amount * seconds)


@settings(max_examples=200, deadline=None)
@given(NOWS, ZONES, st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), st.integers(0, 23))
def test_a_weekday_is_within_the_next_week_and_on_that_day(now, zone, day, hour):
    parsed = parse_time(f"{day} {hour:02d}:15", zone, now)
    assert now < parsed.at <= now + dt.timedelta(days=8)
    assert f"{parsed.local:%a}".lower() == day
