"""TVmaze as a ShowSource: search, show details, episodes and the change feed, within TVmaze's rate limit.

Every request goes through one sliding-window limiter and one retry policy (429, 5xx and connection
errors back off 2 s, 4 s, 8 s, then give up for this cycle). ``show_from_tvmaze`` and
``episode_from_tvmaze`` are pure mappings from TVmaze's JSON shapes to the bot's models.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from types import TracebackType
from typing import Any, Final, Literal, Self

import aiohttp
import yarl

from bot.domain.models import CastMember, Episode, SeasonInfo, Show, ShowSource

log = logging.getLogger(__name__)

USER_AGENT: Final = "WatchCompanion/0.1 (+discord bot; contact via bot owner)"
SHOW_EMBEDS: Final = ("seasons", "cast", "nextepisode")
UPDATE_PERIODS: Final = ("day", "week", "month")
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS: Final = 3


class TvmazeError(Exception):
    """TVmaze answered something the bot cannot use (an unexpected status or a malformed body)."""


class TvmazeUnavailable(TvmazeError):  # noqa: N818 - the name the poller and lookup code against
    """TVmaze kept refusing (429), failing (5xx) or unreachable through every retry; try again next cycle."""


# -- rate limiting ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Slot:
    # None while the request is in flight: the server may see it at any moment until the response is
    # back, so the window can only start counting down from completion.
    free_at: float | None = None


class SlidingWindowLimiter:
    """At most ``max_calls`` requests in any ``period`` seconds, measured as TVmaze would see them.

    A request holds its slot from before it is sent until ``period`` after its response arrives, so
    however long a request spends queued for a connection or on the wire, no ``max_calls + 1``
    requests can reach the server within one window. Waiters are served in arrival order.
    """

    def __init__(self, max_calls: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        self._clock = clock
        self._slots: list[_Slot] = []
        # Only the lock holder waits for a slot, so later callers queue fairly behind it.
        self._lock = asyncio.Lock()
        self._released = asyncio.Event()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one request's place in the window for as long as the request is in flight."""
        held = await self._acquire()
        try:
            yield
        finally:
            held.free_at = self._clock() + self.period
            self._released.set()

    async def _acquire(self) -> _Slot:
        async with self._lock:
            while True:
                now = self._clock()
                self._slots = [s for s in self._slots if s.free_at is None or s.free_at > now]
                if len(self._slots) < self.max_calls:
                    held = _Slot()
                    self._slots.append(held)
                    return held
                expiries = [s.free_at for s in self._slots if s.free_at is not None]
                # All slots in flight: only a completion can free one, and it sets the event.
                wait = min(expiries) - now if expiries else None
                self._released.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._released.wait()


# -- the client ---------------------------------------------------------------------------------------------------


class TvmazeSource:
    """TVmaze's public API over one shared aiohttp session; meets ``ShowSource``.

    ``request_count`` counts every HTTP request sent (retries and redirect hops included), so a
    poller can check that a poll costs 1 + the number of changed shows. One exception: when the server
    drops a connection, aiohttp resends the GET once by itself; that resend happens inside the same
    limiter slot and is not counted.
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
        connection_limit: int = 4,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.base_url = yarl.URL(base_url.rstrip("/"))
        self.limiter = SlidingWindowLimiter(max_calls, period)
        self.backoff_base = backoff_base
        self.retries = retries
        self.user_agent = user_agent
        self.request_count = 0
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=min(timeout, 10.0))
        self._connection_limit = connection_limit
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this source created it; an injected session belongs to its owner."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: aiohttp wants a running event loop, and a source that is never used
        # (offline mode) should not hold a connector at all.
        if self._session is None or (self._owns_session and self._session.closed):
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connection_limit),
                headers={"User-Agent": self.user_agent},
                timeout=self._timeout,
            )
        return self._session

    # -- endpoints ------------------------------------------------------------------------------------------------

    async def search(self, query: str, limit: int = 10) -> list[Show]:
        """Shows whose names match ``query``, TVmaze's best first (at most 10: TVmaze does not page)."""
        query = query.strip()
        if not query or limit <= 0:
            return []
        found = await self._get("/search/shows", {"q": query})
        shows: list[Show] = []
        for row in _list(found):
            payload = row.get("show") if isinstance(row, Mapping) else None
            show = _show_or_none(payload)
            if show is not None:
                shows.append(show)
        return shows[:limit]

    async def singlesearch(self, query: str) -> Show | None:
        """TVmaze's single best match for ``query`` (with seasons and cast), or None."""
        query = query.strip()
        if not query:
            return None
        found = await self._get("/singlesearch/shows", [("q", query), *_embed_params()], missing_ok=True)
        return _show_or_none(found)

    async def lookup(self, *, imdb: str | None = None, thetvdb: int | None = None) -> Show | None:
        """The show with this IMDb or TheTVDB id, or None when TVmaze does not know it."""
        if (imdb is None) == (thetvdb is None):
            raise ValueError("look a show up by exactly one of imdb= or thetvdb=")
        params = {"imdb": imdb} if imdb is not None else {"thetvdb": str(thetvdb)}
        found = await self._get("/lookup/shows", params, missing_ok=True)
        return _show_or_none(found)

    async def show(self, tvmaze_id: int) -> Show | None:
        """One show with its seasons, cast and next episode embedded, or None when TVmaze has no such id."""
        found = await self._get(f"/shows/{int(tvmaze_id)}", _embed_params(), missing_ok=True)
        return _show_or_none(found)

    async def details(self, show: Show) -> Show | None:
        """The full record (seasons, cast) of a show found by search, which TVmaze lists without them."""
        return None if show.tvmaze_id is None else await self.show(show.tvmaze_id)

    async def episodes(self, show: Show) -> list[Episode]:
        """The show's regular episodes in TVmaze's order; specials are left out."""
        if show.tvmaze_id is None:
            return []
        found = await self._get(f"/shows/{int(show.tvmaze_id)}/episodes", None, missing_ok=True)
        episodes = (_episode_or_none(row) for row in _list(found))
        return [e for e in episodes if e is not None]

    async def seasons(self, tvmaze_id: int) -> list[SeasonInfo]:
        found = await self._get(f"/shows/{int(tvmaze_id)}/seasons", None, missing_ok=True)
        return _seasons(_list(found))

    async def akas(self, tvmaze_id: int) -> list[str]:
        """Other names of the show (any country), without duplicates."""
        found = await self._get(f"/shows/{int(tvmaze_id)}/akas", None, missing_ok=True)
        names: dict[str, None] = {}
        for row in _list(found):
            name = _text(row.get("name")) if isinstance(row, Mapping) else None
            if name:
                names.setdefault(name, None)
        return list(names)

    async def updates(self, since: Literal["day", "week", "month"]) -> dict[int, int]:
        """``{show id: last change (unix seconds)}`` for shows changed within the period."""
        if since not in UPDATE_PERIODS:
            raise ValueError(f"since must be one of {', '.join(UPDATE_PERIODS)}, got {since!r}")
        found = await self._get("/updates/shows", {"since": since})
        if not isinstance(found, Mapping):
            raise TvmazeError("the updates feed is not a JSON object")
        changed: dict[int, int] = {}
        for key, stamp in found.items():
            when = _int(stamp)
            if isinstance(key, str) and key.isdigit() and when is not None:
                changed[int(key)] = when
        return changed

    # -- transport ------------------------------------------------------------------------------------------------

    async def _get(
        self,
        path: str,
        params: Mapping[str, str] | list[tuple[str, str]] | None,
        *,
        missing_ok: bool = False,
    ) -> Any:
        """GET ``path`` as JSON with the rate limit and retry policy; None for a 404 when ``missing_ok``."""
        url = self.base_url.with_path(self.base_url.path.rstrip("/") + path)
        if params:
            url = url.extend_query(params)
        for _hop in range(_MAX_REDIRECTS + 1):
            status, location, body = await self._request_with_retries(url)
            if status in _REDIRECTS and location:
                target = url.join(yarl.URL(location))
                if target.origin() != self.base_url.origin():
                    raise TvmazeError(f"TVmaze redirected off-site to {target.origin()}")
                url = target
                continue
            if status == 404 and missing_ok:
                return None
            if status != 200:
                raise TvmazeError(f"TVmaze answered {status} for {path}")
            try:
                return json.loads(body)
            except ValueError as exc:
                raise TvmazeError(f"TVmaze sent a body that is not JSON for {path}") from exc
        raise TvmazeError(f"TVmaze redirected more than {_MAX_REDIRECTS} times for {path}")

    async def _request_with_retries(self, url: yarl.URL) -> tuple[int, str | None, bytes]:
        delays = [self.backoff_base * 2**n for n in range(self.retries)]
        attempt = 0
        while True:
            attempt += 1
            try:
                status, location, body = await self._request(url)
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError) as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                if status != 429 and status < 500:
                    return status, location, body
                problem = f"HTTP {status}"
            if attempt > len(delays):
                raise TvmazeUnavailable(f"TVmaze unavailable after {attempt} attempts ({problem}) for {url.path}")
            delay = delays[attempt - 1]
            log.warning("TVmaze %s for %s; retrying in %.3gs", problem, url.path, delay)
            await asyncio.sleep(delay)

    async def _request(self, url: yarl.URL) -> tuple[int, str | None, bytes]:
        session = self._client()
        async with self.limiter.slot():
            self.request_count += 1
            async with session.get(
                url,
                allow_redirects=False,  # each hop must pass the rate limiter and be counted
                headers={"User-Agent": self.user_agent},  # also when the session was injected
                timeout=self._timeout,
            ) as response:
                body = await response.read()
                return response.status, response.headers.get("Location"), body


def _embed_params() -> list[tuple[str, str]]:
    return [("embed[]", name) for name in SHOW_EMBEDS]


def _list(found: Any) -> list[Any]:
    if found is None:
        return []
    if not isinstance(found, list):
        raise TvmazeError("expected a JSON list from TVmaze")
    return found


def _show_or_none(payload: Any) -> Show | None:
    if payload is None:
        return None
    try:
        return show_from_tvmaze(payload)
    except (TvmazeError, TypeError, ValueError, KeyError):
        log.warning("skipping a TVmaze show record that does not fit: %.200r", payload, exc_info=True)
        return None


def _episode_or_none(payload: Any) -> Episode | None:
    try:
        return episode_from_tvmaze(payload)
    except (TvmazeError, TypeError, ValueError, KeyError):
        log.warning("skipping a TVmaze episode record that does not fit: %.200r", payload, exc_info=True)
        return None


# -- pure mappings ------------------------------------------------------------------------------------------------


def show_from_tvmaze(payload: Mapping[str, Any]) -> Show:
    """A TVmaze show record (optionally with ``_embedded`` seasons, cast, nextepisode) as a ``Show``.

    Missing or null fields stay unknown; embed keys are absent, not empty, when TVmaze has nothing.
    """
    if not isinstance(payload, Mapping):
        raise TvmazeError("a TVmaze show must be a JSON object")
    title = _text(payload.get("name"))
    tvmaze_id = _int(payload.get("id"))
    if not title or tvmaze_id is None:
        raise TvmazeError("a TVmaze show needs a name and an integer id")
    network = _mapping(payload.get("network"))
    web_channel = _mapping(payload.get("webChannel"))
    image = _mapping(payload.get("image"))
    embedded = _mapping(payload.get("_embedded")) or {}
    premiered = _date(payload.get("premiered"))
    country = _mapping((network or {}).get("country")) or _mapping((web_channel or {}).get("country")) or {}
    return Show(
        title=title,
        year=premiered.year if premiered else None,
        country=_text(country.get("code")),
        network=_text((network or {}).get("name")),
        platform=_text((web_channel or {}).get("name")),
        seasons=tuple(_seasons(embedded.get("seasons") or [])),
        status=_text(payload.get("status")),
        genres=tuple(g for g in (_text(g) for g in payload.get("genres") or []) if g),
        cast=tuple(_cast(embedded.get("cast") or [])),
        summary=html_to_text(payload.get("summary")),
        poster_url=_text((image or {}).get("original")) or _text((image or {}).get("medium")),
        source=ShowSource.TVMAZE,
        source_url=_text(payload.get("url")),
        tvmaze_id=tvmaze_id,
        extra=_extra(payload, embedded),
    )


def episode_from_tvmaze(payload: Mapping[str, Any]) -> Episode | None:
    """A regular TVmaze episode as an ``Episode``; None for specials (their ``number`` is null).

    ``airstamp`` is read with its own offset and returned in UTC; an empty ``airtime`` means TVmaze does
    not know the hour (streaming releases), so only the date is kept.
    """
    if not isinstance(payload, Mapping):
        raise TvmazeError("a TVmaze episode must be a JSON object")
    number = _int(payload.get("number"))
    season = _int(payload.get("season"))
    if payload.get("number") is None or payload.get("type", "regular") not in ("regular", None):
        return None
    if number is None or season is None:
        raise TvmazeError("a TVmaze episode needs integer season and number")
    airstamp = _airstamp(payload.get("airstamp")) if _text(payload.get("airtime")) else None
    return Episode(
        season=season,
        number=number,
        name=_text(payload.get("name")),
        airdate=_date(payload.get("airdate")),
        airstamp=airstamp,
        runtime=_int(payload.get("runtime")),
    )


def _seasons(rows: list[Any]) -> list[SeasonInfo]:
    seasons: dict[int, SeasonInfo] = {}
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        number = _int(row.get("number"))
        if number is None:
            continue
        seasons[number] = SeasonInfo(
            number=number,
            # An announced season has no order yet: unknown, not zero.
            episode_count=_int(row.get("episodeOrder")),
            premiere_date=_date(row.get("premiereDate")),
        )
    return [seasons[n] for n in sorted(seasons)]


def _cast(rows: list[Any]) -> list[CastMember]:
    cast: list[CastMember] = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        actor = _text((_mapping(row.get("person")) or {}).get("name"))
        if actor:
            cast.append(CastMember(actor=actor, character=_text((_mapping(row.get("character")) or {}).get("name"))))
    return cast


def _extra(payload: Mapping[str, Any], embedded: Mapping[str, Any]) -> dict[str, str]:
    # Facts the Show model has no field for but the poller and lookups can use.
    extra: dict[str, str] = {}
    for key in ("language", "type"):
        value = _text(payload.get(key))
        if value:
            extra[key] = value
    updated = _int(payload.get("updated"))
    if updated is not None:
        extra["updated"] = str(updated)
    externals = _mapping(payload.get("externals")) or {}
    for key in ("imdb", "thetvdb"):
        value = externals.get(key)
        external = _text(value) or (str(_int(value)) if _int(value) is not None else None)
        if external:
            extra[key] = external
    following = _mapping(embedded.get("nextepisode"))
    if following:
        with contextlib.suppress(TvmazeError, TypeError, ValueError, KeyError):
            upcoming = episode_from_tvmaze(following)
            if upcoming is not None:
                extra["next_episode"] = f"S{upcoming.season}E{upcoming.number}"
                if upcoming.airstamp is not None:
                    extra["next_airstamp"] = upcoming.airstamp.isoformat()
                elif upcoming.airdate is not None:
                    extra["next_airdate"] = upcoming.airdate.isoformat()
    return extra


def _mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _int(value: Any) -> int | None:
    # JSON true/false arrive as bool, which Python counts as int.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _date(value: Any) -> dt.date | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _airstamp(value: Any) -> dt.datetime | None:
    text = _text(value)
    if text is None:
        return None
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    # A stamp without an offset names no instant; guessing a zone would put the episode hours off.
    if stamp.tzinfo is None:
        return None
    return stamp.astimezone(dt.UTC)


# -- HTML summaries to plain text ---------------------------------------------------------------------------------

_BLOCK_TAGS: Final = frozenset({"p", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"})
_SPACES: Final = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES: Final = re.compile(r"\n{3,}")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        # Source newlines inside HTML are layout, not breaks.
        self.parts.append(data.replace("\n", " "))


def html_to_text(value: Any) -> str | None:
    """TVmaze's HTML summary as plain text: paragraphs kept as blank lines, tags dropped, entities decoded."""
    if not isinstance(value, str) or not value.strip():
        return None
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text or None
