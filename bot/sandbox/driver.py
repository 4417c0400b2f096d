"""``Driver``: the test-side hands of the sandbox. It builds the world (users, guilds, channels, roles,
members), acts as a user (slash commands, autocomplete, buttons, selects, modals, plain messages) and reads
back what the bot did.

Acting returns an ``InteractionResult`` (``bot.sandbox.results``); what a user types is turned into Discord's
``data`` by ``bot.sandbox.options``.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.sandbox import render
from bot.sandbox.builder import WorldBuilder
from bot.sandbox.config import SandboxConfig
from bot.sandbox.errors import InteractionFailedError, SandboxUsageError
from bot.sandbox.gateway import Gateway
from bot.sandbox.options import ChannelRef, CommandOptions, UserRef
from bot.sandbox.payloads import channel_payload, member_payload, user_payload
from bot.sandbox.protocol import JSON, SELECTS, ButtonStyle, ComponentType, InteractionType, OptionType, walk_components
from bot.sandbox.records import Records
from bot.sandbox.rest.messages import Messages
from bot.sandbox.results import InteractionResult
from bot.sandbox.rules import shorten
from bot.sandbox.state import (
    Channel,
    Guild,
    Interaction,
    Message,
    User,
    World,
    permissions_in,
)

__all__ = ["Driver", "InteractionFailedError", "InteractionResult", "SandboxUsageError"]

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class Driver(WorldBuilder):
    """Builds the sandbox world and plays its users. Reachable as ``server.driver``."""

    def __init__(
        self, world: World, records: Records, config: SandboxConfig, gateway: Gateway, messages: Messages
    ) -> None:
        self.world = world
        self.records = records
        self.config = config
        self.gateway = gateway
        self.rest_messages = messages
        self.options = CommandOptions(world)
        # Quiet time awaited before a click, select or modal submit; see _let_bot_catch_up.
        self.settle_quiet = 0.05

    def _render_for_result(self, message: Message, reveal_spoilers: bool) -> str:
        return self.render(message, reveal_spoilers=reveal_spoilers)

    async def _let_bot_catch_up(self) -> None:
        """Give the bot time to finish handling its last response before a user acts on it.

        discord.py registers a view only after it has read the callback's HTTP response, so a click sent the
        instant the sandbox answered could reach the bot before the view exists. No human clicks that fast;
        waiting for a short quiet spell on the sandbox models that without a fixed sleep.
        """
        with contextlib.suppress(TimeoutError):
            await self.records.settle(quiet=self.settle_quiet, timeout=2.0)

    # ----- lookups -----

    def _user(self, ref: UserRef) -> User:
        return self.options.user(ref)

    def _channel(self, ref: ChannelRef) -> Channel:
        return self.options.channel(ref)

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
        bot = self._bot()
        payload: JSON = {
            "id": str(interaction.id),
            "application_id": str(world.application_id),
            "type": int(interaction.type),
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
            payload["message"] = self.rest_messages.message_payload(world.messages[interaction.message_id])
        return payload

    async def _start(
        self, kind: InteractionType, user: User, channel: Channel, data: JSON, *, message_id: int | None = None
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
        await self.gateway.dispatch("INTERACTION_CREATE", interaction.payload)
        return InteractionResult(
            interaction, world=self.world, records=self.records, config=self.config, render=self._render_for_result
        )

    # ----- slash commands and autocomplete -----

    def commands(self, guild: Guild | None = None) -> list[JSON]:
        """Commands the bot synced globally (``guild=None``) or to ``guild``."""
        return list(self.world.commands.get(guild.id if guild else None, {}).values())

    async def wait_commands(self, guild: Guild | None = None, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """Wait until the bot has synced at least one command in that scope."""
        return await self.records.changes.wait_for(lambda: self.commands(guild), timeout)

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
        data = self.options.command_data(who, where, command, {**(options or {}), **kwargs})
        return await self._start(InteractionType.APPLICATION_COMMAND, who, where, data)

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
        data = self.options.command_data(who, where, command, given, focused=focused)
        return await self._start(InteractionType.AUTOCOMPLETE, who, where, data)

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
        catch_up: bool = True,
    ) -> InteractionResult:
        """Press the button with this label (or custom_id) on ``message``. ``catch_up=False`` skips the wait for a
        quiet sandbox (for many members pressing at once on a message that is long settled, as in a benchmark)."""
        if label is None and custom_id is None:
            raise SandboxUsageError("click needs a label or a custom_id")

        def matches(component: JSON) -> bool:
            if component.get("type") != ComponentType.BUTTON:
                return False
            return (label is not None and component.get("label") == label) or (
                custom_id is not None and component.get("custom_id") == custom_id
            )

        what = shorten(label or custom_id or "", 80)
        target = self._message(message, lambda m: any(matches(c) for c in m.iter_components()))
        button = next((c for c in target.iter_components() if matches(c)), None)
        if button is None:
            labels = [
                c.get("label") or c.get("custom_id")
                for c in target.iter_components()
                if c.get("type") == ComponentType.BUTTON
            ]
            raise SandboxUsageError(f"no button {what!r} here; buttons: {shorten(str(labels), 200)}")
        if button.get("disabled"):
            raise SandboxUsageError(f"button {what!r} is disabled")
        if button.get("style") in (ButtonStyle.LINK, ButtonStyle.PREMIUM) or not button.get("custom_id"):
            raise SandboxUsageError(f"button {what!r} is a link or premium button, not an interaction")
        who = self._user(user)
        self._visible_to(target, who)
        data = {"custom_id": button["custom_id"], "component_type": int(ComponentType.BUTTON)}
        if catch_up:
            await self._let_bot_catch_up()
        return await self._start(
            InteractionType.MESSAGE_COMPONENT, who, self._channel(target.channel_id), data, message_id=target.id
        )

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
            if component.get("type") not in SELECTS:
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
        if menu["type"] == ComponentType.STRING_SELECT:
            chosen = []
            for value in values:
                option = next((o for o in menu.get("options") or [] if value in (o.get("label"), o.get("value"))), None)
                if option is None:
                    raise SandboxUsageError(f"{shorten(str(value), 80)!r} is not an option of that select")
                chosen.append(option["value"])
            data["values"] = chosen
        else:
            resolved: JSON = {}
            kind = {
                ComponentType.USER_SELECT: OptionType.USER,
                ComponentType.ROLE_SELECT: OptionType.ROLE,
                ComponentType.MENTIONABLE_SELECT: OptionType.MENTIONABLE,
                ComponentType.CHANNEL_SELECT: OptionType.CHANNEL,
            }[menu["type"]]
            spec = {"name": menu["custom_id"], "type": kind}
            data["values"] = [self.options.convert(spec, v, channel, resolved, who) for v in values]
            data["resolved"] = resolved
        await self._let_bot_catch_up()
        return await self._start(InteractionType.MESSAGE_COMPONENT, who, channel, data, message_id=target.id)

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
            if component.get("type") == ComponentType.ACTION_ROW:
                inner = (component.get("components") or [{}])[0]
                filled = self._fill(inner, inner.get("label"), given, used)
                components.append({"type": 1, "components": [filled]})
            elif component.get("type") == ComponentType.LABEL:
                inner = component.get("component") or {}
                filled = self._fill(inner, component.get("label"), given, used)
                components.append({"type": 18, "component": filled})
        unknown = set(given) - used
        if unknown:
            raise SandboxUsageError(f"the modal has no input(s) {shorten(', '.join(sorted(unknown)), 80)}")
        data = {"custom_id": modal["custom_id"], "components": components}
        await self._let_bot_catch_up()
        channel = self._channel(source.interaction.channel_id)
        return await self._start(
            InteractionType.MODAL_SUBMIT, who, channel, data, message_id=source.interaction.message_id
        )

    @staticmethod
    def _fill(component: JSON, label: str | None, given: Mapping[str, Any], used: set[str]) -> JSON:
        custom_id = component.get("custom_id", "")
        what = shorten(label or custom_id, 80)
        key = next((k for k in (label, custom_id) if k is not None and k in given), None)
        if key is not None:
            used.add(key)
        if component.get("type") == ComponentType.TEXT_INPUT:
            value = str(given[key]) if key is not None else component.get("value") or ""
            if component.get("required", True) and not value:
                raise SandboxUsageError(f"modal input {what!r} is required")
            low, high = component.get("min_length") or 0, component.get("max_length") or 4000
            if value and not low <= len(value) <= high:
                raise SandboxUsageError(f"modal input {what!r}: {low} to {high} characters")
            return {"type": 4, "custom_id": custom_id, "value": value}
        chosen = given[key] if key is not None else []
        chosen = [chosen] if isinstance(chosen, str) else list(chosen)
        if component.get("type") == ComponentType.STRING_SELECT:
            options = component.get("options") or []
            chosen = [next((o["value"] for o in options if v in (o.get("label"), o.get("value"))), v) for v in chosen]
        return {"type": component.get("type"), "custom_id": custom_id, "values": [str(v) for v in chosen]}

    # ----- plain messages from users -----

    async def send_message(self, user: UserRef, channel: ChannelRef, content: str, **fields: Any) -> Message:
        """Post ``content`` as ``user`` (MESSAGE_CREATE reaches the bot; DMs go to the bot's DM channel)."""
        who, where = self._user(user), self._channel(channel)
        return await self.rest_messages.post_message(where, who.id, {"content": content, **fields}, {})

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
        bot_id = self._bot().id
        floor = after.id if after else 0

        def find() -> Message | None:
            for message in self.messages(channel):
                if message.id > floor and message.author_id == bot_id and (predicate is None or predicate(message)):
                    return message
            return None

        return await self.records.changes.wait_for(find, timeout)

    def dms(self, user: UserRef) -> list[Message]:
        """Messages in the DM channel between the bot and ``user``."""
        channel = self.world.dm_channel(self._user(user).id)
        return self.messages(channel) if channel else []

    async def wait_dm(self, user: UserRef, count: int = 1, timeout: float = 5.0) -> list[Message]:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        bot_id = self._bot().id

        def found() -> list[Message] | None:
            mine = [m for m in self.dms(user) if m.author_id == bot_id]
            return mine if len(mine) >= count else None

        return await self.records.changes.wait_for(found, timeout)

    def scheduled_events(self, guild: Guild) -> list[JSON]:
        return list(guild.scheduled_events.values())

    def payload(self, message: Message) -> JSON:
        """The message as Discord's JSON."""
        return self.rest_messages.message_payload(message)

    def render(self, message: Message, *, reveal_spoilers: bool = False) -> str:
        names = {f"<@{u.id}>": f"@{u.display_name}" for u in self.world.users.values()}
        for guild in self.world.guilds.values():
            names.update({f"<@&{r.id}>": f"@{r.name}" for r in guild.roles.values()})
            names.update({f"<#{c.id}>": f"#{c.name}" for c in guild.channels.values()})
        return render.render_message(self.payload(message), reveal_spoilers=reveal_spoilers, names=names)

    def buttons(self, message: Message) -> list[JSON]:
        return [c for c in walk_components(message.components) if c.get("type") == ComponentType.BUTTON]
