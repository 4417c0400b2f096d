"""What the sandbox saw, for tests to read: rule breaches, pings, unknown routes, requests; and the change
signal every ``wait_*`` re-checks its condition on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.sandbox import rules
from bot.sandbox.protocol import JSON

log = logging.getLogger(__name__)

T = TypeVar("T")


class Changes:
    """A broadcast 'something changed' signal that waiters re-check their condition on."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.version = 0

    def notify(self) -> None:
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float) -> T:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """Return the first truthy value of ``predicate()``, re-evaluated after each change.

        Raises ``TimeoutError`` when ``timeout`` seconds pass first.
        """
        async with asyncio.timeout(timeout):
            while True:
                event = self._event
                value = predicate()
                if value:
                    return value
                await event.wait()


@dataclass
class Violation:
    """A breach of Discord's rules that the sandbox caught (and, in strict mode, answered with an error)."""

    kind: str
    detail: str
    route: str = ""
    errors: JSON = field(default_factory=dict)
    interaction_id: int | None = None


@dataclass
class Ping:
    """Who a message would have notified, given its content and ``allowed_mentions``."""

    message_id: int
    channel_id: int
    user_ids: list[int]
    role_ids: list[int]
    everyone: bool
    here: bool


@dataclass
class UnhandledRoute:
    method: str
    path: str


@dataclass
class RequestRecord:
    method: str
    path: str
    status: int


class Records:
    """The lists tests read, the change signal, and the count of requests in flight."""

    def __init__(self) -> None:
        self.changes = Changes()
        self.violations: list[Violation] = []
        self.pings: list[Ping] = []
        self.unhandled: list[UnhandledRoute] = []
        self.requests: list[RequestRecord] = []
        self.inflight = 0

    def record_violation(
        self,
        kind: str,
        detail: str,
        *,
        route: str = "",
        problems: list[rules.Problem] | None = None,
        interaction_id: int | None = None,
    ) -> Violation:
        violation = Violation(
            kind=kind,
            detail=detail,
            route=route,
            errors=rules.form_errors(problems or []),
            interaction_id=interaction_id,
        )
        self.violations.append(violation)
        log.warning("sandbox violation %s at %s: %s", kind, route, rules.shorten(detail, 500))
        self.changes.notify()
        return violation

    async def wait_violation(self, kind: str | None = None, timeout: float = 5.0) -> Violation:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """The first violation (of ``kind``) recorded, waiting for one if there is none yet."""

        def found() -> Violation | None:
            return next((v for v in self.violations if kind is None or v.kind == kind), None)

        return await self.changes.wait_for(found, timeout)

    async def settle(self, *, quiet: float = 0.05, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """Wait until no request is in flight and nothing has changed for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            await self.changes.wait_for(lambda: self.inflight == 0, max(deadline - loop.time(), 0.001))
            try:
                await self.changes.wait_for(self._changed_since(self.changes.version), quiet)
            except TimeoutError:
                if self.inflight == 0:
                    return
            if loop.time() > deadline:
                raise TimeoutError("the sandbox did not settle")

    def _changed_since(self, version: int) -> Callable[[], bool]:
        return lambda: self.changes.version != version
