import dataclasses
import datetime as dt

import pytest

from bot.domain.errors import InvalidInputError, NotLinkedError
from bot.domain.linking import (
    Agreement,
    LinkFacts,
    LinkField,
    LinkMatch,
    LinkRefusal,
    RefusalReason,
    match_tvmaze,
    parse_tvmaze_ref,
    score_candidate,
)
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


# -- the facts compared -------------------------------------------------------------------------------------------


def test_a_show_without_season_dates_premiered_on_the_providers_date_and_takes_its_year_from_it():
    facts = LinkFacts.of(Show(title="Signal", extra={"premiered": "2016-01-22"}))
    assert (facts.premiered, facts.year) == (dt.date(2016, 1, 22), 2016)
    assert LinkFacts.of(Show(title="Signal", year=2015, extra={"premiered": "2016-01-22"})).year == 2015
    unreadable = LinkFacts.of(Show(title="Signal", extra={"premiered": "2016-13-01"}))
    assert (unreadable.premiered, unreadable.year) == (None, None)


def test_a_close_fact_earns_half_its_points():
    late = dataclasses.replace(TVMAZE, aliases=(), platform=None, seasons=(), year=2026)
    score = score_candidate(LOCAL, late)
    assert score.fields == ((LinkField.TITLE, Agreement.AGREE), (LinkField.YEAR, Agreement.CLOSE))
    assert (score.points, score.confidence) == (4.0, 0.8)


@pytest.mark.parametrize(
    ("days", "agreement"),
    [(0, Agreement.AGREE), (10, Agreement.CLOSE), (14, Agreement.CLOSE), (15, Agreement.DISAGREE)],
)
def test_premieres_up_to_a_fortnight_apart_agree_loosely(days, agreement):
    moved = dataclasses.replace(TVMAZE, seasons=(SeasonInfo(1, 8, dt.date(2025, 1, 24) + dt.timedelta(days=days)),))
    assert score_candidate(LOCAL, moved).agreement(LinkField.PREMIERE) is agreement


def test_a_network_is_compared_only_when_both_sides_have_one():
    assert score_candidate(LOCAL, dataclasses.replace(TVMAZE, platform=None)).agreement(LinkField.CHANNEL) is None
    assert score_candidate(dataclasses.replace(LOCAL, platform=None), TVMAZE).agreement(LinkField.CHANNEL) is None


def test_a_different_native_title_on_the_candidate_disagrees():
    other = dataclasses.replace(TVMAZE, aliases=(), native_title="낭만닥터 김사부")
    score = score_candidate(LOCAL, other)
    assert score.agreement(LinkField.NATIVE_TITLE) is Agreement.DISAGREE
    assert score.agreement(LinkField.TITLE) is Agreement.AGREE


# -- what a link keeps and says -----------------------------------------------------------------------------------


def test_a_link_with_a_disagreement_keeps_it_and_says_so():
    other_channel = dataclasses.replace(TVMAZE, platform=None, network="SBS")
    result = match_tvmaze(LOCAL, [other_channel])
    assert isinstance(result, LinkMatch)
    assert result.show is other_channel
    assert result.as_dict() == {
        "tvmaze_id": 900001,
        "method": "matched",
        "agreed": ["native title", "title", "year", "premiere date"],
        "disagreed": ["network or platform"],
        "confidence": 0.846,  # 11 of 13 points
    }
    assert result.explain() == (
        "matched on native title, title, year, premiere date (85% of the known facts); differs on network or platform"
    )


def test_a_lead_of_exactly_one_full_fact_is_enough():
    # Both are sure; the second lacks the network (11 points against 13): a lead of 2 is not a tie.
    weaker = dataclasses.replace(TVMAZE, tvmaze_id=900002, platform=None, network="SBS")
    result = match_tvmaze(LOCAL, [weaker, TVMAZE])
    assert isinstance(result, LinkMatch)
    assert result.tvmaze_id == 900001
    assert result.runner_up is not None
    assert result.runner_up.candidate is weaker


def test_an_ambiguous_refusal_keeps_every_candidate_best_first():
    twin = dataclasses.replace(TVMAZE, tvmaze_id=900002)
    weak = dataclasses.replace(TVMAZE, tvmaze_id=900003, aliases=(), platform=None, seasons=(), year=None)
    result = match_tvmaze(LOCAL, [weak, TVMAZE, twin])
    assert isinstance(result, LinkRefusal)
    assert result.reason is RefusalReason.AMBIGUOUS
    assert [s.candidate.tvmaze_id for s in result.scores] == [900001, 900002, 900003]


LONG = "A" * 81  # titles are quoted up to 80 characters
SHOWN = "A" * 79 + "…"


def test_each_refusal_says_why_in_a_sentence_with_the_scores_kept():
    long_local = dataclasses.replace(LOCAL, title=LONG, aliases=())
    assert match_tvmaze(long_local, []) == LinkRefusal(
        RefusalReason.NO_CANDIDATES, f"TVmaze lists no show that could be “{SHOWN}”."
    )

    nameless = match_tvmaze(long_local, [dataclasses.replace(TVMAZE, aliases=())])
    assert (nameless.reason, nameless.message) == (
        RefusalReason.NO_NAME_MATCH,
        f"no TVmaze show is called “{SHOWN}” or by its native title, and I won't guess.",
    )
    assert [s.candidate.tvmaze_id for s in nameless.scores] == [900001]

    named = dataclasses.replace(LOCAL, title=LONG, native_title=None, aliases=(), seasons=(), platform=None)
    old = [dataclasses.replace(TVMAZE, title=LONG, tvmaze_id=i, year=y, seasons=()) for i, y in ((1, 2010), (2, 2020))]
    years = match_tvmaze(named, old)
    assert (years.reason, years.message) == (
        RefusalReason.YEAR_MISMATCH,
        f"TVmaze's “{SHOWN}” is from 2010, 2020, more than a year from 2025: another show.",
    )
    assert len(years.scores) == 2

    bare = match_tvmaze(named, [Show(title=LONG, source="tvmaze", tvmaze_id=9)])  # type: ignore[arg-type]
    assert (bare.reason, bare.message) == (
        RefusalReason.TOO_LITTLE_EVIDENCE,
        f"a TVmaze show is called “{SHOWN}”, but its year, premiere or network doesn't confirm it.",
    )
    assert [s.candidate.tvmaze_id for s in bare.scores] == [9]


# -- what a server manager types ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "tvmaze_id"),
    [
        ("1", 1),
        ("7", 7),
        ("999999999", 999999999),
        ("https://www.tvmaze.com/shows/1", 1),
        ("https://www.tvmaze.com/shows/999999999/x", 999999999),
    ],
)
def test_ids_from_1_to_nine_digits_are_read(typed, tvmaze_id):
    assert parse_tvmaze_ref(typed) == tvmaze_id


@pytest.mark.parametrize(
    "typed", ["1234567890", "X123X", "<>", "https://www.tvmaze.com/shows/0", "https://www.tvmaze.com/shows/0000"]
)
def test_a_ten_digit_id_stray_letters_or_id_0_are_refused(typed):
    with pytest.raises(InvalidInputError):
        parse_tvmaze_ref(typed)


def test_the_refusal_quotes_what_was_typed_up_to_80_characters_and_shows_both_forms():
    with pytest.raises(InvalidInputError) as caught:
        parse_tvmaze_ref("*" + "x" * 80)
    assert caught.value.message == (
        f"“\\*{'x' * 77}…” isn't a TVmaze show: give its id (like 1234) or its link"
        " (like https://www.tvmaze.com/shows/1234/name)."
    )


def test_an_explanation_lists_every_agreement_and_every_difference():
    match = LinkMatch(
        900001,
        TVMAZE,
        agreed=(LinkField.TITLE, LinkField.YEAR),
        disagreed=(LinkField.PREMIERE, LinkField.CHANNEL),
        confidence=0.7,
        runner_up=None,
    )
    assert match.explain() == (
        "matched on title, year (70% of the known facts); differs on premiere date, network or platform"
    )
