"""The bot class: resources injected from ``__main__``, extensions loaded and commands synced in ``setup_hook``."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord.ext import commands

from bot.db.database import Database
from bot.db.meta import MetaStore
from bot.db.reviews import Clock, utcnow
from bot.db.stores import Stores
from bot.lookup import ShowLookup
from bot.settings import Settings
from bot.tree import WatchTree

log = logging.getLogger(__name__)

EXTENSIONS = (
    "cogs.drama",
    "cogs.about",
    "cogs.progress",
    "cogs.watchlist",
    "cogs.settings",
    "cogs.party",
    "cogs.reviews",
    "cogs.config",
    "cogs.privacy",
    "cogs.notify",
)
TREE_HASH_KEY = "command_tree_hash"


def intents() -> discord.Intents:
    """The default intents plus Server Members (privileged: switch it on in the developer portal), without
    which Discord does not say that a member left, and their watch parties would keep them."""
    chosen = discord.Intents.default()
    chosen.members = True
    return chosen


class WatchCompanion(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        db: Database,
        lookup: ShowLookup,
        *,
        extensions: tuple[str, ...] = EXTENSIONS,
        sync_commands: bool = True,
        stores: Stores | None = None,
        clock: Clock = utcnow,
    ) -> None:
        # The bot has no voice features, so discord.py's start-up warnings about voice libraries are noise.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            # No prefix commands: a mention prefix keeps commands.Bot happy without reading message content.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(),
            # Parties only need to hear that a member left; the member list itself is never read.
            chunk_guilds_at_startup=False,
            # Nothing the bot sends pings anyone unless a call site opts in on purpose.
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=WatchTree,
        )
        self.settings = settings
        self.db = db
        self.lookup = lookup
        self.meta = MetaStore(db)
        # Every store, built here from the one database unless a caller (a test) hands in its own.
        self.clock = clock
        self.stores = stores or Stores.build(db, clock)
        self.initial_extensions = extensions
        # What each command does once a member picks a show from an ambiguous title's list, by action name
        # (see cogs/_titles.py); cogs register theirs in cog_load.
        self.title_actions: dict[str, Callable[[discord.Interaction[Any], Any, str], Awaitable[None]]] = {}
        self.should_sync = sync_commands

    async def setup_hook(self) -> None:
        await self.lookup.start()
        for extension in self.initial_extensions:
            await self.load_extension(extension)
        if self.should_sync:
            await self.sync_commands()

    def tree_hash(self) -> str:
        payload = sorted((c.to_dict(self.tree) for c in self.tree.get_commands()), key=lambda c: str(c["name"]))
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    async def sync_commands(self, *, force: bool = False) -> str:
        """Sync to the dev guild when set; globally only when the tree changed since the last global sync."""
        if self.settings.dev_guild_id:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to dev guild %s", len(synced), self.settings.dev_guild_id)
            return "guild"
        digest = self.tree_hash()
        if not force and await self.meta.get(TREE_HASH_KEY) == digest:
            log.info("command tree unchanged since the last sync; not syncing")
            return "unchanged"
        synced = await self.tree.sync()
        await self.meta.set(TREE_HASH_KEY, digest)
        log.info("synced %d global commands", len(synced))
        return "global"

    async def close(self) -> None:
        await super().close()
        # Updates already queued were acknowledged or are about to be: commit them before the database closes.
        await self.stores.progress.drain()
        await self.lookup.close()

    async def on_ready(self) -> None:
        user = self.user
        log.info("ready as %s (%s) in %d servers", user, user.id if user else "?", len(self.guilds))

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("unhandled error in event %s", event_method)
