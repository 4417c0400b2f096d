"""The sentence an announcement posts, for every kind of news: what members read in a DM or a server channel."""

import datetime as dt

import pytest

from bot.domain.announcements import AnnouncementEvent, EventKind, describe
from bot.domain.announcements.text import when

AT = dt.datetime(2026, 9, 7, 12, 50, tzinfo=dt.UTC)
STAMP = int(AT.timestamp())
SHOWN_AT = f"<t:{STAMP}:F> (<t:{STAMP}:R>)"
TITLE = "Golden Hour Ward"


def event(kind: EventKind, **fields) -> AnnouncementEvent:
    return AnnouncementEvent("k", kind, 900101, **fields)


def test_when_is_a_discord_timestamp_for_an_instant_else_the_day_else_nothing():
    assert when(AT, dt.date(2026, 9, 7)) == SHOWN_AT
    assert when(None, dt.date(2026, 9, 4)) == "4 September 2026"
    assert when(None, dt.date(2026, 12, 25)) == "25 December 2026"
    assert when(None, None) is None


def test_a_season_announced_without_a_date_says_only_that():
    assert describe(event(EventKind.SEASON_ANNOUNCED, season=2), TITLE) == "**Golden Hour Ward** season 2 is announced."


def test_a_season_announced_with_its_instant_gives_the_timestamp_without_on():
    text = describe(event(EventKind.SEASON_ANNOUNCED, season=3, at=AT, date=AT.date()), TITLE)
    assert text == f"**Golden Hour Ward** season 3 is announced. It premieres {SHOWN_AT}."


def test_a_season_with_no_number_is_a_new_season():
    text = describe(event(EventKind.SEASON_ANNOUNCED), TITLE)
    assert text == "**Golden Hour Ward** a new season is announced."
    assert describe(event(EventKind.SEASON_ANNOUNCED, season=0), TITLE) == text


def test_a_premiere_date_set_for_the_first_time_names_the_day():
    text = describe(event(EventKind.PREMIERE_DATE, season=2, date=dt.date(2026, 9, 4)), TITLE)
    assert text == "**Golden Hour Ward** season 2 premieres on 4 September 2026."


def test_a_moved_premiere_date_says_what_it_was_listed_for():
    moved = event(
        EventKind.PREMIERE_DATE, season=2, date=dt.date(2026, 9, 11), previous_date=dt.date(2026, 9, 4), at=AT
    )
    assert describe(moved, TITLE) == (
        f"**Golden Hour Ward** season 2 premieres {SHOWN_AT}. (It was listed for 4 September 2026.)"
    )


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"first_episode": 1, "last_episode": 8, "whole_season": True}, "all 8 episodes are out"),
        ({"first_episode": 1, "last_episode": 4}, "episodes 1–4 are out"),
        ({"first_episode": 3, "last_episode": 4}, "episodes 3–4 are out"),
        ({"first_episode": 1, "last_episode": 1, "episode_name": "Salt"}, "S2E1 “Salt” airs"),
        ({"first_episode": 1, "last_episode": 1, "episode_name": "TBA"}, "S2E1 airs"),
        ({"first_episode": 1, "last_episode": 1}, "S2E1 airs"),
        ({}, "it is out"),
    ],
)
def test_a_premiere_day_says_what_came_out_and_the_day_in_brackets(fields, said):
    day = event(EventKind.PREMIERE_DAY, season=2, date=dt.date(2026, 9, 4), **fields)
    assert describe(day, TITLE) == f"**Golden Hour Ward** season 2 premieres today: {said} (4 September 2026)."


def test_a_release_with_an_instant_has_its_timestamp_unbracketed():
    aired = event(EventKind.EPISODE_AIRED, season=2, first_episode=5, last_episode=5, at=AT, date=AT.date())
    assert describe(aired, TITLE) == f"**Golden Hour Ward** S2E5 airs {SHOWN_AT}."


def test_a_release_with_no_day_known_says_only_what_came_out():
    aired = event(EventKind.EPISODE_AIRED, season=2, first_episode=3, last_episode=6)
    assert describe(aired, TITLE) == "**Golden Hour Ward** episodes 3–6 are out."


def test_an_episode_name_cannot_format_and_is_cut_at_100_characters():
    named = event(EventKind.EPISODE_AIRED, season=1, first_episode=2, last_episode=2, episode_name="*" + "n" * 120)
    assert describe(named, TITLE) == f"**Golden Hour Ward** S1E2 “\\*{'n' * 97}…” airs."


def test_a_title_is_cut_at_200_characters():
    assert describe(event(EventKind.ENDED), "t" * 201) == f"**{'t' * 199}…** has ended."
    assert describe(event(EventKind.ENDED), "t" * 200) == f"**{'t' * 200}** has ended."


def test_a_return_names_the_listed_season_when_there_is_one():
    assert describe(event(EventKind.RETURNING, season=3), TITLE) == (
        "**Golden Hour Ward** is running again (season 3 is listed)."
    )
    assert describe(event(EventKind.RETURNING), TITLE) == "**Golden Hour Ward** is running again."


def test_an_ending_is_one_short_sentence():
    assert describe(event(EventKind.ENDED, season=2), TITLE) == "**Golden Hour Ward** has ended."
