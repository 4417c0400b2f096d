"""The per-show season facts that progress transitions look up are never stale nor borrowed from another show."""

import pytest

from bot.domain.errors import EpisodeOutOfRangeError
from bot.domain.models import SeasonInfo, Show
from bot.domain.progress import Position, check_position, is_last, last_position
from bot.domain.progress import positions as positions_module


@pytest.fixture(autouse=True)
def _empty_position_caches() -> None:
    """positions keeps per-show facts; each test starts with none kept, so it checks the code that computes them."""
    positions_module._FACTS.clear()
    positions_module._regular.cache_clear()
    positions_module._last.cache_clear()


def test_a_show_with_a_new_season_is_no_longer_finished_at_the_old_last_episode():
    before = Show(title="Renewed", id=1, seasons=(SeasonInfo(1, 8),))
    assert is_last(before, Position(1, 8))
    after = Show(title="Renewed", id=1, seasons=(SeasonInfo(1, 8), SeasonInfo(2, 10)))
    assert not is_last(after, Position(1, 8))
    assert last_position(after) == Position(2, 10)
    assert check_position(after, 2, 10) == Position(2, 10)
    with pytest.raises(EpisodeOutOfRangeError):
        check_position(before, 2, 1)


def test_equal_seasons_of_different_shows_give_the_same_answers():
    shows = [Show(title=f"Twin {i}", id=i, seasons=(SeasonInfo(0, 2), SeasonInfo(1, 6))) for i in range(3)]
    for show in shows:
        assert last_position(show) == Position(1, 6)
        assert check_position(show, 1, 6) == Position(1, 6)
        with pytest.raises(EpisodeOutOfRangeError):
            check_position(show, 1, 7)


def test_a_duplicated_season_number_reads_the_first_one_as_show_season_does():
    show = Show(title="Listed twice", id=9, seasons=(SeasonInfo(1, 4), SeasonInfo(1, 12)))
    assert show.season(1).episode_count == 4
    with pytest.raises(EpisodeOutOfRangeError):
        check_position(show, 1, 5)


def test_position_orders_by_season_then_episode():
    assert Position(1, 16) < Position(2, 1)
    assert max(Position(2, 3), Position(1, 9)) == Position(2, 3)
    assert Position(2, 3).label() == "S2 E3"
