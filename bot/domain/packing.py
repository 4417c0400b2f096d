"""A small, explicit binary format for plain values (ints, floats, text, bytes, arrays, lists).

Used to keep a built search index in the database. Unlike pickle, reading it back can only ever produce these
plain values, never run code, and malformed input is a ValueError.
"""

from __future__ import annotations

import struct
import sys
from array import array
from typing import Union

Packable = Union[None, int, float, str, bytes, "array[int]", "array[float]", list["Packable"]]

MAGIC = b"WCPK1"
_HEADER = MAGIC + (b"<" if sys.byteorder == "little" else b">")
_U64 = struct.Struct("<Q")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")
_ARRAY_CODES = "bBhHiIlLqQfd"


def pack(value: Packable) -> bytes:
    out: list[bytes] = [_HEADER]
    _pack(value, out)
    return b"".join(out)


def _pack(value: Packable, out: list[bytes]) -> None:
    if value is None:
        out.append(b"N")
    elif isinstance(value, bool):
        raise TypeError("bool is not packable; use int")
    elif isinstance(value, int):
        out += (b"I", _I64.pack(value))
    elif isinstance(value, float):
        out += (b"F", _F64.pack(value))
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        out += (b"S", _U64.pack(len(data)), data)
    elif isinstance(value, bytes):
        out += (b"B", _U64.pack(len(value)), value)
    elif isinstance(value, array):
        data = value.tobytes()
        out += (b"A", value.typecode.encode(), bytes([value.itemsize]), _U64.pack(len(data)), data)
    elif isinstance(value, list):
        out += (b"L", _U64.pack(len(value)))
        for item in value:
            _pack(item, out)
    else:
        raise TypeError(f"cannot pack {type(value).__name__}")


def unpack(data: bytes) -> Packable:
    """The value ``pack`` made; ValueError for anything else (wrong header, truncated, trailing bytes)."""
    if not data.startswith(MAGIC):
        raise ValueError("not a packed value")
    if data[: len(_HEADER)] != _HEADER:
        raise ValueError("packed on a machine of the other byte order")
    view = memoryview(data)
    try:
        value, end = _unpack(view, len(_HEADER))
    except RecursionError as exc:
        raise ValueError("packed lists nest too deeply") from exc
    if end != len(data):
        raise ValueError("trailing bytes after the packed value")
    return value


def _take(view: memoryview, at: int, size: int) -> tuple[memoryview, int]:
    if size < 0 or at + size > len(view):
        raise ValueError("truncated packed value")
    return view[at : at + size], at + size


def _unpack(view: memoryview, at: int) -> tuple[Packable, int]:
    tag, at = _take(view, at, 1)
    kind = bytes(tag)
    if kind == b"N":
        return None, at
    if kind == b"I":
        raw, at = _take(view, at, 8)
        return int(_I64.unpack(raw)[0]), at
    if kind == b"F":
        raw, at = _take(view, at, 8)
        return float(_F64.unpack(raw)[0]), at
    if kind in (b"S", b"B"):
        raw, at = _take(view, at, 8)
        body, at = _take(view, at, _U64.unpack(raw)[0])
        if kind == b"B":
            return bytes(body), at
        try:
            return str(body, "utf-8", "surrogatepass"), at
        except UnicodeDecodeError as exc:
            raise ValueError("packed text is not UTF-8") from exc
    if kind == b"A":
        head, at = _take(view, at, 2)
        code = chr(head[0])
        if code not in _ARRAY_CODES:
            raise ValueError(f"unknown array type {code!r}")
        items = array(code)
        if items.itemsize != head[1]:
            raise ValueError("array item size differs on this machine")
        raw, at = _take(view, at, 8)
        body, at = _take(view, at, _U64.unpack(raw)[0])
        if len(body) % items.itemsize:
            raise ValueError("array bytes are not whole items")
        items.frombytes(body)
        return items, at
    if kind == b"L":
        raw, at = _take(view, at, 8)
        count = _U64.unpack(raw)[0]
        if count > len(view) - at:  # every item takes at least one byte
            raise ValueError("truncated packed list")
        values: list[Packable] = []
        for _ in range(count):
            value, at = _unpack(view, at)
            values.append(value)
        return values, at
    raise ValueError(f"unknown tag {kind!r}")
