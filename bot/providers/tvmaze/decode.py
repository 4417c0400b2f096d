"""Reading TVmaze's answers without stalling the bot: bodies are capped, and JSON is decoded a piece at a time.

``json.loads`` holds the interpreter for its whole run (about 12 ms per MB here), so even in a thread it stalls
the event loop; decoding the outer containers element by element with ``raw_decode`` and handing the loop back
every couple of milliseconds keeps every member's interaction moving while a large answer is read.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterable, Callable, Iterable
from typing import Any, Final, TypeVar

# How long decoding or mapping may keep the event loop before handing it back.
SLICE_SECONDS: Final = 0.002
# Containers this deep and shallower are walked element by element; anything deeper is one C-speed call.
_WALK_DEPTH: Final = 3
_SPACE: Final = re.compile(r"[ \t\n\r]*")
_DECODER: Final = json.JSONDecoder()

T = TypeVar("T")
R = TypeVar("R")


class BodyTooLargeError(ValueError):
    """An answer longer than the cap for its endpoint."""


class Slicer:
    """Hands the event loop back once ``seconds`` have passed since it last did."""

    def __init__(self, seconds: float = SLICE_SECONDS) -> None:
        self.seconds = seconds
        self._since = time.perf_counter()

    async def tick(self) -> None:
        if time.perf_counter() - self._since >= self.seconds:
            await asyncio.sleep(0)
            self._since = time.perf_counter()


async def read_capped(chunks: AsyncIterable[bytes], cap: int, declared: int | None = None) -> bytes:
    """The whole body, or ``BodyTooLargeError`` as soon as it (or its Content-Length) passes ``cap`` bytes."""
    if declared is not None and declared > cap:
        raise BodyTooLargeError(f"the answer is {declared} bytes, over the {cap}-byte cap")
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > cap:
            raise BodyTooLargeError(f"the answer passed the {cap}-byte cap")
        parts.append(chunk)
    return b"".join(parts)


async def decode_json(body: bytes, slicer: Slicer | None = None) -> Any:
    """``json.loads(body)``, the same value or the same ``ValueError``, in slices of the event loop's time."""
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError, as json.loads would raise
    slicer = slicer or Slicer()
    value, end = await _walk(text, _skip(text, 0), _WALK_DEPTH, slicer)
    end = _skip(text, end)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def _skip(text: str, at: int) -> int:
    """The position of the next character that is not JSON whitespace."""
    match = _SPACE.match(text, at)
    return match.end() if match else at


async def _walk(text: str, at: int, depth: int, slicer: Slicer) -> tuple[Any, int]:
    opening = text[at : at + 1]
    if depth <= 0 or opening not in ("[", "{"):
        await slicer.tick()
        return _DECODER.raw_decode(text, at)
    closing = "]" if opening == "[" else "}"
    items: list[Any] = []
    fields: dict[str, Any] = {}
    at = _skip(text, at + 1)
    if text[at : at + 1] == closing:
        return (items if opening == "[" else fields), at + 1
    while True:
        if opening == "{":
            key, at = _DECODER.raw_decode(text, at)
            if not isinstance(key, str):
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, at)
            at = _skip(text, at)
            if text[at : at + 1] != ":":
                raise json.JSONDecodeError("Expecting ':' delimiter", text, at)
            value, at = await _walk(text, _skip(text, at + 1), depth - 1, slicer)
            fields[key] = value
        else:
            value, at = await _walk(text, at, depth - 1, slicer)
            items.append(value)
        at = _skip(text, at)
        following = text[at : at + 1]
        if following == closing:
            return (items if opening == "[" else fields), at + 1
        if following != ",":
            raise json.JSONDecodeError(f"Expecting ',' or '{closing}'", text, at)
        at = _skip(text, at + 1)


async def map_in_slices(items: Iterable[T], convert: Callable[[T], R], slicer: Slicer | None = None) -> list[R]:
    """``[convert(i) for i in items]``, handing the event loop back between items when a slice is used up."""
    slicer = slicer or Slicer()
    mapped: list[R] = []
    for item in items:
        mapped.append(convert(item))
        await slicer.tick()
    return mapped
