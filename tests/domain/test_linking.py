import dataclasses
import datetime as dt

import pytest

from bot.domain.errors import InvalidInputError, NotLinkedError
from bot.domain.linking import LinkField, LinkMatch, LinkRefusal, RefusalReason, match_tvmaze, parse_tvmaze_ref
from bot.domain.models import SeasonInfo, Show

LOCAL = Show(
    title="The Trauma Code: Heroes On Call",
    native_title="중증외상센터",
    aliases=("The Trauma Code",),
    year=2025,
    platform="Netflix",
    seasons=(SeasonInfo(1, 8, dt.date(2025, 1, 24)),),
    catalog_key="the-trauma-code",
)

# As TVmaze lists it: English name, Netflix as web channel, the Hangul title among its akas.
TVMAZE = Show(
    title="The Trauma Code: Heroes on Call",
    aliases=("중증외상센터",),
    year=2025,
    platform="Netflix",
    seasons=(SeasonInfo(1, 8, dt.date(2025, 1, 24)), SeasonInfo(2)),
    source="tvmaze",
    tvmaze_id=900001,
)


def test_links_when_title_year_platform_and_premiere_agree():
    result = match_tvmaze(LOCAL, [TVMAZE])
    assert isinstance(result, LinkMatch)
    assert result.tvmaze_id == 900001
    assert set(result.agreed) == {
        LinkField.TITLE,
        LinkField.NATIVE_TITLE,
        LinkField.YEAR,
        LinkField.PREMIERE,
        LinkField.CHANNEL,
    }
    assert result.confidence == 1.0
    assert result.explain() == (
        "matched on native title, title, year, premiere date, network or platform (100% of the known facts)"
    )
    assert result.as_dict() == {
        "tvmaze_id": 900001,
        "method": "matched",
        "agreed": ["native title", "title", "year", "premiere date", "network or platform"],
        "disagreed": [],
        "confidence": 1.0,
    }


def test_a_native_title_alone_with_a_year_links_a_differently_translated_show():
    translated = dataclasses.replace(TVMAZE, title="Severe Trauma Center", seasons=(), platform=None)
    result = match_tvmaze(LOCAL, [translated])
    assert isinstance(result, LinkMatch)
    assert result.agreed == (LinkField.NATIVE_TITLE, LinkField.YEAR)


def test_the_right_candidate_wins_over_a_namesake_from_another_year():
    namesake = dataclasses.replace(
        TVMAZE, tvmaze_id=900099, year=2016, aliases=(), platform=None, network="SBS", seasons=()
    )
    result = match_tvmaze(LOCAL, [namesake, TVMAZE])
    assert isinstance(result, LinkMatch)
    assert result.tvmaze_id == 900001
    assert result.runner_up is not None
    assert result.runner_up.candidate.tvmaze_id == 900099


def test_a_year_off_by_more_than_one_is_refused_even_with_the_same_name():
    other = dataclasses.replace(TVMAZE, year=2022, seasons=(SeasonInfo(1, 16, dt.date(2022, 3, 1)),))
    result = match_tvmaze(LOCAL, [other])
    assert isinstance(result, LinkRefusal)
    assert result.reason is RefusalReason.YEAR_MISMATCH
    assert "2022" in result.message


def test_a_year_off_by_one_still_links_with_the_platform_agreeing():
    late = dataclasses.replace(TVMAZE, year=2026, seasons=())
    result = match_tvmaze(LOCAL, [late])
    assert isinstance(result, LinkMatch)
    assert LinkField.YEAR in result.agreed


def test_two_equally_good_candidates_are_refused_as_ambiguous():
    twin = dataclasses.replace(TVMAZE, tvmaze_id=900002)
    result = match_tvmaze(LOCAL, [TVMAZE, twin])
    assert isinstance(result, LinkRefusal)
    assert result.reason is RefusalReason.AMBIGUOUS
    assert "900001" in result.message
    assert "900002" in result.message


def test_the_same_record_found_twice_is_one_candidate():
    assert isinstance(match_tvmaze(LOCAL, [TVMAZE, TVMAZE]), LinkMatch)


def test_a_name_alone_is_not_enough():
    bare = Show(title="The Trauma Code", source="tvmaze", tvmaze_id=900003)
    result = match_tvmaze(LOCAL, [bare])
    assert isinstance(result, LinkRefusal)
    assert result.reason is RefusalReason.TOO_LITTLE_EVIDENCE


def test_no_matching_name_is_refused_however_well_the_rest_agrees():
    other = dataclasses.replace(TVMAZE, title="Hospital Playlist", aliases=())
    result = match_tvmaze(LOCAL, [other])
    assert isinstance(result, LinkRefusal)
    assert result.reason is RefusalReason.NO_NAME_MATCH


def test_a_different_network_and_premiere_outweigh_a_matching_name_and_year():
    other = dataclasses.replace(
        TVMAZE, aliases=(), platform=None, network="tvN", seasons=(SeasonInfo(1, 12, dt.date(2025, 6, 2)),)
    )
    result = match_tvmaze(LOCAL, [other])
    assert isinstance(result, LinkRefusal)
    assert result.reason is RefusalReason.TOO_LITTLE_EVIDENCE
    assert set(result.scores[0].disagreed) == {LinkField.CHANNEL, LinkField.PREMIERE}


def test_nothing_to_compare_with_is_refused():
    result = match_tvmaze(LOCAL, [Show(title="The Trauma Code")])  # no TVmaze id: not a TVmaze record
    assert isinstance(result, LinkRefusal)
    assert result.reason is RefusalReason.NO_CANDIDATES


def test_a_clear_winner_links_even_when_a_weaker_sure_candidate_exists():
    weaker = dataclasses.replace(TVMAZE, tvmaze_id=900005, aliases=(), seasons=(), year=2025, platform=None)
    # weaker: title + year only (5 points); TVMAZE has every fact (13 points).
    result = match_tvmaze(LOCAL, [weaker, TVMAZE])
    assert isinstance(result, LinkMatch)
    assert result.tvmaze_id == 900001


@pytest.mark.parametrize(
    ("typed", "tvmaze_id"),
    [
        ("900101", 900101),
        (" 42 ", 42),
        ("https://www.tvmaze.com/shows/900101/golden-hour-ward", 900101),
        ("<https://www.tvmaze.com/shows/900101>", 900101),
        ("tvmaze.com/shows/7", 7),
        ("https://api.tvmaze.com/shows/900101?embed[]=seasons", 900101),
    ],
)
def test_a_tvmaze_id_or_link_gives_the_id(typed, tvmaze_id):
    assert parse_tvmaze_ref(typed) == tvmaze_id


@pytest.mark.parametrize(
    "typed", ["", "0", "abc", "https://www.imdb.com/title/tt123", "https://www.tvmaze.com/people/5/x", "１２３", "-3"]
)
def test_anything_else_is_refused_with_a_sentence(typed):
    with pytest.raises(InvalidInputError, match="isn't a TVmaze show"):
        parse_tvmaze_ref(typed)


def test_a_refusal_tells_the_member_why_and_what_a_manager_can_do():
    twin = dataclasses.replace(TVMAZE, tvmaze_id=900002)
    refusal = match_tvmaze(LOCAL, [TVMAZE, twin])
    assert isinstance(refusal, LinkRefusal)
    error = refusal.error(LOCAL.title)
    assert isinstance(error, NotLinkedError)
    assert error.message == (
        "I can't follow “The Trauma Code: Heroes On Call” yet: several TVmaze shows fit “The Trauma Code: Heroes On"
        " Call” about equally well (ids 900001, 900002). A server manager can link it by its TVmaze id or link."
    )
