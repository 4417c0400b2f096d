"""The button every paged reply turns its pages with (its state in the custom id, so it works after a restart)."""

from __future__ import annotations

import discord


def page_button(custom_id: str, label: str, disabled: bool) -> discord.ui.Button[discord.ui.View]:
    return discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id, disabled=disabled)
