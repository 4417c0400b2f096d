"""A loopback fake of TVmaze's API, serving ``tests/fixtures/tvmaze`` at the real paths.

It records every request and serves each fault the bot must survive on demand: 429 with Retry-After,
5xx, a hang, a delay, a dropped connection, truncated JSON, an HTML error page, a huge body; and, as data,
fields of the wrong type, javascript: links and episodes listed twice. It lets a test change a show while it
runs (add a season, set a premiere date, change the status), bumping the show in the updates feed the way
TVmaze does. ``FakeClock`` is the clock tests give the client, so no test waits for a back-off or a window.
Usage::

    async with FakeTvmaze() as fake:
        source = TvmazeSource(fake.url)
        fake.add_season(900001, premiere_date="2026-09-01")

Fixture files: ``show-<id>.json`` is ``/shows/<id>?embed[]=seasons&embed[]=cast`` (embed keys absent when
empty, as TVmaze sends them); ``episodes-<id>.json`` is ``/shows/<id>/episodes?specials=1``;
``akas-<id>.json`` is ``/shows/<id>/akas``; ``updates.json`` is ``/updates/shows`` (its timestamps are
shifted on start so the newest is "now", keeping the gaps, so ``since=day|week|month`` filter as live).
"""

from __future__ import annotations

import asyncio
import copy
import heapq
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tvmaze"
API = "https://api.tvmaze.com"
SITE = "https://www.tvmaze.com"
PERIODS = {"day": 86_400, "week": 7 * 86_400, "month": 30 * 86_400}
_UNSET: Any = object()
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the server saw it; ``at`` is the fake's ``stamp()`` on arrival (``time.monotonic()``)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    at: float

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)

    def params(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]


@dataclass(slots=True)
class Fault:
    """What the next matching ``remaining`` requests get instead of (or before) a normal answer."""

    status: int | None = None
    delay: float = 0.0
    disconnect: bool = False
    retry_after: str | None = None  # sent with a 429 or 503
    hang: bool = False  # no answer until the fake closes
    html: bool = False  # an HTML error page (with ``status``, default 200) instead of JSON
    truncate: bool = False  # the real answer cut in half, its length declared as cut
    huge: int = 0  # a JSON list of this many bytes instead of the answer
    declare_length: bool = True  # for ``huge``: send Content-Length (else chunked)
    raw: bytes | None = None  # exactly these bytes, as JSON, instead of the answer
    remaining: int | None = 1  # None: until cleared
    path: str | None = None  # only requests whose path starts with this


class FakeClock:
    """A clock for the client whose time moves only when a test says so (or, with ``autojump``, when slept on).

    ``slept`` lists every sleep asked for, so a test can check a back-off or a Retry-After was honoured.
    """

    def __init__(self, start: float = 1_000.0, *, autojump: bool = False) -> None:
        self._now = start
        self.autojump = autojump
        self.slept: list[float] = []
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if self.autojump:
            self.advance(max(seconds, 0.0))
            await asyncio.sleep(0)
            return
        wake = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + max(seconds, 0.0), next(self._order), wake))
        self._wake_due()
        await wake

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._wake_due()

    @property
    def sleeping(self) -> int:
        return sum(1 for _, _, wake in self._sleepers if not wake.done())

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, wake = heapq.heappop(self._sleepers)
            if not wake.done():
                wake.set_result(None)


class FakeTvmaze:
    def __init__(
        self,
        fixtures: Path = FIXTURES,
        *,
        clock: Callable[[], float] = time.time,
        stamp: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        # What ``RecordedRequest.at`` reads: a test on a fake clock passes that clock's ``now`` to see its windows.
        self.stamp = stamp
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.shows: dict[int, dict[str, Any]] = {}
        self.seasons: dict[int, list[dict[str, Any]]] = {}
        self.cast: dict[int, list[dict[str, Any]]] = {}
        self.episodes: dict[int, list[dict[str, Any]]] = {}
        self.akas: dict[int, list[dict[str, Any]]] = {}
        self.updates: dict[int, int] = {}
        # TVmaze's search forgives misspellings, which the word rule below does not: a query listed here finds these
        # shows (by id, best first) as TVmaze would find them for it.
        self.misspelt: dict[str, list[int]] = {}
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.url = ""
        self._load(fixtures)

    # -- lifecycle ------------------------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeTvmaze:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/search/shows", self._search)
        app.router.add_get("/singlesearch/shows", self._singlesearch)
        app.router.add_get("/lookup/shows", self._lookup)
        app.router.add_get(r"/shows/{id:\d+}", self._show)
        app.router.add_get(r"/shows/{id:\d+}/episodes", self._episodes)
        app.router.add_get(r"/shows/{id:\d+}/seasons", self._seasons)
        app.router.add_get(r"/shows/{id:\d+}/cast", self._cast)
        app.router.add_get(r"/shows/{id:\d+}/akas", self._akas)
        app.router.add_get("/updates/shows", self._updates)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        self._closing.set()  # hung requests end now
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- inspection -----------------------------------------------------------------------------------------------

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def busiest_window(self, seconds: float = 10.0) -> int:
        """The most requests that arrived within any ``seconds`` (by ``at``): what TVmaze's rate limit counts."""
        stamps = sorted(r.at for r in self.requests)
        most, start = 0, 0
        for end, at in enumerate(stamps):
            while at - stamps[start] >= seconds:
                start += 1
            most = max(most, end - start + 1)
        return most

    # -- fault injection ------------------------------------------------------------------------------------------

    def fail_next(
        self, count: int = 1, status: int = 429, *, path: str | None = None, retry_after: str | None = None
    ) -> None:
        """The next ``count`` requests (to ``path``...) are answered with ``status`` (and Retry-After, if given)."""
        self.faults.append(Fault(status=status, remaining=count, path=path, retry_after=retry_after))

    def fail_always(self, status: int = 429, *, path: str | None = None, retry_after: str | None = None) -> None:
        self.faults.append(Fault(status=status, remaining=None, path=path, retry_after=retry_after))

    def hang(self, count: int | None = None, *, path: str | None = None) -> None:
        """Requests get no answer at all until the fake closes (every one, unless ``count`` is given)."""
        self.faults.append(Fault(hang=True, remaining=count, path=path))

    def html_error_next(self, count: int | None = 1, status: int = 200, *, path: str | None = None) -> None:
        """An HTML error page, as a proxy in front of TVmaze may send, with ``status``."""
        self.faults.append(Fault(html=True, status=status, remaining=count, path=path))

    def truncate_next(self, count: int | None = 1, *, path: str | None = None) -> None:
        """The real answer cut off half-way (a well-formed HTTP response carrying broken JSON)."""
        self.faults.append(Fault(truncate=True, remaining=count, path=path))

    def raw_next(self, body: bytes, count: int | None = 1, *, path: str | None = None) -> None:
        """Exactly ``body``, labelled JSON with status 200, whatever it holds."""
        self.faults.append(Fault(raw=body, remaining=count, path=path))

    def huge_next(
        self, size: int, count: int | None = 1, *, path: str | None = None, declare_length: bool = True
    ) -> None:
        """A valid JSON list of ``size`` bytes, streamed; with or without its Content-Length."""
        self.faults.append(Fault(huge=size, declare_length=declare_length, remaining=count, path=path))

    def delay_next(self, count: int, seconds: float, *, path: str | None = None) -> None:
        """The next ``count`` requests are answered normally after ``seconds``."""
        self.faults.append(Fault(delay=seconds, remaining=count, path=path))

    def disconnect_next(self, count: int = 1, *, path: str | None = None) -> None:
        """The next ``count`` requests have their connection closed without an answer."""
        self.faults.append(Fault(disconnect=True, remaining=count, path=path))

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- changing the data at run time ----------------------------------------------------------------------------

    def touch(self, show_id: int, at: int | None = None) -> int:
        """Mark the show changed now (or at ``at``), in its ``updated`` field and in the updates feed."""
        previous = self.updates.get(show_id, 0)
        stamp = at if at is not None else max(int(self.clock()), previous + 1)
        self.updates[show_id] = stamp
        if show_id in self.shows:
            self.shows[show_id]["updated"] = stamp
        return stamp

    def add_show(
        self,
        payload: Mapping[str, Any],
        *,
        seasons: Iterable[Mapping[str, Any]] = (),
        cast: Iterable[Mapping[str, Any]] = (),
        episodes: Iterable[Mapping[str, Any]] = (),
        akas: Iterable[Mapping[str, Any]] = (),
    ) -> int:
        show = copy.deepcopy(dict(payload))
        show_id = int(show["id"])
        embedded = show.pop("_embedded", {})
        self.shows[show_id] = show
        self.seasons[show_id] = [dict(s) for s in seasons] or list(embedded.get("seasons", []))
        self.cast[show_id] = [dict(c) for c in cast] or list(embedded.get("cast", []))
        self.episodes[show_id] = [dict(e) for e in episodes]
        self.akas[show_id] = [dict(a) for a in akas]
        self.touch(show_id)
        return show_id

    def remove_show(self, show_id: int) -> None:
        for table in (self.shows, self.seasons, self.cast, self.episodes, self.akas, self.updates):
            table.pop(show_id, None)

    def update_show(self, show_id: int, *, bump: bool = True, **fields: Any) -> dict[str, Any]:
        """Set top-level show fields (``status="Ended"``, ``network=None``...)."""
        show = self.shows[show_id]
        show.update(fields)
        if bump:
            self.touch(show_id)
        return show

    def set_status(self, show_id: int, status: str) -> None:
        self.update_show(show_id, status=status)

    def add_season(
        self,
        show_id: int,
        number: int | None = None,
        *,
        premiere_date: str | None = None,
        end_date: str | None = None,
        episode_order: int | None = None,
        bump: bool = True,
    ) -> dict[str, Any]:
        """List a new season (announced, with null dates and order, unless given); number defaults to next."""
        seasons = self.seasons.setdefault(show_id, [])
        number = number if number is not None else max((s["number"] for s in seasons), default=0) + 1
        season_id = show_id * 100 + number
        show = self.shows[show_id]
        season = {
            "id": season_id,
            "url": f"{SITE}/seasons/{season_id}/season-{number}",
            "number": number,
            "name": "",
            "episodeOrder": episode_order,
            "premiereDate": premiere_date,
            "endDate": end_date,
            "network": show.get("network"),
            "webChannel": show.get("webChannel"),
            "image": None,
            "summary": None,
            "_links": {"self": {"href": f"{API}/seasons/{season_id}"}},
        }
        seasons.append(season)
        seasons.sort(key=lambda s: s["number"])
        if bump:
            self.touch(show_id)
        return season

    def set_season(
        self,
        show_id: int,
        number: int,
        *,
        premiere_date: str | None = _UNSET,
        end_date: str | None = _UNSET,
        episode_order: int | None = _UNSET,
        bump: bool = True,
    ) -> dict[str, Any]:
        """Change a listed season; only the fields given change (pass None to clear one)."""
        season = next(s for s in self.seasons[show_id] if s["number"] == number)
        for key, value in (("premiereDate", premiere_date), ("endDate", end_date), ("episodeOrder", episode_order)):
            if value is not _UNSET:
                season[key] = value
        if bump:
            self.touch(show_id)
        return season

    def set_premiere_date(self, show_id: int, season: int, date: str | None) -> None:
        self.set_season(show_id, season, premiere_date=date)

    def add_episode(
        self,
        show_id: int,
        season: int,
        number: int | None,
        *,
        name: str = "TBA",
        airdate: str | None = None,
        airtime: str = "",
        airstamp: str | None = None,
        runtime: int | None = None,
        type: str = "regular",
        bump: bool = True,
    ) -> dict[str, Any]:
        episodes = self.episodes.setdefault(show_id, [])
        episode_id = show_id * 10_000 + len(episodes) + 1
        episode = {
            "id": episode_id,
            "url": f"{SITE}/episodes/{episode_id}",
            "name": name,
            "season": season,
            "number": number,
            "type": type,
            "airdate": airdate,
            "airtime": airtime,
            "airstamp": airstamp,
            "runtime": runtime,
            "rating": {"average": None},
            "image": None,
            "summary": None,
            "_links": {"self": {"href": f"{API}/episodes/{episode_id}"}},
        }
        episodes.append(episode)
        if bump:
            self.touch(show_id)
        return episode

    def mistype_show(self, show_id: int) -> None:
        """Give the show's fields the wrong JSON types, as a broken record upstream would."""
        self.update_show(
            show_id,
            genres="Drama",
            network=["KBS2"],
            webChannel="Netflix",
            premiered=20240304,
            status=["Running"],
            image="https://static.tvmaze.com/x.jpg",
            summary={"html": "<p>x</p>"},
            externals=None,
        )
        for season in self.seasons.get(show_id, []):
            season["episodeOrder"] = "eight"
        for row in self.cast.get(show_id, []):
            row["person"] = "Kang Min Jae"

    def poison_links(self, show_id: int) -> None:
        """Links and images that must never reach a card: script and plain-http URLs."""
        self.update_show(
            show_id,
            url="javascript:alert(document.cookie)",
            image={"medium": "http://static.tvmaze.com/m.jpg", "original": "javascript:alert(1)"},
        )

    def duplicate_episodes(self, show_id: int) -> None:
        """List every episode twice, the copy renamed, as TVmaze's data sometimes does."""
        rows = self.episodes.get(show_id, [])
        self.episodes[show_id] = rows + [{**row, "id": row["id"] + 5_000, "name": "Duplicate"} for row in rows]

    # -- loading --------------------------------------------------------------------------------------------------

    def _load(self, fixtures: Path) -> None:
        for path in sorted(fixtures.glob("show-*.json")):
            payload = _read(path)
            show_id = int(payload["id"])
            embedded = payload.pop("_embedded", {})
            self.shows[show_id] = payload
            self.seasons[show_id] = embedded.get("seasons", [])
            self.cast[show_id] = embedded.get("cast", [])
            self.episodes[show_id] = _read_optional(fixtures / f"episodes-{show_id}.json")
            self.akas[show_id] = _read_optional(fixtures / f"akas-{show_id}.json")
        feed = _read(fixtures / "updates.json") if (fixtures / "updates.json").exists() else {}
        if feed:
            shift = int(self.clock()) - max(feed.values())
            self.updates = {int(k): v + shift for k, v in feed.items()}
        for show_id, show in self.shows.items():
            if show_id in self.updates:
                show["updated"] = self.updates[show_id]

    # -- serving --------------------------------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=tuple(request.query.items()),
                headers=dict(request.headers),
                at=self.stamp(),
            )
        )
        fault = self._take_fault(request.path)
        if fault is not None:
            if fault.hang:
                await self._closing.wait()
                return web.Response(status=504)
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.disconnect:
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
            if fault.raw is not None:
                return web.Response(body=fault.raw, content_type="application/json")
            if fault.huge:
                return await _huge(request, fault.huge, declare_length=fault.declare_length)
            if fault.html:
                page = f"<html><body><h1>{fault.status or 200} Gateway trouble</h1><p>Cloud error</p></body></html>"
                return web.Response(status=fault.status or 200, text=page, content_type="text/html")
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            if fault.status == 429:
                return web.json_response(
                    {"name": "Too Many Requests", "message": "Rate limit exceeded", "code": 0, "status": 429},
                    status=429,
                    headers=headers,
                )
            if fault.status is not None:
                return web.Response(status=fault.status, text=f"{fault.status} from FakeTvmaze", headers=headers)
        response = await handler(request)
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
        if fault is not None and fault.truncate and isinstance(response, web.Response) and response.body:
            whole = bytes(response.body)  # type: ignore[arg-type]
            response.body = whole[: len(whole) // 2]
        return response

    def _take_fault(self, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.path is not None and not path.startswith(fault.path):
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
            return fault
        return None

    async def _search(self, request: web.Request) -> web.Response:
        query = request.query.get("q", "").strip().casefold()
        if not query:
            return _json({"name": "Bad Request", "message": "Missing required parameters: q", "status": 400}, 400)
        return _json([{"score": score, "show": self.shows[i]} for score, i in self._matches(query)[:10]])

    async def _singlesearch(self, request: web.Request) -> web.Response:
        matches = self._matches(request.query.get("q", "").strip().casefold())
        if not matches:
            return _json(None, 404)
        return _json(self._with_embeds(matches[0][1], request))

    async def _lookup(self, request: web.Request) -> web.Response:
        for key in ("imdb", "thetvdb", "tvrage"):
            wanted = request.query.get(key)
            if wanted is None:
                continue
            for show_id, show in self.shows.items():
                if str((show.get("externals") or {}).get(key)) == wanted:
                    raise web.HTTPMovedPermanently(f"{self.url}/shows/{show_id}")
        return _json(None, 404)

    async def _show(self, request: web.Request) -> web.Response:
        show_id = int(request.match_info["id"])
        if show_id not in self.shows:
            return _json(None, 404)
        return _json(self._with_embeds(show_id, request))

    async def _episodes(self, request: web.Request) -> web.Response:
        show_id = int(request.match_info["id"])
        if show_id not in self.shows:
            return _json(None, 404)
        specials = request.query.get("specials") == "1"
        return _json([e for e in self.episodes.get(show_id, []) if specials or e.get("number") is not None])

    async def _seasons(self, request: web.Request) -> web.Response:
        return self._listing(request, self.seasons)

    async def _cast(self, request: web.Request) -> web.Response:
        return self._listing(request, self.cast)

    async def _akas(self, request: web.Request) -> web.Response:
        return self._listing(request, self.akas)

    async def _updates(self, request: web.Request) -> web.Response:
        since = request.query.get("since")
        if since is not None and since not in PERIODS:
            return _json({"name": "Bad Request", "message": "Invalid since value", "status": 400}, 400)
        cutoff = int(self.clock()) - PERIODS[since] if since else None
        feed = {str(k): v for k, v in sorted(self.updates.items()) if cutoff is None or v >= cutoff}
        return _json(feed)

    async def _not_found(self, request: web.Request) -> web.Response:
        return _json(None, 404)

    def _listing(self, request: web.Request, table: dict[int, list[dict[str, Any]]]) -> web.Response:
        show_id = int(request.match_info["id"])
        if show_id not in self.shows:
            return _json(None, 404)
        return _json(table.get(show_id, []))

    def _matches(self, query: str) -> list[tuple[float, int]]:
        if query in self.misspelt:
            return [(0.5, show_id) for show_id in self.misspelt[query] if show_id in self.shows]
        # TVmaze matches show names only (not akas); every word of the query must appear.
        words = query.split()
        if not words:
            return []
        found = []
        for show_id, show in self.shows.items():
            name = str(show.get("name", "")).casefold()
            if all(word in name for word in words):
                found.append((round(len(query) / max(len(name), 1), 4), show_id))
        return sorted(found, key=lambda m: (-m[0], m[1]))

    def _with_embeds(self, show_id: int, request: web.Request) -> dict[str, Any]:
        show = copy.deepcopy(self.shows[show_id])
        wanted = request.query.getall("embed[]", []) + request.query.getall("embed", [])
        embedded: dict[str, Any] = {}
        for name in wanted:
            value = self._embed(show_id, show, name)
            # TVmaze leaves an empty embed out rather than sending [] or null.
            if value:
                embedded[name] = value
        if embedded:
            show["_embedded"] = embedded
        return show

    def _embed(self, show_id: int, show: dict[str, Any], name: str) -> Any:
        if name in ("seasons", "cast", "akas"):
            return copy.deepcopy({"seasons": self.seasons, "cast": self.cast, "akas": self.akas}[name].get(show_id))
        if name == "episodes":
            return [e for e in self.episodes.get(show_id, []) if e.get("number") is not None]
        if name in ("nextepisode", "previousepisode"):
            href = (show.get("_links") or {}).get(name, {}).get("href", "")
            episode_id = href.rsplit("/", 1)[-1]
            return next((e for e in self.episodes.get(show_id, []) if str(e["id"]) == episode_id), None)
        return None


UNTIL_TIMEOUT = 20.0


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run (loopback I/O included) until ``condition`` holds; fails rather than hangs."""
    async with asyncio.timeout(UNTIL_TIMEOUT):
        # Polled: the condition spans the fake clock, the limiter and sockets, which share no event.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


def settled(calls: Iterable[asyncio.Future[Any]], limiter: Any, clock: FakeClock) -> bool:
    """Every call is done, or each one left waits for its turn while the limiter sleeps on the fake clock."""
    left = sum(not c.done() for c in calls)
    return left == 0 or (clock.sleeping == 1 and limiter.waiting == left)


async def _huge(request: web.Request, size: int, *, declare_length: bool) -> web.StreamResponse:
    # A valid JSON list of strings, written in chunks, so a client reading all of it pays the full price.
    chunk = 64 * 1024
    item = b'"' + b"x" * (chunk - 4) + b'",'
    count = max(1, size // len(item))
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    if declare_length:
        response.content_length = 1 + count * len(item) - 1 + 1
    await response.prepare(request)
    try:
        await response.write(b"[")
        for i in range(count):
            await response.write(item if i < count - 1 else item[:-1])
        await response.write(b"]")
        await response.write_eof()
    except (ConnectionResetError, ConnectionError):
        pass  # the client stopped reading, as it should
    return response


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False).encode(),
        content_type="application/json",
        charset="utf-8",
    )


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _read_optional(path: Path) -> Any:
    return _read(path) if path.exists() else []
