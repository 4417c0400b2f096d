"""How progress reads, at the edges the other progress tests do not reach: season 1 of a longer show, a one-episode
show, and a show whose earlier season has no count."""

from bot.domain.models import SeasonInfo, Show
from bot.domain.progress import Position, position_label, progress_bar, progress_line

SEED = Show(id=1, title="The Trauma Code: Heroes On Call", seasons=(SeasonInfo(1, 8),))
TWO = Show(id=2, title="Hospital Playlist", seasons=(SeasonInfo(0, 2), SeasonInfo(1, 12), SeasonInfo(2, 12)))
FIRST_UNCOUNTED = Show(id=5, title="Old Show", seasons=(SeasonInfo(1, None), SeasonInfo(2, 10)))


def test_season_one_of_a_two_season_show_names_its_season():
    assert position_label(TWO, Position(1, 3)) == "S1 ep 3/12"
    assert progress_line(TWO, Position(1, 3)) == "S1 ep 3/12 █░░░░░░░░░ 12%"


def test_a_one_episode_show_has_a_bar():
    assert progress_bar(0, 1) == "░░░░░░░░░░ 0%"
    assert progress_bar(1, 1) == "██████████ 100%"
    assert progress_bar(7, 8) == "████████░░ 87%"


def test_a_show_not_started_has_an_empty_bar():
    assert progress_line(SEED, None) == "not started ░░░░░░░░░░ 0%"


def test_an_earlier_season_without_a_count_leaves_the_label_alone():
    assert progress_line(FIRST_UNCOUNTED, Position(2, 3)) == "S2 ep 3/10"
