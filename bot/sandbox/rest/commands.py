"""Application commands, global and per guild, and the checks Discord makes when they are synced."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from bot.sandbox import rules
from bot.sandbox.protocol import JSON
from bot.sandbox.rest.base import ApiError, Resource, json_response, no_content, snowflake

COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


class Commands(Resource):
    def routes(self) -> list[tuple[str, str, Any]]:
        routes: list[tuple[str, str, Any]] = []
        for scope in ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}"):
            routes += [
                ("GET", scope + "/commands", self.list_commands),
                ("PUT", scope + "/commands", self.put_commands),
                ("POST", scope + "/commands", self.upsert_command),
                ("GET", scope + "/commands/{command_id}", self.get_command),
                ("PATCH", scope + "/commands/{command_id}", self.edit_command),
                ("DELETE", scope + "/commands/{command_id}", self.delete_command),
            ]
        return routes

    def _command_scope(self, request: web.Request) -> int | None:
        if snowflake(request, "app_id") != self.world.application_id:
            raise ApiError(403, 50001, "Missing Access")
        if "guild_id" in request.match_info:
            return self.guild(snowflake(request, "guild_id")).id
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
        return json_response(list(self.world.commands.get(scope, {}).values()))

    async def put_commands(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        body, _ = await self.read_body(request, array=True)
        self.enforce(check_commands(body), f"PUT {request.path}")
        old = self.world.commands.get(scope, {})
        self.world.commands[scope] = {}
        stored = []
        for item in body:
            kind = item.get("type", 1)
            existing = next((c for c in old.values() if c["name"] == item.get("name") and c["type"] == kind), None)
            stored.append(self._store_command(scope, item, existing))
        self.records.changes.notify()
        return json_response(stored)

    async def upsert_command(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        body, _ = await self.read_body(request)
        self.enforce(check_commands([body]), f"POST {request.path}")
        existing = self._find_command(scope, body.get("name", ""), body.get("type", 1))
        command = self._store_command(scope, body, existing)
        self.records.changes.notify()
        return json_response(command, status=200 if existing else 201)

    def _command(self, request: web.Request) -> tuple[int | None, JSON]:
        scope = self._command_scope(request)
        command = self.world.commands.get(scope, {}).get(snowflake(request, "command_id"))
        if command is None:
            raise ApiError(404, 10063, "Unknown application command")
        return scope, command

    async def get_command(self, request: web.Request) -> web.Response:
        return json_response(self._command(request)[1])

    async def edit_command(self, request: web.Request) -> web.Response:
        scope, command = self._command(request)
        body, _ = await self.read_body(request)
        merged = {**command, **body}
        self.enforce(check_commands([merged]), f"PATCH {request.path}")
        return json_response(self._store_command(scope, merged, command))

    async def delete_command(self, request: web.Request) -> web.Response:
        scope, command = self._command(request)
        del self.world.commands[scope][int(command["id"])]
        self.records.changes.notify()
        return no_content()


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
