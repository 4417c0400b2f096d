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

    async def details(self, show: Show) -> Show | None:
        """The show with everything the source knows (seasons, cast), or None when it knows no more."""
        ...

    async def episodes(self, show: Show) -> list[Episode]:
        """The show's regular episodes, in order; empty when the source knows none."""
        ...
