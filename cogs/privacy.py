"""/privacy: a member's data as a JSON file, and deleting all of it (their review posts too) after a confirmation."""

from __future__ import annotations

import io
import json
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.reviews import Review
from bot.tree import report

if TYPE_CHECKING:
    from bot.app import WatchCompanion

log = logging.getLogger(__name__)

CONFIRM_TIMEOUT = 120.0
EXPORT_FILENAME = "watch-companion-my-data.json"
DELETE_WARNING = (
    "This deletes everything I store about you, in every server: your progress and watch passes, your watchlist,"
    " your settings, your party memberships and check-ins, your follows and the announcements queued for you, and"
    " your reviews with their posts. It cannot be undone. `/privacy export` first if you want a copy."
)


async def export_data(bot: WatchCompanion, user_id: int) -> dict[str, Any]:
    """Everything stored about the member, by store."""
    data: dict[str, Any] = {"user_id": user_id, "exported_at": bot.clock().isoformat()}
    for name, store in bot.stores.member_data().items():
        data[name] = await store.export_user_data(user_id)
    return data


async def delete_data(bot: WatchCompanion, user_id: int) -> tuple[int, int]:
    """Delete everything stored about the member and their review posts; returns (reviews, posts not removed)."""
    reviews: list[Review] = []
    for name, store in bot.stores.member_data().items():
        removed = await store.delete_user_data(user_id)
        if name == "reviews" and isinstance(removed, list):
            reviews = removed
    failed = 0
    for review in reviews:
        for message in review.messages:
            partial = bot.get_partial_messageable(message.channel_id).get_partial_message(message.message_id)
            try:
                await partial.delete()
            except discord.NotFound:
                continue
            except discord.HTTPException as error:
                log.warning("could not delete review message %s: %s", message.message_id, error)
                failed += 1
    return len(reviews), failed


class DeleteConfirmView(discord.ui.View):
    """Delete everything / Cancel, for the member who asked only; the buttons go when pressed or after 2 minutes."""

    def __init__(self, bot: WatchCompanion, user_id: int) -> None:
        super().__init__(timeout=CONFIRM_TIMEOUT)
        self.bot = bot
        self.user_id = user_id
        self.message: discord.InteractionMessage | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.user.id != self.user_id:
            await interaction.response.send_message("Only the member who asked can confirm this.", ephemeral=True)
            return False
        return True

    @discord.ui.button(label="Delete everything", style=discord.ButtonStyle.danger, custom_id="privacy:delete")
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[DeleteConfirmView]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(content="Deleting your data…", view=None)
        reviews, failed = await delete_data(self.bot, self.user_id)
        posts = f" I could not remove {failed} review message(s); a moderator can delete them." if failed else ""
        counted = "1 review and its post" if reviews == 1 else f"{reviews} reviews and their posts"
        await interaction.edit_original_response(
            content=f"Done: everything I stored about you is deleted, {counted} included.{posts}"
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id="privacy:cancel")
    async def cancel(self, interaction: discord.Interaction[Any], button: discord.ui.Button[DeleteConfirmView]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Cancelled: nothing was deleted.", view=None)

    async def on_timeout(self) -> None:
        if self.message is not None:
            try:
                await self.message.edit(content="Not confirmed in time: nothing was deleted.", view=None)
            except discord.HTTPException:
                log.debug("could not take the buttons off an expired /privacy delete")

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report(interaction, error, "privacy:delete")


class Privacy(commands.GroupCog, group_name="privacy", group_description="Your data: a copy of it, or delete it"):
    def __init__(self, bot: WatchCompanion) -> None:
        self.bot = bot

    @app_commands.command(name="export", description="Everything I store about you, as a JSON file only you see")
    async def export(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await export_data(self.bot, interaction.user.id)
        body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        await interaction.followup.send(
            "Here is everything I store about you (progress, watchlist, settings, parties, reviews, follows).",
            file=discord.File(io.BytesIO(body), filename=EXPORT_FILENAME),
            ephemeral=True,
        )

    @app_commands.command(name="delete", description="Delete everything I store about you, after you confirm")
    async def delete(self, interaction: discord.Interaction[Any]) -> None:
        view = DeleteConfirmView(self.bot, interaction.user.id)
        await interaction.response.send_message(DELETE_WARNING, view=view, ephemeral=True)
        view.message = await interaction.original_response()


async def setup(bot: WatchCompanion) -> None:
    await bot.add_cog(Privacy(bot))
