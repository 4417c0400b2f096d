import datetime as dt
import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.announcements import (
    AnnouncementEvent,
    EventKind,
    SeasonSnapshot,
    ShowSnapshot,
    ShowStatus,
    diff_snapshots,
    due_events,
    next_due,
)
from tests.domain.announce_samples import at, record, snap, with_drop, with_premiere, with_season, with_status

# Fetched "now": 1 June 2026.
DROP = record("netflix-drop")
BROADCAST = record("broadcast")


def kinds(events):
    return [(e.kind, e.season) for e in events]


def test_the_first_snapshot_of_a_show_announces_nothing():
    assert diff_snapshots(None, snap(with_season(DROP, 2))) == []


def test_nothing_changed_means_no_events():
    assert diff_snapshots(snap(DROP), snap(DROP, "2026-06-02T00:00:00+00:00")) == []


def test_a_new_season_without_a_date_is_announced_once_with_no_date():
    events = diff_snapshots(snap(DROP), snap(with_season(DROP, 2)))
    assert kinds(events) == [(EventKind.SEASON_ANNOUNCED, 2)]
    assert events[0].key == "tvmaze:900101:s2:announced"
    assert events[0].date is None
    assert events[0].at is None


def test_the_same_change_seen_again_gives_the_same_key():
    first = diff_snapshots(snap(DROP), snap(with_season(DROP, 2)))
    again = diff_snapshots(snap(DROP), snap(with_season(DROP, 2), "2026-06-01T05:00:00+00:00"))
    assert [e.key for e in first] == [e.key for e in again]


def test_a_season_announced_with_its_date_is_one_event_carrying_the_date():
    events = diff_snapshots(snap(DROP), snap(with_season(DROP, 2, "2026-09-04")))
    assert kinds(events) == [(EventKind.SEASON_ANNOUNCED, 2)]
    assert events[0].date == dt.date(2026, 9, 4)
    assert events[0].at is None  # the day only: no made-up midnight


def test_a_premiere_date_set_then_moved_is_two_events_with_different_keys():
    announced = with_season(DROP, 2)
    dated = with_premiere(announced, 2, "2026-09-04")
    moved = with_premiere(dated, 2, "2026-09-11")
    set_events = diff_snapshots(snap(announced), snap(dated))
    moved_events = diff_snapshots(snap(dated), snap(moved))
    assert kinds(set_events) == kinds(moved_events) == [(EventKind.PREMIERE_DATE, 2)]
    assert (set_events[0].previous_date, set_events[0].date) == (None, dt.date(2026, 9, 4))
    assert (moved_events[0].previous_date, moved_events[0].date) == (dt.date(2026, 9, 4), dt.date(2026, 9, 11))
    assert set_events[0].key != moved_events[0].key


def test_a_premiere_date_with_a_listed_first_episode_carries_its_instant():
    announced = with_season(BROADCAST, 2)
    dated = with_premiere(announced, 2, "2026-09-07")
    dated["_embedded"]["episodes"].append(
        {
            "id": 1,
            "name": "TBA",
            "season": 2,
            "number": 1,
            "type": "regular",
            "airdate": "2026-09-07",
            "airtime": "21:50",
            "airstamp": "2026-09-07T21:50:00+09:00",
        }
    )
    (event,) = diff_snapshots(snap(announced), snap(dated))
    assert event.at == dt.datetime(2026, 9, 7, 12, 50, tzinfo=dt.UTC)


def test_removing_a_date_or_correcting_an_old_one_says_nothing():
    dated = with_premiere(with_season(DROP, 2), 2, "2026-09-04")
    assert diff_snapshots(snap(dated), snap(with_premiere(dated, 2, None))) == []
    # Season 1's premiere moved by a data fix, years ago: not news.
    assert diff_snapshots(snap(DROP), snap(with_premiere(DROP, 1, "2025-01-23"))) == []


def test_a_status_back_to_running_is_returning_and_running_to_ended_is_ended():
    returning = diff_snapshots(snap(DROP), snap(with_status(DROP, "Running")))
    assert kinds(returning) == [(EventKind.RETURNING, 1)]
    running = with_status(DROP, "Running")
    ended = diff_snapshots(snap(running), snap(with_status(running, "Ended")))
    assert [e.kind for e in ended] == [EventKind.ENDED]
    assert ended[0].status is ShowStatus.ENDED
    assert returning[0].key != ended[0].key
    tbd = with_status(DROP, "To Be Determined")
    assert [e.kind for e in diff_snapshots(snap(tbd), snap(with_status(tbd, "Running")))] == [EventKind.RETURNING]


def test_in_development_to_running_is_not_a_return():
    dev = with_status(BROADCAST, "In Development")
    assert diff_snapshots(snap(dev), snap(with_status(dev, "Running"))) == []


def test_a_return_with_a_new_season_is_two_events():
    new = with_status(with_season(DROP, 2, "2026-09-04"), "Running")
    assert kinds(diff_snapshots(snap(DROP), snap(new))) == [(EventKind.SEASON_ANNOUNCED, 2), (EventKind.RETURNING, 2)]


# -- releases coming due ------------------------------------------------------------------------------------------


def test_a_whole_season_dropped_on_one_day_is_one_premiere_day_event():
    show = snap(with_drop(with_season(DROP, 2, "2026-09-04", order=8), 2, "2026-09-04", 8))
    events = due_events(show, at("2026-09-03T12:00:00+00:00"), at("2026-09-04T06:00:00+00:00"))
    assert len(events) == 1
    (event,) = events
    assert (event.kind, event.season, event.first_episode, event.last_episode) == (EventKind.PREMIERE_DAY, 2, 1, 8)
    assert event.whole_season
    assert event.date == dt.date(2026, 9, 4)
    assert event.at is None
    assert event.key == "tvmaze:900101:s2:premiere-day"


def test_broadcast_episodes_come_due_one_by_one_at_their_instants():
    show = snap(BROADCAST)
    week, rest = at("2026-03-08T00:00:00+00:00"), at("2026-03-11T00:00:00+00:00")
    events = due_events(show, at("2026-03-01T00:00:00+00:00"), week) + due_events(show, week, rest)
    assert [(e.kind, e.first_episode) for e in events] == [
        (EventKind.PREMIERE_DAY, 1),
        (EventKind.EPISODE_AIRED, 2),
        (EventKind.EPISODE_AIRED, 3),
        (EventKind.EPISODE_AIRED, 4),
    ]
    assert [e.at for e in events] == [
        at("2026-03-02T12:50:00+00:00"),
        at("2026-03-03T12:50:00+00:00"),
        at("2026-03-09T15:10:00+00:00"),
        at("2026-03-10T12:50:00+00:00"),
    ]
    assert not any(e.whole_season for e in events)
    assert events[1].episode_name == "Salt"
    assert len({e.key for e in events}) == 4


def test_the_window_is_open_at_since_and_closed_at_until():
    show = snap(BROADCAST)
    e2 = at("2026-03-03T12:50:00+00:00")
    assert [e.first_episode for e in due_events(show, e2 - dt.timedelta(seconds=1), e2)] == [2]
    assert due_events(show, e2, e2 + dt.timedelta(hours=1)) == []


@given(cuts=st.lists(st.integers(min_value=0, max_value=7 * 24 * 60), max_size=6))
def test_consecutive_windows_give_each_release_exactly_once(cuts):
    show = snap(BROADCAST)
    start, end = at("2026-03-03T00:00:00+00:00"), at("2026-03-10T00:00:00+00:00")
    points = [start, *sorted(start + dt.timedelta(minutes=m) for m in cuts), end]
    pieces = [e.key for a, b in itertools.pairwise(points) for e in due_events(show, a, b)]
    assert pieces == [e.key for e in due_events(show, start, end)]
    assert len(pieces) == 2  # episodes 2 and 3


def test_a_day_only_release_is_due_at_the_start_of_its_day_in_the_broadcasters_zone():
    seoul = with_drop(with_season(BROADCAST, 2, "2026-09-04", order=2), 2, "2026-09-04", 2)
    show = snap(seoul)
    # Midnight in Seoul is 15:00 UTC the day before.
    assert due_events(show, at("2026-09-03T14:00:00+00:00"), at("2026-09-03T14:59:00+00:00")) == []
    (event,) = due_events(show, at("2026-09-03T14:59:00+00:00"), at("2026-09-03T15:00:00+00:00"))
    assert event.kind is EventKind.PREMIERE_DAY
    assert event.at is None
    assert event.date == dt.date(2026, 9, 4)
    assert next_due(show, at("2026-09-01T00:00:00+00:00")) == at("2026-09-03T15:00:00+00:00")


def test_a_season_known_only_by_its_premiere_date_has_its_premiere_day():
    show = snap(with_season(DROP, 2, "2026-09-04"))
    (event,) = due_events(show, at("2026-09-03T00:00:00+00:00"), at("2026-09-05T00:00:00+00:00"))
    assert (event.kind, event.season, event.first_episode, event.date) == (
        EventKind.PREMIERE_DAY,
        2,
        None,
        dt.date(2026, 9, 4),
    )


def test_no_backlog_for_a_show_without_a_previous_poll_and_none_older_than_a_week():
    show = snap(BROADCAST)
    assert due_events(show, None, at("2026-03-11T00:00:00+00:00")) == []
    late = due_events(show, at("2026-01-01T00:00:00+00:00"), at("2026-03-10T00:00:00+00:00"))
    assert [e.first_episode for e in late] == [2, 3]  # from 3 March on


def test_next_due_is_the_first_release_after_the_moment_or_none():
    show = snap(BROADCAST)
    assert next_due(show, at("2026-03-03T12:50:00+00:00")) == at("2026-03-09T15:10:00+00:00")
    assert next_due(show, at("2026-03-11T00:00:00+00:00")) is None


def test_a_drop_listed_only_after_its_day_began_is_still_its_premiere_day():
    before = snap(with_season(DROP, 2))
    dropped = snap(with_drop(with_season(DROP, 2, "2026-09-04", order=8), 2, "2026-09-04", 8))
    since, until = at("2026-09-04T08:00:00+00:00"), at("2026-09-04T09:00:00+00:00")
    assert due_events(dropped, since, until) == []  # its moment (the day's start) is before the window
    (event,) = due_events(dropped, since, until, previous=before)
    assert (event.kind, event.season, event.whole_season) == (EventKind.PREMIERE_DAY, 2, True)
    # Listed before with the same day: already handled when its day began, not again.
    assert due_events(dropped, since, until, previous=dropped) == []


SEASONS = st.lists(
    st.builds(
        SeasonSnapshot,
        number=st.integers(1, 5),
        episode_order=st.none() | st.integers(1, 16),
        premiere_date=st.none() | st.dates(dt.date(2026, 5, 1), dt.date(2026, 12, 31)),
    ),
    max_size=5,
    unique_by=lambda s: s.number,
).map(lambda seasons: tuple(sorted(seasons, key=lambda s: s.number)))
SNAPSHOTS = st.builds(
    ShowSnapshot,
    tvmaze_id=st.just(900101),
    title=st.just("Golden Hour Ward"),
    fetched_at=st.just(at("2026-06-01T00:00:00+00:00")),
    status=st.none() | st.sampled_from(ShowStatus),
    seasons=SEASONS,
    updated=st.integers(1, 10**9),
)


@given(old=SNAPSHOTS, new=SNAPSHOTS)
def test_any_two_snapshots_give_distinct_keys_and_only_real_changes(old, new):
    events = diff_snapshots(old, new)
    assert len({e.key for e in events}) == len(events)
    assert diff_snapshots(new, new) == []
    assert diff_snapshots(None, new) == []
    for event in events:
        if event.kind is EventKind.SEASON_ANNOUNCED:
            assert old.season(event.season) is None
            assert event.season > old.latest_season
        elif event.kind is EventKind.PREMIERE_DATE:
            assert event.date == new.season(event.season).premiere_date != old.season(event.season).premiere_date


# -- an event as the store keeps it ---------------------------------------------------------------------------------


def test_an_event_is_stored_with_every_field_under_its_name_and_read_back_equal():
    event = AnnouncementEvent(
        key="tvmaze:900101:s2:premiere-date:2026-09-04>2026-09-11",
        kind=EventKind.PREMIERE_DATE,
        tvmaze_id=900101,
        season=2,
        date=dt.date(2026, 9, 11),
        at=dt.datetime(2026, 9, 11, 21, 50, tzinfo=dt.timezone(dt.timedelta(hours=9))),
        previous_date=dt.date(2026, 9, 4),
        first_episode=1,
        last_episode=8,
        whole_season=True,
        episode_name="Salt",
        status=ShowStatus.RUNNING,
    )
    stored = event.to_dict()
    assert stored == {
        "key": "tvmaze:900101:s2:premiere-date:2026-09-04>2026-09-11",
        "kind": "premiere_date",
        "tvmaze_id": 900101,
        "season": 2,
        "date": "2026-09-11",
        "at": "2026-09-11T12:50:00+00:00",
        "previous_date": "2026-09-04",
        "first_episode": 1,
        "last_episode": 8,
        "whole_season": True,
        "episode_name": "Salt",
        "status": "Running",
    }
    back = AnnouncementEvent.from_dict(json.loads(json.dumps(stored)))
    assert back == event
    assert back.at.utcoffset() == dt.timedelta(0)
    assert back.kind is EventKind.PREMIERE_DATE
    assert back.status is ShowStatus.RUNNING


def test_an_event_with_only_its_key_and_kind_stores_nones_and_reads_back_equal():
    event = AnnouncementEvent("tvmaze:7:status:ended:1", EventKind.ENDED, 7)
    stored = event.to_dict()
    assert stored == {
        "key": "tvmaze:7:status:ended:1",
        "kind": "ended",
        "tvmaze_id": 7,
        "season": None,
        "date": None,
        "at": None,
        "previous_date": None,
        "first_episode": None,
        "last_episode": None,
        "whole_season": False,
        "episode_name": None,
        "status": None,
    }
    assert AnnouncementEvent.from_dict(stored) == event
    # A record written before the optional fields existed reads as the same event.
    assert AnnouncementEvent.from_dict({"key": "tvmaze:7:status:ended:1", "kind": "ended", "tvmaze_id": "7"}) == event


@pytest.mark.parametrize(
    ("first", "last", "count"),
    [(None, None, 0), (3, None, 0), (None, 3, 0), (3, 3, 1), (1, 8, 8), (5, 6, 2)],
)
def test_an_events_episode_count_is_its_range_inclusive(first, last, count):
    event = AnnouncementEvent("k", EventKind.EPISODE_AIRED, 1, first_episode=first, last_episode=last)
    assert event.episode_count == count
