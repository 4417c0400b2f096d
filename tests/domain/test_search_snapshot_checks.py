"""A saved index whose columns do not fit together is refused with a line that says which check failed (the
log line an operator reads before the index is built again), and one that fits is taken."""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable

import msgspec
import pytest

from bot.domain.search import SearchIndex, SnapshotError, snapshot
from bot.domain.search.ranking import KINDS
from bot.domain.text import normalize

Saved = snapshot._Snapshot


def _index() -> SearchIndex:
    names = {
        1: [("title", "Signal"), ("native", "시그널"), ("cast", "Kim Hye-soo")],
        2: [("title", "Kingdom"), ("native", "킹덤"), ("cast", "Ju Ji-hoon")],
        3: [("title", "Stranger"), ("native", "비밀의 숲")],
    }
    rows = [(show_id, kind, name, normalize(name)) for show_id, pairs in names.items() for kind, name in pairs]
    return SearchIndex.build(rows, {1: "Signal (2016)", 2: "Kingdom (2019)", 3: "Stranger (2017)"})


SAVED: Saved = msgspec.msgpack.decode(_index().snapshot(), type=Saved)
SEGMENT = SAVED.segment
COUNT = len(SEGMENT.kinds)


def _load(saved: Saved) -> SearchIndex:
    return SearchIndex.from_snapshot(msgspec.msgpack.encode(saved))


def _with_segment(**changes: object) -> Saved:
    return msgspec.structs.replace(SAVED, segment=msgspec.structs.replace(SEGMENT, **changes))


def _with_array(name: str, column: array[int] | bytes) -> Saved:
    data = column if isinstance(column, bytes) else column.tobytes()
    return _with_segment(arrays={**SEGMENT.arrays, name: data})


def _column(name: str) -> array[int]:
    typecode = {"show_ids": "q", "pops": "d"}.get(name, "I")
    out = array(typecode)
    out.frombytes(SEGMENT.arrays[name])
    return out


def _with_blob(name: str, **changes: object) -> Saved:
    return _with_segment(blobs={**SEGMENT.blobs, name: msgspec.structs.replace(SEGMENT.blobs[name], **changes)})


def _offsets(name: str) -> array[int]:
    out = array("I")
    out.frombytes(SEGMENT.blobs[name].starts)
    return out


def _changed(column: array[int], at: int, value: int) -> array[int]:
    out = array(column.typecode, column)
    out[at] = value
    return out


def _ids(name: str) -> array[int]:
    out = array("I")
    out.frombytes(SEGMENT.blobs[name].ids or b"")
    return out


def _vocabulary_size() -> int:
    return len(_offsets("vocab")) - 1


CASES: list[tuple[str, Callable[[], Saved], str]] = [
    (
        "a number column missing",
        lambda: _with_segment(arrays={k: v for k, v in SEGMENT.arrays.items() if k != "pops"}),
        "snapshot columns are not this format's",
    ),
    (
        "a text column too many",
        lambda: _with_segment(blobs={**SEGMENT.blobs, "extra": SEGMENT.blobs["vocab"]}),
        "snapshot columns are not this format's",
    ),
    (
        "a kind one past the last",
        lambda: _with_segment(kinds=bytes([len(KINDS)]) + SEGMENT.kinds[1:]),
        "snapshot name kinds are unknown",
    ),
    (
        "half a show id",
        lambda: _with_array("show_ids", SEGMENT.arrays["show_ids"] + b"\x00"),
        "snapshot column is not whole items",
    ),
    (
        "one popularity short",
        lambda: _with_array("pops", _column("pops")[:-1]),
        "snapshot column has the wrong length",
    ),
    (
        "a name id one past the names",
        lambda: _with_array("key_ids", _changed(_column("key_ids"), -1, COUNT)),
        "snapshot name ids point past the names",
    ),
    (
        "one name short",
        lambda: _with_blob("norms", starts=_offsets("norms")[:-1].tobytes()),
        "snapshot column has the wrong length",
    ),
    (
        "text that is not UTF-8",
        lambda: _with_blob("norms", text=b"\xff" + SEGMENT.blobs["norms"].text[1:]),
        "snapshot text is not UTF-8",
    ),
    ("a negative lead", lambda: _with_blob("origs", lead=-1), "snapshot text column is malformed"),
    ("a negative trail", lambda: _with_blob("origs", trail=-1), "snapshot text column is malformed"),
    (
        "an offset past the text",
        lambda: _with_blob(
            "origs", starts=_changed(_offsets("origs"), -1, len(SEGMENT.blobs["origs"].text) + 1).tobytes()
        ),
        "snapshot text column is malformed",
    ),
    (
        "offsets out of order",
        lambda: _with_blob("origs", starts=_changed(_offsets("origs"), 1, _offsets("origs")[2] + 1).tobytes()),
        "snapshot text column offsets are out of order",
    ),
    (
        "one scan id too many",
        lambda: _with_blob("hangul", ids=(_ids("hangul") + array("I", [0])).tobytes()),
        "snapshot column has the wrong length",
    ),
    ("scan ids missing", lambda: _with_blob("hangul", ids=None), "snapshot scan ids point past their column"),
    (
        "a Hangul scan id one past the names",
        lambda: _with_blob("hangul", ids=_changed(_ids("hangul"), -1, COUNT).tobytes()),
        "snapshot scan ids point past their column",
    ),
    (
        "a word scan id one past the words",
        lambda: _with_blob("ascii_words", ids=_changed(_ids("ascii_words"), -1, _vocabulary_size()).tobytes()),
        "snapshot scan ids point past their column",
    ),
    (
        "a posting list too many",
        lambda: _with_array("post_start", _column("post_start") + array("I", [_column("post_start")[-1]])),
        "snapshot words and their postings differ in number",
    ),
    (
        "postings that do not start at 0",
        lambda: _with_array("post_start", _changed(_column("post_start"), 0, 1)),
        "snapshot word postings are out of order",
    ),
    (
        "postings that do not end at the end",
        lambda: _with_array("post_start", _changed(_column("post_start"), -1, _column("post_start")[-1] + 1)),
        "snapshot word postings are out of order",
    ),
    (
        "postings out of order",
        lambda: _with_array("post_start", _changed(_column("post_start"), 1, _column("post_start")[2] + 1)),
        "snapshot word postings are out of order",
    ),
]


@pytest.mark.parametrize(
    ("damage", "message"), [(make, message) for _, make, message in CASES], ids=[c[0] for c in CASES]
)
def test_damaged_columns_are_refused_saying_which_check_failed(damage: Callable[[], Saved], message: str) -> None:
    with pytest.raises(SnapshotError, match=f"^{re.escape(message)}$"):
        _load(damage())


def test_columns_that_fit_are_taken_up_to_the_last_kind() -> None:
    assert [h.show_id for h in _load(SAVED).search("kingdom")] == [2]
    last_kind = _with_segment(kinds=bytes([len(KINDS) - 1]) + SEGMENT.kinds[1:])
    assert _load(last_kind).label(1) == "Signal (2016)"


def test_label_ids_out_of_order_are_refused_saying_so() -> None:
    ids = array("q")
    ids.frombytes(SAVED.labels.ids)
    swapped = array("q", reversed(ids))
    saved = msgspec.structs.replace(SAVED, labels=msgspec.structs.replace(SAVED.labels, ids=swapped.tobytes()))
    with pytest.raises(SnapshotError, match=r"^snapshot label ids are out of order$"):
        _load(saved)
