"""The sandbox's REST API under ``/api/v10``: the routes discord.py calls, answered with Discord's JSON shapes.

Payload rules come from ``rules``; every breach is recorded on the server, and in strict mode answered the
way Discord answers it (400 with code 50035 and the nested ``errors`` tree).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from bot.sandbox import rules
from bot.sandbox.state import (
    ATTACH_FILES,
    CREATE_EVENTS,
    DM,
    EPHEMERAL,
    IS_COMPONENTS_V2,
    JSON,
    LOADING,
    MANAGE_EVENTS,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SUPPRESS_EMBEDS,
    SUPPRESS_NOTIFICATIONS,
    VIEW_CHANNEL,
    Attachment,
    Channel,
    Guild,
    Interaction,
    Message,
    Ping,
    attachment_payload,
    channel_payload,
    guild_payload,
    iso,
    member_payload,
    permissions_in,
    role_payload,
    self_user_payload,
    user_payload,
    utcnow,
)

if TYPE_CHECKING:
    from aiohttp.web_urldispatcher import UrlDispatcher

    from bot.sandbox.server import SandboxServer

API = "/api/v10"
COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
# Message types: a reply to a slash command, and a plain message / reply.
CHAT_INPUT_COMMAND = 20
DEFAULT = 0
REPLY = 19


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
        return _json(body, status=self.status)


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str | None


def _snowflake(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise ApiError(400, 50035, "Invalid Form Body", {name: {"_errors": [{"code": "NUMBER_TYPE_COERCE"}]}})
    return int(raw)


def _under(key: str, problems: list[rules.Problem]) -> list[rules.Problem]:
    """The same problems one level down, as Discord reports them for a callback's ``data``."""
    return [rules.Problem((key, *p.path), p.code, p.message) if p.path else p for p in problems]


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true")


def _json(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json", no charset: discord.py only decodes JSON when the header is that string.
    body = json.dumps(data, ensure_ascii=False).encode()
    return web.Response(body=body, status=status, content_type="application/json")


def _no_content() -> web.Response:
    return web.Response(status=204)


async def read_body(request: web.Request) -> tuple[Any, dict[int, Upload]]:
    """A JSON body, or a multipart one with ``payload_json`` and ``files[n]`` parts."""
    if request.content_type.startswith("multipart/"):
        payload: Any = {}
        uploads: dict[int, Upload] = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            if name == "payload_json":
                payload = json.loads(await part.text())
            elif name.startswith("files[") and name.endswith("]") and name[6:-1].isdigit():
                content_type = part.headers.get("Content-Type")
                uploads[int(name[6:-1])] = Upload(part.filename or "file", bytes(await part.read()), content_type)
        return payload, uploads
    text = await request.text()
    if not text:
        return {}, {}
    try:
        return json.loads(text), {}
    except ValueError as exc:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from exc


class RestApi:
    """Route handlers; state lives on the server's ``World``."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.world = server.world

    def add_routes(self, router: UrlDispatcher) -> None:
        routes: list[tuple[str, str, Any]] = [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/@me/guilds", self.get_my_guilds),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/users/{user_id}", self.get_user),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", "/applications/{app_id}/commands", self.list_commands),
            ("PUT", "/applications/{app_id}/commands", self.put_commands),
            ("POST", "/applications/{app_id}/commands", self.upsert_command),
            ("GET", "/applications/{app_id}/commands/{command_id}", self.get_command),
            ("PATCH", "/applications/{app_id}/commands/{command_id}", self.edit_command),
            ("DELETE", "/applications/{app_id}/commands/{command_id}", self.delete_command),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self.list_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self.put_commands),
            ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", self.upsert_command),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}", self.get_command),
            ("PATCH", "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}", self.edit_command),
            ("DELETE", "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}", self.delete_command),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback),
            ("POST", "/webhooks/{app_id}/{token}", self.create_followup),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self.get_webhook_message),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self.edit_webhook_message),
            ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self.delete_webhook_message),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("GET", "/channels/{channel_id}/messages", self.list_messages),
            ("POST", "/channels/{channel_id}/messages", self.create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ("POST", "/channels/{channel_id}/typing", self.typing),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/members", self.list_members),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            ("GET", "/guilds/{guild_id}/roles", self.get_roles),
            ("GET", "/guilds/{guild_id}/scheduled-events", self.list_events),
            ("POST", "/guilds/{guild_id}/scheduled-events", self.create_event),
            ("GET", "/guilds/{guild_id}/scheduled-events/{event_id}", self.get_event),
            ("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}", self.edit_event),
            ("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}", self.delete_event),
        ]
        for method, path, handler in routes:
            router.add_route(method, API + path, handler)
        router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self.get_attachment)

    # ----- shared helpers -----

    @property
    def bot_id(self) -> int:
        return self.server.bot.id

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def enforce(self, problems: list[rules.Problem], route: str, interaction: Interaction | None = None) -> None:
        """Record rule breaches; in strict mode answer them as Discord does."""
        if not problems:
            return
        if any(p.code == "EMPTY_MESSAGE" for p in problems):
            self.server.record_violation(
                "empty_message", "Cannot send an empty message", route=route, problems=problems
            )
            raise ApiError(400, 50006, "Cannot send an empty message")
        detail = "; ".join(p.describe() for p in problems)
        self.server.record_violation(
            "invalid_form_body",
            detail,
            route=route,
            problems=problems,
            interaction_id=interaction.id if interaction else None,
        )
        if self.server.strict:
            raise ApiError(400, 50035, "Invalid Form Body", rules.form_errors(problems))

    def _guild(self, guild_id: int) -> Guild:
        guild = self.world.guilds.get(guild_id)
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        if self.bot_id not in guild.members:
            raise ApiError(403, 50001, "Missing Access")
        return guild

    def _channel(self, channel_id: int) -> Channel:
        channel = self.world.channels.get(channel_id)
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        if channel.type == DM:
            if self.bot_id not in channel.recipient_ids:
                raise ApiError(403, 50001, "Missing Access")
            return channel
        guild = self._guild(channel.guild_id or 0)
        if not permissions_in(guild, self.bot_id, channel) & VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        return channel

    def _require(self, channel: Channel, permission: int, route: str) -> None:
        guild = self.world.guild_of(channel)
        if guild is None:
            return
        if permissions_in(guild, self.bot_id, channel) & permission != permission:
            self.server.record_violation("missing_permissions", f"bot lacks permission bits {permission}", route=route)
            raise ApiError(403, 50013, "Missing Permissions")

    def message_payload(self, message: Message) -> JSON:
        world = self.world
        author = world.users[message.author_id]
        data: JSON = {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            "author": user_payload(author),
            "content": message.content,
            "timestamp": iso(message.timestamp),
            "edited_timestamp": iso(message.edited_timestamp) if message.edited_timestamp else None,
            "tts": message.tts,
            "mention_everyone": message.mention_everyone,
            "mentions": [user_payload(world.users[u]) for u in message.mention_user_ids if u in world.users],
            "mention_roles": [str(r) for r in message.mention_role_ids],
            "attachments": [attachment_payload(a, self.server.url, message.channel_id) for a in message.attachments],
            "embeds": message.embeds,
            "reactions": [],
            "pinned": False,
            "type": message.type,
            "flags": message.flags,
            "components": message.components,
        }
        if message.nonce is not None:
            data["nonce"] = message.nonce
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
            guild = world.guilds.get(message.guild_id)
            member = guild.members.get(message.author_id) if guild else None
            if member is not None:
                data["member"] = member_payload(member, author, with_user=False)
        if message.webhook_id is not None:
            data["webhook_id"] = str(message.webhook_id)
        if message.application_id is not None:
            data["application_id"] = str(message.application_id)
        interaction = world.interactions.get(message.interaction_id or 0)
        if interaction is not None:
            user = world.users[interaction.user_id]
            owners = {"0": str(interaction.guild_id)} if interaction.guild_id else {"1": str(user.id)}
            metadata: JSON = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": user_payload(user),
                "authorizing_integration_owners": owners,
            }
            if interaction.original_id and interaction.original_id != message.id:
                metadata["original_response_message_id"] = str(interaction.original_id)
            if interaction.type == 3 and interaction.message_id:
                metadata["interacted_message_id"] = str(interaction.message_id)
            if interaction.type == 2:
                metadata["name"] = interaction.data.get("name", "")
            data["interaction_metadata"] = metadata
        return data

    def _attachments(self, body: JSON, uploads: dict[int, Upload], existing: list[Attachment]) -> list[Attachment]:
        ids = self.world.ids
        spec = body.get("attachments")
        if spec is None:
            new = [Attachment(ids.next(), u.filename, u.data, u.content_type) for _, u in sorted(uploads.items())]
            return [*existing, *new]
        kept = {a.id: a for a in existing}
        result: list[Attachment] = []
        for item in spec:
            ref = int(item.get("id", -1))
            upload = uploads.get(ref)
            if upload is not None:
                filename = item.get("filename") or upload.filename
                result.append(
                    Attachment(ids.next(), filename, upload.data, upload.content_type, item.get("description"))
                )
            elif ref in kept:
                result.append(kept[ref])
        return result

    async def _dispatch_message(self, event: str, message: Message) -> None:
        if message.ephemeral:
            return
        if event == "MESSAGE_DELETE":
            data: JSON = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                data["guild_id"] = str(message.guild_id)
        else:
            data = self.message_payload(message)
        await self.server.gateway.dispatch(event, data, guild_id=message.guild_id, dm=message.guild_id is None)

    async def post_message(
        self,
        channel: Channel,
        author_id: int,
        body: JSON,
        uploads: dict[int, Upload],
        *,
        interaction: Interaction | None = None,
        message_type: int = DEFAULT,
        extra_flags: int = 0,
    ) -> Message:
        """Store a new message, record its pings and dispatch MESSAGE_CREATE (ephemeral ones stay private)."""
        allowed_flags = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2
        if interaction is not None:
            allowed_flags |= EPHEMERAL
        flags = (int(body.get("flags") or 0) & allowed_flags) | extra_flags
        embeds = [{"type": "rich", **e} for e in body.get("embeds") or []]
        message = Message(
            id=self.world.ids.next(),
            channel_id=channel.id,
            author_id=author_id,
            guild_id=channel.guild_id,
            content=body.get("content") or "",
            embeds=embeds,
            components=list(body.get("components") or []),
            attachments=self._attachments(body, uploads, []),
            flags=flags,
            type=message_type,
            tts=bool(body.get("tts")),
            nonce=str(body["nonce"]) if body.get("nonce") is not None else None,
        )
        if interaction is not None:
            message.interaction_id = interaction.id
            message.webhook_id = self.world.application_id
            message.application_id = self.world.application_id
            if message.ephemeral:
                message.visible_to = interaction.user_id
        # Only the bot's own messages are the subject of ping records; ephemeral and "thinking" ones notify nobody.
        notify = author_id == self.bot_id and not message.ephemeral and not message.loading
        self._apply_mentions(message, body.get("allowed_mentions"), notify=notify)
        self.world.messages[message.id] = message
        channel.last_message_id = message.id
        await self._dispatch_message("MESSAGE_CREATE", message)
        return message

    def _apply_mentions(self, message: Message, allowed: Any, *, notify: bool) -> None:
        mentions = rules.resolve_mentions(message.content, allowed)
        message.mention_user_ids = list(mentions.user_ids)
        message.mention_role_ids = list(mentions.role_ids)
        message.mention_everyone = mentions.everyone or mentions.here
        if notify and mentions.any:
            self.server.pings.append(
                Ping(
                    message_id=message.id,
                    channel_id=message.channel_id,
                    user_ids=list(mentions.user_ids),
                    role_ids=list(mentions.role_ids),
                    everyone=mentions.everyone,
                    here=mentions.here,
                )
            )

    async def apply_edit(self, message: Message, body: JSON, uploads: dict[int, Upload]) -> Message:
        """Change a message in place, keeping the previous state in ``history``."""
        was_loading = message.loading
        message.history.append(message.snapshot())
        if "content" in body:
            message.content = body.get("content") or ""
            # Edits do not notify anyone, but the mention fields follow the new content.
            self._apply_mentions(message, body.get("allowed_mentions"), notify=False)
        if "embeds" in body:
            message.embeds = [{"type": "rich", **e} for e in body.get("embeds") or []]
        if "components" in body:
            message.components = list(body.get("components") or [])
        if "flags" in body and body["flags"] is not None:
            changeable = SUPPRESS_EMBEDS | IS_COMPONENTS_V2
            message.flags = (message.flags & ~changeable) | (int(body["flags"]) & changeable)
        if "attachments" in body or uploads:
            message.attachments = self._attachments(body, uploads, message.attachments)
        message.flags &= ~LOADING
        if not was_loading:
            message.edited_timestamp = utcnow()
        await self._dispatch_message("MESSAGE_UPDATE", message)
        self.server.changes.notify()
        return message

    # ----- users, application, gateway -----

    async def get_me(self, request: web.Request) -> web.Response:
        return _json(self_user_payload(self.server.bot))

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.world.users.get(_snowflake(request, "user_id"))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return _json(user_payload(user))

    async def get_my_guilds(self, request: web.Request) -> web.Response:
        guilds = [g for g in self.world.guilds.values() if self.bot_id in g.members]
        return _json(
            [
                {
                    "id": str(g.id),
                    "name": g.name,
                    "icon": None,
                    "banner": None,
                    "owner": g.owner_id == self.bot_id,
                    "permissions": str(permissions_in(g, self.bot_id, None)),
                    "features": [],
                }
                for g in guilds
            ]
        )

    async def create_dm(self, request: web.Request) -> web.Response:
        body, _ = await read_body(request)
        recipient = self.world.users.get(int(body.get("recipient_id") or 0))
        if recipient is None:
            raise ApiError(404, 10013, "Unknown User")
        channel = self.server.driver.dm_channel(recipient)
        return _json(channel_payload(channel, self.world.users))

    async def get_application(self, request: web.Request) -> web.Response:
        bot = self.server.bot
        return _json(
            {
                "id": str(self.world.application_id),
                "name": bot.username,
                "icon": None,
                "description": "A Discord application served by the sandbox.",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "bot": user_payload(bot),
                "owner": user_payload(bot),
                "team": None,
                "verify_key": "0" * 64,
                "flags": self.world.application_flags,
                "tags": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "approximate_guild_count": sum(1 for g in self.world.guilds.values() if bot.id in g.members),
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        return _json({"url": self.server.gateway_url.rstrip("/")})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        return _json(
            {
                "url": self.server.gateway_url.rstrip("/"),
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }
        )

    # ----- application commands -----

    def _command_scope(self, request: web.Request) -> int | None:
        if _snowflake(request, "app_id") != self.world.application_id:
            raise ApiError(403, 50001, "Missing Access")
        if "guild_id" in request.match_info:
            return self._guild(_snowflake(request, "guild_id")).id
        return None

    def _store_command(self, scope: int | None, body: JSON, existing: JSON | None) -> JSON:
        command: JSON = {
            "id": existing["id"] if existing else str(self.world.ids.next()),
            "application_id": str(self.world.application_id),
            "version": "",
            "type": body.get("type", 1),
            "name": body.get("name", ""),
            "name_localizations": body.get("name_localizations") or None,
            "description": body.get("description", ""),
            "description_localizations": body.get("description_localizations") or None,
            "options": body.get("options") or [],
            "default_member_permissions": body.get("default_member_permissions"),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
            "nsfw": bool(body.get("nsfw", False)),
        }
        if scope is None:
            command["dm_permission"] = body.get("dm_permission", True)
        else:
            command["guild_id"] = str(scope)
        unchanged = existing is not None and {k: v for k, v in existing.items() if k != "version"} == {
            k: v for k, v in command.items() if k != "version"
        }
        command["version"] = existing["version"] if existing and unchanged else str(self.world.ids.next())
        self.world.commands.setdefault(scope, {})[int(command["id"])] = command
        return command

    def _find_command(self, scope: int | None, name: str, kind: int) -> JSON | None:
        return next(
            (c for c in self.world.commands.get(scope, {}).values() if c["name"] == name and c["type"] == kind),
            None,
        )

    async def list_commands(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        return _json(list(self.world.commands.get(scope, {}).values()))

    async def put_commands(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        body, _ = await read_body(request)
        if not isinstance(body, list):
            raise ApiError(400, 50035, "Invalid Form Body", {"_errors": [{"code": "BASE_TYPE_ARRAY"}]})
        self.enforce(check_commands(body), f"PUT {request.path}")
        old = self.world.commands.get(scope, {})
        self.world.commands[scope] = {}
        stored = []
        for item in body:
            kind = item.get("type", 1)
            existing = next((c for c in old.values() if c["name"] == item.get("name") and c["type"] == kind), None)
            stored.append(self._store_command(scope, item, existing))
        self.server.changes.notify()
        return _json(stored)

    async def upsert_command(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        body, _ = await read_body(request)
        self.enforce(check_commands([body]), f"POST {request.path}")
        existing = self._find_command(scope, body.get("name", ""), body.get("type", 1))
        command = self._store_command(scope, body, existing)
        self.server.changes.notify()
        return _json(command, status=200 if existing else 201)

    def _command(self, request: web.Request) -> tuple[int | None, JSON]:
        scope = self._command_scope(request)
        command = self.world.commands.get(scope, {}).get(_snowflake(request, "command_id"))
        if command is None:
            raise ApiError(404, 10063, "Unknown application command")
        return scope, command

    async def get_command(self, request: web.Request) -> web.Response:
        return _json(self._command(request)[1])

    async def edit_command(self, request: web.Request) -> web.Response:
        scope, command = self._command(request)
        body, _ = await read_body(request)
        merged = {**command, **body}
        self.enforce(check_commands([merged]), f"PATCH {request.path}")
        return _json(self._store_command(scope, merged, command))

    async def delete_command(self, request: web.Request) -> web.Response:
        scope, command = self._command(request)
        del self.world.commands[scope][int(command["id"])]
        self.server.changes.notify()
        return _no_content()

    # ----- interactions -----

    async def interaction_callback(self, request: web.Request) -> web.Response:
        route = "POST /interactions/{id}/{token}/callback"
        interaction = self.world.interactions.get(_snowflake(request, "interaction_id"))
        token = request.match_info["token"]
        if interaction is None or not secrets.compare_digest(token.encode(), interaction.token.encode()):
            raise ApiError(404, 10062, "Unknown interaction")
        body, uploads = await read_body(request)
        elapsed = self._now() - interaction.created
        if interaction.acknowledged:
            interaction.rejected.append("already acknowledged")
            self.server.record_violation(
                "double_ack",
                f"second initial response (type {body.get('type')}) after type {interaction.response_type}",
                route=route,
                interaction_id=interaction.id,
            )
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > self.server.ack_deadline:
            interaction.rejected.append("late")
            self.server.record_violation(
                "late_ack",
                f"initial response {elapsed:.2f}s after the interaction (deadline {self.server.ack_deadline}s)",
                route=route,
                interaction_id=interaction.id,
            )
            raise ApiError(404, 10062, "Unknown interaction")
        kind = body.get("type")
        data = body.get("data") or {}
        self._check_callback_type(interaction, kind, route)
        if kind == 4:
            problems = rules.check_message(data, creating=True, has_files=bool(uploads))
            self.enforce(_under("data", problems), route, interaction)
        elif kind == 7:
            self.enforce(_under("data", rules.check_message(data, creating=False)), route, interaction)
        elif kind == 8:
            self.enforce(rules.check_autocomplete(data), route, interaction)
        elif kind == 9:
            self.enforce(rules.check_modal(data), route, interaction)
        # Acknowledge before any await, so that a concurrent second callback sees it.
        interaction.response_type = kind
        interaction.responded = self._now()
        message = await self._perform_callback(interaction, kind, data, uploads)
        self.server.changes.notify()
        if not _truthy(request.query.get("with_response")):
            return _no_content()
        return _json(self._callback_response(interaction, kind, message))

    def _check_callback_type(self, interaction: Interaction, kind: Any, route: str) -> None:
        from_message = interaction.message_id is not None
        allowed = {
            1: {1},
            2: {4, 5, 9},
            3: {4, 5, 6, 7, 9},
            4: {8},
            5: {4, 5, 6, 7} if from_message else {4, 5},
        }.get(interaction.type, set())
        if kind not in allowed:
            self.server.record_violation(
                "callback_type",
                f"callback type {kind} is not valid for interaction type {interaction.type}",
                route=route,
                interaction_id=interaction.id,
            )
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {"type": {"_errors": [{"code": "INTERACTION_RESPONSE_TYPE_INVALID", "message": "Invalid type"}]}},
            )

    async def _perform_callback(
        self, interaction: Interaction, kind: int, data: JSON, uploads: dict[int, Upload]
    ) -> Message | None:
        channel = self.world.channels[interaction.channel_id]
        message_type = CHAT_INPUT_COMMAND if interaction.type == 2 else DEFAULT
        if kind == 4:
            message = await self.post_message(
                channel, self.bot_id, data, uploads, interaction=interaction, message_type=message_type
            )
            interaction.original_id = message.id
            return message
        if kind == 5:
            thinking = {"flags": int(data.get("flags") or 0) & EPHEMERAL, "content": ""}
            message = await self.post_message(
                channel,
                self.bot_id,
                thinking,
                {},
                interaction=interaction,
                message_type=message_type,
                extra_flags=LOADING,
            )
            interaction.original_id = message.id
            return message
        if kind in (6, 7) and interaction.message_id is not None:
            interaction.original_id = interaction.message_id
            message = self.world.messages[interaction.message_id]
            if kind == 7:
                await self.apply_edit(message, data, uploads)
            return message
        if kind == 8:
            interaction.choices = list(data.get("choices") or [])
        elif kind == 9:
            interaction.modal = data
        return None

    def _callback_response(self, interaction: Interaction, kind: int, message: Message | None) -> JSON:
        summary: JSON = {"id": str(interaction.id), "type": interaction.type}
        resource: JSON = {"type": kind}
        if message is not None:
            summary["response_message_id"] = str(message.id)
            summary["response_message_loading"] = message.loading
            summary["response_message_ephemeral"] = message.ephemeral
            resource["message"] = self.message_payload(message)
        return {"interaction": summary, "resource": resource}

    def _webhook_interaction(self, request: web.Request, route: str) -> Interaction:
        if _snowflake(request, "app_id") != self.world.application_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        token = request.match_info["token"]
        interaction = next((i for i in self.world.interactions.values() if i.token == token), None)
        if interaction is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        if self._now() - interaction.created > self.server.followup_ttl:
            self.server.record_violation(
                "expired_token", "interaction token used after it expired", route=route, interaction_id=interaction.id
            )
            raise ApiError(401, 50027, "Invalid Webhook Token")
        return interaction

    def _webhook_message(self, interaction: Interaction, request: web.Request) -> Message:
        raw = request.match_info["message_id"]
        if raw == "@original":
            message_id = interaction.original_id
        elif raw.isdigit() and (int(raw) in interaction.followup_ids or int(raw) == interaction.original_id):
            message_id = int(raw)
        else:
            message_id = None
        message = self.world.messages.get(message_id or 0)
        if message is None or message.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    async def create_followup(self, request: web.Request) -> web.Response:
        route = "POST /webhooks/{application_id}/{token}"
        interaction = self._webhook_interaction(request, route)
        body, uploads = await read_body(request)
        if not interaction.acknowledged:
            self.server.record_violation(
                "followup_before_ack",
                "followup sent before the initial response",
                route=route,
                interaction_id=interaction.id,
            )
            raise ApiError(404, 10015, "Unknown Webhook")
        self.enforce(rules.check_message(body, creating=True, has_files=bool(uploads)), route, interaction)
        original = self.world.messages.get(interaction.original_id or 0)
        if interaction.response_type == 5 and original is not None and original.loading:
            # Discord: the first followup after a "thinking" defer becomes that response, keeping its ephemerality.
            message = await self.apply_edit(original, {k: v for k, v in body.items() if k != "flags"}, uploads)
            interaction.original_edits += 1
        else:
            channel = self.world.channels[interaction.channel_id]
            message = await self.post_message(channel, self.bot_id, body, uploads, interaction=interaction)
            interaction.followup_ids.append(message.id)
        self.server.changes.notify()
        if _truthy(request.query.get("wait")):
            return _json(self.message_payload(message))
        return _no_content()

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request, "GET /webhooks/{application_id}/{token}/messages/{id}")
        return _json(self.message_payload(self._webhook_message(interaction, request)))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        route = "PATCH /webhooks/{application_id}/{token}/messages/{id}"
        interaction = self._webhook_interaction(request, route)
        message = self._webhook_message(interaction, request)
        body, uploads = await read_body(request)
        self.enforce(rules.check_message({"flags": message.flags, **body}, creating=False), route, interaction)
        await self.apply_edit(message, body, uploads)
        if message.id == interaction.original_id:
            interaction.original_edits += 1
        self.server.changes.notify()
        return _json(self.message_payload(message))

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request, "DELETE /webhooks/{application_id}/{token}/messages/{id}")
        message = self._webhook_message(interaction, request)
        await self._delete(message)
        return _no_content()

    async def _delete(self, message: Message) -> None:
        message.deleted = True
        await self._dispatch_message("MESSAGE_DELETE", message)
        self.server.changes.notify()

    # ----- channels and messages -----

    async def get_channel(self, request: web.Request) -> web.Response:
        return _json(channel_payload(self._channel(_snowflake(request, "channel_id")), self.world.users))

    def _bot_message(self, request: web.Request) -> tuple[Channel, Message]:
        channel = self._channel(_snowflake(request, "channel_id"))
        message = self.world.messages.get(_snowflake(request, "message_id"))
        if message is None or message.deleted or message.channel_id != channel.id or message.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        return channel, message

    async def list_messages(self, request: web.Request) -> web.Response:
        channel = self._channel(_snowflake(request, "channel_id"))
        self._require(channel, READ_MESSAGE_HISTORY, "GET /channels/{id}/messages")
        query = request.query
        limit = max(1, min(int(query.get("limit", "50")), 100))
        messages = [m for m in self.world.channel_messages(channel.id) if not m.ephemeral]
        messages.sort(key=lambda m: m.id, reverse=True)
        if "before" in query:
            messages = [m for m in messages if m.id < int(query["before"])]
        if "after" in query:
            messages = [m for m in messages if m.id > int(query["after"])][-limit:]
        if "around" in query:
            pivot = int(query["around"])
            older = [m for m in messages if m.id <= pivot][: (limit + 1) // 2]
            newer = [m for m in messages if m.id > pivot][-(limit // 2) :] if limit > 1 else []
            messages = newer + older
        return _json([self.message_payload(m) for m in messages[:limit]])

    async def get_message(self, request: web.Request) -> web.Response:
        channel, message = self._bot_message(request)
        self._require(channel, READ_MESSAGE_HISTORY, "GET /channels/{id}/messages/{id}")
        return _json(self.message_payload(message))

    async def create_message(self, request: web.Request) -> web.Response:
        route = "POST /channels/{channel_id}/messages"
        channel = self._channel(_snowflake(request, "channel_id"))
        body, uploads = await read_body(request)
        if channel.type == DM:
            self._check_dm_open(channel, route)
        else:
            self._require(channel, VIEW_CHANNEL | SEND_MESSAGES, route)
            if uploads:
                self._require(channel, ATTACH_FILES, route)
        self.enforce(rules.check_message(body, creating=True, has_files=bool(uploads)), route)
        message_type = REPLY if body.get("message_reference") else DEFAULT
        message = await self.post_message(channel, self.bot_id, body, uploads, message_type=message_type)
        return _json(self.message_payload(message))

    def _check_dm_open(self, channel: Channel, route: str) -> None:
        other = next((u for u in channel.recipient_ids if u != self.bot_id), None)
        user = self.world.users.get(other or 0)
        shares_guild = any(other in g.members and self.bot_id in g.members for g in self.world.guilds.values())
        if user is None or not user.dms_open or not shares_guild:
            self.server.record_violation("dm_closed", f"cannot DM user {other}", route=route)
            raise ApiError(403, 50007, "Cannot send messages to this user")

    async def edit_message(self, request: web.Request) -> web.Response:
        route = "PATCH /channels/{channel_id}/messages/{message_id}"
        _, message = self._bot_message(request)
        body, uploads = await read_body(request)
        if message.author_id != self.bot_id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self.enforce(rules.check_message({"flags": message.flags, **body}, creating=False), route)
        await self.apply_edit(message, body, uploads)
        # `defer()` then `interaction.message.edit(...)` completes a deferred update just as @original would.
        for interaction in self.world.interactions.values():
            if interaction.response_type == 6 and interaction.original_id == message.id:
                interaction.original_edits += 1
        self.server.changes.notify()
        return _json(self.message_payload(message))

    async def delete_message(self, request: web.Request) -> web.Response:
        channel, message = self._bot_message(request)
        if message.author_id != self.bot_id:
            self._require(channel, MANAGE_MESSAGES, "DELETE /channels/{channel_id}/messages/{message_id}")
        await self._delete(message)
        return _no_content()

    async def typing(self, request: web.Request) -> web.Response:
        self._channel(_snowflake(request, "channel_id"))
        return _no_content()

    async def get_attachment(self, request: web.Request) -> web.Response:
        attachment_id = _snowflake(request, "attachment_id")
        for message in self.world.messages.values():
            for attachment in message.attachments:
                if attachment.id == attachment_id:
                    return web.Response(
                        body=attachment.data, content_type=attachment.content_type or "application/octet-stream"
                    )
        raise ApiError(404, 0, "404: Not Found")

    # ----- guilds -----

    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild(_snowflake(request, "guild_id"))
        data = guild_payload(guild)
        if _truthy(request.query.get("with_counts")):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = 0
        return _json(data)

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        guild = self._guild(_snowflake(request, "guild_id"))
        return _json([channel_payload(c) for c in guild.channels.values()])

    async def list_members(self, request: web.Request) -> web.Response:
        guild = self._guild(_snowflake(request, "guild_id"))
        limit = max(1, min(int(request.query.get("limit", "1")), 1000))
        after = int(request.query.get("after", "0"))
        members = sorted((m for m in guild.members.values() if m.user_id > after), key=lambda m: m.user_id)
        return _json([member_payload(m, self.world.users[m.user_id]) for m in members[:limit]])

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self._guild(_snowflake(request, "guild_id"))
        member = guild.members.get(_snowflake(request, "user_id"))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return _json(member_payload(member, self.world.users[member.user_id]))

    async def get_roles(self, request: web.Request) -> web.Response:
        guild = self._guild(_snowflake(request, "guild_id"))
        return _json([role_payload(r) for r in guild.roles.values()])

    # ----- scheduled events -----

    def _event(self, request: web.Request) -> tuple[Guild, JSON]:
        guild = self._guild(_snowflake(request, "guild_id"))
        event = guild.scheduled_events.get(_snowflake(request, "event_id"))
        if event is None:
            raise ApiError(404, 10070, "Unknown Guild Scheduled Event")
        return guild, event

    def _require_events(self, guild: Guild, route: str) -> None:
        perms = permissions_in(guild, self.bot_id, None)
        if not perms & (MANAGE_EVENTS | CREATE_EVENTS):
            self.server.record_violation("missing_permissions", "bot cannot create or manage events", route=route)
            raise ApiError(403, 50013, "Missing Permissions")

    def _with_count(self, event: JSON, request: web.Request) -> JSON:
        if _truthy(request.query.get("with_user_count")):
            return {**event, "user_count": event.get("user_count", 0)}
        return event

    async def list_events(self, request: web.Request) -> web.Response:
        guild = self._guild(_snowflake(request, "guild_id"))
        return _json([self._with_count(e, request) for e in guild.scheduled_events.values()])

    async def get_event(self, request: web.Request) -> web.Response:
        return _json(self._with_count(self._event(request)[1], request))

    async def create_event(self, request: web.Request) -> web.Response:
        route = "POST /guilds/{guild_id}/scheduled-events"
        guild = self._guild(_snowflake(request, "guild_id"))
        self._require_events(guild, route)
        body, _ = await read_body(request)
        self.enforce(check_event(body, creating=True), route)
        bot = self.server.bot
        event: JSON = {
            "id": str(self.world.ids.next()),
            "guild_id": str(guild.id),
            "channel_id": body.get("channel_id"),
            "creator_id": str(bot.id),
            "creator": user_payload(bot),
            "name": body.get("name"),
            "description": body.get("description"),
            "scheduled_start_time": body.get("scheduled_start_time"),
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body.get("privacy_level", 2),
            "status": 1,
            "entity_type": body.get("entity_type"),
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
            "user_count": 0,
            "image": None,
            "recurrence_rule": body.get("recurrence_rule"),
        }
        guild.scheduled_events[int(event["id"])] = event
        await self.server.gateway.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event, guild_id=guild.id)
        return _json(event)

    async def edit_event(self, request: web.Request) -> web.Response:
        route = "PATCH /guilds/{guild_id}/scheduled-events/{event_id}"
        guild, event = self._event(request)
        self._require_events(guild, route)
        body, _ = await read_body(request)
        self.enforce(check_event({**event, **body}, creating=False), route)
        editable = (
            "channel_id", "entity_metadata", "name", "privacy_level", "scheduled_start_time", "scheduled_end_time",
            "description", "entity_type", "status", "image", "recurrence_rule",
        )  # fmt: skip
        event.update({k: v for k, v in body.items() if k in editable})
        await self.server.gateway.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event, guild_id=guild.id)
        return _json(event)

    async def delete_event(self, request: web.Request) -> web.Response:
        guild, event = self._event(request)
        self._require_events(guild, "DELETE /guilds/{guild_id}/scheduled-events/{event_id}")
        del guild.scheduled_events[int(event["id"])]
        await self.server.gateway.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event, guild_id=guild.id)
        return _no_content()


def check_event(body: JSON, *, creating: bool) -> list[rules.Problem]:
    problems: list[rules.Problem] = []
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        problems.append(rules.Problem(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
    if isinstance(body.get("description"), str) and len(body["description"]) > 1000:
        problems.append(rules.Problem(("description",), "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length."))
    if not body.get("scheduled_start_time"):
        problems.append(rules.Problem(("scheduled_start_time",), "BASE_TYPE_REQUIRED", "This field is required"))
    kind = body.get("entity_type")
    if kind == 3:
        location = (body.get("entity_metadata") or {}).get("location")
        if not location:
            problems.append(
                rules.Problem(("entity_metadata", "location"), "BASE_TYPE_REQUIRED", "This field is required")
            )
        if not body.get("scheduled_end_time"):
            problems.append(rules.Problem(("scheduled_end_time",), "BASE_TYPE_REQUIRED", "This field is required"))
    elif kind in (1, 2):
        if not body.get("channel_id"):
            problems.append(rules.Problem(("channel_id",), "BASE_TYPE_REQUIRED", "This field is required"))
    elif creating or kind is not None:
        problems.append(rules.Problem(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}."))
    return problems


def _check_options(path: rules.Path, options: list[JSON], depth: int) -> list[rules.Problem]:
    problems: list[rules.Problem] = []
    if len(options) > 25:
        problems.append(rules.Problem((*path, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    seen_optional = False
    names: set[str] = set()
    for i, option in enumerate(options):
        at: rules.Path = (*path, "options", i)
        name = option.get("name", "")
        if not COMMAND_NAME.match(name) or name != name.lower():
            problems.append(rules.Problem((*at, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
        if name in names:
            problems.append(
                rules.Problem((*at, "name"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Duplicate")
            )
        names.add(name)
        description = option.get("description", "")
        if not isinstance(description, str) or not 1 <= len(description) <= 100:
            problems.append(
                rules.Problem((*at, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            )
        kind = option.get("type")
        if kind in (1, 2):
            if depth >= (1 if kind == 2 else 2):
                problems.append(rules.Problem((*at, "type"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Too deep"))
            problems += _check_options(at, option.get("options") or [], depth + 1)
            continue
        if option.get("required"):
            if seen_optional:
                problems.append(
                    rules.Problem(
                        (*at, "required"),
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
                )
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if len(choices) > 25:
            problems.append(rules.Problem((*at, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        for k, choice in enumerate(choices):
            choice_name = choice.get("name")
            if not isinstance(choice_name, str) or not 1 <= len(choice_name) <= 100:
                problems.append(
                    rules.Problem((*at, "choices", k, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100.")
                )
            if isinstance(choice.get("value"), str) and len(choice["value"]) > 100:
                problems.append(
                    rules.Problem((*at, "choices", k, "value"), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer.")
                )
        if choices and option.get("autocomplete"):
            problems.append(
                rules.Problem(
                    (*at, "autocomplete"), "AUTOCOMPLETE_AND_CHOICES", "Cannot have both choices and autocomplete"
                )
            )
    return problems


def check_commands(commands: list[JSON]) -> list[rules.Problem]:
    """Application command payloads as Discord validates them on sync (errors keyed by index)."""
    problems: list[rules.Problem] = []
    seen: set[tuple[str, int]] = set()
    counts = {1: 0, 2: 0, 3: 0}
    for i, command in enumerate(commands):
        kind = int(command.get("type", 1))
        name = command.get("name", "")
        counts[kind] = counts.get(kind, 0) + 1
        if kind == 1:
            if not isinstance(name, str) or not COMMAND_NAME.match(name) or name != name.lower():
                problems.append(
                    rules.Problem((i, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
                )
            description = command.get("description", "")
            if not isinstance(description, str) or not 1 <= len(description) <= 100:
                problems.append(
                    rules.Problem((i, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
                )
            problems += _check_options((i,), command.get("options") or [], 0)
        elif not isinstance(name, str) or not 1 <= len(name) <= 32:
            problems.append(rules.Problem((i, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."))
        if (name, kind) in seen:
            problems.append(rules.Problem((i, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Duplicate command name"))
        seen.add((name, kind))
    for kind, limit in ((1, 100), (2, 5), (3, 5)):
        if counts.get(kind, 0) > limit:
            problems.append(rules.Problem((), "APPLICATION_COMMANDS_TOO_MANY", f"Too many commands of type {kind}"))
    return problems
