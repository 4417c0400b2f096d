"""Build a search index in a process of its own, while this one writes the shows it indexes (``catalog import``).

A thread would not help: building is Python code, and threads take turns at it (the GIL). The child runs on the
other core. It reads the rows (``ShowStore.index_rows()``'s three parts, as MessagePack) on its standard input, builds
the index and writes its snapshot (``SearchIndex.snapshot``) on its standard output; the parent loads the snapshot,
which takes a tenth of the build. Anything that goes wrong on the way (no interpreter to start, a crash, a snapshot
that does not load) leaves the parent to build the index itself: the worker only ever saves time.

    python -m bot.index_worker < rows.msgpack > snapshot
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec

from bot.domain.search import SearchIndex

log = logging.getLogger(__name__)

IndexRows = tuple[list[tuple[int, str, str, str]], dict[int, str], dict[int, float]]
_DECODER = msgspec.msgpack.Decoder(IndexRows)
# What the child is not given of this process's environment: it has no use for a secret.
_WITHHELD = frozenset({"DISCORD_TOKEN"})
# The folder that holds the ``bot`` package: the child starts there, so ``-m`` imports this package (it puts the
# working folder first on the path), not another ``bot`` the caller's folder may hold.
_ROOT = Path(__file__).resolve().parents[1]


class IndexWorker:
    """A child process building one index; ``result()`` gives it, or None when the parent must build it."""

    def __init__(self, process: asyncio.subprocess.Process, exchange: asyncio.Task[tuple[bytes, bytes]]) -> None:
        self._process = process
        self._exchange = exchange

    @classmethod
    async def start(
        cls, rows: Sequence[tuple[int, str, str, str]], labels: dict[int, str], weights: dict[int, float]
    ) -> IndexWorker | None:
        """Start a worker on these rows; None (and a log line saying why) when it cannot be started."""
        try:
            payload = msgspec.msgpack.encode((rows, labels, weights))
        except (msgspec.EncodeError, UnicodeEncodeError):  # a lone surrogate: MessagePack text must be UTF-8
            log.info("search index rows cannot be sent to a worker process; building it here")
            return None
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                __name__,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=_ROOT,
                env={name: value for name, value in os.environ.items() if name not in _WITHHELD},
            )
        except OSError as exc:
            log.info("no worker process for the search index (%s); building it here", exc)
            return None
        # Sent and read by the event loop meanwhile, so the caller goes on with its own work at once.
        return cls(process, asyncio.create_task(process.communicate(payload)))

    async def result(self) -> tuple[SearchIndex, bytes] | None:
        """The index the worker built and its snapshot; None when it failed (logged), for the caller to build it."""
        try:
            data, errors = await self._exchange
        except (OSError, ValueError) as exc:  # the pipe broke (the child died while it was being fed)
            log.warning("the search index worker failed (%s); building the index here", exc)
            return None
        if self._process.returncode != 0:
            detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            log.warning(
                "the search index worker exited with %s (%s); building the index here",
                self._process.returncode,
                detail[0],
            )
            return None
        try:
            return SearchIndex.from_snapshot(data), data
        except ValueError as exc:
            log.warning("the search index worker's snapshot does not load (%s); building the index here", exc)
            return None

    async def stop(self) -> None:
        """End the worker (its index is not wanted) and wait for it to go."""
        if self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
        self._exchange.cancel()
        with contextlib.suppress(asyncio.CancelledError, OSError, ValueError):
            await self._exchange
        await self._process.wait()


def main() -> int:
    gc.disable()  # a short build that frees nothing until it ends (as ``SearchIndex.build`` does inside)
    rows, labels, weights = _DECODER.decode(sys.stdin.buffer.read())
    sys.stdout.buffer.write(SearchIndex.build(rows, labels, weights).snapshot())
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
