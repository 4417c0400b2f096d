"""Guilds: their channels, members and roles as the bot reads them, and scheduled events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from bot.sandbox import rules
from bot.sandbox.payloads import (
    channel_payload,
    guild_payload,
    member_payload,
    role_payload,
    scheduled_event_payload,
)
from bot.sandbox.protocol import JSON
from bot.sandbox.rest.base import ApiError, Resource, json_response, no_content, snowflake, truthy
from bot.sandbox.state import CREATE_EVENTS, GUILD_VOICE, MANAGE_EVENTS, Guild, permissions_in, utcnow

# Scheduled event entity types, privacy level and statuses (Discord's numbers).
STAGE_INSTANCE, VOICE, EXTERNAL = 1, 2, 3
GUILD_ONLY = 2
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
GUILD_STAGE_VOICE = 13
# Where each status may go next; a finished or cancelled event cannot change any more.
_NEXT_STATUS = {SCHEDULED: {SCHEDULED, ACTIVE, CANCELED}, ACTIVE: {ACTIVE, COMPLETED}}


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

    def _require_events(self, guild: Guild, route: str, event: JSON | None = None) -> None:
        """Create Events lets the bot create events and edit or delete its own; Manage Events, anyone's."""
        perms = permissions_in(guild, self.bot_id, None)
        allowed = bool(perms & MANAGE_EVENTS) or (
            bool(perms & CREATE_EVENTS) and (event is None or event.get("creator_id") == str(self.bot_id))
        )
        if not allowed:
            what = "create or manage events" if event is None else "manage an event it did not create"
            self.records.record_violation("missing_permissions", f"bot cannot {what}", route=route)
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
        self.enforce(check_event(body, creating=True, guild=guild), route)
        bot = self.context.bot
        event = scheduled_event_payload(self.world.ids.next(), guild, bot, body)
        guild.scheduled_events[int(event["id"])] = event
        await self.context.gateway.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event, guild_id=guild.id)
        return json_response(event)

    async def edit_event(self, request: web.Request) -> web.Response:
        route = "PATCH /guilds/{guild_id}/scheduled-events/{event_id}"
        guild, event = self._event(request)
        self._require_events(guild, route, event)
        body, _ = await self.read_body(request)
        problems = check_event({**event, **body}, creating=False, guild=guild, changed=set(body))
        problems += check_status(event, body)
        self.enforce(problems, route)
        editable = (
            "channel_id", "entity_metadata", "name", "privacy_level", "scheduled_start_time", "scheduled_end_time",
            "description", "entity_type", "status", "image", "recurrence_rule",
        )  # fmt: skip
        event.update({k: v for k, v in body.items() if k in editable})
        await self.context.gateway.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event, guild_id=guild.id)
        return json_response(event)

    async def delete_event(self, request: web.Request) -> web.Response:
        guild, event = self._event(request)
        self._require_events(guild, "DELETE /guilds/{guild_id}/scheduled-events/{event_id}", event)
        del guild.scheduled_events[int(event["id"])]
        await self.context.gateway.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event, guild_id=guild.id)
        return no_content()


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else None


def check_event(
    body: JSON, *, creating: bool, guild: Guild | None = None, changed: set[str] | None = None
) -> list[rules.Problem]:
    """The fields Discord checks on an event: name, description, times (a new start in the future, the end after
    it), the entity type with its channel (a voice or stage channel of the guild) or its location, privacy."""
    problems: list[rules.Problem] = []
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        problems.append(rules.Problem(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
    if isinstance(body.get("description"), str) and len(body["description"]) > 1000:
        problems.append(rules.Problem(("description",), "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length."))
    start, end = _when(body.get("scheduled_start_time")), _when(body.get("scheduled_end_time"))
    if not body.get("scheduled_start_time"):
        problems.append(rules.Problem(("scheduled_start_time",), "BASE_TYPE_REQUIRED", "This field is required"))
    elif start is None:
        problems.append(
            rules.Problem(("scheduled_start_time",), "DATE_TIME_TYPE_PARSE", "Could not parse the date and time.")
        )
    elif (creating or "scheduled_start_time" in (changed or set())) and start <= utcnow():
        problems.append(
            rules.Problem(
                ("scheduled_start_time",), "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past."
            )
        )
    if body.get("scheduled_end_time") and start is not None and (end is None or end <= start):
        problems.append(
            rules.Problem(
                ("scheduled_end_time",), "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "Cannot end event before it starts."
            )
        )
    if body.get("privacy_level", GUILD_ONLY) != GUILD_ONLY:
        problems.append(rules.Problem(("privacy_level",), "BASE_TYPE_CHOICES", "Value must be one of {2}."))
    kind = body.get("entity_type")
    if kind == EXTERNAL:
        location = (body.get("entity_metadata") or {}).get("location")
        if not location:
            problems.append(
                rules.Problem(("entity_metadata", "location"), "BASE_TYPE_REQUIRED", "This field is required")
            )
        elif len(location) > 100:
            problems.append(
                rules.Problem(
                    ("entity_metadata", "location"), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."
                )
            )
        if not body.get("scheduled_end_time"):
            problems.append(rules.Problem(("scheduled_end_time",), "BASE_TYPE_REQUIRED", "This field is required"))
        if body.get("channel_id") and creating:
            problems.append(rules.Problem(("channel_id",), "BASE_TYPE_CHOICES", "Must be empty for an external event."))
    elif kind in (STAGE_INSTANCE, VOICE):
        channel_id = body.get("channel_id")
        if not channel_id:
            problems.append(rules.Problem(("channel_id",), "BASE_TYPE_REQUIRED", "This field is required"))
        elif guild is not None:
            channel = guild.channels.get(int(channel_id)) if str(channel_id).isdigit() else None
            wanted = GUILD_STAGE_VOICE if kind == STAGE_INSTANCE else GUILD_VOICE
            if channel is None or channel.type != wanted:
                kind_name = "stage" if kind == STAGE_INSTANCE else "voice"
                problems.append(
                    rules.Problem(("channel_id",), "CHANNEL_TYPE_INVALID", f"Must be a {kind_name} channel.")
                )
    elif creating or kind is not None:
        problems.append(rules.Problem(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}."))
    return problems


def check_status(event: JSON, body: JSON) -> list[rules.Problem]:
    """Scheduled goes to active or canceled, active to completed; a finished or canceled event stays so."""
    if "status" not in body:
        return []
    allowed = _NEXT_STATUS.get(int(event.get("status") or SCHEDULED), set())
    if body["status"] in allowed:
        return []
    return [rules.Problem(("status",), "GUILD_SCHEDULED_EVENT_INVALID_STATUS", "Invalid status transition.")]
