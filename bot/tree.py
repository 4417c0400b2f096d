"""The one error boundary for application commands: user errors become sentences, the rest get a code."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord
from discord import app_commands

from bot.domain.errors import UserFacingError

log = logging.getLogger(__name__)


def user_message(error: BaseException) -> str | None:
    """The sentence for an error the user caused, or None when it is our fault."""
    if isinstance(error, UserFacingError):
        return error.message
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} seconds."
    if isinstance(error, app_commands.MissingPermissions | app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        who = "I need" if isinstance(error, app_commands.BotMissingPermissions) else "You need"
        return f"{who} the {missing} permission for that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works in a server."
    if isinstance(error, app_commands.TransformerError):
        return "That value doesn't fit this option; pick one of the suggestions or check its format."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here."
    return None


async def send_error(interaction: discord.Interaction[Any], message: str) -> None:
    """Answer ephemerally by the initial response or a followup, whichever is still open."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message for interaction %s", interaction.id)


def unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError) and error.original is not None:
        error = error.original
    return error


async def report(interaction: discord.Interaction[Any], error: BaseException, where: str) -> None:
    """Tell the user what went wrong: their mistake in a sentence, ours as an apology with a code in the log."""
    error = unwrap(error)
    message = user_message(error)
    if message is None:
        code = secrets.token_hex(3).upper()
        log.error("unexpected error %s in %s", code, where, exc_info=error)
        message = f"Sorry, something went wrong on my side (error {code}). It has been logged; please try again."
    await send_error(interaction, message)


class WatchTree(app_commands.CommandTree[Any]):
    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /) -> None:
        name = interaction.command.qualified_name if interaction.command else "an interaction"
        await report(interaction, error, f"/{name}")
