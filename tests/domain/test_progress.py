import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.errors import AlreadyFinishedError, EpisodeOutOfRangeError, NothingToRewatchError, UserFacingError
from bot.domain.models import Episode, SeasonInfo, Show
from bot.domain.progress import (
    Position,
    Standing,
    WatchStatus,
    check_special,
    episodes_through,
    following,
    is_last,
    last_position,
    next_episode,
    position_label,
    progress_bar,
    progress_line,
    rewatch,
    set_episode,
    total_episodes,
    unseen_episodes,
)
from bot.domain.progress import positions as positions_module

SEED = Show(id=1, title="The Trauma Code: Heroes On Call", seasons=(SeasonInfo(1, 8),))
TWO = Show(id=2, title="Hospital Playlist", seasons=(SeasonInfo(0, 2), SeasonInfo(1, 12), SeasonInfo(2, 12)))
ANNOUNCED = Show(id=3, title="Next Season", seasons=(SeasonInfo(1, 10), SeasonInfo(2, None)))
UNLISTED = Show(id=4, title="Unlisted")
T0 = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
USER = 42


@pytest.fixture(autouse=True)
def _empty_position_caches() -> None:
    """positions keeps per-show facts; each test starts with none kept, so it checks the code that computes them."""
    positions_module._FACTS.clear()
    positions_module._regular.cache_clear()
    positions_module._last.cache_clear()


def fresh(show: Show, status: WatchStatus | None = None) -> Standing:
    return Standing(USER, show.id, None, status)


def at(show: Show, season: int, episode: int, status: WatchStatus | None = None) -> Standing:
    return set_episode(fresh(show, status), show, season, episode, T0).after


def later(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


# -- set -------------------------------------------------------------------------------------------------------------


def test_set_records_the_position_and_marks_everything_before_it():
    update = set_episode(fresh(SEED), SEED, 1, 3, T0)
    assert update.progress.position == Position(1, 3)
    assert episodes_through(SEED, update.progress.position) == 3
    assert position_label(SEED, update.progress.position) == "ep 3/8"
    assert update.status is WatchStatus.WATCHING
    assert update.status_changed
    assert not update.completed_now


@pytest.mark.parametrize(("season", "episode"), [(1, 0), (1, -1), (1, 9), (2, 1), (0, 1)])
def test_set_refuses_episodes_the_show_does_not_have(season, episode):
    with pytest.raises(EpisodeOutOfRangeError):
        set_episode(fresh(SEED), SEED, season, episode, T0)


def test_set_to_the_last_episode_completes_the_show():
    update = set_episode(fresh(SEED, WatchStatus.PLAN), SEED, 1, 8, T0)
    assert update.completed_now
    assert update.progress.completed_at == T0
    assert update.status is WatchStatus.COMPLETED
    assert progress_line(SEED, update.progress.position) == "ep 8/8 ██████████ 100%"


def test_stepping_back_after_completing_keeps_completed():
    done = at(SEED, 1, 8)
    update = set_episode(done, SEED, 1, 5, later(5))
    assert update.progress.position == Position(1, 5)
    assert update.status is WatchStatus.COMPLETED
    assert not update.status_changed
    assert update.progress.completed_at == T0
    assert update.progress.seen_through == Position(1, 8)


@pytest.mark.parametrize("status", [None, WatchStatus.PLAN, WatchStatus.ON_HOLD, WatchStatus.DROPPED])
def test_watching_an_episode_moves_the_status_to_watching_and_says_so(status):
    update = set_episode(fresh(SEED, status), SEED, 1, 2, T0)
    assert update.status is WatchStatus.WATCHING
    assert update.status_changed
    assert update.before.status is status


def test_multi_season_shows_count_every_regular_episode_and_ignore_specials():
    assert total_episodes(TWO) == 24
    position = at(TWO, 2, 3).progress
    assert position is not None
    assert position_label(TWO, position.position) == "S2 ep 3/12"
    assert episodes_through(TWO, position.position) == 15
    assert progress_line(TWO, position.position) == "S2 ep 3/12 ██████░░░░ 62%"


def test_unknown_counts_show_the_episode_without_a_bar():
    assert progress_line(UNLISTED, at(UNLISTED, 1, 5).position) == "ep 5"
    assert progress_line(ANNOUNCED, at(ANNOUNCED, 2, 3).position) == "S2 ep 3"
    assert position_label(SEED, None) == "not started"


def test_progress_bar_is_never_full_before_the_end():
    assert progress_bar(0, 8) == "░░░░░░░░░░ 0%"
    assert progress_bar(99, 100) == "█████████░ 99%"
    assert progress_bar(100, 100) == "██████████ 100%"
    assert progress_bar(3, None) == ""


# -- next ------------------------------------------------------------------------------------------------------------


def test_next_from_nothing_starts_at_the_first_episode():
    update = next_episode(fresh(SEED), SEED, T0)
    assert update.progress.position == Position(1, 1)
    assert update.status is WatchStatus.WATCHING


def test_next_crosses_into_the_next_season():
    update = next_episode(at(TWO, 1, 12), TWO, later(1))
    assert update.progress.position == Position(2, 1)
    assert update.crossed_season


def test_next_to_the_last_episode_completes_and_then_refuses():
    update = next_episode(at(SEED, 1, 7), SEED, later(1))
    assert update.progress.position == Position(1, 8)
    assert update.completed_now
    assert update.status is WatchStatus.COMPLETED
    with pytest.raises(AlreadyFinishedError, match="last episode of The Trauma Code"):
        next_episode(update.after, SEED, later(2))


def test_next_in_a_season_without_a_count_keeps_going_and_never_completes():
    standing = at(ANNOUNCED, 2, 40)
    update = next_episode(standing, ANNOUNCED, later(1))
    assert update.progress.position == Position(2, 41)
    assert not update.completed_now
    assert following(UNLISTED, Position(1, 99)) == Position(1, 100)


def test_a_show_with_specials_completes_on_its_last_regular_episode():
    update = set_episode(fresh(TWO), TWO, 2, 12, T0)
    assert update.completed_now


# -- specials --------------------------------------------------------------------------------------------------------


def test_specials_are_checked_against_their_own_count():
    check_special(TWO, 2)
    check_special(SEED, 40)  # the seed lists no specials: any number up to 999
    with pytest.raises(EpisodeOutOfRangeError, match="specials 1 to 2"):
        check_special(TWO, 3)
    with pytest.raises(EpisodeOutOfRangeError):
        check_special(SEED, 0)


def test_unseen_episodes_hide_what_is_past_the_viewer_and_unmarked_specials():
    episodes = [Episode(1, n) for n in range(1, 13)] + [Episode(2, 1), Episode(0, 1), Episode(0, 2)]
    hidden = unseen_episodes(episodes, Position(1, 10), specials=[2])
    assert hidden == {(1, 11), (1, 12), (2, 1), (0, 1)}
    assert unseen_episodes(episodes, None) == {(e.season, e.number) for e in episodes}


# -- rewatch ---------------------------------------------------------------------------------------------------------


def test_rewatch_starts_a_new_pass_and_keeps_the_finished_one():
    done = next_episode(at(SEED, 1, 7), SEED, later(10)).after
    update = rewatch(done, SEED, later(60))
    assert update.progress.position is None
    assert update.progress.pass_number == 2
    assert update.progress.pass_started_at == later(60)
    assert update.progress.seen_through == Position(1, 8)
    assert update.status is WatchStatus.WATCHING
    closed = update.closed_pass
    assert closed is not None
    assert (closed.number, closed.started_at, closed.ended_at) == (1, T0, later(60))
    assert (closed.reached, closed.completed_at) == (Position(1, 8), later(10))
    # The second pass completes on its own.
    again = set_episode(update.after, SEED, 1, 8, later(120))
    assert again.completed_now
    assert again.progress.completed_at == later(120)


def test_rewatch_needs_something_watched():
    with pytest.raises(NothingToRewatchError, match="haven't started"):
        rewatch(fresh(SEED), SEED, T0)
    started = rewatch(at(SEED, 1, 8), SEED, later(1)).after
    with pytest.raises(NothingToRewatchError, match="already started"):
        rewatch(started, SEED, later(2))


def test_a_rewatcher_keeps_seeing_titles_they_have_seen_before():
    started = rewatch(at(SEED, 1, 8), SEED, later(1)).after
    assert started.progress is not None
    assert unseen_episodes([Episode(1, 8)], started.progress.seen_through) == frozenset()


# -- properties ------------------------------------------------------------------------------------------------------


def generated(counts: list[int], specials: int) -> Show:
    regular = tuple(SeasonInfo(n + 1, c) for n, c in enumerate(counts))
    return Show(id=9, title="Generated", seasons=regular + ((SeasonInfo(0, specials),) if specials else ()))


SHOWS = st.builds(generated, st.lists(st.integers(1, 12), min_size=1, max_size=4), st.integers(0, 3))
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.integers(-1, 5), st.integers(-1, 14)),
        st.tuples(st.just("next"), st.just(0), st.just(0)),
        st.tuples(st.just("rewatch"), st.just(0), st.just(0)),
        st.tuples(st.just("last"), st.just(0), st.just(0)),
    ),
    max_size=40,
)


@given(SHOWS)
def test_next_from_nothing_walks_every_regular_episode_once(show):
    position, steps = None, 0
    while (position := following(show, position)) is not None:
        steps += 1
        assert not is_last(show, position) or position == last_position(show)
    assert steps == total_episodes(show)


@settings(max_examples=300, deadline=None)
@given(SHOWS, STEPS)
def test_any_sequence_of_commands_keeps_progress_consistent(show, steps):
    standing = fresh(show)
    for minute, (command, season, episode) in enumerate(steps):
        now = later(minute)
        try:
            if command == "set":
                update = set_episode(standing, show, season, episode, now)
            elif command == "last":
                end = last_position(show)
                assert end is not None
                update = set_episode(standing, show, end.season, end.episode, now)
            elif command == "next":
                update = next_episode(standing, show, now)
            else:
                update = rewatch(standing, show, now)
        except UserFacingError:
            continue
        progress = update.progress
        if progress.position is not None:
            info = show.season(progress.position.season)
            assert progress.position.season >= 1
            assert info is not None
            assert 1 <= progress.position.episode <= (info.episode_count or 0)
            assert progress.seen_through is not None
            assert progress.seen_through >= progress.position
        # Completed never goes back to watching except by an explicit rewatch.
        if standing.status is WatchStatus.COMPLETED and command != "rewatch":
            assert update.status is WatchStatus.COMPLETED
        assert update.completed_now == (
            progress.position is not None
            and is_last(show, progress.position)
            and (standing.progress is None or standing.progress.completed_at is None)
        )
        standing = update.after


MARKED_UP = Show(
    id=9, title="**Loud** <@&42> @everyone", seasons=(SeasonInfo(0, 1), SeasonInfo(1, 2), SeasonInfo(2, 2))
)


@pytest.mark.parametrize(
    "refuse",
    [
        lambda: next_episode(at(MARKED_UP, 2, 2), MARKED_UP, T0),  # past the last episode
        lambda: rewatch(fresh(MARKED_UP), MARKED_UP, T0),  # nothing to rewatch
        lambda: set_episode(fresh(MARKED_UP), MARKED_UP, 1, 3, T0),  # no such episode
        lambda: set_episode(fresh(MARKED_UP), MARKED_UP, 3, 1, T0),  # no such season
        lambda: check_special(MARKED_UP, 2),  # no such special
    ],
)
def test_a_show_title_in_an_error_is_shown_inert(refuse) -> None:
    """Titles come from imports and TVmaze: in a reply they are text, never formatting or a mention."""
    with pytest.raises(UserFacingError) as refused:
        refuse()
    message = str(refused.value)
    assert r"\*\*Loud\*\*" in message
    assert "@everyone" not in message
    assert "<@&42>" not in message
