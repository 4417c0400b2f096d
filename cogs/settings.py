"""/settings: a member's own preferences, shared across servers (for now, the time zone their typed times are in)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.times import canonical_zone, resolve_zone, zone_choices

if TYPE_CHECKING:
    from bot.app import WatchCompanion


async def zone_autocomplete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    """IANA zones matching what was typed (local data only; common zones while the option is empty)."""
    return [app_commands.Choice(name=name, value=name) for name in zone_choices(current)]


class MemberSettings(commands.GroupCog, group_name="settings", group_description="Your own settings, in every server"):
    def __init__(self, bot: WatchCompanion) -> None:
        self.bot = bot

    @app_commands.command(name="timezone", description="The time zone the times you type are read in")
    @app_commands.describe(tz="An IANA time zone such as Asia/Seoul or Europe/London (pick a suggestion)")
    @app_commands.autocomplete(tz=zone_autocomplete)
    async def timezone(self, interaction: discord.Interaction[Any], tz: app_commands.Range[str, 1, 100]) -> None:
        zone = canonical_zone(tz)  # UnknownTimezoneError (with close names) for anything else
        await self.bot.stores.settings.set_timezone(interaction.user.id, zone)
        local = self.bot.stores.settings.clock().astimezone(resolve_zone(zone))
        offset = local.strftime("%z")
        await interaction.response.send_message(
            f"Your time zone is now {zone} (UTC{offset[:3]}:{offset[3:]}; it's {local:%H:%M} there now)."
            " Times you type for watch parties are read in it.",
            ephemeral=True,
        )


async def setup(bot: WatchCompanion) -> None:
    await bot.add_cog(MemberSettings(bot))
