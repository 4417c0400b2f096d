"""A clock the tests set and move by hand: stores take ``clock=`` so no test waits on real time."""

from __future__ import annotations

import datetime as dt


class SettableClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, minutes: float = 1) -> None:
        self.now += dt.timedelta(minutes=minutes)

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)
