"""Building the sandbox's world as a test or the playground needs it: users, guilds with their @everyone and
bot roles, channels, members, roles and overwrites; each change is announced on the gateway as Discord would."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.sandbox.gateway import Gateway
from bot.sandbox.options import CommandOptions, UserRef
from bot.sandbox.payloads import channel_payload, member_payload, role_payload
from bot.sandbox.state import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    GUILD_CATEGORY,
    GUILD_TEXT,
    GUILD_VOICE,
    Channel,
    Guild,
    Member,
    Overwrite,
    Role,
    User,
    World,
)


class WorldBuilder:
    """The world-building half of the ``Driver`` (``driver.create_guild(...)`` and the like)."""

    world: World
    gateway: Gateway
    options: CommandOptions

    def _bot(self) -> User:
        bot = self.world.bot
        if bot is None:
            raise RuntimeError("the sandbox has no bot user")
        return bot

    def _member(self, guild: Guild, ref: UserRef) -> Member:
        return self.options.member(guild, ref)

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
            bot = self._bot()
            role = await self.create_role(guild, bot.username, bot_permissions)
            role.managed = True
            await self.add_member(guild, bot, roles=[role])
            # A bot that is already connected learns about the guild as on a real join.
            await self._announce_join(guild)
        return guild

    async def remove_bot(self, guild: Guild) -> None:
        """A manager kicks the bot (or the bot leaves): it gets GUILD_DELETE without ``unavailable`` (what tells a
        removal from an outage) and from then on the guild's routes answer it 403 Missing Access."""
        await self.gateway.remove_bot(guild)

    async def add_bot(self, guild: Guild) -> Member:
        """Invite the bot (back) into ``guild``: it joins with a managed role and gets GUILD_CREATE as on a join."""
        bot = self._bot()
        role = next((r for r in guild.roles.values() if r.managed and r.name == bot.username), None)
        if role is None:
            role = await self.create_role(guild, bot.username, DEFAULT_BOT_PERMISSIONS)
            role.managed = True
        member = await self.add_member(guild, bot, roles=[role])
        await self._announce_join(guild)
        return member

    async def _announce_join(self, guild: Guild) -> None:
        # On a join Discord's GUILD_CREATE has no "unavailable" (False there means a guild of READY coming back),
        # which is how discord.py tells on_guild_join from on_guild_available.
        payload = self.gateway.guild_create_payload(guild)
        payload.pop("unavailable", None)
        await self.gateway.dispatch("GUILD_CREATE", payload, guild_id=guild.id)

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
        await self.gateway.dispatch(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role_payload(role)}, guild_id=guild.id
        )
        return role

    async def _create_channel(self, guild: Guild, name: str, kind: int, **fields: Any) -> Channel:
        channel = Channel(
            id=self.world.ids.next(), type=kind, name=name, guild_id=guild.id, position=len(guild.channels), **fields
        )
        guild.channels[channel.id] = channel
        self.world.channels[channel.id] = channel
        await self.gateway.dispatch("CHANNEL_CREATE", channel_payload(channel), guild_id=guild.id)
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
        await self.gateway.dispatch(
            "GUILD_MEMBER_ADD", {"guild_id": str(guild.id), **member_payload(member, user)}, guild_id=guild.id
        )
        return member

    async def set_roles(self, guild: Guild, user: UserRef, roles: Iterable[Role]) -> Member:
        member = self._member(guild, user)
        member.roles = [r.id for r in roles]
        payload = {"guild_id": str(guild.id), **member_payload(member, self.world.users[member.user_id])}
        await self.gateway.dispatch("GUILD_MEMBER_UPDATE", payload, guild_id=guild.id)
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
        await self.gateway.dispatch("CHANNEL_UPDATE", channel_payload(channel), guild_id=channel.guild_id)

    def dm_channel(self, user: User) -> Channel:
        """The DM channel between the bot and ``user`` (created on first use, as Discord does)."""
        return self.world.open_dm(user)
