"""Spoiler rules the other spoiler tests leave unasserted: exact replies (and where long text is cut in them), the
10,000 limit itself, the last episode of a season counted across seasons, and the Reveal wording for shows with
several seasons."""

from __future__ import annotations

import pytest

from bot.domain.errors import EpisodeOutOfRangeError, InvalidInputError
from bot.domain.models import SeasonInfo, Show
from bot.domain.reviews import EpisodeRef, ViewerProgress, decide_reveal, parse_episode_ref, resolve_spoilers_through
from bot.domain.reviews.spoilers import RevealDecision

TWO_SEASONS = Show("Hospital Playlist", seasons=(SeasonInfo(1, 12), SeasonInfo(2, 12)))
UNEVEN = Show("Uneven", seasons=(SeasonInfo(1, 8), SeasonInfo(2, 16)))
# A title of markdown stars: each star is shown escaped ("\*"), so the shown title is cut at its limit.
STARS = "*" * 150
SHOWN_AT_40 = "\\*" * 19 + "…"
SHOWN_AT_100 = "\\*" * 49 + "…"
SHOWN_AT_200 = "\\*" * 99 + "…"
NOT_AN_EPISODE = "is not an episode: write an episode number such as 8, or S2E3 for a later season."


def refusal(error: type[Exception], call, *args, **kw) -> str:
    with pytest.raises(error) as refused:
        call(*args, **kw)
    return str(refused.value)


# -- reading an episode ---------------------------------------------------------------------------------------------


def test_what_is_not_an_episode_is_quoted_cut_to_40_characters():
    assert refusal(InvalidInputError, parse_episode_ref, "*" * 30) == f"“{SHOWN_AT_40}” {NOT_AN_EPISODE}"
    assert refusal(InvalidInputError, parse_episode_ref, "eight") == f"“eight” {NOT_AN_EPISODE}"


def test_numbers_run_from_1_to_10000_and_the_refusal_says_so():
    assert parse_episode_ref("10000") == EpisodeRef(1, 10_000)
    assert parse_episode_ref("S10000E10000") == EpisodeRef(10_000, 10_000)
    for text in ("10001", "S10001E1", "S1E10001", "S0E1", "0"):
        assert refusal(InvalidInputError, parse_episode_ref, text) == (
            "Season and episode numbers run from 1 to 10,000."
        )


# -- checking it against the show -----------------------------------------------------------------------------------


def test_a_bare_number_that_is_the_last_episode_of_a_later_season_is_named_in_the_hint():
    assert refusal(EpisodeOutOfRangeError, resolve_spoilers_through, TWO_SEASONS, "24") == (
        "Season 1 of Hospital Playlist has 12 episodes; write a later season's episode as S2E3."
        " Counting across seasons, episode 24 is S2E12."
    )


def test_a_bare_number_past_every_season_gets_no_hint():
    assert refusal(EpisodeOutOfRangeError, resolve_spoilers_through, TWO_SEASONS, "25") == (
        "Season 1 of Hospital Playlist has 12 episodes; write a later season's episode as S2E3."
    )


def test_the_bare_number_rule_reads_season_one_s_own_count():
    assert refusal(EpisodeOutOfRangeError, resolve_spoilers_through, UNEVEN, "10") == (
        "Season 1 of Uneven has 8 episodes; write a later season's episode as S2E3."
        " Counting across seasons, episode 10 is S2E2."
    )


def test_a_long_show_title_in_the_bare_number_refusal_is_cut_at_200():
    show = Show(STARS, seasons=(SeasonInfo(1, 2), SeasonInfo(2, 2)))
    assert refusal(EpisodeOutOfRangeError, resolve_spoilers_through, show, "3") == (
        f"Season 1 of {SHOWN_AT_200} has 2 episodes; write a later season's episode as S2E3."
        " Counting across seasons, episode 3 is S2E1."
    )


# -- Reveal ---------------------------------------------------------------------------------------------------------


def test_a_viewer_far_enough_gets_the_spoilers_with_no_message():
    assert decide_reveal(EpisodeRef(1, 8), ViewerProgress(1, 8), show_title="X") == RevealDecision(True, "")


def test_in_a_show_with_several_seasons_both_places_name_their_season():
    decision = decide_reveal(EpisodeRef(1, 8), ViewerProgress(1, 3), show_title="Hospital Playlist", multi_season=True)
    assert decision.allowed is False
    assert decision.message == (
        "You are on season 1, episode 3 of Hospital Playlist; this review discusses up to season 1, episode 8."
        " Show the spoilers anyway?"
    )


def test_a_viewer_without_progress_is_told_how_to_record_it_and_the_title_is_cut_at_100():
    decision = decide_reveal(None, None, show_title=STARS)
    assert decision == RevealDecision(
        False,
        f"You have not recorded any progress in {SHOWN_AT_100} (`/progress set` records it);"
        " this review may discuss the whole show. Show the spoilers anyway?",
    )
