import datetime as dt

import pytest

from bot.domain.announcements import Lookback, lookback, shows_to_fetch

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("age", "window"),
    [
        (dt.timedelta(hours=1), Lookback.DAY),
        (dt.timedelta(hours=20), Lookback.DAY),
        (dt.timedelta(hours=20, seconds=1), Lookback.WEEK),
        (dt.timedelta(days=3), Lookback.WEEK),
        (dt.timedelta(days=6), Lookback.WEEK),
        (dt.timedelta(days=6, seconds=1), Lookback.MONTH),
        (dt.timedelta(days=28), Lookback.MONTH),
        (dt.timedelta(days=28, seconds=1), Lookback.FULL),
        (dt.timedelta(hours=-2), Lookback.DAY),  # a clock that stepped back
    ],
)
def test_the_look_back_widens_with_the_downtime(age, window):
    assert lookback(NOW - age, NOW) is window


def test_never_polled_is_a_full_refetch():
    assert lookback(None, NOW) is Lookback.FULL


def test_only_followed_shows_that_changed_since_their_snapshot_are_fetched():
    changes = {1: 500, 2: 400, 3: 900, 99: 999}  # 99 is not followed
    stored = {1: 400, 2: 400, 3: None, 4: 100}  # 2 unchanged; 3's snapshot has no stamp; 4 not in the feed
    assert shows_to_fetch(Lookback.DAY, changes, [1, 2, 3, 4, 5], stored) == [1, 3, 5]  # 5 has no snapshot yet


def test_a_full_refetch_fetches_every_followed_show_once():
    assert shows_to_fetch(Lookback.FULL, {}, [3, 1, 1, 2], {1: 5, 2: 5, 3: 5}) == [1, 2, 3]
