"""TVmaze's API over one shared aiohttp session, within its rate limit, retried by one policy.

429, 5xx, timeouts and dropped connections are retried by tenacity (back-off 2 s, 4 s, 8 s, or longer when
TVmaze's Retry-After says so, then give up for this cycle). A member's lookup runs as an ``Errand``: it gives up
as soon as the wait would pass its time, and after an outage the next lookups fail fast for a short while instead
of each waiting out its own timeout. Bodies are capped per endpoint and decoded in slices of the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Literal, Self

import aiohttp
import tenacity
import yarl

from bot.domain.models import Episode, SeasonInfo, Show
from bot.providers.base import Details, Errand, current_errand
from bot.providers.tvmaze.decode import BodyTooLargeError, Slicer, decode_json, map_in_slices, read_capped
from bot.providers.tvmaze.limit import MonotonicClock, SlidingWindowLimiter, SourceClock
from bot.providers.tvmaze.mapping import (
    TvmazeError,
    embedded_episodes,
    episode_or_none,
    seasons_from_tvmaze,
    show_or_none,
    unique_episodes,
)

log = logging.getLogger(__name__)

USER_AGENT: Final = "WatchCompanion/0.1 (+discord bot; contact via bot owner)"
# Episodes ride along with the show, so a title not yet stored costs a search and this one request.
SHOW_EMBEDS: Final = ("seasons", "cast", "nextepisode", "episodes")
# What a poll needs of a changed show, in one request: its seasons, its next episode and its episodes.
SNAPSHOT_EMBEDS: Final = ("seasons", "nextepisode", "episodes")
UPDATE_PERIODS: Final = ("day", "week", "month")
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS: Final = 3
_CHUNK: Final = 64 * 1024
# Far above what each endpoint really sends (a search is about 30 KB, a long drama with its episodes a few
# hundred KB), far below what would stall the bot.
SMALL_BODY: Final = 1 << 20
LARGE_BODY: Final = 4 << 20


class TvmazeUnavailable(TvmazeError):  # noqa: N818 - the name the poller and lookup code against
    """TVmaze kept refusing (429), failing (5xx), hanging or unreachable through every retry; try again later."""


class _Retryable(TvmazeUnavailable):
    """One attempt failed in a way worth trying again."""


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    location: str | None
    body: bytes


class TvmazeSource:
    """TVmaze's public API; meets ``ShowProvider``.

    ``request_count`` counts every HTTP request sent (retries and redirect hops included), so a poller can
    check that a poll costs 1 + the number of changed shows. One exception: when the server drops a
    connection, aiohttp resends the GET once by itself; that resend happens inside the same limiter slot
    and is not counted.
    """

    name = "tvmaze"

    def __init__(
        self,
        base_url: str,
        session: aiohttp.ClientSession | None = None,
        *,
        max_calls: int = 20,
        period: float = 10.0,
        backoff_base: float = 2.0,
        retries: int = 3,
        timeout: float = 20.0,
        max_wait: float = 60.0,
        outage_cooldown: float = 15.0,
        connection_limit: int = 4,
        user_agent: str = USER_AGENT,
        clock: SourceClock | None = None,
    ) -> None:
        self.base_url = yarl.URL(base_url.rstrip("/"))
        self.limiter = SlidingWindowLimiter(max_calls, period, clock or MonotonicClock())
        self.backoff_base = backoff_base
        self.retries = retries
        self.max_wait = max_wait
        self.outage_cooldown = outage_cooldown
        self.user_agent = user_agent
        self.request_count = 0
        self._timeout = timeout
        self._connection_limit = connection_limit
        self._session = session
        self._owns_session = session is None
        self._unreachable_until: float | None = None
        self._parent: TvmazeSource | None = None

    @property
    def clock(self) -> SourceClock:
        return self.limiter.clock

    @clock.setter
    def clock(self, clock: SourceClock) -> None:
        self.limiter.clock = clock

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this source created it; an injected session belongs to its owner."""
        if self._parent is None and self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def sibling(self, *, retries: int = 3, backoff_base: float = 2.0, max_wait: float = 60.0) -> TvmazeSource:
        """This source with another retry policy (the poller's 2-4-8 s back-off beside a member's quick retry),
        sharing its session and its rate limiter, so both together stay within TVmaze's limit."""
        twin = TvmazeSource(
            str(self.base_url),
            retries=retries,
            backoff_base=backoff_base,
            timeout=self._timeout,
            max_wait=max_wait,
            outage_cooldown=self.outage_cooldown,
            user_agent=self.user_agent,
        )
        twin.limiter = self.limiter
        twin._parent = self
        return twin

    def _client(self) -> aiohttp.ClientSession:
        if self._parent is not None:
            return self._parent._client()
        # Created on first use: aiohttp wants a running event loop, and a source that is never used
        # (offline mode) should not hold a connector at all.
        if self._session is None or (self._owns_session and self._session.closed):
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connection_limit),
                headers={"User-Agent": self.user_agent},
            )
        return self._session

    # -- endpoints ------------------------------------------------------------------------------------------------

    async def search(self, query: str, limit: int = 10) -> list[Show]:
        """Shows whose names match ``query``, TVmaze's best first (at most 10: TVmaze does not page)."""
        query = query.strip()
        if not query or limit <= 0:
            return []
        found = await self._get("/search/shows", {"q": query}, cap=SMALL_BODY)
        rows = [row.get("show") for row in _rows(found) if isinstance(row, Mapping)]
        shows = await map_in_slices(rows, show_or_none)
        return [s for s in shows if s is not None][:limit]

    async def singlesearch(self, query: str) -> Show | None:
        """TVmaze's single best match for ``query`` (with seasons and cast), or None."""
        query = query.strip()
        if not query:
            return None
        found = await self._get("/singlesearch/shows", [("q", query), *_embed_params()], missing_ok=True)
        return show_or_none(found)

    async def lookup(self, *, imdb: str | None = None, thetvdb: int | None = None) -> Show | None:
        """The show with this IMDb or TheTVDB id, or None when TVmaze does not know it."""
        if (imdb is None) == (thetvdb is None):
            raise ValueError("look a show up by exactly one of imdb= or thetvdb=")
        params = {"imdb": imdb} if imdb is not None else {"thetvdb": str(thetvdb)}
        found = await self._get("/lookup/shows", params, missing_ok=True)
        return show_or_none(found)

    async def show(self, tvmaze_id: int) -> Show | None:
        """One show with its seasons, cast and next episode embedded, or None when TVmaze has no such id."""
        found = await self.show_record(tvmaze_id)
        return None if found is None else found.show

    async def show_record(self, tvmaze_id: int) -> Details | None:
        """One show and, from the same answer, its regular episodes; None when TVmaze has no such id."""
        found = await self._get(f"/shows/{int(tvmaze_id)}", _embed_params(), missing_ok=True)
        show = show_or_none(found)
        if show is None:
            return None
        rows = embedded_episodes(found)
        episodes = None if rows is None else unique_episodes(await map_in_slices(rows, episode_or_none))
        return Details(show, episodes)

    async def details(self, show: Show) -> Details | None:
        """The full record (seasons, cast, episodes) of a show found by search, which TVmaze lists without them."""
        return None if show.tvmaze_id is None else await self.show_record(show.tvmaze_id)

    async def episodes(self, show: Show) -> list[Episode]:
        """The show's regular episodes in TVmaze's order, each (season, number) once; specials are left out."""
        if show.tvmaze_id is None:
            return []
        found = await self._get(f"/shows/{int(show.tvmaze_id)}/episodes", None, missing_ok=True)
        return unique_episodes(await map_in_slices(_rows(found), episode_or_none))

    async def seasons(self, tvmaze_id: int) -> list[SeasonInfo]:
        found = await self._get(f"/shows/{int(tvmaze_id)}/seasons", None, missing_ok=True, cap=SMALL_BODY)
        return seasons_from_tvmaze(_rows(found))

    async def akas(self, tvmaze_id: int) -> list[str]:
        """Other names of the show (any country), without duplicates."""
        found = await self._get(f"/shows/{int(tvmaze_id)}/akas", None, missing_ok=True, cap=SMALL_BODY)
        names: dict[str, None] = {}
        for row in _rows(found):
            name = row.get("name") if isinstance(row, Mapping) else None
            if isinstance(name, str) and name.strip():
                names.setdefault(name.strip(), None)
        return list(names)

    async def snapshot_record(self, tvmaze_id: int) -> Any:
        """The show as TVmaze's raw JSON with its seasons, next episode and episodes embedded (what an announcement
        snapshot is parsed from, strictly, by the caller); None when TVmaze has no such id. One request."""
        params = [("embed[]", name) for name in SNAPSHOT_EMBEDS]
        return await self._get(f"/shows/{int(tvmaze_id)}", params, missing_ok=True)

    async def updates(self, since: Literal["day", "week", "month"]) -> dict[int, int]:
        """``{show id: last change (unix seconds)}`` for shows changed within the period."""
        if since not in UPDATE_PERIODS:
            raise ValueError(f"since must be one of {', '.join(UPDATE_PERIODS)}, got {since!r}")
        found = await self._get("/updates/shows", {"since": since})
        if not isinstance(found, Mapping):
            raise TvmazeError("the updates feed is not a JSON object")
        changed: dict[int, int] = {}
        for key, stamp in found.items():
            if isinstance(key, str) and key.isdigit() and isinstance(stamp, int) and not isinstance(stamp, bool):
                changed[int(key)] = stamp
        return changed

    # -- transport ------------------------------------------------------------------------------------------------

    async def _get(
        self,
        path: str,
        params: Mapping[str, str] | list[tuple[str, str]] | None,
        *,
        missing_ok: bool = False,
        cap: int = LARGE_BODY,
    ) -> Any:
        """GET ``path`` as JSON with the rate limit and retry policy; None for a 404 when ``missing_ok``."""
        url = self.base_url.with_path(self.base_url.path.rstrip("/") + path)
        if params:
            url = url.extend_query(params)
        for _hop in range(_MAX_REDIRECTS + 1):
            answer = await self._fetch(url, cap)
            if answer.status in _REDIRECTS and answer.location:
                target = url.join(yarl.URL(answer.location))
                if target.origin() != self.base_url.origin():
                    raise TvmazeError(f"TVmaze redirected off-site to {target.origin()}")
                url = target
                continue
            if answer.status == 404 and missing_ok:
                return None
            if answer.status != 200:
                raise TvmazeError(f"TVmaze answered {answer.status} for {path}")
            try:
                return await decode_json(answer.body, Slicer())
            except (ValueError, RecursionError) as exc:  # nesting deeper than the JSON scanner follows
                raise TvmazeError(f"TVmaze sent a body that is not JSON for {path}") from exc
        raise TvmazeError(f"TVmaze redirected more than {_MAX_REDIRECTS} times for {path}")

    async def _fetch(self, url: yarl.URL, cap: int) -> _Answer:
        errand = current_errand()
        if errand is not None:
            self._check_reachable()
        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(_Retryable),
            wait=self._backoff,
            stop=tenacity.stop_after_attempt(self.retries + 1) | _OutOfTime(self.max_wait),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._request(url, cap, errand)
        except _Retryable as exc:
            if exc.retry_after is None:
                # Unreachable, hanging or failing: spare the next members their own timeouts for a while.
                self._unreachable_until = self.clock.now() + self.outage_cooldown
            raise TvmazeUnavailable(f"TVmaze unavailable for {url.path}: {exc}", retry_after=exc.retry_after) from exc
        raise AssertionError("tenacity either returns an attempt's result or raises")  # pragma: no cover

    def _check_reachable(self) -> None:
        if self._unreachable_until is not None and self.clock.now() < self._unreachable_until:
            raise TvmazeUnavailable("TVmaze could not be reached moments ago; not trying again yet")

    def _backoff(self, state: tenacity.RetryCallState) -> float:
        delay: float = self.backoff_base * 2 ** (state.attempt_number - 1)
        failure = state.outcome.exception() if state.outcome is not None else None
        asked: float | None = failure.retry_after if isinstance(failure, _Retryable) else None
        return max(delay, asked or 0.0)

    async def _sleep(self, seconds: float) -> None:
        errand = current_errand()
        if errand is not None:
            errand.spent += seconds
        await self.clock.sleep(seconds)

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome is not None else None
        log.warning("%s; retrying in %.3gs", failure, state.upcoming_sleep)

    async def _request(self, url: yarl.URL, cap: int, errand: Errand | None) -> _Answer:
        if errand is not None and errand.left <= 0:
            raise _Retryable("no time left to ask TVmaze")
        session = self._client()
        async with self.limiter.slot(errand):
            self.request_count += 1
            limit = self._timeout if errand is None else min(self._timeout, errand.left)
            loop = asyncio.get_running_loop()
            started = loop.time()
            if errand is not None:
                errand.sent += 1
            try:
                async with asyncio.timeout(limit):
                    return await self._exchange(session, url, cap)
            except (aiohttp.ClientError, TimeoutError) as exc:  # refused, dropped, garbled HTTP, too slow
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                raise _Retryable(f"{problem} for {url.path}") from exc
            finally:
                if errand is not None:
                    errand.spent += loop.time() - started

    async def _exchange(self, session: aiohttp.ClientSession, url: yarl.URL, cap: int) -> _Answer:
        async with session.get(
            url,
            allow_redirects=False,  # each hop must pass the rate limiter and be counted
            headers={"User-Agent": self.user_agent},  # also when the session was injected
        ) as response:
            status = response.status
            if status == 429 or status >= 500:
                asked = _retry_after(response.headers.get("Retry-After"))
                if asked is not None:
                    self.limiter.hold_until(self.clock.now() + asked)
                raise _Retryable(f"HTTP {status} for {url.path}", retry_after=asked)
            try:
                body = await read_capped(response.content.iter_chunked(_CHUNK), cap, response.content_length)
            except BodyTooLargeError as exc:
                raise TvmazeError(f"{exc} for {url.path}") from exc
            return _Answer(status, response.headers.get("Location"), body)


class _OutOfTime(tenacity.stop.stop_base):
    """Stop rather than wait longer than ``max_wait``, or than the member's errand has left."""

    def __init__(self, max_wait: float) -> None:
        self.max_wait = max_wait

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        upcoming = retry_state.upcoming_sleep
        errand = current_errand()
        return upcoming > self.max_wait or (errand is not None and upcoming >= errand.left)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header; TVmaze sends seconds (an HTTP date is read as "no advice")."""
    if value is None or not value.strip().isdigit():
        return None
    return float(min(int(value.strip()), 86_400))


def _embed_params() -> list[tuple[str, str]]:
    return [("embed[]", name) for name in SHOW_EMBEDS]


def _rows(found: Any) -> list[Any]:
    if found is None:
        return []
    if not isinstance(found, list):
        raise TvmazeError("expected a JSON list from TVmaze")
    return found
