"""The sandbox's world: users, guilds, channels, messages and interactions, and who may do what where.

Everything is plain dataclasses keyed by int snowflakes; ``bot.sandbox.payloads`` turns them into Discord's JSON.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.sandbox.protocol import JSON, CallbackType, InteractionType, walk_components

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions), only the ones the sandbox names.
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
ALL_PERMISSIONS = (1 << 51) - 1

DEFAULT_EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
DEFAULT_BOT_PERMISSIONS = DEFAULT_EVERYONE_PERMISSIONS | MANAGE_EVENTS | CREATE_EVENTS | MANAGE_MESSAGES

# Message flags.
SUPPRESS_EMBEDS = 1 << 2
EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_NOTIFICATIONS = 1 << 12
IS_COMPONENTS_V2 = 1 << 15

# Channel types.
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4


def utcnow() -> datetime:
    return datetime.now(UTC)


class Snowflakes:
    """Snowflake ids that increase strictly and still decode to the current time, as discord.py derives
    ``created_at`` from them."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    token: str | None = None
    # False makes the bot's DMs to this user fail with 50007, like a member who closed their DMs.
    dms_open: bool = True

    @property
    def display_name(self) -> str:
        return self.global_name or self.username

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    mentionable: bool = False
    managed: bool = False
    color: int = 0
    hoist: bool = False

    @property
    def mention(self) -> str:
        return "@everyone" if self.id == self.guild_id else f"<@&{self.id}>"


@dataclass
class Overwrite:
    """A channel permission overwrite: ``type`` 0 targets a role, 1 a member."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0


@dataclass
class Channel:
    id: int
    type: int
    name: str | None
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient_ids: list[int] = field(default_factory=list)
    last_message_id: int | None = None
    nsfw: bool = False

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass
class Member:
    user_id: int
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: datetime = field(default_factory=utcnow)


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    scheduled_events: dict[int, JSON] = field(default_factory=dict)
    locale: str = "en-US"

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]


@dataclass
class Attachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None


@dataclass
class Revision:
    """One state of a message; ``Message.history`` keeps every earlier one."""

    content: str
    embeds: list[JSON]
    components: list[JSON]
    flags: int
    attachment_ids: list[int]
    at: datetime


@dataclass
class Message:
    id: int
    channel_id: int
    author_id: int
    guild_id: int | None = None
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    timestamp: datetime = field(default_factory=utcnow)
    edited_timestamp: datetime | None = None
    history: list[Revision] = field(default_factory=list)
    deleted: bool = False
    # Set for interaction responses and followups (sent through the application's webhook).
    interaction_id: int | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    # For an ephemeral message: the only user who can see it.
    visible_to: int | None = None
    mention_user_ids: list[int] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    nonce: str | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    def snapshot(self) -> Revision:
        return Revision(
            content=self.content,
            embeds=list(self.embeds),
            components=list(self.components),
            flags=self.flags,
            attachment_ids=[a.id for a in self.attachments],
            at=self.edited_timestamp or self.timestamp,
        )

    def iter_components(self) -> Iterable[JSON]:
        """Every component, depth first (rows, containers, sections and their accessories included)."""
        return walk_components(self.components)


def permissions_in(guild: Guild, user_id: int, channel: Channel | None) -> int:
    """A member's permissions, in a channel when one is given (Discord's documented overwrite order)."""
    member = guild.members.get(user_id)
    if member is None:
        return 0
    if guild.owner_id == user_id:
        return ALL_PERMISSIONS
    base = guild.everyone.permissions
    for role_id in member.roles:
        role = guild.roles.get(role_id)
        if role is not None:
            base |= role.permissions
    if base & ADMINISTRATOR:
        return ALL_PERMISSIONS
    if channel is None:
        return base
    perms = base
    by_id = {ow.id: ow for ow in channel.overwrites}
    everyone_ow = by_id.get(guild.id)
    if everyone_ow is not None:
        perms = (perms & ~everyone_ow.deny) | everyone_ow.allow
    allow = deny = 0
    for role_id in member.roles:
        ow = by_id.get(role_id)
        if ow is not None and ow.type == 0:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow
    member_ow = by_id.get(user_id)
    if member_ow is not None and member_ow.type == 1:
        perms = (perms & ~member_ow.deny) | member_ow.allow
    return perms


@dataclass
class Interaction:
    """An interaction the sandbox dispatched, and everything the bot answered to it."""

    id: int
    token: str
    type: InteractionType
    user_id: int
    channel_id: int
    guild_id: int | None
    data: JSON
    created: float
    payload: JSON = field(default_factory=dict)
    # The message a component or a modal opened from a component sits on.
    message_id: int | None = None
    response_type: CallbackType | None = None
    responded: float | None = None
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: JSON | None = None
    choices: list[JSON] | None = None
    # Each later change of the original response (edit or first followup replacing a "thinking" message).
    original_edits: int = 0
    rejected: list[str] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None

    @property
    def finalised(self) -> bool:
        """True once the user sees a final answer: immediate responses at once, deferred ones after an edit of
        @original or a followup."""
        if self.response_type in (CallbackType.DEFERRED_CHANNEL_MESSAGE, CallbackType.DEFERRED_UPDATE_MESSAGE):
            return self.original_edits > 0 or bool(self.followup_ids)
        return self.response_type is not None


@dataclass
class World:
    """All sandbox state, shared by the REST handlers, the gateway and the driver."""

    ids: Snowflakes = field(default_factory=Snowflakes)
    users: dict[int, User] = field(default_factory=dict)
    guilds: dict[int, Guild] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    interactions: dict[int, Interaction] = field(default_factory=dict)
    # (guild id or None for global) -> command id -> the command as Discord stores it.
    commands: dict[int | None, dict[int, JSON]] = field(default_factory=dict)
    bot: User | None = None
    application_id: int = 0
    application_flags: int = 0

    def guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    def channel_messages(self, channel_id: int) -> list[Message]:
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted]

    def dm_channel(self, user_id: int) -> Channel | None:
        for channel in self.channels.values():
            if channel.type == DM and user_id in channel.recipient_ids:
                return channel
        return None

    def open_dm(self, user: User) -> Channel:
        """The DM channel between the bot and ``user``, created on first use as Discord does."""
        existing = self.dm_channel(user.id)
        if existing is not None:
            return existing
        bot_id = self.bot.id if self.bot else 0
        channel = Channel(id=self.ids.next(), type=DM, name=None, recipient_ids=[bot_id, user.id])
        self.channels[channel.id] = channel
        return channel
