"""Show id -> display label: a packed table from the last build plus the changes since."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Mapping

import msgspec

from bot.domain.search.blob import Blob, BlobState, SnapshotError, array_from

__all__ = ["Labels", "LabelsState"]


class LabelsState(msgspec.Struct, frozen=True):
    ids: bytes
    texts: BlobState


class Labels:
    """Labels of the shows in the index, found by bisecting a sorted id column."""

    __slots__ = ("changed", "gone", "ids", "size", "texts")

    def __init__(self, labels: Mapping[int, str]) -> None:
        ids = sorted(labels)
        self.ids = array("q", ids)
        self.texts = Blob(list(map(labels.__getitem__, ids)))
        self.changed: dict[int, str] = {}
        self.gone: set[int] = set()
        self.size = len(ids)

    def get(self, show_id: int) -> str | None:
        label = self.changed.get(show_id)
        if label is not None or show_id in self.gone:
            return label
        at = bisect_left(self.ids, show_id)
        return self.texts[at] if at < len(self.ids) and self.ids[at] == show_id else None

    def set(self, show_id: int, label: str) -> None:
        if self.get(show_id) is None:
            self.size += 1
        self.changed[show_id] = label  # read before ``gone``, which keeps the id (merged() applies changes last)

    def remove(self, show_id: int) -> None:
        if self.get(show_id) is not None:
            self.size -= 1
        self.changed.pop(show_id, None)
        self.gone.add(show_id)

    def merged(self) -> dict[int, str]:
        out = {show_id: self.texts[i] for i, show_id in enumerate(self.ids) if show_id not in self.gone}
        out.update(self.changed)
        return out

    def state(self) -> LabelsState:
        """The packed table; only a table with no changes since its build is saved whole this way."""
        return LabelsState(self.ids.tobytes(), self.texts.state())

    @classmethod
    def from_state(cls, state: LabelsState) -> Labels:
        labels = object.__new__(cls)
        labels.ids = array_from(state.ids, "q")
        if len(set(labels.ids)) != len(labels.ids) or array("q", sorted(labels.ids)) != labels.ids:
            raise SnapshotError("snapshot label ids are out of order")
        labels.texts = Blob.from_state(state.texts, len(labels.ids))
        labels.changed, labels.gone, labels.size = {}, set(), len(labels.ids)
        return labels
