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


# What works today, one line a feature; it changes as features land (a test holds it to the command tree).
FEATURES = (
    (
        "drama",
        "look dramas up by English or Hangul title, alias, actor or character, with autocomplete;"
        " when a title fits several, you pick from a private list",
    ),
    ("progress", "where you are in each show, episode by episode, with rewatches"),
    ("watchlist", "plan, watching, completed, on hold, dropped"),
    ("party", "watch parties in a channel, with Discord events, check-ins and a reminder"),
    ("review", "reviews graded A+ to F whose spoilers stay hidden until you have seen that far"),
    (
        "notify",
        "a DM (and a post in the server's news channel) when a followed show gets a new season,"
        " a premiere date or airs",
    ),
    ("settings", "your time zone"),
    ("config", "the server's review and news channels (Manage Server)"),
    ("privacy", "everything stored about you, exported or deleted"),
)
WHAT_IT_DOES = "\n".join(f"`/{group}`: {text}." for group, text in FEATURES)


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
