"""/progress: where each member is in each show (shared across servers): set, next, show, rewatch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.episodes import MAX_SEASON
from bot.domain.errors import EpisodeOutOfRangeError, InvalidInputError
from bot.domain.models import Show
from bot.domain.progress import SPECIALS_SEASON
from bot.domain.progress.positions import first_position
from cogs._progress_ui import (
    ProgressPageButton,
    progress_page,
    rewatch_message,
    special_message,
    update_message,
    viewed_member,
)
from cogs._titles import TITLE_HELP, reply, resolve_title
from cogs._ui import title_autocomplete

if TYPE_CHECKING:
    from bot.app import WatchCompanion

# No show has more episodes in a season; a larger number is a typo (and would not fit a pick list's state).
MAX_EPISODE = 10_000
SET_ACTION = "progress.set"
NEXT_ACTION = "progress.next"
REWATCH_ACTION = "progress.rewatch"


class EpisodeProgress(
    commands.GroupCog, group_name="progress", group_description="Keep track of the episodes you've watched"
):
    def __init__(self, bot: WatchCompanion) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ProgressPageButton)
        self.bot.title_actions[SET_ACTION] = self.post_set
        self.bot.title_actions[NEXT_ACTION] = self.post_next
        self.bot.title_actions[REWATCH_ACTION] = self.post_rewatch

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ProgressPageButton)
        for action in (SET_ACTION, NEXT_ACTION, REWATCH_ACTION):
            self.bot.title_actions.pop(action, None)

    @app_commands.command(name="set", description="Record the episode you've watched up to (earlier ones count too)")
    @app_commands.describe(
        title=TITLE_HELP,
        episode="The last episode you watched; every episode before it counts as watched",
        season="Season number (default: the season you're in, else the first); 0 marks a special",
    )
    @app_commands.autocomplete(title=title_autocomplete)
    async def set_(
        self,
        interaction: discord.Interaction[Any],
        title: app_commands.Range[str, 1, 200],
        episode: app_commands.Range[int, 1, MAX_EPISODE],
        season: app_commands.Range[int, 0, MAX_SEASON] | None = None,
    ) -> None:
        # Discord checks option ranges in its own clients only: check again before anything else.
        if episode < 1:
            raise EpisodeOutOfRangeError(f"Episode numbers start at 1; there is no episode {episode}.")
        if episode > MAX_EPISODE:
            raise EpisodeOutOfRangeError(f"Episode numbers go up to {MAX_EPISODE:,}; there is no episode {episode:,}.")
        if season is not None and not 0 <= season <= MAX_SEASON:
            raise EpisodeOutOfRangeError(f"Season numbers run from 1 to {MAX_SEASON} (0 for specials).")
        extra = f"{episode}.{'' if season is None else season}"
        show = await resolve_title(interaction, title, SET_ACTION, extra=extra)
        if show is not None:
            await self.post_set(interaction, show, extra)

    async def post_set(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        episode_text, _, season_text = extra.partition(".")
        if not episode_text.isdigit() or (season_text and not season_text.isdigit()):
            raise InvalidInputError("That list is out of date; run `/progress set` again.")
        episode = int(episode_text)
        user_id = interaction.user.id
        if season_text and int(season_text) == SPECIALS_SEASON:
            newly = await self.bot.stores.progress.mark_special(user_id, show, episode)
            await reply(interaction, content=special_message(show, episode, newly), ephemeral=True)
            return
        if season_text:
            season = int(season_text)
        else:
            current = await self.bot.stores.progress.get(user_id, show.id)
            at = current.position if current else None
            season = at.season if at else first_position(show).season
        update = await self.bot.stores.progress.set(user_id, show, season, episode)
        await reply(interaction, content=update_message(show, update), ephemeral=True)

    @app_commands.command(name="next", description="Mark the next episode watched (moves into the next season)")
    @app_commands.describe(title=TITLE_HELP)
    @app_commands.autocomplete(title=title_autocomplete)
    async def next_(self, interaction: discord.Interaction[Any], title: app_commands.Range[str, 1, 200]) -> None:
        show = await resolve_title(interaction, title, NEXT_ACTION)
        if show is not None:
            await self.post_next(interaction, show, "")

    async def post_next(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        update = await self.bot.stores.progress.next(interaction.user.id, show)
        await reply(interaction, content=update_message(show, update), ephemeral=True)

    @app_commands.command(name="show", description="Shows you (or another member here) are watching, newest first")
    @app_commands.describe(member="Whose progress to show (a member of this server; default: yours)")
    async def show(
        self, interaction: discord.Interaction[Any], member: discord.Member | discord.User | None = None
    ) -> None:
        owner = viewed_member(interaction, member, "progress")
        embed, view = await progress_page(self.bot, owner, interaction.user.id, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(name="rewatch", description="Start watching a show again; earlier passes are kept")
    @app_commands.describe(title=TITLE_HELP)
    @app_commands.autocomplete(title=title_autocomplete)
    async def rewatch(self, interaction: discord.Interaction[Any], title: app_commands.Range[str, 1, 200]) -> None:
        show = await resolve_title(interaction, title, REWATCH_ACTION)
        if show is not None:
            await self.post_rewatch(interaction, show, "")

    async def post_rewatch(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        user_id = interaction.user.id
        update = await self.bot.stores.progress.rewatch(user_id, show)
        history = await self.bot.stores.progress.history(user_id, show.id)
        await reply(interaction, content=rewatch_message(show, update, history), ephemeral=True)


async def setup(bot: WatchCompanion) -> None:
    await bot.add_cog(EpisodeProgress(bot))
