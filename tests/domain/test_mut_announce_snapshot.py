"""Snapshots at their edges: what the poller's log says about a bad record, specials, end dates, streaming zones,
the stored form of a snapshot with nothing known yet, and UTC whatever zone the host runs in."""

import datetime as dt

import pytest

from bot.domain.announcements import (
    EpisodeSnapshot,
    SeasonSnapshot,
    ShowSnapshot,
    SnapshotFormatError,
    snapshot_from_dict,
    snapshot_from_tvmaze,
    snapshot_to_dict,
)
from tests.domain.announce_samples import record, snap, with_season

SEOUL_FETCH = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def _set(raw, path, value):
    target = raw
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return raw


# What the poller logs ("TVmaze's record of show N is unusable (...)") names the field and what was wrong with it.
@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("_embedded", "seasons"), "1,2", "_embedded.seasons must be a JSON list, not str"),
        (("_embedded", "episodes"), {"1": {}}, "_embedded.episodes must be a JSON list, not dict"),
        (("_embedded", "seasons", 0), 1, "a TVmaze season must be a JSON object, not int"),
        (("_embedded", "episodes", 1), [], "a TVmaze episode must be a JSON object, not list"),
        (("image",), "poster.jpg", "a TVmaze image must be a JSON object, not str"),
        (("_embedded", "seasons", 0, "episodeOrder"), "eight", "episodeOrder must be an integer, not 'eight'"),
        (("_embedded", "seasons", 0, "number"), None, "number is missing"),
        (("_embedded", "seasons", 0, "endDate"), "soon", "endDate is not a date: 'soon'"),
        (("_embedded", "episodes", 0, "airstamp"), "at nine", "airstamp is not a time: 'at nine'"),
        (("status",), 3, "status must be a string, not 3"),
        (("name",), "  ", "show 900102 has no name"),
    ],
)
def test_a_bad_record_names_the_field_and_what_was_wrong(path, value, message):
    raw = _set(record("broadcast"), path, value)
    with pytest.raises(SnapshotFormatError) as failure:
        snapshot_from_tvmaze(raw, SEOUL_FETCH)
    assert str(failure.value) == message


def test_a_record_that_is_not_an_object_says_what_came_instead():
    with pytest.raises(SnapshotFormatError) as failure:
        snapshot_from_tvmaze("<html>502 Bad Gateway</html>", SEOUL_FETCH)
    assert str(failure.value) == "a TVmaze show must be a JSON object, not str"


def test_a_naive_fetch_time_is_refused():
    with pytest.raises(ValueError, match=r"^fetched_at must be aware$"):
        snapshot_from_tvmaze(record("broadcast"), dt.datetime(2026, 6, 1))  # noqa: DTZ001


def test_specials_are_skipped_whether_or_not_they_carry_a_number_and_untyped_episodes_are_kept():
    raw = record("broadcast")
    episodes = raw["_embedded"]["episodes"]
    episodes[2]["number"] = 9  # the special: numbered, but still a special
    episodes[0]["number"] = None  # a regular episode TVmaze has not numbered yet
    del episodes[1]["type"]  # an older record without a type
    snapshot = snap(raw)
    assert [(e.season, e.number) for e in snapshot.episodes] == [(1, 2), (1, 3)]


def test_a_seasons_end_date_is_read():
    raw = record("broadcast")
    assert snap(raw).seasons[0].end_date == dt.date(2026, 3, 10)
    raw["_embedded"]["seasons"][0]["endDate"] = None
    assert snap(raw).seasons[0].end_date is None


def test_a_streaming_show_takes_its_channels_zone():
    raw = record("netflix-drop")
    raw["webChannel"]["country"] = {"name": "Korea, Republic of", "code": "KR", "timezone": "Asia/Seoul"}
    assert snap(raw).timezone == "Asia/Seoul"


def test_a_network_zone_wins_over_the_channels():
    raw = record("broadcast")
    raw["webChannel"] = {"name": "Viki", "country": {"timezone": "America/New_York"}}
    assert snap(raw).timezone == "Asia/Seoul"


def test_an_airstamp_without_an_offset_names_no_instant():
    raw = record("broadcast")
    raw["_embedded"]["episodes"][0]["airstamp"] = "2026-03-02T21:50:00"
    first = snap(raw).episodes[0]
    assert (first.airdate, first.airstamp) == (dt.date(2026, 3, 2), None)


def test_a_show_with_nothing_known_yet_round_trips():
    # An announced season without dates or order, no status, an episode without a day: every None is stored as None.
    raw = with_season(record("broadcast"), 2)
    raw["status"] = None
    raw["_embedded"]["episodes"][0]["airdate"] = None
    raw["_embedded"]["episodes"][0]["airtime"] = ""
    snapshot = snap(raw)
    assert snapshot.seasons[1] == SeasonSnapshot(2)
    assert snapshot.status is None
    stored = snapshot_to_dict(snapshot)
    assert stored["status"] is None
    assert stored["seasons"][1] == {"number": 2, "episode_order": None, "premiere_date": None, "end_date": None}
    assert stored["episodes"][0]["airdate"] is None
    assert stored["episodes"][0]["airstamp"] is None
    assert snapshot_from_dict(stored) == snapshot


def test_times_are_utc_whatever_zone_the_host_runs_in(host_in_seoul):
    snapshot = snapshot_from_tvmaze(record("broadcast"), SEOUL_FETCH)
    assert snapshot.fetched_at.isoformat() == "2026-06-01T00:30:00+00:00"
    assert snapshot.episodes[0].airstamp is not None
    assert snapshot.episodes[0].airstamp.isoformat() == "2026-03-02T12:50:00+00:00"
    stored = snapshot_to_dict(snapshot)
    assert stored["fetched_at"] == "2026-06-01T00:30:00+00:00"
    assert stored["episodes"][0]["airstamp"] == "2026-03-02T12:50:00+00:00"


def test_a_snapshot_built_in_another_zone_is_stored_in_utc(host_in_seoul):
    seoul = dt.timezone(dt.timedelta(hours=9))
    snapshot = ShowSnapshot(
        tvmaze_id=7,
        title="Moonlit Palace Kitchen",
        fetched_at=SEOUL_FETCH,
        episodes=(EpisodeSnapshot(1, 1, airstamp=dt.datetime(2026, 3, 2, 21, 50, tzinfo=seoul)),),
    )
    stored = snapshot_to_dict(snapshot)
    assert (stored["fetched_at"], stored["episodes"][0]["airstamp"]) == (
        "2026-06-01T00:30:00+00:00",
        "2026-03-02T12:50:00+00:00",
    )
