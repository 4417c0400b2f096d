"""Packed text storage for the search index: ``Blob`` (many strings in one, searched with ``str.find``), its saved
form, and the checks that refuse damaged snapshot bytes."""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate, repeat
from typing import Any

import msgspec

__all__ = ["NAME_MARK", "Blob", "BlobState", "SnapshotError", "array_from", "side_by_side"]

NAME_MARK = "\x01"  # separates names in a scan blob; normalize drops control characters, so no key has it


class SnapshotError(ValueError):
    """Saved bytes that are not a search index snapshot of this format."""


class BlobState(msgspec.Struct, array_like=True, frozen=True):
    """A blob as saved. Text is UTF-8 with lone surrogates passed through: an original name may hold one."""

    text: bytes
    starts: bytes
    lead: int
    trail: int
    ids: bytes | None


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as exc:
        raise SnapshotError("snapshot text is not UTF-8") from exc


def array_from(data: bytes, typecode: str, length: int | None = None) -> array[Any]:
    out = array(typecode)
    if len(data) % out.itemsize:
        raise SnapshotError("snapshot column is not whole items")
    out.frombytes(data)
    if length is not None and len(out) != length:
        raise SnapshotError("snapshot column has the wrong length")
    return out


class Blob:
    """Strings joined into one, each behind ``lead`` and before ``trail``: a list without a Python
    object per item, and one ``str.find`` walks all items at C speed, in order."""

    __slots__ = ("ids", "lead", "starts", "text", "trail")

    def __init__(self, items: Sequence[str], lead: str = "", trail: str = "", ids: array[int] | None = None) -> None:
        self.text = lead + (trail + lead).join(items) + trail if items else ""
        extra = len(lead) + len(trail)
        self.starts = array("I", accumulate(map(operator.add, map(len, items), repeat(extra)), initial=0))
        self.lead = len(lead)
        self.trail = len(trail)
        self.ids = ids  # what stream() yields for each position; the position itself when None

    @classmethod
    def relocated(cls, items: Sequence[str], lead: str, trail: str) -> tuple[Blob, list[str]]:
        """The blob of ``items``, and the items read back from it: equal strings, made one after another, so
        a pass over them reads memory in order (not so for a list whose strings were put in a new order).

        ``lead`` holds ``NAME_MARK`` once and ``trail`` not at all; when an item holds a mark too (normal
        forms never do), the items themselves come back.
        """
        blob = cls(items, lead, trail)
        if not items or blob.text.count(NAME_MARK) != len(items):
            return blob, list(items)
        return blob, blob.text[len(lead) : len(blob.text) - len(trail)].split(trail + lead)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, position: int) -> str:
        return self.text[self.starts[position] + self.lead : self.starts[position + 1] - self.trail]

    def stream(self, pattern: str) -> Iterator[int]:
        """Ids of the items containing ``pattern`` (lead and trail included), ascending, each once."""
        find = self.text.find
        starts, ids = self.starts, self.ids
        at = find(pattern)
        while at >= 0:
            position = bisect_right(starts, at) - 1
            yield position if ids is None else ids[position]
            at = find(pattern, starts[position + 1])

    def state(self) -> BlobState:
        ids = None if self.ids is None else self.ids.tobytes()
        return BlobState(_encode(self.text), self.starts.tobytes(), self.lead, self.trail, ids)

    @classmethod
    def from_state(cls, state: BlobState, length: int | None = None) -> Blob:
        blob = object.__new__(cls)
        blob.text = _decode(state.text)
        blob.starts = array_from(state.starts, "I", None if length is None else length + 1)
        starts = blob.starts
        if state.lead < 0 or state.trail < 0 or not starts or starts[-1] > len(blob.text):
            raise SnapshotError("snapshot text column is malformed")
        if array("I", sorted(starts)) != starts:  # a sort of sorted numbers is one pass in C
            raise SnapshotError("snapshot text column offsets are out of order")
        blob.lead, blob.trail = state.lead, state.trail
        blob.ids = None if state.ids is None else array_from(state.ids, "I", len(starts) - 1)
        return blob


def side_by_side(items: list[str]) -> list[str]:
    """Copies of ``items`` made one after another, so that a pass over them reads memory in order (strings
    fetched among other rows lie scattered); ``items`` itself when one holds ``NAME_MARK``."""
    text = NAME_MARK.join(items)
    if len(items) < 2 or text.count(NAME_MARK) != len(items) - 1:
        return items
    return text.split(NAME_MARK)
