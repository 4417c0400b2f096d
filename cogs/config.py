"""/config: where a server's reviews and announcements go (Manage Server, checked in code), and what happens to a
server's data when the bot is removed from it: kept 30 days in case it is invited back, then removed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.db.guilds import RETENTION, GuildConfig
from bot.domain.errors import CannotPostError, InvalidInputError, MissingPermissionError
from cogs._review_ui import missing_post_permissions, permissions_phrase

if TYPE_CHECKING:
    from bot.app import WatchCompanion

log = logging.getLogger(__name__)

PURGE_EVERY_HOURS = 1.0
SERVER_ONLY = "Settings belong to a server: run /config in one of your server's channels."


def require_manager(interaction: discord.Interaction[Any]) -> discord.Guild:
    """The server, when the caller may change its settings (Manage Server, from the interaction's permissions)."""
    guild = interaction.guild
    if interaction.guild_id is None or guild is None:
        raise InvalidInputError(SERVER_ONLY)
    if not interaction.permissions.manage_guild:
        raise MissingPermissionError("Changing this server's settings needs the Manage Server permission.")
    return guild


def postable(guild: discord.Guild, channel_id: int, purpose: str) -> discord.TextChannel:
    """The text channel, when the bot can send and embed there; CannotPostError saying what is missing otherwise."""
    channel = guild.get_channel(channel_id)
    if not isinstance(channel, discord.TextChannel):
        raise CannotPostError(f"{purpose} need a text channel of this server.")
    missing = missing_post_permissions(channel, guild.me)
    if missing:
        raise CannotPostError(
            f"I can't post in {channel.mention}: I need {permissions_phrase(missing)} there."
            " Give me that permission or pick another channel; nothing was changed."
        )
    return channel


def describe(config: GuildConfig) -> str:
    reviews = f"<#{config.review_channel_id}>" if config.review_channel_id else "the channel /review write runs in"
    announce = f"<#{config.announce_channel_id}>" if config.announce_channel_id else "not set (no announcements)"
    return f"Reviews are posted in: {reviews}\nSeason announcements go to: {announce}"


class Config(commands.GroupCog, group_name="config", group_description="Server settings (needs Manage Server)"):
    def __init__(self, bot: WatchCompanion) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.purge_loop.start()

    async def cog_unload(self) -> None:
        self.purge_loop.cancel()

    @app_commands.command(name="review-channel", description="Where reviews are posted (empty: where /review runs)")
    @app_commands.describe(channel="A text channel I can post and embed in; leave empty to post where /review runs")
    async def review_channel(
        self, interaction: discord.Interaction[Any], channel: discord.TextChannel | None = None
    ) -> None:
        guild = require_manager(interaction)
        chosen = postable(guild, channel.id, "Reviews") if channel is not None else None
        config = await self.bot.stores.guilds.set_review_channel(guild.id, chosen.id if chosen else None)
        await interaction.response.send_message(f"Saved.\n{describe(config)}", ephemeral=True)

    @app_commands.command(name="announce-channel", description="Where season announcements go (empty: none)")
    @app_commands.describe(channel="A text channel I can post and embed in; leave empty to stop announcements here")
    async def announce_channel(
        self, interaction: discord.Interaction[Any], channel: discord.TextChannel | None = None
    ) -> None:
        guild = require_manager(interaction)
        chosen = postable(guild, channel.id, "Announcements") if channel is not None else None
        config = await self.bot.stores.guilds.set_announce_channel(guild.id, chosen.id if chosen else None)
        await interaction.response.send_message(f"Saved.\n{describe(config)}", ephemeral=True)

    @app_commands.command(name="show", description="This server's settings")
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        guild = require_manager(interaction)
        config = await self.bot.stores.guilds.get(guild.id)
        await interaction.response.send_message(describe(config), ephemeral=True)

    # -- the bot joining and leaving servers ----------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.bot.stores.guilds.mark_joined(guild.id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.bot.stores.guilds.mark_joined(guild.id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Removed from a server while offline, the bot hears no GUILD_DELETE: READY no longer lists the server.
        present = {guild.id for guild in self.bot.guilds}
        gone = await self.bot.stores.guilds.mark_absent(present, self.bot.clock())
        if gone:
            log.info("removed while offline from servers %s; their data is kept for %d days", gone, RETENTION.days)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        log.info("removed from server %s; its data is kept for %d days", guild.id, RETENTION.days)
        await self.bot.stores.guilds.mark_left(guild.id, self.bot.clock())

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.bot.stores.guilds.forget_channel(channel.id)

    async def purge(self) -> list[int]:
        """Remove the data of every server the bot left 30 or more days ago (by the bot's clock)."""
        stores = self.bot.stores
        purged = await stores.guilds.purge_departed(self.bot.clock(), stores.guild_data())
        if purged:
            log.info("removed the data of %d servers the bot left over %d days ago", len(purged), RETENTION.days)
        return purged

    @tasks.loop(hours=PURGE_EVERY_HOURS)
    async def purge_loop(self) -> None:
        # Runs at start-up too (a loop's first tick is immediate); a failed tick must not stop the loop for good.
        try:
            await self.purge()
        except Exception:
            log.exception("purging departed servers failed; trying again next hour")


async def setup(bot: WatchCompanion) -> None:
    await bot.add_cog(Config(bot))
