"""The one way every command turns a typed title into a show: a clear match at once, else a private pick list.

A command calls ``resolve_title``. When several shows fit about equally, the caller gets an ephemeral select menu of
the candidates (labelled as autocomplete labels them) and nothing public is posted; picking one runs the command's
*title action* with the chosen show. The select keeps its state in its custom id (``pick:<action>:<extra>``), so it
still works after a restart, as long as the cog that owns the action has registered it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.errors import AmbiguousTitleError, ExpiredComponentError, InvalidInputError
from bot.domain.models import Show
from bot.tree import report

if TYPE_CHECKING:
    from bot.app import WatchCompanion

# What a command does once its title is known: (component interaction, already deferred; the show; the extra state).
TitleAction = Callable[[discord.Interaction[Any], Show, str], Awaitable[None]]

_ACTION = re.compile(r"[a-z][a-z0-9_.-]{0,31}")
_EXTRA = re.compile(r"[A-Za-z0-9_.-]{0,40}")
SELECT_PLACEHOLDER = "Pick a drama"
# The help text of every command's `title` option.
TITLE_HELP = "The drama's title in English or Hangul (pick a suggestion)"


async def resolve_title(
    interaction: discord.Interaction[Any], text: str, action: str, *, extra: str = ""
) -> Show | None:
    """The show ``text`` names; or None once the caller has been offered a private pick list.

    Local data answers at once. Only when TVmaze must be asked does this defer (privately), so callers answer
    through ``reply`` either way.
    """
    bot: WatchCompanion = interaction.client
    try:
        show = await bot.lookup.resolve_local(text)
        if show is None:
            if not interaction.response.is_done():
                # TVmaze may take longer than Discord's 3 seconds. Deferred privately so that a pick list or a
                # "not found" stays between us; a public answer then goes out as a separate message.
                await interaction.response.defer(thinking=True, ephemeral=True)
            show = await bot.lookup.resolve(text)
    except AmbiguousTitleError as ambiguous:
        await offer_choices(interaction, ambiguous, action, extra)
        return None
    return show


async def offer_choices(
    interaction: discord.Interaction[Any], ambiguous: AmbiguousTitleError, action: str, extra: str
) -> None:
    """Send the caller a private select of the candidates; picking one runs ``action``."""
    view = discord.ui.View(timeout=None)
    view.add_item(TitlePickSelect(action, extra, ambiguous.candidates))
    if interaction.response.is_done():
        await interaction.followup.send(ambiguous.message, view=view, ephemeral=True)
    else:
        await interaction.response.send_message(ambiguous.message, view=view, ephemeral=True)


async def reply(interaction: discord.Interaction[Any], *, ephemeral: bool, **fields: Any) -> None:
    """Answer a command or a pick, whichever state its interaction is in.

    A public answer after a private deferral (or after a pick in a private list) goes out as a new message, and the
    private one says where it went, so the caller is never left looking at "thinking…".
    """
    if not interaction.response.is_done():
        await interaction.response.send_message(ephemeral=ephemeral, **fields)
        return
    if ephemeral:
        await interaction.edit_original_response(**_as_edit(fields))
        return
    title = fields["embed"].title if isinstance(fields.get("embed"), discord.Embed) else None
    done = f"Posted “{title}” in this channel." if title else "Posted in this channel."
    await interaction.edit_original_response(content=done, embed=None, view=None)
    await interaction.followup.send(ephemeral=False, **fields)


def _as_edit(fields: dict[str, Any]) -> dict[str, Any]:
    # An edit keeps whatever it does not replace: clear the "thinking" or pick-list parts this answer does not set.
    edit = dict(fields)
    # A reply that has its own content keeps it (passing content twice was a TypeError); one without clears it.
    edit.setdefault("content", None)
    edit.setdefault("embed", None)
    edit.setdefault("view", None)
    return edit


class TitlePickSelect(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]],
    template=r"pick:(?P<action>[a-z][a-z0-9_.-]{0,31}):(?P<extra>[A-Za-z0-9_.-]{0,40})",
):
    """The private list of candidates for an ambiguous title. Its state lives in the custom id (restart-proof)."""

    def __init__(self, action: str, extra: str = "", candidates: list[tuple[str, int]] | None = None) -> None:
        if not _ACTION.fullmatch(action) or not _EXTRA.fullmatch(extra):
            raise ValueError(f"bad pick state {action!r} / {extra!r}")
        options = [
            discord.SelectOption(label=_label(label), value=f"#{show_id}") for label, show_id in (candidates or [])[:25]
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"pick:{action}:{extra}",
                placeholder=SELECT_PLACEHOLDER,
                options=options or [discord.SelectOption(label="…", value="#0")],
                min_values=1,
                max_values=1,
            )
        )
        self.action = action
        self.extra = extra

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TitlePickSelect:
        return cls(match["action"], match["extra"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: WatchCompanion = interaction.client
        try:
            run = bot.title_actions.get(self.action)
            if run is None:
                raise ExpiredComponentError("That list belongs to a command that is no longer available.")
            value = self.item.values[0] if self.item.values else ""
            if not re.fullmatch(r"#\d{1,12}", value):
                raise InvalidInputError("Pick one of the dramas in the list.")
            # Answered by editing this private message; a show still to be completed from TVmaze may take a while.
            await interaction.response.defer()
            show = await bot.lookup.get(int(value[1:]))
            if show is None:
                raise ExpiredComponentError("That show is no longer in the catalogue; run the command again.")
            show = await bot.lookup.complete(show)
            await run(interaction, show, self.extra)
        except Exception as exc:
            await report(interaction, exc, f"pick:{self.action}")


def _label(text: str) -> str:
    # Select labels are plain text (no markdown to escape), at most 100 characters.
    shown = " ".join(text.split())
    return (shown[:99] + "…" if len(shown) > 100 else shown) or "…"
