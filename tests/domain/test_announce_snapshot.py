import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.announcements import (
    EpisodeSnapshot,
    ShowStatus,
    SnapshotFormatError,
    snapshot_from_dict,
    snapshot_from_tvmaze,
    snapshot_to_dict,
)
from tests.domain.announce_samples import at, record, snap

FETCHED = at("2026-06-01T00:00:00+00:00")


def test_a_streaming_drop_keeps_the_day_and_no_time():
    snapshot = snap(record("netflix-drop"))
    assert snapshot.tvmaze_id == 900101
    assert snapshot.title == "Golden Hour Ward"
    assert snapshot.status is ShowStatus.ENDED
    assert snapshot.updated == 1750000000
    assert snapshot.poster_url == "https://static.tvmaze.com/uploads/images/901/900101-original.jpg"
    assert snapshot.url == "https://www.tvmaze.com/shows/900101/golden-hour-ward"
    assert snapshot.timezone is None
    assert [(s.number, s.episode_order, s.premiere_date) for s in snapshot.seasons] == [(1, 8, dt.date(2025, 1, 24))]
    assert len(snapshot.episodes) == 8
    # The airstamp TVmaze sends with an empty airtime is a placeholder: only the day is known.
    assert {(e.airdate, e.airstamp) for e in snapshot.episodes} == {(dt.date(2025, 1, 24), None)}
    assert snapshot.fetched_at == FETCHED


def test_a_broadcast_reads_offsets_as_utc_skips_specials_and_keeps_the_next_episode():
    snapshot = snap(record("broadcast"))
    assert snapshot.timezone == "Asia/Seoul"
    assert [e.number for e in snapshot.episodes] == [1, 2, 3]
    late = snapshot.episodes[2]
    # 00:10 in Seoul on the 10th is 15:10 UTC on the 9th.
    assert late.airdate == dt.date(2026, 3, 10)
    assert late.airstamp == dt.datetime(2026, 3, 9, 15, 10, tzinfo=dt.UTC)
    assert snapshot.next_episode == EpisodeSnapshot(
        1, 4, "TBA", dt.date(2026, 3, 10), dt.datetime(2026, 3, 10, 12, 50, tzinfo=dt.UTC)
    )
    assert [e.number for e in snapshot.known_episodes()] == [1, 2, 3, 4]


def test_an_unknown_status_is_read_as_unknown():
    raw = record("broadcast")
    raw["status"] = "Cancelled Forever"
    assert snap(raw).status is None


def test_a_missing_embed_means_no_seasons_and_no_episodes():
    raw = record("broadcast")
    del raw["_embedded"]
    snapshot = snap(raw)
    assert snapshot.seasons == ()
    assert snapshot.episodes == ()
    assert snapshot.next_episode is None


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("_embedded", "seasons"), "1,2"),
        (("_embedded", "seasons", 0, "episodeOrder"), "eight"),
        (("_embedded", "seasons", 0, "premiereDate"), "soon"),
        (("_embedded", "seasons", 0, "number"), None),
        (("id",), "900102"),
        (("updated",), True),
        (("name",), None),
        (("status",), 3),
        (("_embedded", "episodes", 0, "airstamp"), "at nine"),
        (("_embedded", "nextepisode"), []),
    ],
)
def test_a_field_of_the_wrong_type_fails_the_whole_record(path, value):
    raw = record("broadcast")
    target = raw
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(SnapshotFormatError):
        snapshot_from_tvmaze(raw, FETCHED)


def test_a_record_that_is_not_an_object_fails():
    with pytest.raises(SnapshotFormatError):
        snapshot_from_tvmaze("<html>502 Bad Gateway</html>", FETCHED)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
FIELDS = ["id", "name", "status", "updated", "url", "image", "network", "webChannel", "_embedded"]


@given(field=st.sampled_from(FIELDS), value=JSON)
def test_any_json_in_any_field_parses_or_fails_with_the_format_error(field, value):
    raw = record("broadcast")
    raw[field] = value
    try:
        snapshot = snapshot_from_tvmaze(raw, FETCHED)
    except SnapshotFormatError:
        return
    assert snapshot.tvmaze_id == raw["id"]


def test_stored_form_round_trips():
    for name in ("broadcast", "netflix-drop"):
        snapshot = snap(record(name))
        assert snapshot_from_dict(snapshot_to_dict(snapshot)) == snapshot


def test_the_fake_tvmazes_records_parse_too():
    # The records tests/fakes/tvmaze.py serves: the poller's snapshots come from these in the e2e journeys.
    folder = Path(__file__).resolve().parents[1] / "fixtures" / "tvmaze"
    golden = snapshot_from_tvmaze(json.loads((folder / "show-900001.json").read_text(encoding="utf-8")), FETCHED)
    assert [(s.number, s.episode_order, s.premiere_date) for s in golden.seasons] == [
        (1, 8, dt.date(2025, 1, 24)),
        (2, None, None),
    ]
    orchard = snapshot_from_tvmaze(json.loads((folder / "show-900003.json").read_text(encoding="utf-8")), FETCHED)
    assert (orchard.status, orchard.seasons, orchard.poster_url) == (ShowStatus.IN_DEVELOPMENT, (), None)
    episodes = json.loads((folder / "episodes-900002.json").read_text(encoding="utf-8"))
    kitchen = snapshot_from_tvmaze(
        json.loads((folder / "show-900002.json").read_text(encoding="utf-8")), FETCHED, episodes
    )
    assert [e.number for e in kitchen.episodes] == [1, 2, 3, 4]


def test_script_and_plain_http_links_from_tvmaze_never_reach_a_post():
    raw = record("netflix-drop")
    raw["url"] = "javascript:alert(document.cookie)"
    raw["image"] = {"medium": "http://static.tvmaze.com/m.jpg", "original": "javascript:alert(1)"}
    snapshot = snap(raw)
    assert (snapshot.url, snapshot.poster_url) == (None, None)
    raw["image"]["medium"] = "https://static.tvmaze.com/m.jpg"
    raw["url"] = "https://evil.example/shows/1"
    assert (snap(raw).url, snap(raw).poster_url) == (None, "https://static.tvmaze.com/m.jpg")
