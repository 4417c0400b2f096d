"""Announcement events at their edges: exact keys, the staleness and catch-up boundaries, and whole-season drops."""

import datetime as dt

import pytest

from bot.domain.announcements import (
    AnnouncementEvent,
    EpisodeSnapshot,
    EventKind,
    Release,
    SeasonSnapshot,
    ShowSnapshot,
    ShowStatus,
    diff_snapshots,
    due_events,
    next_due,
    releases,
)

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
TODAY = NOW.date()
DAY = dt.timedelta(days=1)


def show(*seasons, episodes=(), status=None, updated=1_750_000_000, timezone=None, fetched=NOW) -> ShowSnapshot:
    return ShowSnapshot(
        tvmaze_id=4321,
        title="Golden Hour Ward",
        fetched_at=fetched,
        status=status,
        seasons=tuple(seasons),
        episodes=tuple(episodes),
        updated=updated,
        timezone=timezone,
    )


def season(number, order=None, premiere=None) -> SeasonSnapshot:
    return SeasonSnapshot(number, order, premiere)


def day_only(season_number, number, day, name=None) -> EpisodeSnapshot:
    return EpisodeSnapshot(season_number, number, name, day, None)


def timed(season_number, number, instant, name=None) -> EpisodeSnapshot:
    return EpisodeSnapshot(season_number, number, name, instant.date(), instant)


# -- news from a change -----------------------------------------------------------------------------------------


def test_an_announced_season_carries_the_show_its_key_and_its_first_episodes_instant():
    premiere = dt.datetime(2026, 9, 7, 12, 50, tzinfo=dt.UTC)
    new = show(season(1), season(2, premiere=premiere.date()), episodes=[timed(2, 1, premiere)])
    (event,) = diff_snapshots(show(season(1)), new)
    assert event == AnnouncementEvent(
        key="tvmaze:4321:s2:announced",
        kind=EventKind.SEASON_ANNOUNCED,
        tvmaze_id=4321,
        season=2,
        date=premiere.date(),
        at=premiere,
    )


def test_a_premiere_date_set_for_the_first_time_has_none_in_its_key():
    (event,) = diff_snapshots(show(season(2)), show(season(2, premiere=dt.date(2026, 9, 4))))
    assert event == AnnouncementEvent(
        key="tvmaze:4321:s2:premiere-date:none>2026-09-04",
        kind=EventKind.PREMIERE_DATE,
        tvmaze_id=4321,
        season=2,
        date=dt.date(2026, 9, 4),
    )


def test_a_return_and_an_ending_are_keyed_by_the_shows_change_stamp():
    ended = show(season(1), season(2), status=ShowStatus.ENDED, updated=111)
    running = show(season(1), season(2), status=ShowStatus.RUNNING, updated=222)
    assert diff_snapshots(ended, running) == [
        AnnouncementEvent(
            key="tvmaze:4321:status:returning:222",
            kind=EventKind.RETURNING,
            tvmaze_id=4321,
            season=2,
            status=ShowStatus.RUNNING,
        )
    ]
    assert diff_snapshots(running, ended) == [
        AnnouncementEvent(
            key="tvmaze:4321:status:ended:111",
            kind=EventKind.ENDED,
            tvmaze_id=4321,
            season=2,
            status=ShowStatus.ENDED,
        )
    ]


def test_without_a_change_stamp_the_fetch_time_keys_the_status_change():
    old = show(status=ShowStatus.RUNNING, updated=None)
    new = show(status=ShowStatus.ENDED, updated=None)
    (event,) = diff_snapshots(old, new)
    assert event.key == f"tvmaze:4321:status:ended:{int(NOW.timestamp())}"
    assert event.season is None  # no season listed at all


@pytest.mark.parametrize(("days_ago", "announced"), [(0, True), (30, True), (31, False)])
def test_a_new_season_up_to_30_days_old_is_still_news(days_ago, announced):
    new = show(season(1), season(2, premiere=TODAY - dt.timedelta(days=days_ago)))
    assert [e.season for e in diff_snapshots(show(season(1)), new)] == ([2] if announced else [])


@pytest.mark.parametrize(("days_ago", "announced"), [(-3, True), (0, True), (1, True), (2, False)])
def test_a_premiere_date_moved_to_yesterday_or_later_is_news(days_ago, announced):
    old = show(season(2, premiere=TODAY + dt.timedelta(days=10)))
    new = show(season(2, premiere=TODAY - dt.timedelta(days=days_ago)))
    assert [e.kind for e in diff_snapshots(old, new)] == ([EventKind.PREMIERE_DATE] if announced else [])


def test_a_season_filled_in_below_the_latest_is_skipped_and_a_later_new_one_still_announced():
    old = show(season(1), season(3))
    new = show(season(1), season(2), season(3), season(4))
    assert [(e.kind, e.season) for e in diff_snapshots(old, new)] == [(EventKind.SEASON_ANNOUNCED, 4)]


def test_a_specials_season_numbered_0_is_never_a_new_season():
    assert diff_snapshots(show(), show(season(0))) == []
    assert diff_snapshots(show(season(1)), show(season(0), season(1))) == []


# -- releases -----------------------------------------------------------------------------------------------------


def test_a_season_mixing_timed_and_day_only_episodes_lists_them_in_order():
    first = dt.datetime(2026, 9, 7, 12, 50, tzinfo=dt.UTC)
    snapshot = show(
        season(2, order=3),
        episodes=[timed(2, 1, first), day_only(2, 2, dt.date(2026, 9, 8)), timed(2, 3, first + 7 * DAY)],
    )
    assert [(r.first, r.airdate, r.airstamp) for r in releases(snapshot)] == [
        (1, first.date(), first),
        (2, dt.date(2026, 9, 8), None),
        (3, (first + 7 * DAY).date(), first + 7 * DAY),
    ]


def test_an_episode_with_no_day_and_no_time_is_no_release():
    snapshot = show(season(2), episodes=[day_only(2, 1, dt.date(2026, 9, 8)), day_only(2, 2, None)])
    assert [(r.first, r.last, r.count) for r in releases(snapshot)] == [(1, 1, 1)]


def test_a_release_known_only_by_its_instant_is_dated_by_that_instant():
    instant = dt.datetime(2026, 9, 7, 23, 30, tzinfo=dt.UTC)
    snapshot = show(season(2), episodes=[EpisodeSnapshot(2, 1, "Salt", None, instant)])
    (event,) = due_events(snapshot, instant - DAY, instant)
    assert (event.tvmaze_id, event.date, event.at, event.episode_name) == (4321, instant.date(), instant, "Salt")


def test_a_season_known_only_by_its_premiere_date_is_one_release_of_no_episodes_from_episode_1():
    premiere = dt.date(2026, 9, 4)
    assert releases(show(season(1, premiere=TODAY), season(2, premiere=premiere))) == [
        Release(1, 1, 1, 0, TODAY, None, None),
        Release(2, 1, 1, 0, premiere, None, None),
    ]


def test_a_season_whose_episodes_left_the_listing_but_kept_its_day_is_not_news_again():
    premiere = dt.date(2026, 9, 4)
    listed = show(season(2, premiere=premiere), episodes=[day_only(2, 1, premiere), day_only(2, 2, premiere)])
    unlisted = show(season(2, premiere=premiere))
    later = dt.datetime(2026, 9, 4, 8, tzinfo=dt.UTC)
    assert due_events(unlisted, later, later + dt.timedelta(hours=1), previous=listed) == []


def test_a_season_known_only_by_its_premiere_date_has_no_episode_range():
    (event,) = due_events(show(season(2, premiere=TODAY)), NOW - DAY, NOW)
    assert (event.first_episode, event.last_episode, event.episode_count, event.whole_season) == (None, None, 0, False)
    assert event.key == "tvmaze:4321:s2:premiere-day"


def drop(seasons, count, listed=None):
    """``count`` episodes of season 2 out on 4 September; the season list is ``seasons``."""
    day = dt.date(2026, 9, 4)
    episodes = [day_only(2, n, day, f"Episode {n}") for n in range(1, count + 1)]
    episodes += [day_only(2, n, day + 7 * DAY) for n in range(count + 1, (listed or count) + 1)]
    (event, *_) = due_events(show(*seasons, episodes=episodes), dt.datetime(2026, 9, 3, tzinfo=dt.UTC), NOW + 99 * DAY)
    return event


@pytest.mark.parametrize(
    ("seasons", "count", "listed", "whole"),
    [
        ([season(2, order=8)], 8, None, True),
        ([season(2, order=2)], 2, None, True),  # the smallest drop
        ([season(2, order=1)], 1, None, False),  # one episode is an episode, not a drop
        ([season(2, order=16)], 8, None, False),  # half the season
        ([season(2, order=16)], 8, 16, False),
        ([season(2)], 4, None, True),  # no order: every listed episode out at once
        ([season(2)], 4, 6, False),
        ([season(1, order=10), season(2)], 4, None, True),  # other seasons' episodes do not count
        ([], 3, None, True),  # a season missing from the list: its listed episodes count
        ([], 3, 5, False),
    ],
)
def test_a_drop_is_the_whole_season_only_when_it_is_every_episode(seasons, count, listed, whole):
    event = drop(seasons, count, listed)
    assert (event.first_episode, event.last_episode) == (1, count)
    assert event.whole_season is whole
    # A drop has no one episode name to show.
    assert event.episode_name == (None if count > 1 else "Episode 1")


# -- coming due ---------------------------------------------------------------------------------------------------


def test_a_day_only_release_listed_before_in_the_broadcasters_zone_is_not_news_again():
    seoul = show(season(2, order=2), episodes=[day_only(2, 1, dt.date(2026, 9, 4))], timezone="Asia/Seoul")
    # Its moment is midnight in Seoul (15:00 UTC the day before); this poll's window starts later.
    since, until = dt.datetime(2026, 9, 3, 16, tzinfo=dt.UTC), dt.datetime(2026, 9, 3, 17, tzinfo=dt.UTC)
    assert due_events(seoul, since, until, previous=seoul) == []
    assert len(due_events(seoul, since, until, previous=show(season(2, order=2), timezone="Asia/Seoul"))) == 1


def test_an_earlier_season_episode_still_to_come_does_not_hide_a_later_seasons_premiere():
    late_special = timed(1, 9, NOW + 30 * DAY)
    premiere = timed(2, 1, NOW - dt.timedelta(hours=1))
    snapshot = show(season(1), season(2), episodes=[late_special, premiere])
    assert [(e.kind, e.season) for e in due_events(snapshot, NOW - DAY, NOW)] == [(EventKind.PREMIERE_DAY, 2)]


@pytest.mark.parametrize(("age", "sent"), [(7 * DAY, False), (7 * DAY - dt.timedelta(minutes=1), True)])
def test_a_release_listed_late_is_sent_only_while_under_a_week_old(age, sent):
    listed = show(season(2), episodes=[timed(2, 1, NOW - age)])
    events = due_events(listed, NOW - dt.timedelta(minutes=5), NOW, previous=show(season(2)))
    assert len(events) == (1 if sent else 0)


# -- instants stay UTC whatever the machine's zone ---------------------------------------------------------------


@pytest.mark.usefixtures("host_in_seoul")
def test_the_stored_event_and_the_next_due_moment_are_utc_on_a_machine_in_another_zone():
    instant = dt.datetime(2026, 9, 7, 12, 50, tzinfo=dt.UTC)
    stored = AnnouncementEvent("k", EventKind.EPISODE_AIRED, 1, at=instant).to_dict()
    assert stored["at"] == "2026-09-07T12:50:00+00:00"
    due = next_due(show(season(2), episodes=[day_only(2, 1, dt.date(2026, 9, 4))]), NOW)
    assert due == dt.datetime(2026, 9, 4, tzinfo=dt.UTC)
    assert due.isoformat() == "2026-09-04T00:00:00+00:00"
