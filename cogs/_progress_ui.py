"""What progress and watchlist replies look like: update sentences, paged lists with restart-proof buttons, and the
spoiler-safe parts of `/drama episodes` (which episodes a viewer has not reached, and the private reveal).

Imports nothing from ``cogs._ui`` (which imports from here), so the episodes page can hide what a viewer has not
seen without an import cycle.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.errors import ExpiredComponentError, InvalidInputError, MissingPermissionError
from bot.domain.markup import inert
from bot.domain.models import Episode, Show
from bot.domain.paging import paginate
from bot.domain.progress import (
    Progress,
    ProgressUpdate,
    WatchlistEntry,
    WatchPass,
    WatchStatus,
    position_label,
    progress_line,
    unseen_episodes,
)
from bot.tree import report
from cogs._buttons import page_button

if TYPE_CHECKING:
    from bot.app import WatchCompanion

PAGE_SIZE = 10
# The value of the status option meaning "every status" in a watchlist page button's custom id.
ALL_STATUSES = "all"
HIDDEN_TITLE = "title hidden until you get there"


def stamp(when: dt.datetime, style: str = "R") -> str:
    return f"<t:{int(when.timestamp())}:{style}>"


def shows(count: int) -> str:
    return "1 show" if count == 1 else f"{count} shows"


def title_of(show: Show) -> str:
    return f"**{inert(show.title, 200)}**"


# -- sentences for updates -----------------------------------------------------------------------------------------


def status_note(update: ProgressUpdate) -> str:
    """What progress did to the watchlist, said every time it moved (never silently)."""
    if not update.status_changed or update.status is None:
        return ""
    if update.before.status is None:
        return f"Added to your watchlist as {update.status.label}."
    return f"Watchlist: {update.before.status.label} → {update.status.label}."


def update_message(show: Show, update: ProgressUpdate) -> str:
    """The reply to `/progress set` or `/progress next`."""
    position = update.progress.position
    lines = [f"{title_of(show)}: you're on {progress_line(show, position)}."]
    before = update.before.position
    if update.crossed_season and position is not None:
        lines.append(f"On to season {position.season}.")
    elif before is not None and position is not None and position < before:
        lines.append(f"Moved back from {position_label(show, before)}.")
    if update.completed_now:
        done = "rewatch" if update.progress.rewatching else "show"
        lines.append(f"That's the last episode: {done} completed.")
    note = status_note(update)
    if note:
        lines.append(note)
    return "\n".join(lines)


def rewatch_message(show: Show, update: ProgressUpdate, history: Sequence[WatchPass]) -> str:
    number = update.progress.pass_number - 1
    lines = [f"{title_of(show)}: rewatch {number} started. `/progress next` marks its first episode."]
    lines.append(history_line(history))
    note = status_note(update)
    if note:
        lines.append(note)
    return "\n".join(line for line in lines if line)


def history_line(history: Sequence[WatchPass]) -> str:
    """ "Watched 2 times (completed <t>, <t>)": the finished passes of a show, for rewatch and info."""
    finished = [p for p in history if p.ended_at is not None]
    if not finished:
        return ""
    completed = [p.completed_at for p in finished if p.completed_at is not None]
    times = "once" if len(finished) == 1 else f"{len(finished)} times"
    line = f"Earlier passes: {times}"
    if completed:
        line += " (completed " + ", ".join(stamp(c, "d") for c in completed[-5:]) + ")"
    return line + "."


def special_message(show: Show, number: int, newly: bool) -> str:
    already = "" if newly else " (it already was)"
    return (
        f"{title_of(show)}: special {number} marked as watched{already}."
        " Specials don't count toward your progress or completion."
    )


def progress_summary(show: Show, progress: Progress, history: Sequence[WatchPass]) -> str:
    """The caller's own progress as `/drama info` shows it."""
    line = progress_line(show, progress.position)
    if progress.rewatching:
        line = f"rewatch {progress.pass_number - 1}: {line}"
    if progress.completed_at is not None:
        line += " · completed"
    earlier = history_line(history)
    return f"{line}\n{earlier}" if earlier else line


# -- paged lists -----------------------------------------------------------------------------------------------------


def viewed_member(
    interaction: discord.Interaction[Any], member: discord.Member | discord.User | None, what: str
) -> int:
    """Whose list to show: the caller's own, or another member's when the caller shares this server with them."""
    caller = interaction.user.id
    if member is None or member.id == caller:
        return caller
    if interaction.guild_id is None:
        raise InvalidInputError(f"In a direct message you can see only your own {what}; ask in a server you share.")
    if not isinstance(member, discord.Member) or member.guild.id != interaction.guild_id:
        raise InvalidInputError(f"<@{member.id}> isn't a member of this server, so their {what} isn't yours to see.")
    return member.id


def owner_heading(owner_id: int, viewer_id: int, what: str) -> str:
    return f"Your {what}" if owner_id == viewer_id else f"{what.capitalize()} of <@{owner_id}>"


async def progress_page(bot: WatchCompanion, owner_id: int, viewer_id: int, page: int) -> tuple[discord.Embed, Any]:
    """One page of `/progress show`: newest first, "ep 3/8" and a bar per show; Previous/Next when longer."""
    total = await bot.stores.progress.count(owner_id)
    current = paginate(range(total), page, PAGE_SIZE)
    rows = await bot.stores.progress.for_member(owner_id, limit=PAGE_SIZE, offset=current.index * PAGE_SIZE)
    lines: list[str] = []
    for progress in rows:
        show = await bot.lookup.get(progress.show_id)
        if show is None:
            continue
        line = f"{title_of(show)} · {progress_line(show, progress.position)}"
        if progress.rewatching:
            line += f" · rewatch {progress.pass_number - 1}"
        if progress.completed_at is not None:
            line += " · completed"
        lines.append(f"{line} · {stamp(progress.updated_at)}")
    embed = discord.Embed(title="Progress", colour=discord.Colour.teal())
    heading = owner_heading(owner_id, viewer_id, "progress")
    if lines:
        embed.description = f"{heading}:\n" + "\n".join(lines)
    elif owner_id == viewer_id:
        embed.description = "You haven't marked any episodes yet. Try `/progress set` or `/progress next`."
    else:
        embed.description = f"<@{owner_id}> hasn't marked any episodes yet."
    embed.set_footer(text=f"Page {current.index + 1}/{current.count} · {shows(total)}")
    view = discord.ui.View(timeout=None)
    if current.count > 1:
        for target, label, disabled in (
            (current.index - 1, "◀ Previous", not current.has_previous),
            (current.index + 1, "Next ▶", not current.has_next),
        ):
            view.add_item(ProgressPageButton(owner_id, viewer_id, max(target, 0), label, disabled))
    return embed, view


async def watchlist_page(
    bot: WatchCompanion, owner_id: int, viewer_id: int, status: WatchStatus | None, page: int
) -> tuple[discord.Embed, Any]:
    """One page of `/watchlist show`: most recently changed first, with progress where there is some."""
    everything = await bot.stores.watchlist.for_member(owner_id, status)
    current = paginate(everything, page, PAGE_SIZE)
    lines = [await _watchlist_line(bot, owner_id, entry) for entry in current.items]
    shown = [line for line in lines if line]
    what = f"{status.label} list" if status else "watchlist"
    embed = discord.Embed(title="Watchlist", colour=discord.Colour.teal())
    heading = owner_heading(owner_id, viewer_id, what)
    if shown:
        embed.description = f"{heading}:\n" + "\n".join(shown)
    elif owner_id == viewer_id:
        embed.description = f"Your {what} is empty. `/watchlist add` puts a show on it."
    else:
        embed.description = f"The {what} of <@{owner_id}> is empty."
    embed.set_footer(text=f"Page {current.index + 1}/{current.count} · {shows(len(everything))}")
    view = discord.ui.View(timeout=None)
    if current.count > 1:
        for target, label, disabled in (
            (current.index - 1, "◀ Previous", not current.has_previous),
            (current.index + 1, "Next ▶", not current.has_next),
        ):
            view.add_item(WatchlistPageButton(owner_id, viewer_id, status, max(target, 0), label, disabled))
    return embed, view


async def _watchlist_line(bot: WatchCompanion, owner_id: int, entry: WatchlistEntry) -> str:
    show = await bot.lookup.get(entry.show_id)
    if show is None:
        return ""
    line = f"{title_of(show)} · {entry.status.label}"
    progress = await bot.stores.progress.get(owner_id, show.id)
    if progress is not None and progress.position is not None:
        line += f" · {progress_line(show, progress.position)}"
    return line


def _check_viewer(interaction: discord.Interaction[Any], viewer_id: int) -> None:
    if interaction.user.id != viewer_id:
        raise MissingPermissionError("Those buttons belong to the member who ran the command.")


class ProgressPageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"progress:page:(?P<owner>\d{1,20}):(?P<viewer>\d{1,20}):(?P<page>\d{1,4})",
):
    """A page turn of `/progress show`; its state lives in the custom id, so it works after a restart."""

    def __init__(self, owner_id: int, viewer_id: int, page: int, label: str = "Go", disabled: bool = False) -> None:
        super().__init__(page_button(f"progress:page:{owner_id}:{viewer_id}:{page}", label, disabled))
        self.owner_id, self.viewer_id, self.page = owner_id, viewer_id, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ProgressPageButton:
        return cls(int(match["owner"]), int(match["viewer"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            # Who may see whose progress was checked when the list was asked for; the list is the viewer's.
            _check_viewer(interaction, self.viewer_id)
            embed, view = await progress_page(interaction.client, self.owner_id, self.viewer_id, self.page)
            await interaction.response.edit_message(embed=embed, view=view)
        except Exception as exc:
            await report(interaction, exc, "progress:page button")


class WatchlistPageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"watchlist:page:(?P<owner>\d{1,20}):(?P<viewer>\d{1,20}):(?P<status>[a-z_]{1,10}):(?P<page>\d{1,4})",
):
    """A page turn of `/watchlist show` (restart-proof, like the progress pages)."""

    def __init__(
        self,
        owner_id: int,
        viewer_id: int,
        status: WatchStatus | None,
        page: int,
        label: str = "Go",
        disabled: bool = False,
    ) -> None:
        wanted = status.value if status else ALL_STATUSES
        super().__init__(page_button(f"watchlist:page:{owner_id}:{viewer_id}:{wanted}:{page}", label, disabled))
        self.owner_id, self.viewer_id, self.status, self.page = owner_id, viewer_id, status, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> WatchlistPageButton:
        raw = match["status"]
        status = None if raw == ALL_STATUSES or raw not in WatchStatus._value2member_map_ else WatchStatus(raw)
        return cls(int(match["owner"]), int(match["viewer"]), status, int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            _check_viewer(interaction, self.viewer_id)
            bot: WatchCompanion = interaction.client
            embed, view = await watchlist_page(bot, self.owner_id, self.viewer_id, self.status, self.page)
            await interaction.response.edit_message(embed=embed, view=view)
        except Exception as exc:
            await report(interaction, exc, "watchlist:page button")


# -- /drama episodes without spoilers --------------------------------------------------------------------------------


async def unseen_for(bot: WatchCompanion, user_id: int, show: Show, episodes: Sequence[Episode]) -> frozenset[Any]:
    """The (season, number) of the named episodes the viewer has not reached: their titles stay hidden."""
    progress = await bot.stores.progress.get(user_id, show.id)
    specials = await bot.stores.progress.specials(user_id, show.id)
    seen_through = progress.seen_through if progress else None
    named = [e for e in episodes if e.name and e.name.strip().upper() != "TBA"]
    return unseen_episodes(named, seen_through, specials)


class EpisodesRevealButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"drama:reveal:(?P<show>\d{1,12}):(?P<season>\d{1,3}):(?P<page>\d{1,4})",
):
    """Shows the hidden titles of one page of `/drama episodes` to the member who pressed it, privately."""

    def __init__(self, show_id: int, season: int, page: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Reveal titles",
                style=discord.ButtonStyle.danger,
                custom_id=f"drama:reveal:{show_id}:{season}:{page}",
            )
        )
        self.show_id, self.season, self.page = show_id, season, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> EpisodesRevealButton:
        return cls(int(match["show"]), int(match["season"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: WatchCompanion = interaction.client
        try:
            show = await bot.lookup.get(self.show_id)
            if show is None:
                raise ExpiredComponentError("That show is no longer in the catalogue.")
            episodes = await bot.lookup.episodes(show, self.season or None)
            current = paginate(episodes, self.page, PAGE_SIZE)
            hidden = await unseen_for(bot, interaction.user.id, show, current.items)
            lines = [
                f"**S{e.season}E{e.number}** · ||{inert(e.name, 200)}||"
                for e in current.items
                if (e.season, e.number) in hidden
            ]
            text = "\n".join(lines) if lines else "You have reached every episode on that page: nothing is hidden."
            await interaction.response.send_message(text[:2000], ephemeral=True)
        except Exception as exc:
            await report(interaction, exc, "drama:reveal button")
