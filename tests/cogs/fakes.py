"""Small spec'd stand-ins for the Discord side of an interaction; the bot, stores and search behind them are real."""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord


def fake_interaction(bot: Any, user_id: int = 1001, guild_id: int | None = 2001) -> MagicMock:
    interaction = MagicMock(spec=discord.Interaction)
    interaction.client = bot
    interaction.id = 42
    interaction.guild_id = guild_id
    user = MagicMock(spec=discord.Member)
    user.id = user_id
    user.mention = f"<@{user_id}>"
    interaction.user = user
    response = MagicMock(spec=discord.InteractionResponse)
    response.send_message = AsyncMock()
    response.defer = AsyncMock()
    response.edit_message = AsyncMock()
    response.is_done.return_value = False
    interaction.response = response
    followup = MagicMock(spec=discord.Webhook)
    followup.send = AsyncMock()
    interaction.followup = followup
    return interaction


def sent(interaction: MagicMock) -> dict[str, Any]:
    """The keyword arguments of the one reply the command made, however it made it."""
    calls = [
        *interaction.response.send_message.await_args_list,
        *interaction.followup.send.await_args_list,
        *interaction.response.edit_message.await_args_list,
    ]
    assert len(calls) == 1, f"expected exactly one reply, got {len(calls)}"
    call = calls[0]
    kwargs = dict(call.kwargs)
    if call.args:
        kwargs["content"] = call.args[0]
    return kwargs


def embed_text(embed: discord.Embed) -> str:
    parts = [embed.title or "", embed.description or ""]
    parts += [f"{f.name}: {f.value}" for f in embed.fields]
    parts.append(embed.footer.text or "")
    return "\n".join(parts)
