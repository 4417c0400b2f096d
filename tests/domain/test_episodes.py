import pytest

from bot.domain.episodes import check_episode, check_season
from bot.domain.errors import EpisodeOutOfRangeError
from bot.domain.models import SeasonInfo, Show

SEED = Show(title="The Trauma Code: Heroes On Call", seasons=(SeasonInfo(1, 8),))
TWO = Show(title="Hospital Playlist", seasons=(SeasonInfo(1, 12), SeasonInfo(2, 12)))
ANNOUNCED = Show(title="Next Season", seasons=(SeasonInfo(1, 10), SeasonInfo(2, None)))


def test_real_episodes_pass():
    check_episode(SEED, 1, 1)
    check_episode(SEED, 1, 8)
    check_episode(TWO, 2, 12)
    check_episode(ANNOUNCED, 2, 40)  # count not known yet: any positive number


@pytest.mark.parametrize(
    ("show", "season", "episode", "message"),
    [
        (SEED, 1, 9, "There is no episode 9 in The Trauma Code: Heroes On Call: it has episodes 1 to 8."),
        (SEED, 1, 0, "There is no episode 0"),
        (TWO, 2, 13, "There is no episode 13 in season 2 of Hospital Playlist: it has episodes 1 to 12."),
        (SEED, 2, 1, "The Trauma Code: Heroes On Call has no season 2 (seasons: 1)."),
        (Show(title="Unknown"), 101, 1, "Unknown has no season 101 (seasons: none listed yet)."),
    ],
)
def test_out_of_range_is_refused_with_the_real_range(show, season, episode, message):
    with pytest.raises(EpisodeOutOfRangeError) as caught:
        check_episode(show, season, episode)
    assert message in caught.value.message


def test_any_season_passes_while_none_are_listed():
    check_season(Show(title="Unknown"), 3)


@pytest.mark.parametrize(("season", "allowed"), [(0, False), (1, True), (100, True), (101, False), (-1, False)])
def test_seasons_1_to_100_pass_while_none_are_listed(season, allowed):
    unlisted = Show(title="Unknown")
    if allowed:
        check_season(unlisted, season)
        return
    with pytest.raises(EpisodeOutOfRangeError) as caught:
        check_season(unlisted, season)
    assert caught.value.message == f"Unknown has no season {season} (seasons: none listed yet)."


def test_a_missing_season_lists_every_real_season():
    with pytest.raises(EpisodeOutOfRangeError) as caught:
        check_season(Show(title="Hospital Playlist", seasons=(SeasonInfo(2, 12), SeasonInfo(1, 12))), 3)
    assert caught.value.message == "Hospital Playlist has no season 3 (seasons: 1, 2)."


def test_any_positive_episode_passes_while_no_season_is_listed():
    unlisted = Show(title="Unknown")
    check_episode(unlisted, 1, 1)
    check_episode(unlisted, 4, 500)
    with pytest.raises(EpisodeOutOfRangeError) as caught:
        check_episode(unlisted, 1, 0)
    assert caught.value.message == "There is no episode 0 in Unknown: it has episode numbers from 1."


def test_episode_0_of_a_season_without_a_count_yet_is_refused():
    with pytest.raises(EpisodeOutOfRangeError) as caught:
        check_episode(ANNOUNCED, 2, 0)
    assert caught.value.message == "There is no episode 0 in season 2 of Next Season: it has episode numbers from 1."


LONG = "L" * 201  # titles are quoted up to 200 characters


def test_a_long_title_is_cut_at_200_characters_in_every_refusal():
    one = Show(title=LONG, seasons=(SeasonInfo(1, 8),))
    two = Show(title=LONG, seasons=(SeasonInfo(1, 8), SeasonInfo(2, 8)))
    shown = "L" * 199 + "…"
    with pytest.raises(EpisodeOutOfRangeError) as caught:
        check_season(one, 3)
    assert caught.value.message == f"{shown} has no season 3 (seasons: 1)."
    with pytest.raises(EpisodeOutOfRangeError) as caught:
        check_episode(one, 1, 9)
    assert caught.value.message == f"There is no episode 9 in {shown}: it has episodes 1 to 8."
    with pytest.raises(EpisodeOutOfRangeError) as caught:
        check_episode(two, 2, 9)
    assert caught.value.message == f"There is no episode 9 in season 2 of {shown}: it has episodes 1 to 8."
