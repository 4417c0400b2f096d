"""Messages: the JSON shape of a message, posting and editing (with pings and attachments), and the channel
message routes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.sandbox import rules
from bot.sandbox.payloads import attachment_payload, channel_payload, iso, member_payload, user_payload
from bot.sandbox.protocol import JSON, CallbackType, InteractionType
from bot.sandbox.records import Ping
from bot.sandbox.rest.base import (
    ApiError,
    Resource,
    Upload,
    json_response,
    no_content,
    snowflake,
)
from bot.sandbox.state import (
    ATTACH_FILES,
    DM,
    EPHEMERAL,
    IS_COMPONENTS_V2,
    LOADING,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SUPPRESS_EMBEDS,
    SUPPRESS_NOTIFICATIONS,
    VIEW_CHANNEL,
    Attachment,
    Channel,
    Interaction,
    Message,
    utcnow,
)

# Message types: a reply to a slash command, and a plain message / reply.
CHAT_INPUT_COMMAND = 20
DEFAULT = 0
REPLY = 19


class Messages(Resource):
    """Channel messages, and the message store every other resource posts through."""

    def routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("GET", "/channels/{channel_id}/messages", self.list_messages),
            ("POST", "/channels/{channel_id}/messages", self.create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ("POST", "/channels/{channel_id}/typing", self.typing),
        ]

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
            "attachments": [
                attachment_payload(a, self.context.config.url, message.channel_id) for a in message.attachments
            ],
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
                "type": int(interaction.type),
                "user": user_payload(user),
                "authorizing_integration_owners": owners,
            }
            if interaction.original_id and interaction.original_id != message.id:
                metadata["original_response_message_id"] = str(interaction.original_id)
            if interaction.type == InteractionType.MESSAGE_COMPONENT and interaction.message_id:
                metadata["interacted_message_id"] = str(interaction.message_id)
            if interaction.type == InteractionType.APPLICATION_COMMAND:
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
        await self.context.gateway.dispatch(event, data, guild_id=message.guild_id, dm=message.guild_id is None)

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
            self.records.pings.append(
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
        self.records.changes.notify()
        return message

    async def delete(self, message: Message) -> None:
        message.deleted = True
        await self._dispatch_message("MESSAGE_DELETE", message)
        self.records.changes.notify()

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(channel_payload(self.channel(snowflake(request, "channel_id")), self.world.users))

    def _bot_message(self, request: web.Request) -> tuple[Channel, Message]:
        channel = self.channel(snowflake(request, "channel_id"))
        message = self.world.messages.get(snowflake(request, "message_id"))
        if message is None or message.deleted or message.channel_id != channel.id or message.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        return channel, message

    async def list_messages(self, request: web.Request) -> web.Response:
        channel = self.channel(snowflake(request, "channel_id"))
        self.require(channel, READ_MESSAGE_HISTORY, "GET /channels/{id}/messages")
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
        return json_response([self.message_payload(m) for m in messages[:limit]])

    async def get_message(self, request: web.Request) -> web.Response:
        channel, message = self._bot_message(request)
        self.require(channel, READ_MESSAGE_HISTORY, "GET /channels/{id}/messages/{id}")
        return json_response(self.message_payload(message))

    async def create_message(self, request: web.Request) -> web.Response:
        route = "POST /channels/{channel_id}/messages"
        channel = self.channel(snowflake(request, "channel_id"))
        body, uploads = await self.read_body(request)
        if channel.type == DM:
            self._check_dm_open(channel, route)
        else:
            self.require(channel, VIEW_CHANNEL | SEND_MESSAGES, route)
            if uploads:
                self.require(channel, ATTACH_FILES, route)
        self.enforce(rules.check_message(body, creating=True, has_files=bool(uploads)), route)
        message_type = REPLY if body.get("message_reference") else DEFAULT
        message = await self.post_message(channel, self.bot_id, body, uploads, message_type=message_type)
        return json_response(self.message_payload(message))

    def _check_dm_open(self, channel: Channel, route: str) -> None:
        other = next((u for u in channel.recipient_ids if u != self.bot_id), None)
        user = self.world.users.get(other or 0)
        shares_guild = any(other in g.members and self.bot_id in g.members for g in self.world.guilds.values())
        if user is None or not user.dms_open or not shares_guild:
            self.records.record_violation("dm_closed", f"cannot DM user {other}", route=route)
            raise ApiError(403, 50007, "Cannot send messages to this user")

    async def edit_message(self, request: web.Request) -> web.Response:
        route = "PATCH /channels/{channel_id}/messages/{message_id}"
        _, message = self._bot_message(request)
        body, uploads = await self.read_body(request)
        if message.author_id != self.bot_id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self.enforce(rules.check_message({"flags": message.flags, **body}, creating=False), route)
        await self.apply_edit(message, body, uploads)
        # `defer()` then `interaction.message.edit(...)` completes a deferred update just as @original would.
        for interaction in self.world.interactions.values():
            if (
                interaction.response_type == CallbackType.DEFERRED_UPDATE_MESSAGE
                and interaction.original_id == message.id
            ):
                interaction.original_edits += 1
        self.records.changes.notify()
        return json_response(self.message_payload(message))

    async def delete_message(self, request: web.Request) -> web.Response:
        channel, message = self._bot_message(request)
        if message.author_id != self.bot_id:
            self.require(channel, MANAGE_MESSAGES, "DELETE /channels/{channel_id}/messages/{message_id}")
        await self.delete(message)
        return no_content()

    async def typing(self, request: web.Request) -> web.Response:
        self.channel(snowflake(request, "channel_id"))
        return no_content()

    async def get_attachment(self, request: web.Request) -> web.Response:
        attachment_id = snowflake(request, "attachment_id")
        for message in self.world.messages.values():
            for attachment in message.attachments:
                if attachment.id == attachment_id:
                    return web.Response(
                        body=attachment.data, content_type=attachment.content_type or "application/octet-stream"
                    )
        raise ApiError(404, 0, "404: Not Found")
