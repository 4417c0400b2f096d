"""/about: version, data sources with attribution, and counts."""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

if TYPE_CHECKING:
    from bot.app import WatchCompanion


def version() -> str:
    try:
        return metadata.version("watch-companion")
    except metadata.PackageNotFoundError:
        return "unknown"


# Only what works today: this line changes as features land.
WHAT_IT_DOES = (
    "Look dramas up by English or Hangul title, alias, actor or character, with autocomplete: "
    "`/drama search`, `/drama info`, `/drama episodes`. When a title fits several dramas, you pick from a private list."
    " Follow a show with `/notify follow` to hear by DM (and in the server's news channel) when TVmaze lists a new"
    " season, a premiere date, a premiere day or episodes."
)


class About(commands.Cog):
    def __init__(self, bot: WatchCompanion) -> None:
        self.bot = bot

    @app_commands.command(name="about", description="What this bot is, where its data comes from, and some counts")
    async def about(self, interaction: discord.Interaction[Any]) -> None:
        counts = await self.bot.lookup.count_by_source()
        embed = discord.Embed(title="Watch Companion", description=WHAT_IT_DOES, colour=discord.Colour.teal())
        embed.add_field(name="Version", value=version(), inline=True)
        embed.add_field(name="Servers", value=str(len(self.bot.guilds)), inline=True)
        embed.add_field(name="Shows known", value=str(sum(counts.values())), inline=True)
        embed.add_field(
            name="Data sources",
            value=(
                f"• Bundled catalogue: {counts.get('catalog', 0)} dramas"
                + (f"\n• Imported: {counts['import']} shows" if counts.get("import") else "")
                + f"\n• [TVmaze](https://www.tvmaze.com) (CC BY-SA 4.0): {counts.get('tvmaze', 0)} shows stored;"
                " each TVmaze card links back to its record"
                + ("" if self.bot.lookup.remote is not None else " (TVmaze is switched off here: offline mode)")
            ),
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: WatchCompanion) -> None:
    await bot.add_cog(About(bot))
