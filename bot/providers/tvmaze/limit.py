"""TVmaze's rate limit on our side: a sliding window counted as the server sees it, on a clock tests can drive.

Hand-written rather than aiolimiter because it must do three things a leaky bucket does not: count a request
from when it is sent until ``period`` after its answer (TVmaze may see it any time in between), keep places for
the later requests of a member's lookup (so 40 members asking at once are answered ten at a time, not all at the
end), and pause everyone when TVmaze sends Retry-After. Its clock is injected, so no test waits for a window.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from bot.providers.base import Errand, SourceBusyError, SourceError


class SourceClock(Protocol):
    """Time as the limiter and the retry policy see it."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class RateLimitWaitError(SourceError):
    """TVmaze asked everyone to wait (Retry-After) longer than the caller can."""


@dataclass(slots=True, eq=False)
class _Slot:
    # None while reserved or in flight: the server may see the request at any moment until its answer is
    # back, so the window can only start counting down from completion.
    free_at: float | None = None


class SlidingWindowLimiter:
    """At most ``max_calls`` requests in any ``period`` seconds; waiters are served in arrival order."""

    def __init__(self, max_calls: int, period: float, clock: SourceClock | None = None) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        self.clock: SourceClock = clock or MonotonicClock()
        self.waiting = 0
        self._slots: list[_Slot] = []
        self._held_until = -math.inf
        # Only the lock holder waits for a place, so later callers queue fairly behind it.
        self._lock = asyncio.Lock()
        self._changed = asyncio.Event()
        self._reserved: dict[Errand, list[_Slot]] = {}

    def hold_until(self, when: float) -> None:
        """Send nothing before ``when`` (clock time): the server asked us to wait."""
        if when > self._held_until:
            self._held_until = when
            self._changed.set()

    def held_for(self) -> float:
        return max(0.0, self._held_until - self.clock.now())

    @contextlib.asynccontextmanager
    async def slot(self, errand: Errand | None = None) -> AsyncIterator[None]:
        """Hold one request's place in the window for as long as the request is in flight."""
        held = await self._acquire(errand)
        try:
            yield
        finally:
            held.free_at = self.clock.now() + self.period
            self._changed.set()

    async def _acquire(self, errand: Errand | None) -> _Slot:
        kept = self._reserved.get(errand) if errand is not None else None
        if kept and self.held_for() == 0:
            return kept.pop()  # a place kept for this errand: no queueing behind others
        if errand is not None and errand not in self._reserved:
            # Those queued ahead take about as many places each; a window frees max_calls of them.
            wanted = max(1, errand.requests - errand.sent)
            turn = (self.waiting * wanted // self.max_calls) * self.period
            if turn > errand.queue_seconds:
                raise SourceBusyError(f"{self.waiting} lookups are waiting for TVmaze", retry_after=turn)
        self.waiting += 1
        try:
            async with self._lock:
                return await self._wait_for_places(errand)
        finally:
            self.waiting -= 1

    async def _wait_for_places(self, errand: Errand | None) -> _Slot:
        started = self.clock.now()
        while True:
            now = self.clock.now()
            self._slots = [s for s in self._slots if s.free_at is None or s.free_at > now]
            # The errand's first request keeps places for the ones it will make next (never more than fit).
            wanted = 1
            if errand is not None and errand not in self._reserved:
                wanted = max(1, min(errand.requests - errand.sent, self.max_calls))
            held = self._held_until - now
            kept = self._reserved.get(errand) if errand is not None else None
            if held <= 0 and kept:
                return kept.pop()
            if held <= 0 and len(self._slots) + wanted <= self.max_calls:
                return self._take(errand, wanted)
            waits = [s.free_at - now for s in self._slots if s.free_at is not None]
            wait = held if held > 0 else (min(waits) if waits else None)
            if errand is not None:
                if held > errand.left:
                    raise RateLimitWaitError(f"TVmaze asked us to wait {held:.0f} s", retry_after=held)
                queued = now - started
                if queued + (wait or 0.0) > errand.queue_seconds:
                    raise SourceBusyError("too many lookups are waiting for TVmaze", retry_after=max(wait or 0.0, 1.0))
            await self._wait(wait)

    def _take(self, errand: Errand | None, wanted: int) -> _Slot:
        granted = [_Slot() for _ in range(wanted)]
        self._slots.extend(granted)
        if errand is not None and errand not in self._reserved:
            self._reserved[errand] = granted[1:]
            errand.on_exit(lambda: self._give_back(errand))
        return granted[0]

    def _give_back(self, errand: Errand) -> None:
        for unused in self._reserved.pop(errand, []):
            unused.free_at = -math.inf  # never sent: TVmaze never saw it
        self._changed.set()

    async def _wait(self, seconds: float | None) -> None:
        """Until a place may have freed (a completion, a give-back, a hold) or ``seconds`` have passed."""
        self._changed.clear()
        changed = asyncio.ensure_future(self._changed.wait())
        timer = asyncio.ensure_future(self.clock.sleep(seconds)) if seconds is not None else None
        try:
            await asyncio.wait([t for t in (changed, timer) if t is not None], return_when=asyncio.FIRST_COMPLETED)
        finally:
            changed.cancel()
            if timer is not None:
                timer.cancel()
