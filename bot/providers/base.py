"""The contract every source of show data meets (the bundled catalogue and TVmaze), and what a remote one may raise."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from bot.domain.models import Episode, Show


class SourceError(Exception):
    """A remote source gave no usable answer: unreachable, refusing, too slow, or sending what cannot be read.

    ``retry_after`` is how long the source asked us to wait, when it said so.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SourceBusyError(SourceError):
    """Too many of our own lookups are waiting their turn under the source's rate limit to wait for another."""


@dataclass(frozen=True, slots=True)
class Details:
    """A show's full record; ``episodes`` when the same answer listed them (None: ask ``episodes`` for them)."""

    show: Show
    episodes: list[Episode] | None = None


class ShowProvider(Protocol):
    """Where shows come from. ``search`` may be remote and slow: autocomplete never calls it."""

    name: str

    async def search(self, query: str, limit: int = 10) -> list[Show]:
        """Shows matching ``query``, best first."""
        ...

    async def details(self, show: Show) -> Details | None:
        """The show with everything the source knows (seasons, cast), or None when it knows no more."""
        ...

    async def episodes(self, show: Show) -> list[Episode]:
        """The show's regular episodes, in order, each (season, number) once; empty when the source knows none."""
        ...


@dataclass(slots=True, eq=False)
class Errand:
    """One member's remote work, which a source spends and plans its requests by.

    ``seconds`` is what the work may spend on the network and in back-off (waiting for a turn under the
    rate limit is not counted: that is bounded by ``queue_seconds``). ``requests`` is how many requests the
    work expects to make, so a rate-limited source can keep places for the later ones instead of spending
    them on other members' first requests.
    """

    seconds: float
    requests: int = 1
    queue_seconds: float = 60.0
    spent: float = 0.0
    sent: int = 0
    _on_exit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def left(self) -> float:
        return self.seconds - self.spent

    def on_exit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the errand ends (a source giving back places it kept and did not use)."""
        self._on_exit.append(callback)


_current: contextvars.ContextVar[Errand | None] = contextvars.ContextVar("errand", default=None)


@contextlib.contextmanager
def errand(seconds: float, requests: int = 1, *, queue_seconds: float = 60.0) -> Iterator[Errand]:
    """Remote calls made inside belong to one errand (see ``Errand``); sources read it with ``current_errand``."""
    work = Errand(seconds=seconds, requests=requests, queue_seconds=queue_seconds)
    token = _current.set(work)
    try:
        yield work
    finally:
        _current.reset(token)
        for callback in work._on_exit:
            callback()


def current_errand() -> Errand | None:
    return _current.get()
