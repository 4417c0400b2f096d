"""Time rules the other time tests leave unasserted: the exact replies (and where a long input is cut in them), the
boundaries (a time exactly now, exactly a year ahead, 100 characters typed, minute 60, hour 24, 1pm, noon), notes
that combine, and how zone autocomplete ranks prefixes, city prefixes, substrings and legacy names."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain import times as times_module
from bot.domain.errors import InvalidTimeError, TimeInPastError, UnknownTimezoneError
from bot.domain.times import canonical_zone, localize, parse_time, zone_choices

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
# Monday 30 November 2026, 18:00 in Seoul; and the same morning at 09:00.
NOW = dt.datetime(2026, 11, 30, 18, 0, tzinfo=SEOUL)
MORNING = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SEOUL)
HINT = "Try `2026-12-01 20:00`, `20:00`, `tomorrow 8pm`, `fri 21:30` or `in 2 hours`."
YEAR = "That is more than a year away; pick a time within the next year."


@pytest.fixture(autouse=True)
def _empty_zone_caches() -> None:
    """The zone list and index are cached; each test starts with none kept, so it checks the code that builds them."""
    times_module.zone_names.cache_clear()
    times_module._zone_index.cache_clear()


def local(text: str, now: dt.datetime = NOW, zone: str | ZoneInfo = "Asia/Seoul") -> str:
    parsed = parse_time(text, zone, now)
    return f"{parsed.local:%Y-%m-%d %a %H:%M}"


def refusal(text: str, error: type[Exception] = InvalidTimeError, now: dt.datetime = NOW) -> str:
    with pytest.raises(error) as refused:
        parse_time(text, "Asia/Seoul", now)
    return str(refused.value)


# -- zones -----------------------------------------------------------------------------------------------------------


def test_an_unknown_zone_is_quoted_and_five_names_are_suggested():
    with pytest.raises(UnknownTimezoneError) as refused:
        canonical_zone("America")
    assert refused.value.message == (
        "“America” is not a time zone I know. Use an IANA name such as Asia/Seoul or Europe/London."
        " Did you mean: America/Adak, America/Anchorage, America/Anguilla, America/Antigua, America/Araguaina?"
    )
    assert refused.value.name == "America"
    assert refused.value.suggestions == [
        "America/Adak",
        "America/Anchorage",
        "America/Anguilla",
        "America/Antigua",
        "America/Araguaina",
    ]


def test_a_city_prefix_ranks_above_a_name_that_only_contains_the_text():
    assert zone_choices("lon") == ["Arctic/Longyearbyen", "Europe/London", "America/Blanc-Sablon", "America/Miquelon"]


def test_a_whole_name_prefix_ranks_above_a_city_prefix():
    choices = zone_choices("e")
    assert choices[:3] == ["Europe/Amsterdam", "Europe/Andorra", "Europe/Astrakhan"]
    assert "America/Edmonton" not in choices  # 25 Europe/... names fill the list first


def test_legacy_names_come_after_region_names_of_the_same_rank():
    europe = zone_choices("e", limit=100)
    assert europe.index("Europe/Zurich") < europe.index("EST") < europe.index("Etc/GMT")
    assert zone_choices("u")[:3] == ["UCT", "US/Alaska", "US/Aleutian"]  # all legacy: by name
    assert zone_choices("east") == [
        "Brazil/East",
        "Canada/Eastern",
        "Chile/EasterIsland",
        "Pacific/Easter",
        "US/East-Indiana",
        "US/Eastern",
    ]


# -- what is accepted ------------------------------------------------------------------------------------------------


def test_a_zone_object_is_used_as_it_is():
    parsed = parse_time("20:00", NEW_YORK, NOW)
    assert parsed.zone == "America/New_York"
    assert f"{parsed.local:%Y-%m-%d %H:%M %Z}" == "2026-11-30 20:00 EST"


def test_a_relative_time_is_shown_in_the_members_zone():
    parsed = parse_time("in 2 hours", "America/New_York", NOW)
    assert parsed.zone == "America/New_York"
    assert f"{parsed.local:%Y-%m-%d %H:%M %Z}" == "2026-11-30 06:00 EST"


def test_exactly_100_characters_are_read_and_101_are_not():
    assert local(" " * 95 + "20:00") == "2026-11-30 Mon 20:00"
    assert local("20:00" + " " * 95) == "2026-11-30 Mon 20:00"
    assert refusal(" " * 96 + "20:00") == f"I couldn't read that as a time. {HINT}"


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("mon 18:00", NOW, "2026-12-07 Mon 18:00"),  # Monday 18:00 is now, not ahead: next Monday
        ("tomorrow noon", NOW, "2026-12-01 Tue 12:00"),
        ("tomorrow midday", NOW, "2026-12-01 Tue 12:00"),
        ("tomorrow 1pm", NOW, "2026-12-01 Tue 13:00"),
        ("tomorrow 12pm", NOW, "2026-12-01 Tue 12:00"),
        ("tonight 1:00", MORNING, "2026-11-30 Mon 13:00"),
        ("tonight 12:00", MORNING, "2026-11-30 Mon 12:00"),  # noon is noon, not midnight
        ("in a day", NOW, "2026-12-01 Tue 18:00"),
        ("in 366 days", NOW, "2027-12-01 Wed 18:00"),  # exactly the year ahead allowed
        ("2027-12-01 18:00", NOW, "2027-12-01 Wed 18:00"),
    ],
)
def test_boundaries_that_are_accepted(text, now, expected):
    assert local(text, now) == expected


def test_a_bare_time_that_is_exactly_now_is_tomorrow():
    parsed = parse_time("18:00", "Asia/Seoul", NOW)
    assert f"{parsed.local:%Y-%m-%d %H:%M}" == "2026-12-01 18:00"
    assert parsed.note == "18:00 has already passed today, so this is tomorrow."


def test_a_passed_time_moved_into_a_daylight_saving_gap_carries_both_notes():
    now = dt.datetime(2026, 3, 7, 3, 0, tzinfo=NEW_YORK)  # Saturday; the clocks go forward on Sunday at 02:00
    parsed = parse_time("02:30", "America/New_York", now)
    assert f"{parsed.local:%Y-%m-%d %H:%M %Z}" == "2026-03-08 03:30 EDT"
    assert parsed.note == (
        "02:30 has already passed today, so this is tomorrow. 02:30 on 2026-03-08 in America/New_York does not exist"
        " (the clocks go forward); I used 03:30 EDT, the same moment."
    )


def test_a_repeated_wall_time_is_the_first_whatever_fold_it_comes_with():
    wall = dt.datetime(2026, 11, 1, 1, 30, fold=1)  # noqa: DTZ001 - a wall time
    local_time, note = localize(wall, NEW_YORK)
    assert f"{local_time:%H:%M %Z}" == "01:30 EDT"
    assert note == (
        "01:30 on 2026-11-01 in America/New_York happens twice (the clocks go back); I used the first one, 01:30 EDT."
    )


# -- what is refused, and how it is said ---------------------------------------------------------------------------


def test_now_must_be_aware_says_so():
    with pytest.raises(ValueError, match=r"\Anow must be aware\Z"):
        parse_time("20:00", "UTC", dt.datetime(2026, 1, 1))  # noqa: DTZ001


def test_a_time_exactly_now_has_passed():
    assert refusal("2026-11-30 18:00", TimeInPastError) == (
        "2026-11-30 18:00 KST has already passed. Pick a time in the future."
    )


@pytest.mark.parametrize(
    "text", ["in 367 days", "in 366 days 1 minute", "2027-12-01 18:01", "in 99999999 hours", "in 999999999 minutes"]
)
def test_more_than_a_year_ahead_is_refused(text):
    assert refusal(text) == YEAR


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30 20:00", "2026-02-30 is not a date on the calendar."),
        ("tomorrow fri 20:00", f"“tomorrow fri 20:00” names two days. {HINT}"),
        ("tomorrow", "Add a time of day to “tomorrow”, like 20:00 or 8pm."),
        ("tomorrow *8*", f"I couldn't read “tomorrow \\*8\\*” as a time. {HINT}"),
        ("20:60", "“20:60” has 60 minutes; a time has 00 to 59."),
        ("0pm", "With am or pm the hour runs from 1 to 12 (“0pm”)."),
        ("24:00", "“24:00” has hour 24; a day has hours 0 to 23."),
        ("fri 8", "Is 8 in the morning or the evening? Write 8am, 8pm or 08:00."),
        ("in 0 minutes", "“in …” needs an amount of time after it, like `in 2 hours`."),
        ("in ", f"I couldn't read “in” as a time. {HINT}"),
        ("in *2* lightyears", "I couldn't read “in \\*2\\* lightyears”. Try `in 2 hours` or `in 90 minutes`."),
    ],
)
def test_each_refusal_says_what_was_wrong(text, message):
    assert refusal(text) == message


def test_a_long_quoted_input_is_cut_where_its_escapes_pass_100_characters():
    stars = "tomorrow fri " + "*" * 87  # 100 characters typed; each star shows as two
    shown = "tomorrow fri " + "\\*" * 43 + "…"
    assert refusal(stars) == f"“{shown}” names two days. {HINT}"
    relative = "in 1 hour " + "*" * 90
    shown = "1 hour " + "\\*" * 46 + "…"
    assert refusal(relative) == f"I couldn't read “in {shown}”. Try `in 2 hours` or `in 90 minutes`."
