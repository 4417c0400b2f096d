"""Interactions: the initial response (callback) with Discord's acknowledgement rules, and the followup
webhook (``/webhooks/{application_id}/{token}``)."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from bot.sandbox import rules
from bot.sandbox.protocol import (
    ALLOWED_CALLBACKS,
    JSON,
    MODAL_FROM_MESSAGE_CALLBACKS,
    CallbackType,
    InteractionType,
)
from bot.sandbox.rest.base import (
    ApiError,
    Context,
    Resource,
    Upload,
    json_response,
    no_content,
    snowflake,
    truthy,
    under,
)
from bot.sandbox.rest.messages import CHAT_INPUT_COMMAND, DEFAULT, Messages
from bot.sandbox.state import EPHEMERAL, LOADING, Interaction, Message


class Interactions(Resource):
    def __init__(self, context: Context, messages: Messages) -> None:
        super().__init__(context)
        self.messages = messages

    def routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback),
            ("POST", "/webhooks/{app_id}/{token}", self.create_followup),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self.get_webhook_message),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self.edit_webhook_message),
            ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self.delete_webhook_message),
        ]

    async def interaction_callback(self, request: web.Request) -> web.Response:
        route = "POST /interactions/{id}/{token}/callback"
        interaction = self.world.interactions.get(snowflake(request, "interaction_id"))
        token = request.match_info["token"]
        if interaction is None or not secrets.compare_digest(token.encode(), interaction.token.encode()):
            raise ApiError(404, 10062, "Unknown interaction")
        body, uploads = await self.read_body(request)
        elapsed = self.now() - interaction.created
        if interaction.acknowledged:
            interaction.rejected.append("already acknowledged")
            self.records.record_violation(
                "double_ack",
                f"second initial response (type {body.get('type')}) after type {interaction.response_type}",
                route=route,
                interaction_id=interaction.id,
            )
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > self.context.config.ack_deadline:
            interaction.rejected.append("late")
            self.records.record_violation(
                "late_ack",
                f"initial response {elapsed:.2f}s after the interaction (deadline {self.context.config.ack_deadline}s)",
                route=route,
                interaction_id=interaction.id,
            )
            raise ApiError(404, 10062, "Unknown interaction")
        data = body.get("data") or {}
        kind = self._callback_type(interaction, body.get("type"), route)
        if kind == CallbackType.CHANNEL_MESSAGE:
            problems = rules.check_message(data, creating=True, has_files=bool(uploads))
            self.enforce(under("data", problems), route, interaction)
        elif kind == CallbackType.UPDATE_MESSAGE:
            self.enforce(under("data", rules.check_message(data, creating=False)), route, interaction)
        elif kind == CallbackType.AUTOCOMPLETE_RESULT:
            self.enforce(rules.check_autocomplete(data), route, interaction)
        elif kind == CallbackType.MODAL:
            self.enforce(rules.check_modal(data), route, interaction)
        else:
            self.enforce([], route, interaction)
        # Acknowledge before any await, so that a concurrent second callback sees it.
        interaction.response_type = kind
        interaction.responded = self.now()
        message = await self._perform_callback(interaction, kind, data, uploads)
        self.records.changes.notify()
        if not truthy(request.query.get("with_response")):
            return no_content()
        return json_response(self._callback_response(interaction, kind, message))

    def _callback_type(self, interaction: Interaction, raw: Any, route: str) -> CallbackType:
        """The callback type, when it is one Discord accepts for this interaction."""
        if interaction.type == InteractionType.MODAL_SUBMIT and interaction.message_id is not None:
            allowed = MODAL_FROM_MESSAGE_CALLBACKS
        else:
            allowed = ALLOWED_CALLBACKS.get(interaction.type, frozenset())
        if isinstance(raw, int) and raw in allowed:
            return CallbackType(raw)
        self.records.record_violation(
            "callback_type",
            f"callback type {raw} is not valid for interaction type {interaction.type}",
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
        self, interaction: Interaction, kind: CallbackType, data: JSON, uploads: dict[int, Upload]
    ) -> Message | None:
        channel = self.world.channels[interaction.channel_id]
        message_type = CHAT_INPUT_COMMAND if interaction.type == InteractionType.APPLICATION_COMMAND else DEFAULT
        if kind == CallbackType.CHANNEL_MESSAGE:
            message = await self.messages.post_message(
                channel, self.bot_id, data, uploads, interaction=interaction, message_type=message_type
            )
            interaction.original_id = message.id
            return message
        if kind == CallbackType.DEFERRED_CHANNEL_MESSAGE:
            thinking = {"flags": int(data.get("flags") or 0) & EPHEMERAL, "content": ""}
            message = await self.messages.post_message(
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
        updates = (CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE)
        if kind in updates and interaction.message_id is not None:
            interaction.original_id = interaction.message_id
            message = self.world.messages[interaction.message_id]
            if kind == CallbackType.UPDATE_MESSAGE:
                await self.messages.apply_edit(message, data, uploads)
            return message
        if kind == CallbackType.AUTOCOMPLETE_RESULT:
            interaction.choices = list(data.get("choices") or [])
        elif kind == CallbackType.MODAL:
            interaction.modal = data
        return None

    def _callback_response(self, interaction: Interaction, kind: CallbackType, message: Message | None) -> JSON:
        summary: JSON = {"id": str(interaction.id), "type": int(interaction.type)}
        resource: JSON = {"type": int(kind)}
        if message is not None:
            summary["response_message_id"] = str(message.id)
            summary["response_message_loading"] = message.loading
            summary["response_message_ephemeral"] = message.ephemeral
            resource["message"] = self.messages.message_payload(message)
        return {"interaction": summary, "resource": resource}

    def _webhook_interaction(self, request: web.Request, route: str) -> Interaction:
        if snowflake(request, "app_id") != self.world.application_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        token = request.match_info["token"]
        interaction = next((i for i in self.world.interactions.values() if i.token == token), None)
        if interaction is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        if self.now() - interaction.created > self.context.config.followup_ttl:
            self.records.record_violation(
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
        body, uploads = await self.read_body(request)
        if not interaction.acknowledged:
            self.records.record_violation(
                "followup_before_ack",
                "followup sent before the initial response",
                route=route,
                interaction_id=interaction.id,
            )
            raise ApiError(404, 10015, "Unknown Webhook")
        self.enforce(rules.check_message(body, creating=True, has_files=bool(uploads)), route, interaction)
        original = self.world.messages.get(interaction.original_id or 0)
        if (
            interaction.response_type == CallbackType.DEFERRED_CHANNEL_MESSAGE
            and original is not None
            and original.loading
        ):
            # Discord: the first followup after a "thinking" defer becomes that response, keeping its ephemerality.
            message = await self.messages.apply_edit(original, {k: v for k, v in body.items() if k != "flags"}, uploads)
            interaction.original_edits += 1
        else:
            channel = self.world.channels[interaction.channel_id]
            message = await self.messages.post_message(channel, self.bot_id, body, uploads, interaction=interaction)
            interaction.followup_ids.append(message.id)
        self.records.changes.notify()
        if truthy(request.query.get("wait")):
            return json_response(self.messages.message_payload(message))
        return no_content()

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request, "GET /webhooks/{application_id}/{token}/messages/{id}")
        return json_response(self.messages.message_payload(self._webhook_message(interaction, request)))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        route = "PATCH /webhooks/{application_id}/{token}/messages/{id}"
        interaction = self._webhook_interaction(request, route)
        message = self._webhook_message(interaction, request)
        body, uploads = await self.read_body(request)
        self.enforce(rules.check_message({"flags": message.flags, **body}, creating=False), route, interaction)
        await self.messages.apply_edit(message, body, uploads)
        if message.id == interaction.original_id:
            interaction.original_edits += 1
        self.records.changes.notify()
        return json_response(self.messages.message_payload(message))

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request, "DELETE /webhooks/{application_id}/{token}/messages/{id}")
        message = self._webhook_message(interaction, request)
        await self.messages.delete(message)
        return no_content()
