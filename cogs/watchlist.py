"""/watchlist: each member's shows and their status (plan, watching, completed, on hold, dropped)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.errors import InvalidInputError
from bot.domain.models import Show
from bot.domain.progress import WatchStatus
from cogs._progress_ui import WatchlistPageButton, title_of, viewed_member, watchlist_page
from cogs._titles import TITLE_HELP, reply, resolve_title
from cogs._ui import title_autocomplete

if TYPE_CHECKING:
    from bot.app import WatchCompanion

ADD_ACTION = "watchlist.add"
REMOVE_ACTION = "watchlist.remove"
STATUS_CHOICES = [app_commands.Choice(name=status.label, value=status.value) for status in WatchStatus]


def parse_status(value: str | None) -> WatchStatus | None:
    """The status option, checked again here: Discord enforces choices in its own clients only."""
    if not value:
        return None
    try:
        return WatchStatus(value)
    except ValueError:
        names = ", ".join(status.value for status in WatchStatus)
        raise InvalidInputError(f"A watchlist status is one of: {names}.") from None


class Watchlist(commands.GroupCog, group_name="watchlist", group_description="The shows you plan to watch or watched"):
    def __init__(self, bot: WatchCompanion) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(WatchlistPageButton)
        self.bot.title_actions[ADD_ACTION] = self.post_add
        self.bot.title_actions[REMOVE_ACTION] = self.post_remove

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(WatchlistPageButton)
        self.bot.title_actions.pop(ADD_ACTION, None)
        self.bot.title_actions.pop(REMOVE_ACTION, None)

    @app_commands.command(name="add", description="Put a show on your watchlist, or change its status")
    @app_commands.describe(
        title=TITLE_HELP,
        status="Where you are with it (default: plan to watch, or the status it already has)",
    )
    @app_commands.autocomplete(title=title_autocomplete)
    @app_commands.choices(status=STATUS_CHOICES)
    async def add(
        self, interaction: discord.Interaction[Any], title: app_commands.Range[str, 1, 200], status: str | None = None
    ) -> None:
        wanted = parse_status(status)
        extra = wanted.value if wanted else ""
        show = await resolve_title(interaction, title, ADD_ACTION, extra=extra)
        if show is not None:
            await self.post_add(interaction, show, extra)

    async def post_add(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        entry, before = await self.bot.stores.watchlist.set(interaction.user.id, show.id, parse_status(extra))
        if before is None:
            text = f"Added {title_of(show)} to your watchlist as {entry.status.label}."
        elif before is entry.status:
            text = f"{title_of(show)} is already on your watchlist as {entry.status.label}."
        else:
            text = f"{title_of(show)}: watchlist status moved from {before.label} to {entry.status.label}."
        await reply(interaction, content=text, ephemeral=True)

    @app_commands.command(name="remove", description="Take a show off your watchlist (your progress stays)")
    @app_commands.describe(title=TITLE_HELP)
    @app_commands.autocomplete(title=title_autocomplete)
    async def remove(self, interaction: discord.Interaction[Any], title: app_commands.Range[str, 1, 200]) -> None:
        show = await resolve_title(interaction, title, REMOVE_ACTION)
        if show is not None:
            await self.post_remove(interaction, show, "")

    async def post_remove(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        if await self.bot.stores.watchlist.remove(interaction.user.id, show.id):
            text = f"Took {title_of(show)} off your watchlist. Your progress in it stays."
        else:
            text = f"{title_of(show)} isn't on your watchlist. `/watchlist show` lists what is."
        await reply(interaction, content=text, ephemeral=True)

    @app_commands.command(name="show", description="Your watchlist (or another member's here), newest first")
    @app_commands.describe(
        member="Whose watchlist to show (a member of this server; default: yours)",
        status="Only shows with this status",
    )
    @app_commands.choices(status=STATUS_CHOICES)
    async def show(
        self,
        interaction: discord.Interaction[Any],
        member: discord.Member | discord.User | None = None,
        status: str | None = None,
    ) -> None:
        wanted = parse_status(status)
        owner = viewed_member(interaction, member, "watchlist")
        embed, view = await watchlist_page(self.bot, owner, interaction.user.id, wanted, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


async def setup(bot: WatchCompanion) -> None:
    await bot.add_cog(Watchlist(bot))
