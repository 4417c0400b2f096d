"""Guilds: their channels, members and roles as the bot reads them, and scheduled events."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.sandbox import rules
from bot.sandbox.payloads import channel_payload, guild_payload, member_payload, role_payload, user_payload
from bot.sandbox.protocol import JSON
from bot.sandbox.rest.base import ApiError, Resource, json_response, no_content, snowflake, truthy
from bot.sandbox.state import CREATE_EVENTS, MANAGE_EVENTS, Guild, permissions_in


class Guilds(Resource):
    def routes(self) -> list[tuple[str, str, Any]]:
        return [
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

    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self.guild(snowflake(request, "guild_id"))
        data = guild_payload(guild)
        if truthy(request.query.get("with_counts")):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = 0
        return json_response(data)

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        guild = self.guild(snowflake(request, "guild_id"))
        return json_response([channel_payload(c) for c in guild.channels.values()])

    async def list_members(self, request: web.Request) -> web.Response:
        guild = self.guild(snowflake(request, "guild_id"))
        limit = max(1, min(int(request.query.get("limit", "1")), 1000))
        after = int(request.query.get("after", "0"))
        members = sorted((m for m in guild.members.values() if m.user_id > after), key=lambda m: m.user_id)
        return json_response([member_payload(m, self.world.users[m.user_id]) for m in members[:limit]])

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self.guild(snowflake(request, "guild_id"))
        member = guild.members.get(snowflake(request, "user_id"))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(member_payload(member, self.world.users[member.user_id]))

    async def get_roles(self, request: web.Request) -> web.Response:
        guild = self.guild(snowflake(request, "guild_id"))
        return json_response([role_payload(r) for r in guild.roles.values()])

    # ----- scheduled events -----

    def _event(self, request: web.Request) -> tuple[Guild, JSON]:
        guild = self.guild(snowflake(request, "guild_id"))
        event = guild.scheduled_events.get(snowflake(request, "event_id"))
        if event is None:
            raise ApiError(404, 10070, "Unknown Guild Scheduled Event")
        return guild, event

    def _require_events(self, guild: Guild, route: str) -> None:
        perms = permissions_in(guild, self.bot_id, None)
        if not perms & (MANAGE_EVENTS | CREATE_EVENTS):
            self.records.record_violation("missing_permissions", "bot cannot create or manage events", route=route)
            raise ApiError(403, 50013, "Missing Permissions")

    def _with_count(self, event: JSON, request: web.Request) -> JSON:
        if truthy(request.query.get("with_user_count")):
            return {**event, "user_count": event.get("user_count", 0)}
        return event

    async def list_events(self, request: web.Request) -> web.Response:
        guild = self.guild(snowflake(request, "guild_id"))
        return json_response([self._with_count(e, request) for e in guild.scheduled_events.values()])

    async def get_event(self, request: web.Request) -> web.Response:
        return json_response(self._with_count(self._event(request)[1], request))

    async def create_event(self, request: web.Request) -> web.Response:
        route = "POST /guilds/{guild_id}/scheduled-events"
        guild = self.guild(snowflake(request, "guild_id"))
        self._require_events(guild, route)
        body, _ = await self.read_body(request)
        self.enforce(check_event(body, creating=True), route)
        bot = self.context.bot
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
        await self.context.gateway.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event, guild_id=guild.id)
        return json_response(event)

    async def edit_event(self, request: web.Request) -> web.Response:
        route = "PATCH /guilds/{guild_id}/scheduled-events/{event_id}"
        guild, event = self._event(request)
        self._require_events(guild, route)
        body, _ = await self.read_body(request)
        self.enforce(check_event({**event, **body}, creating=False), route)
        editable = (
            "channel_id", "entity_metadata", "name", "privacy_level", "scheduled_start_time", "scheduled_end_time",
            "description", "entity_type", "status", "image", "recurrence_rule",
        )  # fmt: skip
        event.update({k: v for k, v in body.items() if k in editable})
        await self.context.gateway.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event, guild_id=guild.id)
        return json_response(event)

    async def delete_event(self, request: web.Request) -> web.Response:
        guild, event = self._event(request)
        self._require_events(guild, "DELETE /guilds/{guild_id}/scheduled-events/{event_id}")
        del guild.scheduled_events[int(event["id"])]
        await self.context.gateway.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event, guild_id=guild.id)
        return no_content()


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
