"""The contract every source of show data meets: the bundled catalogue and TVmaze."""

from __future__ import annotations

from typing import Protocol

from bot.domain.models import Episode, Show


class ShowSource(Protocol):
    """Where shows come from. ``search`` may be remote and slow: autocomplete never calls it."""

    name: str

    async def search(self, query: str, limit: int = 10) -> list[Show]:
        """Shows matching ``query``, best first."""
        ...

    async def episodes(self, show: Show) -> list[Episode]:
        """The show's regular episodes, in order; empty when the source knows none."""
        ...
