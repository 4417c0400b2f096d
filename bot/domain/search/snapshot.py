"""A built index as bytes, to store and load on a later start instead of building again.

msgspec's MessagePack carries the columns: number columns as their raw bytes (an array's memory, copied
once each way), text as UTF-8 with lone surrogates passed through (an original name may hold one, and
MessagePack strings may not). Decoding is typed, so anything but a snapshot of this format is a
``SnapshotError`` (a ValueError), never a half-built index.
"""

from __future__ import annotations

import sys

import msgspec

from bot.domain.search.blob import SnapshotError
from bot.domain.search.labels import Labels, LabelsState
from bot.domain.search.segment import Segment, SegmentState

__all__ = ["SNAPSHOT_FORMAT", "dump", "load"]

# Bumped whenever what is saved changes; a saved index of another format is built again.
SNAPSHOT_FORMAT = 2


class _Snapshot(msgspec.Struct, frozen=True):
    format: int
    byteorder: str  # of the number columns: the machine that saved them
    labels: LabelsState
    segment: SegmentState


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(_Snapshot)


def dump(labels: Labels, segment: Segment) -> bytes:
    return _ENCODER.encode(_Snapshot(SNAPSHOT_FORMAT, sys.byteorder, labels.state(), segment.state()))


def load(data: bytes) -> tuple[Labels, Segment]:
    """The labels and segment ``dump`` saved; SnapshotError for anything else."""
    try:
        saved = _DECODER.decode(data)
    except msgspec.MsgspecError as exc:
        raise SnapshotError(f"not a search index snapshot of this format: {exc}") from exc
    if saved.format != SNAPSHOT_FORMAT:
        raise SnapshotError(f"search index snapshot format {saved.format}, not {SNAPSHOT_FORMAT}")
    if saved.byteorder != sys.byteorder:
        raise SnapshotError("search index snapshot saved on a machine of the other byte order")
    return Labels.from_state(saved.labels), Segment.from_state(saved.segment)
