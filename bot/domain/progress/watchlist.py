"""Watchlist statuses and the one rule by which progress moves them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class WatchStatus(StrEnum):
    PLAN = "plan"
    WATCHING = "watching"
    COMPLETED = "completed"
    ON_HOLD = "on_hold"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    WatchStatus.PLAN: "plan to watch",
    WatchStatus.WATCHING: "watching",
    WatchStatus.COMPLETED: "completed",
    WatchStatus.ON_HOLD: "on hold",
    WatchStatus.DROPPED: "dropped",
}


@dataclass(frozen=True, slots=True)
class WatchlistEntry:
    user_id: int
    show_id: int
    status: WatchStatus
    added_at: dt.datetime
    updated_at: dt.datetime


def status_after_progress(current: WatchStatus | None, finished: bool) -> WatchStatus:
    """The status once a regular episode is watched.

    Reaching the last episode completes the show; any other episode means the member is watching it (from no
    entry, plan, on hold or dropped: picking a show back up is moving forward). A completed show stays completed
    when the member steps back to an earlier episode: only an explicit rewatch or ``/watchlist add`` moves it back.
    The caller reports every change (``ProgressUpdate.status_changed``), so no move is silent.
    """
    if finished:
        return WatchStatus.COMPLETED
    if current is WatchStatus.COMPLETED or current is WatchStatus.WATCHING:
        return current
    return WatchStatus.WATCHING
