"""What every REST resource of the sandbox shares: Discord's error answer, body reading (checked against the
OpenAPI description), snowflake parsing, and the guild, channel and permission look-ups."""

from __future__ import annotations

import asyncio
import contextvars
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox import rules
from bot.sandbox.config import SandboxConfig
from bot.sandbox.gateway import Gateway
from bot.sandbox.openapi import Mismatch, OpenApiCheck
from bot.sandbox.protocol import JSON
from bot.sandbox.records import Records
from bot.sandbox.state import DM, VIEW_CHANNEL, Channel, Guild, Interaction, User, World, permissions_in

API = "/api/v10"


class ApiError(Exception):
    """An error answer in Discord's shape: ``{"message": ..., "code": ...}`` (and ``errors`` for 50035)."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def response(self) -> web.Response:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return json_response(body, status=self.status)


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str | None


def snowflake(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise ApiError(400, 50035, "Invalid Form Body", {name: {"_errors": [{"code": "NUMBER_TYPE_COERCE"}]}})
    return int(raw)


def under(key: str, problems: list[rules.Problem]) -> list[rules.Problem]:
    """The same problems one level down, as Discord reports them for a callback's ``data``."""
    return [rules.Problem((key, *p.path), p.code, p.message) if p.path else p for p in problems]


def truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true")


def json_response(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json", no charset: discord.py only decodes JSON when the header is that string.
    # ASCII with escapes, as Discord sends it: a lone surrogate a bot sent stays a valid \\ud800 escape.
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, content_type="application/json")


def no_content() -> web.Response:
    return web.Response(status=204)


@dataclass
class _Pending:
    """OpenAPI mismatches of the body being handled, waiting for the sandbox's own rules to run first: a
    mistake both catch is reported once, by the rule with Discord's own wording."""

    route: str
    mismatches: list[Mismatch]
    covered: list[rules.Path] = field(default_factory=list)

    def uncovered(self) -> list[Mismatch]:
        def covers(own: rules.Path, path: rules.Path) -> bool:
            shortest = min(len(own), len(path))
            return bool(own) and own[:shortest] == path[:shortest]

        return [m for m in self.mismatches if not any(covers(own, m.path) for own in self.covered)]


# Each request is handled in its own task, so this holds the pending mismatches of one request only.
_pending: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar("sandbox_openapi_pending", default=None)


def record_openapi(records: Records) -> list[rules.Problem]:
    """Record the mismatches of this request that no own rule reported; their problems, for a 400."""
    pending = _pending.get()
    if pending is None:
        return []
    _pending.set(None)
    problems: list[rules.Problem] = []
    for mismatch in pending.uncovered():
        problem = rules.Problem(mismatch.path, mismatch.code, mismatch.message)
        records.record_violation("openapi", mismatch.describe(), route=pending.route, problems=[problem])
        problems.append(problem)
    return problems


@dataclass
class Context:
    """What the resources work on: the world, the records, the settings, the gateway and the OpenAPI check."""

    world: World
    records: Records
    config: SandboxConfig
    gateway: Gateway
    openapi: OpenApiCheck | None

    @property
    def bot(self) -> User:
        bot = self.world.bot
        if bot is None:
            raise RuntimeError("the sandbox has no bot user")
        return bot


class Resource:
    """A group of routes; ``routes()`` lists ``(method, path under /api/v10, handler)``."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.world = context.world
        self.records = context.records

    def routes(self) -> list[tuple[str, str, Any]]:
        raise NotImplementedError

    @property
    def bot_id(self) -> int:
        return self.context.bot.id

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    async def read_body(self, request: web.Request, *, array: bool = False) -> tuple[Any, dict[int, Upload]]:
        """A JSON body (an object, or an ``array``), or a multipart one with ``payload_json`` and ``files[n]``
        parts, checked against Discord's OpenAPI description of the route."""
        body, uploads = await _read(request)
        resource = request.match_info.route.resource
        route = f"{request.method} {resource.canonical.removeprefix(API) if resource else request.path}"
        if not isinstance(body, list if array else dict):
            # Nothing else can be checked in a body of the wrong shape; Discord refuses it whatever the mode.
            code = "BASE_TYPE_ARRAY" if array else "DICT_TYPE_CONVERT"
            problem = rules.Problem((), code, "Only arrays may be used." if array else "Only dictionaries may be used.")
            self.records.record_violation("invalid_form_body", problem.message, route=route, problems=[problem])
            raise ApiError(400, 50035, "Invalid Form Body", rules.form_errors([problem]))
        shape = rules.shape_problems(body) if isinstance(body, dict) else []
        if shape:
            # The sandbox's own rules read these fields: a wrong type is refused before they run, whatever the mode.
            self.records.record_violation("invalid_form_body", shape[0].message, route=route, problems=shape)
            raise ApiError(400, 50035, "Invalid Form Body", rules.form_errors(shape))
        openapi = self.context.openapi
        if openapi is not None:
            mismatches = openapi.check(request.method, request.path.removeprefix(API), body)
            if mismatches:
                _pending.set(_Pending(route, mismatches))
            if any(m.keyword == "type" for m in mismatches):
                # A field of the wrong type (embeds as a string): the sandbox's own rules read the body's shape,
                # so it is refused before they run, as Discord refuses it, whatever the mode.
                problems = record_openapi(self.records)
                raise ApiError(400, 50035, "Invalid Form Body", rules.form_errors(problems))
        return body, uploads

    def enforce(self, problems: list[rules.Problem], route: str, interaction: Interaction | None = None) -> None:
        """Record rule breaches, the sandbox's own then the OpenAPI description's; in strict mode answer them
        as Discord does. A handler that reads a body calls this before it changes anything."""
        pending = _pending.get()
        if pending is not None:
            pending.covered += [p.path for p in problems]
        if not problems:
            extra = record_openapi(self.records)
            if extra and self.context.config.strict:
                raise ApiError(400, 50035, "Invalid Form Body", rules.form_errors(extra))
            return
        if any(p.code == "EMPTY_MESSAGE" for p in problems):
            self.records.record_violation(
                "empty_message", "Cannot send an empty message", route=route, problems=problems
            )
            raise ApiError(400, 50006, "Cannot send an empty message")
        detail = "; ".join(p.describe() for p in problems)
        self.records.record_violation(
            "invalid_form_body",
            detail,
            route=route,
            problems=problems,
            interaction_id=interaction.id if interaction else None,
        )
        if self.context.config.strict:
            raise ApiError(400, 50035, "Invalid Form Body", rules.form_errors(problems))

    def guild(self, guild_id: int) -> Guild:
        guild = self.world.guilds.get(guild_id)
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        if self.bot_id not in guild.members:
            raise ApiError(403, 50001, "Missing Access")
        return guild

    def channel(self, channel_id: int) -> Channel:
        channel = self.world.channels.get(channel_id)
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        if channel.type == DM:
            if self.bot_id not in channel.recipient_ids:
                raise ApiError(403, 50001, "Missing Access")
            return channel
        guild = self.guild(channel.guild_id or 0)
        if not permissions_in(guild, self.bot_id, channel) & VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        return channel

    def require(self, channel: Channel, permission: int, route: str) -> None:
        guild = self.world.guild_of(channel)
        if guild is None:
            return
        if permissions_in(guild, self.bot_id, channel) & permission != permission:
            self.records.record_violation("missing_permissions", f"bot lacks permission bits {permission}", route=route)
            raise ApiError(403, 50013, "Missing Permissions")


async def _read(request: web.Request) -> tuple[Any, dict[int, Upload]]:
    if request.content_type.startswith("multipart/"):
        payload: Any = {}
        uploads: dict[int, Upload] = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            if name == "payload_json":
                payload = _loads(await part.text())
            elif name.startswith("files[") and name.endswith("]") and name[6:-1].isdigit():
                content_type = part.headers.get("Content-Type")
                uploads[int(name[6:-1])] = Upload(part.filename or "file", bytes(await part.read()), content_type)
        return payload, uploads
    text = await request.text()
    if not text:
        return {}, {}
    return _loads(text), {}


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from exc
