"""/drama: search, info and episode lists."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.episodes import check_season
from bot.domain.errors import InvalidInputError
from bot.domain.models import Show
from bot.domain.text import normalize
from cogs._progress_ui import EpisodesRevealButton, progress_summary, unseen_for
from cogs._titles import TITLE_HELP, TitlePickSelect, reply, resolve_title
from cogs._ui import EpisodesPageButton, episodes_page, plain, show_embed, title_autocomplete

if TYPE_CHECKING:
    from bot.app import WatchCompanion

SEARCH_RESULTS = 10
# Matches worth explaining: a title match explains itself.
EXPLAINED_KINDS = frozenset({"alias", "cast", "character", "nickname"})
# What a pick from an ambiguous title's list runs (see cogs/_titles.py).
INFO_ACTION = "drama.info"
EPISODES_ACTION = "drama.episodes"


class Drama(commands.GroupCog, group_name="drama", group_description="Look dramas up"):
    def __init__(self, bot: WatchCompanion) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        # This cog owns lookup, so it also owns the pick list every title option falls back to.
        self.bot.add_dynamic_items(EpisodesPageButton, EpisodesRevealButton, TitlePickSelect)
        self.bot.title_actions[INFO_ACTION] = self.post_info
        self.bot.title_actions[EPISODES_ACTION] = self.post_episodes

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(EpisodesPageButton, EpisodesRevealButton, TitlePickSelect)
        self.bot.title_actions.pop(INFO_ACTION, None)
        self.bot.title_actions.pop(EPISODES_ACTION, None)

    @app_commands.command(name="search", description="Find dramas by title (English or Hangul), alias, actor or role")
    @app_commands.describe(query="Part of a title, a Hangul title or initials (ㅈㅈㅇㅅ), an actor or character name")
    async def search(self, interaction: discord.Interaction[Any], query: app_commands.Range[str, 1, 100]) -> None:
        if not normalize(query):
            raise InvalidInputError("Type some letters of a title, a Hangul title, or an actor's name to search for.")
        hits = self.bot.lookup.search(query, limit=SEARCH_RESULTS)
        shown = plain(query[:100], 100)
        if not hits:
            await interaction.response.send_message(
                f"No drama matches “{shown}”. Try fewer letters, the Hangul title, or an actor's name.",
                ephemeral=True,
            )
            return
        lines: list[str] = []
        for i, hit in enumerate(hits, start=1):
            show = await self.bot.lookup.get(hit.show_id)
            if show is None:
                continue
            details = [
                plain(show.native_title, 100),
                str(show.year or ""),
                plain(" / ".join(x for x in (show.network, show.platform) if x), 100),
                f"{show.episode_count} episodes" if show.episode_count else "",
            ]
            line = f"**{i}. {plain(show.title, 200)}** " + " · ".join(d for d in details if d)
            if hit.kind in EXPLAINED_KINDS:
                line += f"\n   matched {hit.kind} “{plain(hit.matched, 100)}”"
            lines.append(line)
        embed = discord.Embed(title=f"Dramas matching “{shown}”"[:256], description="\n".join(lines)[:4096])
        embed.set_footer(text="Use /drama info with a title for the full card.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="info", description="A drama's card: titles, year, network, episodes, cast, source")
    @app_commands.describe(title=TITLE_HELP)
    @app_commands.autocomplete(title=title_autocomplete)
    async def info(self, interaction: discord.Interaction[Any], title: app_commands.Range[str, 1, 200]) -> None:
        show = await resolve_title(interaction, title, INFO_ACTION)
        if show is not None:
            await self.post_info(interaction, show, "")

    async def post_info(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        embed = show_embed(show)
        user_id = interaction.user.id
        stores = self.bot.stores
        # Both reads queue on the database thread at once: one wait instead of two on the busiest command.
        progress, summary = await asyncio.gather(
            stores.progress.get(user_id, show.id),
            stores.reviews.summary(interaction.guild_id, show.id) if interaction.guild_id is not None else _none(),
        )
        if summary is not None:  # reviews are per server
            embed.add_field(name="Reviews in this server", value=summary.describe(), inline=False)
        if progress is not None:
            history = await self.bot.stores.progress.history(user_id, show.id)
            # The card is public: the field names whose progress it is (a mention in an embed never pings).
            embed.add_field(
                name="Progress", value=f"<@{user_id}>: {progress_summary(show, progress, history)}"[:1024], inline=False
            )
        await reply(interaction, embed=embed, ephemeral=False)

    @app_commands.command(name="episodes", description="A drama's episodes with air dates, a page at a time")
    @app_commands.describe(
        title=TITLE_HELP,
        season="Season number (leave empty for every season)",
    )
    @app_commands.autocomplete(title=title_autocomplete)
    async def episodes(
        self,
        interaction: discord.Interaction[Any],
        title: app_commands.Range[str, 1, 200],
        season: app_commands.Range[int, 1, 100] | None = None,
    ) -> None:
        # Episodes may come from TVmaze: defer first (privately, so a mistake stays between us).
        await interaction.response.defer(ephemeral=True, thinking=True)
        show = await resolve_title(interaction, title, EPISODES_ACTION, extra=str(season or ""))
        if show is not None:
            await self.post_episodes(interaction, show, str(season or ""))

    async def post_episodes(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        season = int(extra) if extra.isdigit() else None
        if season is not None:
            # Discord enforces option ranges in its own clients only; check again here.
            check_season(show, season)
        episodes = await self.bot.lookup.episodes(show, season)
        # Titles of episodes past the viewer's progress stay hidden (a "Reveal titles" button shows them privately).
        hidden = await unseen_for(self.bot, interaction.user.id, show, episodes)
        embed, view = episodes_page(show, episodes, season or 0, 0, hidden)
        await reply(interaction, embed=embed, view=view, ephemeral=True)


async def _none() -> None:
    return None


async def setup(bot: WatchCompanion) -> None:
    await bot.add_cog(Drama(bot))
