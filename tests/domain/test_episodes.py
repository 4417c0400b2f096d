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
