"""What one poll asks TVmaze for: how far back the change feed must look, and which followed shows to fetch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum

# TVmaze's windows are a day, a week and a month; each is used while the last good poll is safely inside it.
DAY_UNTIL = dt.timedelta(hours=20)
WEEK_UNTIL = dt.timedelta(days=6)
MONTH_UNTIL = dt.timedelta(days=28)


class Lookback(StrEnum):
    """The ``since`` of ``/updates/shows``; FULL means the feed cannot cover the gap: fetch every followed show."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    FULL = "full"


def lookback(last_good_poll: dt.datetime | None, now: dt.datetime) -> Lookback:
    """The window that covers everything since the last successful poll (never polled: a full re-fetch)."""
    if last_good_poll is None:
        return Lookback.FULL
    gap = now - last_good_poll
    if gap <= DAY_UNTIL:
        return Lookback.DAY
    if gap <= WEEK_UNTIL:
        return Lookback.WEEK
    if gap <= MONTH_UNTIL:
        return Lookback.MONTH
    return Lookback.FULL


def shows_to_fetch(
    window: Lookback,
    changes: Mapping[int, int],
    followed: Iterable[int],
    stored_updated: Mapping[int, int | None],
) -> list[int]:
    """Followed TVmaze ids to fetch, ascending.

    ``changes`` is the feed (id to its ``updated``, unix seconds); ``stored_updated`` the ``updated`` of each
    stored snapshot (a followed id missing from it has no snapshot yet and is always fetched). With FULL, every
    followed show is fetched; otherwise a show whose feed time is later than its snapshot's, or whose snapshot
    has no ``updated``.
    """
    wanted: list[int] = []
    for tvmaze_id in sorted(set(followed)):
        if window is Lookback.FULL or tvmaze_id not in stored_updated:
            wanted.append(tvmaze_id)
            continue
        changed = changes.get(tvmaze_id)
        stored = stored_updated[tvmaze_id]
        if changed is not None and (stored is None or changed > stored):
            wanted.append(tvmaze_id)
    return wanted
