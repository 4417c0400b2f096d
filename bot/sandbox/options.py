"""Turning what a user typed into a slash command's ``data``, as Discord's client does: the command path, its
options checked and converted (numbers, choices, lengths, users, roles, channels) and ``resolved`` filled in.
Whatever the client would refuse raises ``SandboxUsageError`` with a sentence that names the option."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from bot.sandbox.errors import SandboxUsageError
from bot.sandbox.payloads import member_payload, role_payload, user_payload
from bot.sandbox.protocol import JSON, OptionType
from bot.sandbox.rules import shorten
from bot.sandbox.state import Channel, Guild, Member, Role, User, World, permissions_in

UserRef = User | Member | int
ChannelRef = Channel | int
SUBCOMMANDS = (OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP)
# Discord's client takes ASCII digits with an optional sign for an integer, and a decimal (or exponent) for a number.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
# The largest integer Discord accepts in an integer option (2^53, what a JavaScript client can hold exactly).
INTEGER_LIMIT = 2**53
# More characters than any number in range can need; longer input is refused before it is converted.
NUMBER_DIGITS_MAX = 400


def parse_number(name: str, value: Any, *, whole: bool) -> int | float:
    """An integer (``whole``) or number option's value, refused as Discord's client refuses it."""
    kind = "a whole number" if whole else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SandboxUsageError(f"option {name} takes {kind}, not {shorten(repr(value), 40)}")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise SandboxUsageError(f"option {name} takes {kind}; it was left empty")
        if not (_INTEGER if whole else _NUMBER).fullmatch(text):
            raise SandboxUsageError(f"option {name} takes {kind}, not {shorten(text, 40)!r}")
        if len(text) > NUMBER_DIGITS_MAX:
            raise SandboxUsageError(f"option {name}: {shorten(text, 20)} is out of range")
        number: int | float = int(text) if whole else float(text)
    elif whole and isinstance(value, float):
        if not value.is_integer():
            raise SandboxUsageError(f"option {name} takes {kind}, not {value!r}")
        number = int(value)
    else:
        number = value
    if (isinstance(number, float) and not math.isfinite(number)) or abs(number) > INTEGER_LIMIT:
        raise SandboxUsageError(f"option {name}: {shorten(str(value), 40)} is out of range")
    return number


class CommandOptions:
    """Looks up users, channels and synced commands in the world, and builds interaction ``data``."""

    def __init__(self, world: World) -> None:
        self.world = world

    def user(self, ref: UserRef) -> User:
        user_id = ref.user_id if isinstance(ref, Member) else ref.id if isinstance(ref, User) else ref
        user = self.world.users.get(user_id)
        if user is None:
            raise SandboxUsageError(f"unknown user {user_id}")
        return user

    def member(self, guild: Guild, ref: UserRef) -> Member:
        user = self.user(ref)
        member = guild.members.get(user.id)
        if member is None:
            raise SandboxUsageError(f"{user.username} is not a member of {guild.name}")
        return member

    def channel(self, ref: ChannelRef) -> Channel:
        channel = self.world.channels.get(ref.id if isinstance(ref, Channel) else ref)
        if channel is None:
            raise SandboxUsageError(f"unknown channel {ref}")
        return channel

    def resolve_command(self, channel: Channel, path: str) -> tuple[JSON, list[JSON], list[JSON]]:
        words = path.lstrip("/").split()
        if not words:
            raise SandboxUsageError("empty command")
        scopes: list[int | None] = [channel.guild_id, None] if channel.guild_id is not None else [None]
        command = next(
            (
                c
                for scope in scopes
                for c in self.world.commands.get(scope, {}).values()
                if c["name"] == words[0] and c.get("type", 1) == 1
            ),
            None,
        )
        if command is None:
            known = sorted({c["name"] for s in scopes for c in self.world.commands.get(s, {}).values()})
            synced = ", ".join(known) or "none"
            raise SandboxUsageError(f"no synced command /{shorten(words[0], 40)} here (synced: {synced})")
        chain: list[JSON] = []
        options: list[JSON] = command.get("options") or []
        for word in words[1:]:
            sub = next((o for o in options if o["name"] == word and o["type"] in SUBCOMMANDS), None)
            if sub is None:
                raise SandboxUsageError(f"/{words[0]}: no subcommand {shorten(word, 40)!r}")
            chain.append(sub)
            options = sub.get("options") or []
        subs = [o["name"] for o in options if o["type"] in SUBCOMMANDS]
        if subs:
            raise SandboxUsageError(f"/{' '.join(words)} needs one of: {', '.join(subs)}")
        return command, chain, options

    def check_command_allowed(self, command: JSON, user: User, channel: Channel) -> None:
        guild = self.world.guild_of(channel)
        if guild is None:
            contexts = command.get("contexts")
            if command.get("guild_id") or command.get("dm_permission") is False or (contexts and 1 not in contexts):
                raise SandboxUsageError(f"/{command['name']} is not available in DMs")
            return
        required = command.get("default_member_permissions")
        if required is not None:
            needed = int(required)
            if permissions_in(guild, user.id, channel) & needed != needed:
                raise SandboxUsageError(
                    f"/{command['name']} is hidden from {user.username} (needs permissions {needed})"
                )

    def convert(self, spec: JSON, value: Any, channel: Channel, resolved: JSON, invoker: User) -> Any:
        kind = spec["type"]
        name = spec["name"]
        guild = self.world.guild_of(channel)
        if kind == OptionType.STRING:
            value = self._choice(spec, value) if spec.get("choices") else str(value)
            low, high = spec.get("min_length", 0), spec.get("max_length", 6000)
            if not low <= len(value) <= high:
                raise SandboxUsageError(f"option {name}: length must be between {low} and {high}")
            return value
        if kind in (OptionType.INTEGER, OptionType.NUMBER):
            number = parse_number(name, value, whole=kind == OptionType.INTEGER)
            if spec.get("choices"):
                number = self._choice(spec, number)
            if spec.get("min_value") is not None and number < spec["min_value"]:
                raise SandboxUsageError(f"option {name}: must be at least {spec['min_value']}")
            if spec.get("max_value") is not None and number > spec["max_value"]:
                raise SandboxUsageError(f"option {name}: must be at most {spec['max_value']}")
            return number
        if kind == OptionType.BOOLEAN:
            if not isinstance(value, bool):
                raise SandboxUsageError(f"option {name}: expected True or False")
            return value
        if kind == OptionType.USER or (kind == OptionType.MENTIONABLE and not isinstance(value, Role)):
            user = self.user(value)
            resolved.setdefault("users", {})[str(user.id)] = user_payload(user)
            if guild is not None and user.id in guild.members:
                perms = permissions_in(guild, user.id, channel)
                member = member_payload(guild.members[user.id], user, permissions=perms, with_user=False)
                resolved.setdefault("members", {})[str(user.id)] = member
            return str(user.id)
        if kind in (OptionType.ROLE, OptionType.MENTIONABLE):
            role = value if isinstance(value, Role) else guild.roles.get(int(value)) if guild else None
            if role is None:
                raise SandboxUsageError(f"option {name}: unknown role {shorten(str(value), 40)!r}")
            resolved.setdefault("roles", {})[str(role.id)] = role_payload(role)
            return str(role.id)
        if kind == OptionType.CHANNEL:
            target = self.channel(value)
            allowed = spec.get("channel_types")
            if allowed and target.type not in allowed:
                raise SandboxUsageError(f"option {name}: channel type {target.type} not in {allowed}")
            # Resolved channels carry the invoking member's permissions there.
            perms = permissions_in(guild, invoker.id, target) if guild else 0
            resolved.setdefault("channels", {})[str(target.id)] = {
                "id": str(target.id),
                "name": target.name,
                "type": target.type,
                "permissions": str(perms),
                "parent_id": str(target.parent_id) if target.parent_id else None,
                "position": target.position,
                "nsfw": target.nsfw,
                "flags": 0,
                "rate_limit_per_user": 0,
                "last_message_id": None,
                "topic": target.topic,
                "guild_id": str(target.guild_id) if target.guild_id else None,
            }
            return str(target.id)
        raise SandboxUsageError(f"option {name}: type {kind} is not supported by the sandbox driver")

    @staticmethod
    def _choice(spec: JSON, value: Any) -> Any:
        for choice in spec.get("choices") or []:
            if value in (choice["value"], choice["name"]):
                return choice["value"]
        names = ", ".join(str(c["name"]) for c in spec["choices"])
        raise SandboxUsageError(
            f"option {spec['name']}: {shorten(str(value), 40)!r} is not one of the choices ({shorten(names, 200)})"
        )

    def build_options(
        self,
        specs: list[JSON],
        given: Mapping[str, Any],
        channel: Channel,
        resolved: JSON,
        invoker: User,
        *,
        focused: str | None = None,
    ) -> list[JSON]:
        by_name = {s["name"]: s for s in specs}
        unknown = set(given) - set(by_name)
        if unknown:
            unknown_names = shorten(", ".join(sorted(unknown)), 80)
            raise SandboxUsageError(f"unknown option(s) {unknown_names}; known: {', '.join(by_name)}")
        built: list[JSON] = []
        for spec in specs:
            name = spec["name"]
            if name == focused:
                built.append({"name": name, "type": spec["type"], "value": str(given.get(name, "")), "focused": True})
                continue
            if name not in given:
                if spec.get("required") and focused is None:
                    raise SandboxUsageError(f"option {name} is required")
                continue
            if focused is not None:
                # Autocomplete sends what is typed so far, unvalidated.
                value = given[name]
                raw = str(value.id) if isinstance(value, User | Role | Channel) else value
                built.append({"name": name, "type": spec["type"], "value": raw})
                continue
            built.append(
                {
                    "name": name,
                    "type": spec["type"],
                    "value": self.convert(spec, given[name], channel, resolved, invoker),
                }
            )
        return built

    def command_data(
        self,
        user: User,
        channel: Channel,
        path: str,
        given: Mapping[str, Any],
        *,
        focused: str | None = None,
    ) -> JSON:
        command, chain, specs = self.resolve_command(channel, path)
        self.check_command_allowed(command, user, channel)
        if focused is not None:
            spec = next((s for s in specs if s["name"] == focused), None)
            if spec is None or not spec.get("autocomplete"):
                raise SandboxUsageError(f"option {focused} of /{path.lstrip('/')} has no autocomplete")
        resolved: JSON = {}
        options = self.build_options(specs, given, channel, resolved, user, focused=focused)
        for sub in reversed(chain):
            options = [{"name": sub["name"], "type": sub["type"], "options": options}]
        data: JSON = {"id": command["id"], "name": command["name"], "type": 1, "options": options}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data
