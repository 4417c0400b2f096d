"""``SandboxServer``: an aiohttp app on 127.0.0.1 that serves Discord API v10 REST and the gateway.

It owns the ``World`` (all state), the ``Gateway``, the records tests read (violations, pings, unhandled
routes, requests) and the ``Driver`` that acts as Discord's users.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from aiohttp import web

from bot.sandbox.config import SandboxConfig
from bot.sandbox.driver import Driver
from bot.sandbox.gateway import Gateway
from bot.sandbox.openapi import OpenApiCheck
from bot.sandbox.ratelimit import Decision, RateLimits
from bot.sandbox.records import Changes, Ping, Records, RequestRecord, UnhandledRoute, Violation
from bot.sandbox.rest import API, ApiError, Context, RestApi
from bot.sandbox.rest.base import json_response, record_openapi
from bot.sandbox.state import User, World

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Routes that Discord authenticates by the token in the path, not by the Authorization header.
_TOKEN_IN_PATH = ("/api/v10/interactions/", "/api/v10/webhooks/")
_TOKEN_SEGMENT = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/?]+")


class SandboxServer:
    """A loopback stand-in for Discord. ``async with SandboxServer() as sandbox:`` starts and stops it.

    ``strict`` answers payload-rule violations with Discord's 400; without it they are only recorded.
    ``ack_deadline`` is the initial-response window (Discord: 3 s), ``followup_ttl`` the token lifetime
    (Discord: 15 min), ``heartbeat_interval`` the gateway's, in seconds.
    """

    def __init__(
        self,
        *,
        strict: bool = True,
        ack_deadline: float = 3.0,
        followup_ttl: float = 15 * 60,
        heartbeat_interval: float = 41.25,
        bot_name: str = "Sandbox Bot",
        bot_token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        openapi: OpenApiCheck | Path | None = None,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the sandbox only listens on loopback")
        self.config = SandboxConfig(strict=strict, ack_deadline=ack_deadline, followup_ttl=followup_ttl, host=host)
        self._requested_port = port
        self.world = World()
        self.records = Records()
        self.openapi = openapi if isinstance(openapi, OpenApiCheck) else _shared_check(openapi)
        self.gateway = Gateway(self.world, self.records, self.config, heartbeat_interval)
        self.rest = RestApi(Context(self.world, self.records, self.config, self.gateway, self.openapi))
        # Discord's rate limits: headers always, 429s once a test calls ``rate_limits.enable()``.
        self.rate_limits = RateLimits()
        # "METHOD /api/v10/template" -> status: Discord failing a route (an outage), until cleared.
        self.outages: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        bot = User(
            id=self.world.ids.next(),
            username=bot_name,
            bot=True,
            token=bot_token or f"sandbox.{secrets.token_urlsafe(24)}",
        )
        self.world.users[bot.id] = bot
        self.world.bot = bot
        self.world.application_id = bot.id
        self.driver = Driver(self.world, self.records, self.config, self.gateway, self.rest.messages)

    # ----- settings and records, as attributes of the server -----

    @property
    def strict(self) -> bool:
        return self.config.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self.config.strict = value

    @property
    def ack_deadline(self) -> float:
        return self.config.ack_deadline

    @ack_deadline.setter
    def ack_deadline(self, value: float) -> None:
        self.config.ack_deadline = value

    @property
    def followup_ttl(self) -> float:
        return self.config.followup_ttl

    @followup_ttl.setter
    def followup_ttl(self, value: float) -> None:
        self.config.followup_ttl = value

    @property
    def host(self) -> str:
        return self.config.host

    @property
    def port(self) -> int:
        return self.config.port

    @property
    def changes(self) -> Changes:
        return self.records.changes

    @property
    def violations(self) -> list[Violation]:
        return self.records.violations

    @property
    def pings(self) -> list[Ping]:
        return self.records.pings

    @property
    def unhandled(self) -> list[UnhandledRoute]:
        return self.records.unhandled

    @property
    def requests(self) -> list[RequestRecord]:
        return self.records.requests

    # ----- lifecycle -----

    @property
    def bot(self) -> User:
        bot = self.world.bot
        if bot is None:
            raise RuntimeError("the sandbox has no bot user")
        return bot

    @property
    def token(self) -> str:
        """The bot token a client must log in with."""
        return self.bot.token or ""

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: pass it to ``apply_api_base``."""
        return self.config.url

    @property
    def gateway_url(self) -> str:
        return self.config.gateway_url

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get("/gateway", self.gateway.handle)
        self.rest.add_routes(app.router)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        return app

    async def start(self) -> None:
        if self._runner is not None:
            return
        self._runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.config.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ----- records -----

    async def wait_violation(self, kind: str | None = None, timeout: float = 5.0) -> Violation:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """The first violation (of ``kind``) recorded, waiting for one if there is none yet."""
        return await self.records.wait_violation(kind, timeout)

    async def settle(self, *, quiet: float = 0.05, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """Wait until no request is in flight and nothing has changed for ``quiet`` seconds."""
        await self.records.settle(quiet=quiet, timeout=timeout)

    # ----- HTTP plumbing -----

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/gateway"):
            # A websocket lives as long as the connection: it is not a request in flight.
            return await handler(request)
        self.records.inflight += 1
        try:
            try:
                response: web.StreamResponse
                self._authenticate(request)
                limited = self._rate_limit(request)
                outage = self._outage(request)
                if outage is not None:
                    response = json_response({"message": f"{outage}: Service Unavailable", "code": 0}, status=outage)
                elif limited is not None and limited.refused is not None:
                    response = json_response(limited.refused, status=429)
                    response.headers.update(limited.headers)
                else:
                    response = await handler(request)
                    if limited is not None:
                        response.headers.update(limited.headers)
            except ApiError as error:
                response = error.response()
            finally:
                # Mismatches the handler did not get to (it refused the request first, or took no rules).
                record_openapi(self.records)
            self.records.requests.append(RequestRecord(request.method, request.path, response.status))
            return response
        finally:
            self.records.inflight -= 1
            self.records.changes.notify()

    def fail_route(self, route: str, status: int = 503) -> None:
        """Answer ``route`` ("POST /api/v10/channels/{channel_id}/messages") with ``status`` until ``clear_outages``."""
        self.outages[route] = status

    def clear_outages(self) -> None:
        self.outages.clear()

    def _outage(self, request: web.Request) -> int | None:
        if not self.outages or "tail" in request.match_info:
            return None
        resource = request.match_info.route.resource
        template = resource.canonical if resource is not None else request.path
        return self.outages.get(f"{request.method} {template}")

    def _rate_limit(self, request: web.Request) -> Decision | None:
        if not request.path.startswith(API + "/") or "tail" in request.match_info:
            return None
        resource = request.match_info.route.resource
        template = resource.canonical if resource is not None else request.path
        decision = self.rate_limits.check(request.method, template, dict(request.match_info))
        if decision is not None and decision.ignored_retry_after:
            self.records.record_violation(
                "rate_limit_ignored", "sent again before the retry_after of a 429", route=f"{request.method} {template}"
            )
        return decision

    def _authenticate(self, request: web.Request) -> None:
        path = request.path
        # Unknown routes are recorded whatever their headers say, so the catch-all ("tail") skips the check.
        if not path.startswith("/api/") or path.startswith(_TOKEN_IN_PATH) or "tail" in request.match_info:
            return
        header = request.headers.get("Authorization", "")
        expected = f"Bot {self.token}"
        if not secrets.compare_digest(header.encode(), expected.encode()):
            raise ApiError(401, 0, "401: Unauthorized")

    async def _unknown(self, request: web.Request) -> web.StreamResponse:
        self.records.unhandled.append(UnhandledRoute(request.method, request.path))
        # The path of an interaction or webhook route holds its token: the log gets it masked.
        log.warning("sandbox has no route for %s %s", request.method, _TOKEN_SEGMENT.sub(r"\1[token]", request.path))
        raise ApiError(404, 0, "404: Not Found")


_SHARED: dict[Path | None, OpenApiCheck | None] = {}


def _shared_check(path: Path | None) -> OpenApiCheck | None:
    """One parsed description per process: every sandbox a test run starts shares it (it is read-only)."""
    if path not in _SHARED:
        _SHARED[path] = OpenApiCheck.load(path)
    return _SHARED[path]
