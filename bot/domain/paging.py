"""Splitting long lists into pages for paged messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    index: int  # zero-based, already clamped
    count: int  # at least 1, even for an empty list

    @property
    def has_previous(self) -> bool:
        return self.index > 0

    @property
    def has_next(self) -> bool:
        return self.index < self.count - 1


def paginate(items: Sequence[T], index: int, size: int) -> Page[T]:
    """The page ``index`` of ``items`` (clamped into range, so a stale button still lands on a real page)."""
    if size < 1:
        raise ValueError("page size must be positive")
    count = max(1, -(-len(items) // size))
    index = min(max(index, 0), count - 1)
    return Page(items[index * size : (index + 1) * size], index, count)
