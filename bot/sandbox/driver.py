"""``Driver``: the test-side hands of the sandbox. It builds the world (users, guilds, channels, roles,
members), acts as a user (slash commands, autocomplete, buttons, selects, modals, plain messages) and reads
back what the bot did.

Acting returns an ``InteractionResult`` whose ``wait_*`` methods wait on the server's change signal, never
on fixed sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.sandbox import render
from bot.sandbox.state import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    DM,
    GUILD_CATEGORY,
    GUILD_TEXT,
    GUILD_VOICE,
    JSON,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    Channel,
    Guild,
    Interaction,
    Member,
    Message,
    Overwrite,
    Role,
    User,
    channel_payload,
    member_payload,
    permissions_in,
    role_payload,
    user_payload,
    walk_components,
)

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

UserRef = User | Member | int
ChannelRef = Channel | int

# How long after the ack deadline a result keeps waiting for the server's verdict on a callback in flight.
ACK_GRACE = 0.25
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

OPTION_STRING, OPTION_INTEGER, OPTION_BOOLEAN, OPTION_USER, OPTION_CHANNEL = 3, 4, 5, 6, 7
OPTION_ROLE, OPTION_MENTIONABLE, OPTION_NUMBER = 8, 9, 10


class SandboxUsageError(Exception):
    """The test asked for something Discord's own client would not let a user do (or that does not exist)."""


class InteractionFailedError(Exception):
    """The bot did not acknowledge in time: the user would see "This interaction failed"."""


class InteractionResult:
    """One interaction a user started, and the bot's answers to it as they arrive."""

    def __init__(self, server: SandboxServer, interaction: Interaction) -> None:
        self.server = server
        self.interaction = interaction

    def __repr__(self) -> str:
        return f"<InteractionResult id={self.id} type={self.interaction.type} response_type={self.response_type}>"

    @property
    def id(self) -> int:
        return self.interaction.id

    @property
    def response_type(self) -> int | None:
        """The callback type the bot answered with (4 message, 5 thinking, 6 deferred update, 7 update,
        8 autocomplete, 9 modal), or None."""
        return self.interaction.response_type

    @property
    def acknowledged(self) -> bool:
        return self.interaction.acknowledged

    @property
    def done(self) -> bool:
        return self.interaction.finalised

    @property
    def original(self) -> Message | None:
        """The message @original points at now (for a component acknowledged by 6/7: the clicked message)."""
        return self.server.world.messages.get(self.interaction.original_id or 0)

    @property
    def followups(self) -> list[Message]:
        world = self.server.world
        return [world.messages[m] for m in self.interaction.followup_ids]

    @property
    def messages(self) -> list[Message]:
        """Original response then followups, without deleted ones."""
        return [m for m in (self.original, *self.followups) if m is not None and not m.deleted]

    @property
    def ephemeral(self) -> bool:
        original = self.original
        return original is not None and original.ephemeral

    @property
    def modal(self) -> JSON | None:
        return self.interaction.modal

    @property
    def choices(self) -> list[JSON] | None:
        return self.interaction.choices

    @property
    def content(self) -> str:
        original = self.original
        return original.content if original else ""

    @property
    def embeds(self) -> list[JSON]:
        original = self.original
        return original.embeds if original else []

    def text(self, *, reveal_spoilers: bool = False) -> str:
        """Every message of this result rendered as plain text."""
        driver = self.server.driver
        return "\n\n".join(driver.render(m, reveal_spoilers=reveal_spoilers) for m in self.messages)

    async def wait_ack(self, timeout: float | None = None) -> int:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """The callback type, once the bot acknowledged. Raises ``InteractionFailedError`` when the deadline passes
        (or the server rejected a late callback) without one."""
        interaction = self.interaction
        loop = asyncio.get_running_loop()
        if timeout is None:
            timeout = max(interaction.created + self.server.ack_deadline - loop.time(), 0) + ACK_GRACE

        def verdict() -> int | str | None:
            if interaction.response_type is not None:
                return interaction.response_type
            return "rejected" if "late" in interaction.rejected else None

        try:
            outcome = await self.server.changes.wait_for(verdict, timeout)
        except TimeoutError:
            outcome = "timeout"
        if isinstance(outcome, int):
            return outcome
        raise InteractionFailedError(
            f"the bot did not acknowledge interaction {interaction.id} within {self.server.ack_deadline}s ({outcome})"
        )

    async def wait_done(self, timeout: float = 5.0) -> Message | None:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """Wait until the response is final (a deferred one: until @original is edited or a followup is sent)
        and return the original response message, if there is one."""
        await self.wait_ack()
        try:
            await self.server.changes.wait_for(lambda: self.interaction.finalised, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"interaction {self.id} was acknowledged with type {self.response_type} but never completed"
            ) from None
        return self.original

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[Message]:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        await self.wait_ack()
        await self.server.changes.wait_for(lambda: len(self.interaction.followup_ids) >= count, timeout)
        return self.followups

    async def wait_edits(self, count: int = 1, timeout: float = 5.0) -> Message:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """Wait until @original has been edited ``count`` times after the initial response."""
        await self.wait_ack()
        await self.server.changes.wait_for(lambda: self.interaction.original_edits >= count, timeout)
        original = self.original
        if original is None:
            raise SandboxUsageError("this interaction has no original response")
        return original

    async def wait_modal(self, timeout: float | None = None) -> JSON:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        kind = await self.wait_ack(timeout)
        if kind != 9 or self.modal is None:
            raise SandboxUsageError(f"the bot answered with callback type {kind}, not a modal")
        return self.modal


class Driver:
    """Builds the sandbox world and plays its users. Reachable as ``server.driver``."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.world = server.world
        # Quiet time awaited before a click, select or modal submit; see _let_bot_catch_up.
        self.settle_quiet = 0.05

    async def _let_bot_catch_up(self) -> None:
        """Give the bot time to finish handling its last response before a user acts on it.

        discord.py registers a view only after it has read the callback's HTTP response, so a click sent the
        instant the sandbox answered could reach the bot before the view exists. No human clicks that fast;
        waiting for a short quiet spell on the sandbox models that without a fixed sleep.
        """
        with contextlib.suppress(TimeoutError):
            await self.server.settle(quiet=self.settle_quiet, timeout=2.0)

    # ----- building the world -----

    async def create_user(self, name: str, *, global_name: str | None = None, bot: bool = False) -> User:
        user = User(id=self.world.ids.next(), username=name, global_name=global_name, bot=bot)
        self.world.users[user.id] = user
        return user

    async def create_guild(
        self,
        name: str,
        *,
        owner: User | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        add_bot: bool = True,
    ) -> Guild:
        """A guild with an @everyone role; the bot joins with a managed role carrying ``bot_permissions``."""
        owner = owner or await self.create_user(f"{name.lower().replace(' ', '_')}_owner")
        guild = Guild(id=self.world.ids.next(), name=name, owner_id=owner.id)
        guild.roles[guild.id] = Role(id=guild.id, guild_id=guild.id, name="@everyone", permissions=everyone_permissions)
        self.world.guilds[guild.id] = guild
        await self.add_member(guild, owner)
        if add_bot:
            bot = self.server.bot
            role = await self.create_role(guild, bot.username, bot_permissions)
            role.managed = True
            await self.add_member(guild, bot, roles=[role])
            # A bot that is already connected learns about the guild as on a real join.
            await self.server.gateway.dispatch(
                "GUILD_CREATE", self.server.gateway.guild_create_payload(guild), guild_id=guild.id
            )
        return guild

    async def create_role(
        self, guild: Guild, name: str, permissions: int = 0, *, mentionable: bool = False, color: int = 0
    ) -> Role:
        role = Role(
            id=self.world.ids.next(),
            guild_id=guild.id,
            name=name,
            permissions=permissions,
            position=len(guild.roles),
            mentionable=mentionable,
            color=color,
        )
        guild.roles[role.id] = role
        await self.server.gateway.dispatch(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role_payload(role)}, guild_id=guild.id
        )
        return role

    async def _create_channel(self, guild: Guild, name: str, kind: int, **fields: Any) -> Channel:
        channel = Channel(
            id=self.world.ids.next(), type=kind, name=name, guild_id=guild.id, position=len(guild.channels), **fields
        )
        guild.channels[channel.id] = channel
        self.world.channels[channel.id] = channel
        await self.server.gateway.dispatch("CHANNEL_CREATE", channel_payload(channel), guild_id=guild.id)
        return channel

    async def create_text_channel(
        self, guild: Guild, name: str, *, topic: str | None = None, category: Channel | None = None
    ) -> Channel:
        return await self._create_channel(
            guild, name, GUILD_TEXT, topic=topic, parent_id=category.id if category else None
        )

    async def create_voice_channel(self, guild: Guild, name: str) -> Channel:
        return await self._create_channel(guild, name, GUILD_VOICE)

    async def create_category(self, guild: Guild, name: str) -> Channel:
        return await self._create_channel(guild, name, GUILD_CATEGORY)

    async def add_member(
        self, guild: Guild, user: User, *, roles: Iterable[Role] = (), nick: str | None = None
    ) -> Member:
        member = Member(user_id=user.id, guild_id=guild.id, roles=[r.id for r in roles], nick=nick)
        guild.members[user.id] = member
        await self.server.gateway.dispatch(
            "GUILD_MEMBER_ADD", {"guild_id": str(guild.id), **member_payload(member, user)}, guild_id=guild.id
        )
        return member

    async def set_roles(self, guild: Guild, user: UserRef, roles: Iterable[Role]) -> Member:
        member = self._member(guild, user)
        member.roles = [r.id for r in roles]
        payload = {"guild_id": str(guild.id), **member_payload(member, self.world.users[member.user_id])}
        await self.server.gateway.dispatch("GUILD_MEMBER_UPDATE", payload, guild_id=guild.id)
        return member

    async def set_overwrite(
        self, channel: Channel, target: Role | Member | User, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Add or replace a permission overwrite for a role or a member on ``channel``."""
        if isinstance(target, Role):
            overwrite = Overwrite(id=target.id, type=0, allow=allow, deny=deny)
        else:
            overwrite = Overwrite(
                id=target.user_id if isinstance(target, Member) else target.id, type=1, allow=allow, deny=deny
            )
        channel.overwrites = [ow for ow in channel.overwrites if ow.id != overwrite.id] + [overwrite]
        await self.server.gateway.dispatch("CHANNEL_UPDATE", channel_payload(channel), guild_id=channel.guild_id)

    def dm_channel(self, user: User) -> Channel:
        """The DM channel between the bot and ``user`` (created on first use, as Discord does)."""
        existing = self.world.dm_channel(user.id)
        if existing is not None:
            return existing
        channel = Channel(id=self.world.ids.next(), type=DM, name=None, recipient_ids=[self.server.bot.id, user.id])
        self.world.channels[channel.id] = channel
        return channel

    # ----- lookups -----

    def _user(self, ref: UserRef) -> User:
        user_id = ref.user_id if isinstance(ref, Member) else ref.id if isinstance(ref, User) else ref
        user = self.world.users.get(user_id)
        if user is None:
            raise SandboxUsageError(f"unknown user {user_id}")
        return user

    def _member(self, guild: Guild, ref: UserRef) -> Member:
        user = self._user(ref)
        member = guild.members.get(user.id)
        if member is None:
            raise SandboxUsageError(f"{user.username} is not a member of {guild.name}")
        return member

    def _channel(self, ref: ChannelRef) -> Channel:
        channel = self.world.channels.get(ref.id if isinstance(ref, Channel) else ref)
        if channel is None:
            raise SandboxUsageError(f"unknown channel {ref}")
        return channel

    def _message(self, ref: Message | InteractionResult | int, predicate: Callable[[Message], bool]) -> Message:
        if isinstance(ref, InteractionResult):
            for candidate in ref.messages:
                if predicate(candidate):
                    return candidate
            raise SandboxUsageError(f"no message of {ref!r} has that component")
        message = self.world.messages.get(ref.id if isinstance(ref, Message) else ref)
        if message is None or message.deleted:
            raise SandboxUsageError(f"unknown message {ref}")
        return message

    # ----- the interaction payload -----

    def _base_payload(self, interaction: Interaction, user: User, channel: Channel) -> JSON:
        world = self.world
        bot = self.server.bot
        payload: JSON = {
            "id": str(interaction.id),
            "application_id": str(world.application_id),
            "type": interaction.type,
            "token": interaction.token,
            "version": 1,
            "data": interaction.data,
            "channel_id": str(channel.id),
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        guild = world.guild_of(channel)
        if guild is not None:
            member = self._member(guild, user)
            perms = permissions_in(guild, user.id, channel)
            payload.update(
                {
                    "guild_id": str(guild.id),
                    "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
                    "guild_locale": guild.locale,
                    "member": member_payload(member, user, permissions=perms),
                    "app_permissions": str(permissions_in(guild, bot.id, channel)),
                    "channel": {**channel_payload(channel), "permissions": str(perms)},
                    "authorizing_integration_owners": {"0": str(guild.id)},
                    "context": 0,
                }
            )
        else:
            payload.update(
                {
                    "user": user_payload(user),
                    "app_permissions": "0",
                    "channel": {**channel_payload(channel, world.users), "permissions": "0"},
                    "authorizing_integration_owners": {"1": str(user.id)},
                    "context": 1,
                }
            )
        if interaction.message_id is not None:
            payload["message"] = self.server.rest.message_payload(world.messages[interaction.message_id])
        return payload

    async def _start(
        self, kind: int, user: User, channel: Channel, data: JSON, *, message_id: int | None = None
    ) -> InteractionResult:
        guild = self.world.guild_of(channel)
        if guild is not None and user.id not in guild.members:
            raise SandboxUsageError(f"{user.username} is not in the guild of #{channel.name}")
        interaction = Interaction(
            id=self.world.ids.next(),
            token=f"aW50ZXJhY3Rpb24.{secrets.token_urlsafe(48)}",
            type=kind,
            user_id=user.id,
            channel_id=channel.id,
            guild_id=channel.guild_id,
            data=data,
            created=asyncio.get_running_loop().time(),
            message_id=message_id,
        )
        interaction.payload = self._base_payload(interaction, user, channel)
        self.world.interactions[interaction.id] = interaction
        await self.server.gateway.dispatch("INTERACTION_CREATE", interaction.payload)
        return InteractionResult(self.server, interaction)

    # ----- slash commands and autocomplete -----

    def commands(self, guild: Guild | None = None) -> list[JSON]:
        """Commands the bot synced globally (``guild=None``) or to ``guild``."""
        return list(self.world.commands.get(guild.id if guild else None, {}).values())

    async def wait_commands(self, guild: Guild | None = None, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """Wait until the bot has synced at least one command in that scope."""
        return await self.server.changes.wait_for(lambda: self.commands(guild), timeout)

    def _resolve_command(self, channel: Channel, path: str) -> tuple[JSON, list[JSON], list[JSON]]:
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
            raise SandboxUsageError(f"no synced command /{words[0]} here (synced: {', '.join(known) or 'none'})")
        chain: list[JSON] = []
        options: list[JSON] = command.get("options") or []
        for word in words[1:]:
            sub = next((o for o in options if o["name"] == word and o["type"] in (1, 2)), None)
            if sub is None:
                raise SandboxUsageError(f"/{' '.join(words)}: no subcommand {word!r}")
            chain.append(sub)
            options = sub.get("options") or []
        subs = [o["name"] for o in options if o["type"] in (1, 2)]
        if subs:
            raise SandboxUsageError(f"/{' '.join(words)} needs one of: {', '.join(subs)}")
        return command, chain, options

    def _check_command_allowed(self, command: JSON, user: User, channel: Channel) -> None:
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

    def _convert(self, spec: JSON, value: Any, channel: Channel, resolved: JSON, invoker: User) -> Any:
        kind = spec["type"]
        name = spec["name"]
        guild = self.world.guild_of(channel)
        if kind == OPTION_STRING:
            value = self._choice(spec, value) if spec.get("choices") else str(value)
            low, high = spec.get("min_length", 0), spec.get("max_length", 6000)
            if not low <= len(value) <= high:
                raise SandboxUsageError(f"option {name}: length must be between {low} and {high}")
            return value
        if kind in (OPTION_INTEGER, OPTION_NUMBER):
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise SandboxUsageError(f"option {name}: expected a number, got {value!r}")
            number: int | float = int(value) if kind == OPTION_INTEGER else float(value)
            if spec.get("choices"):
                number = self._choice(spec, number)
            if spec.get("min_value") is not None and number < spec["min_value"]:
                raise SandboxUsageError(f"option {name}: must be at least {spec['min_value']}")
            if spec.get("max_value") is not None and number > spec["max_value"]:
                raise SandboxUsageError(f"option {name}: must be at most {spec['max_value']}")
            return number
        if kind == OPTION_BOOLEAN:
            if not isinstance(value, bool):
                raise SandboxUsageError(f"option {name}: expected True or False")
            return value
        if kind == OPTION_USER or (kind == OPTION_MENTIONABLE and not isinstance(value, Role)):
            user = self._user(value)
            resolved.setdefault("users", {})[str(user.id)] = user_payload(user)
            if guild is not None and user.id in guild.members:
                perms = permissions_in(guild, user.id, channel)
                member = member_payload(guild.members[user.id], user, permissions=perms, with_user=False)
                resolved.setdefault("members", {})[str(user.id)] = member
            return str(user.id)
        if kind in (OPTION_ROLE, OPTION_MENTIONABLE):
            role = value if isinstance(value, Role) else guild.roles.get(int(value)) if guild else None
            if role is None:
                raise SandboxUsageError(f"option {name}: unknown role {value!r}")
            resolved.setdefault("roles", {})[str(role.id)] = role_payload(role)
            return str(role.id)
        if kind == OPTION_CHANNEL:
            target = self._channel(value)
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
        raise SandboxUsageError(f"option {spec['name']}: {value!r} is not one of the choices ({names})")

    def _build_options(
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
            raise SandboxUsageError(f"unknown option(s) {', '.join(sorted(unknown))}; known: {', '.join(by_name)}")
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
                    "value": self._convert(spec, given[name], channel, resolved, invoker),
                }
            )
        return built

    def _command_data(
        self,
        user: User,
        channel: Channel,
        path: str,
        given: Mapping[str, Any],
        *,
        focused: str | None = None,
    ) -> JSON:
        command, chain, specs = self._resolve_command(channel, path)
        self._check_command_allowed(command, user, channel)
        if focused is not None:
            spec = next((s for s in specs if s["name"] == focused), None)
            if spec is None or not spec.get("autocomplete"):
                raise SandboxUsageError(f"option {focused} of /{path.lstrip('/')} has no autocomplete")
        resolved: JSON = {}
        options = self._build_options(specs, given, channel, resolved, user, focused=focused)
        for sub in reversed(chain):
            options = [{"name": sub["name"], "type": sub["type"], "options": options}]
        data: JSON = {"id": command["id"], "name": command["name"], "type": 1, "options": options}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self,
        user: UserRef,
        channel: ChannelRef,
        command: str,
        /,
        options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> InteractionResult:
        """Run ``/command [group] [sub]`` as ``user`` in ``channel``; option values are Python values
        (``User``/``Member``/``Channel``/``Role`` objects or ids for those types)."""
        who, where = self._user(user), self._channel(channel)
        data = self._command_data(who, where, command, {**(options or {}), **kwargs})
        return await self._start(APPLICATION_COMMAND, who, where, data)

    async def autocomplete(
        self,
        user: UserRef,
        channel: ChannelRef,
        command: str,
        focused: str,
        value: str = "",
        /,
        options: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        **kwargs: Any,
    ) -> list[JSON]:
        """Type ``value`` into option ``focused`` and return the bot's choices (``{"name", "value"}`` dicts)."""
        result = await self.autocomplete_result(user, channel, command, focused, value, options, **kwargs)
        await result.wait_ack(timeout)
        return list(result.choices or [])

    async def autocomplete_result(
        self,
        user: UserRef,
        channel: ChannelRef,
        command: str,
        focused: str,
        value: str = "",
        /,
        options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> InteractionResult:
        who, where = self._user(user), self._channel(channel)
        given = {**(options or {}), **kwargs, focused: value}
        data = self._command_data(who, where, command, given, focused=focused)
        return await self._start(AUTOCOMPLETE, who, where, data)

    # ----- components -----

    def _visible_to(self, message: Message, user: User) -> None:
        if message.visible_to is not None and message.visible_to != user.id:
            raise SandboxUsageError(f"{user.username} cannot see ephemeral message {message.id}")

    async def click(
        self,
        user: UserRef,
        message: Message | InteractionResult | int,
        label: str | None = None,
        *,
        custom_id: str | None = None,
    ) -> InteractionResult:
        """Press the button with this label (or custom_id) on ``message``."""
        if label is None and custom_id is None:
            raise SandboxUsageError("click needs a label or a custom_id")

        def matches(component: JSON) -> bool:
            if component.get("type") != 2:
                return False
            return (label is not None and component.get("label") == label) or (
                custom_id is not None and component.get("custom_id") == custom_id
            )

        target = self._message(message, lambda m: any(matches(c) for c in m.iter_components()))
        button = next((c for c in target.iter_components() if matches(c)), None)
        if button is None:
            labels = [c.get("label") or c.get("custom_id") for c in target.iter_components() if c.get("type") == 2]
            raise SandboxUsageError(f"no button {label or custom_id!r} on message {target.id}; buttons: {labels}")
        if button.get("disabled"):
            raise SandboxUsageError(f"button {label or custom_id!r} is disabled")
        if button.get("style") in (5, 6) or not button.get("custom_id"):
            raise SandboxUsageError(f"button {label or custom_id!r} is a link or premium button, not an interaction")
        who = self._user(user)
        self._visible_to(target, who)
        data = {"custom_id": button["custom_id"], "component_type": 2}
        await self._let_bot_catch_up()
        return await self._start(MESSAGE_COMPONENT, who, self._channel(target.channel_id), data, message_id=target.id)

    async def select(
        self,
        user: UserRef,
        message: Message | InteractionResult | int,
        values: Sequence[Any],
        *,
        custom_id: str | None = None,
        placeholder: str | None = None,
    ) -> InteractionResult:
        """Choose ``values`` in a select menu: option labels or values for a string select, objects or ids for
        user/role/channel selects. Without ``custom_id``/``placeholder`` the message must have one select."""

        def matches(component: JSON) -> bool:
            if component.get("type") not in (3, 5, 6, 7, 8):
                return False
            if custom_id is not None:
                return bool(component.get("custom_id") == custom_id)
            return placeholder is None or component.get("placeholder") == placeholder

        target = self._message(message, lambda m: any(matches(c) for c in m.iter_components()))
        menus = [c for c in target.iter_components() if matches(c)]
        if len(menus) != 1:
            raise SandboxUsageError(f"expected one matching select on message {target.id}, found {len(menus)}")
        menu = menus[0]
        if menu.get("disabled"):
            raise SandboxUsageError("that select is disabled")
        low, high = menu.get("min_values", 1), menu.get("max_values", 1)
        if not low <= len(values) <= high:
            raise SandboxUsageError(f"choose between {low} and {high} values")
        who = self._user(user)
        self._visible_to(target, who)
        channel = self._channel(target.channel_id)
        data: JSON = {"custom_id": menu["custom_id"], "component_type": menu["type"]}
        if menu["type"] == 3:
            chosen = []
            for value in values:
                option = next((o for o in menu.get("options") or [] if value in (o.get("label"), o.get("value"))), None)
                if option is None:
                    raise SandboxUsageError(f"{value!r} is not an option of that select")
                chosen.append(option["value"])
            data["values"] = chosen
        else:
            resolved: JSON = {}
            kind = {5: OPTION_USER, 6: OPTION_ROLE, 7: OPTION_MENTIONABLE, 8: OPTION_CHANNEL}[menu["type"]]
            spec = {"name": menu["custom_id"], "type": kind}
            data["values"] = [self._convert(spec, v, channel, resolved, who) for v in values]
            data["resolved"] = resolved
        await self._let_bot_catch_up()
        return await self._start(MESSAGE_COMPONENT, who, channel, data, message_id=target.id)

    # ----- modals -----

    async def submit_modal(
        self, user: UserRef, source: InteractionResult, values: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> InteractionResult:
        """Fill and submit the modal ``source`` opened; keys are input labels or custom ids."""
        modal = source.modal
        if modal is None:
            raise SandboxUsageError(f"{source!r} did not open a modal")
        who = self._user(user)
        if who.id != source.interaction.user_id:
            raise SandboxUsageError("only the user who opened a modal can submit it")
        given = {**(values or {}), **kwargs}
        used: set[str] = set()
        components: list[JSON] = []
        for component in modal.get("components") or []:
            if component.get("type") == 1:
                inner = (component.get("components") or [{}])[0]
                filled = self._fill(inner, inner.get("label"), given, used)
                components.append({"type": 1, "components": [filled]})
            elif component.get("type") == 18:
                inner = component.get("component") or {}
                filled = self._fill(inner, component.get("label"), given, used)
                components.append({"type": 18, "component": filled})
        unknown = set(given) - used
        if unknown:
            raise SandboxUsageError(f"the modal has no input(s) {', '.join(sorted(unknown))}")
        data = {"custom_id": modal["custom_id"], "components": components}
        await self._let_bot_catch_up()
        channel = self._channel(source.interaction.channel_id)
        return await self._start(MODAL_SUBMIT, who, channel, data, message_id=source.interaction.message_id)

    @staticmethod
    def _fill(component: JSON, label: str | None, given: Mapping[str, Any], used: set[str]) -> JSON:
        custom_id = component.get("custom_id", "")
        key = next((k for k in (label, custom_id) if k is not None and k in given), None)
        if key is not None:
            used.add(key)
        if component.get("type") == 4:
            value = str(given[key]) if key is not None else component.get("value") or ""
            if component.get("required", True) and not value:
                raise SandboxUsageError(f"modal input {label or custom_id!r} is required")
            low, high = component.get("min_length") or 0, component.get("max_length") or 4000
            if value and not low <= len(value) <= high:
                raise SandboxUsageError(f"modal input {label or custom_id!r} must be {low}..{high} characters")
            return {"type": 4, "custom_id": custom_id, "value": value}
        chosen = given[key] if key is not None else []
        chosen = [chosen] if isinstance(chosen, str) else list(chosen)
        if component.get("type") == 3:
            options = component.get("options") or []
            chosen = [next((o["value"] for o in options if v in (o.get("label"), o.get("value"))), v) for v in chosen]
        return {"type": component.get("type"), "custom_id": custom_id, "values": [str(v) for v in chosen]}

    # ----- plain messages from users -----

    async def send_message(self, user: UserRef, channel: ChannelRef, content: str, **fields: Any) -> Message:
        """Post ``content`` as ``user`` (MESSAGE_CREATE reaches the bot; DMs go to the bot's DM channel)."""
        who, where = self._user(user), self._channel(channel)
        return await self.server.rest.post_message(where, who.id, {"content": content, **fields}, {})

    async def dm_bot(self, user: UserRef, content: str) -> Message:
        who = self._user(user)
        return await self.send_message(who, self.dm_channel(who), content)

    # ----- reading back -----

    def messages(self, channel: ChannelRef, *, visible_to: UserRef | None = None) -> list[Message]:
        """Messages in ``channel``, oldest first; with ``visible_to``, without other users' ephemeral ones."""
        viewer = self._user(visible_to).id if visible_to is not None else None
        found = self.world.channel_messages(self._channel(channel).id)
        if viewer is not None:
            found = [m for m in found if m.visible_to in (None, viewer)]
        return sorted(found, key=lambda m: m.id)

    def last_message(self, channel: ChannelRef) -> Message | None:
        found = self.messages(channel)
        return found[-1] if found else None

    async def wait_message(
        self,
        channel: ChannelRef,
        predicate: Callable[[Message], bool] | None = None,
        *,
        after: Message | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
    ) -> Message:
        """The first message in ``channel`` (newer than ``after``) by the bot matching ``predicate``."""
        bot_id = self.server.bot.id
        floor = after.id if after else 0

        def find() -> Message | None:
            for message in self.messages(channel):
                if message.id > floor and message.author_id == bot_id and (predicate is None or predicate(message)):
                    return message
            return None

        return await self.server.changes.wait_for(find, timeout)

    def dms(self, user: UserRef) -> list[Message]:
        """Messages in the DM channel between the bot and ``user``."""
        channel = self.world.dm_channel(self._user(user).id)
        return self.messages(channel) if channel else []

    async def wait_dm(self, user: UserRef, count: int = 1, timeout: float = 5.0) -> list[Message]:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        bot_id = self.server.bot.id

        def found() -> list[Message] | None:
            mine = [m for m in self.dms(user) if m.author_id == bot_id]
            return mine if len(mine) >= count else None

        return await self.server.changes.wait_for(found, timeout)

    def scheduled_events(self, guild: Guild) -> list[JSON]:
        return list(guild.scheduled_events.values())

    def payload(self, message: Message) -> JSON:
        """The message as Discord's JSON."""
        return self.server.rest.message_payload(message)

    def render(self, message: Message, *, reveal_spoilers: bool = False) -> str:
        names = {f"<@{u.id}>": f"@{u.display_name}" for u in self.world.users.values()}
        for guild in self.world.guilds.values():
            names.update({f"<@&{r.id}>": f"@{r.name}" for r in guild.roles.values()})
            names.update({f"<#{c.id}>": f"#{c.name}" for c in guild.channels.values()})
        return render.render_message(self.payload(message), reveal_spoilers=reveal_spoilers, names=names)

    def buttons(self, message: Message) -> list[JSON]:
        return [c for c in walk_components(message.components) if c.get("type") == 2]
