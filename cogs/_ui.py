"""Embeds, autocomplete and persistent buttons shared by the cogs."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.domain.errors import ExpiredComponentError
from bot.domain.markup import inert
from bot.domain.models import CastMember, Episode, Show, ShowSource
from bot.domain.paging import paginate
from bot.domain.sanitize import image_link, tvmaze_link
from bot.tree import report
from cogs._buttons import page_button
from cogs._progress_ui import HIDDEN_TITLE, EpisodesRevealButton, unseen_for
from cogs._progress_ui import PAGE_SIZE as EPISODES_PER_PAGE

if TYPE_CHECKING:
    from bot.app import WatchCompanion

TVMAZE_ATTRIBUTION = "Data from TVmaze (CC BY-SA 4.0)"
CATALOG_ATTRIBUTION = "From the Watch Companion catalogue"
FIELD_LIMIT = 1024


def plain(text: str | None, limit: int = FIELD_LIMIT) -> str:
    """Text from data or users, made inert for Discord markup (no formatting, no mentions) and cut to ``limit``."""
    return inert(text, limit)


def join_limited(lines: list[str], limit: int = FIELD_LIMIT, sep: str = "\n") -> str:
    """Join as many whole lines as fit in ``limit``, ending with how many were left out."""
    out: list[str] = []
    for i, line in enumerate(lines):
        remaining = len(lines) - i - 1
        more = f"{sep}…and {remaining} more" if remaining else ""
        if len(sep.join([*out, line])) + len(more) > limit:
            return sep.join([*out, f"…and {len(lines) - i} more"])
        out.append(line)
    return sep.join(out)


def _timestamp(when: dt.datetime, style: str) -> str:
    return f"<t:{int(when.timestamp())}:{style}>"


def where_to_watch(show: Show) -> str:
    return " / ".join(x for x in (show.network, show.platform) if x)


def episodes_summary(show: Show) -> str:
    if not show.seasons:
        return ""
    if len(show.seasons) == 1:
        count = show.seasons[0].episode_count
        return f"{count} episodes" if count else "not yet known"
    parts = [f"S{s.number}: {s.episode_count if s.episode_count else '?'}" for s in show.seasons]
    total = show.episode_count
    return " · ".join(parts) + (f" ({total} in all)" if total else "")


def cast_line(member: CastMember) -> str:
    line = plain(member.actor, 200)
    if member.character:
        line += f" as {plain(member.character, 200)}"
    if member.nicknames:
        line += " (“" + "”, “".join(plain(n, 100) for n in member.nicknames) + "”)"
    return line


def based_on_line(show: Show) -> str:
    parts: list[str] = []
    for work in show.based_on:
        text = work.kind.capitalize()
        if work.title:
            text += f" “{plain(work.title, 300)}”"
        elif parts:
            text += " adaptation"
        if work.creator:
            text += f" by {plain(work.creator, 200)}"
        parts.append(text)
    return "; ".join(parts)


def show_embed(show: Show) -> discord.Embed:
    """The `/drama info` card (a copy: callers may change theirs)."""
    # Embed.copy() shares the fields list with the cached card, so a field added to one card reached every later one:
    # the copy gets a list of its own. The field dicts themselves are never changed in place, only added.
    data = _show_embed(show).to_dict()
    if "fields" in data:
        data["fields"] = list(data["fields"])
    return discord.Embed.from_dict(data)


@functools.lru_cache(maxsize=512)
def _show_embed(show: Show) -> discord.Embed:
    # Keyed by the whole (frozen) record, so an updated show builds a new card. Every value is escaped.
    # Checked again here: a record stored before links were checked on the way in must not reach a card either.
    link, poster = tvmaze_link(show.source_url), image_link(show.poster_url)
    embed = discord.Embed(title=plain(show.title, 256), url=link, colour=discord.Colour.teal())
    lines: list[str] = []
    if show.native_title:
        lines.append(f"**{plain(show.native_title, 200)}**")
    if show.aliases:
        lines.append("Also known as " + ", ".join(plain(a, 200) for a in show.aliases))
    if show.summary:
        lines.append("")
        # Summaries are stored as plain text (HTML from TVmaze goes through bot.domain.sanitize.html_to_text).
        lines.append(plain(show.summary, 1500))
    if link:
        lines.append("")
        lines.append(f"[View on TVmaze]({link})")
    embed.description = "\n".join(lines)[:4096] or None
    facts = [
        ("Year", str(show.year) if show.year else ""),
        ("Network / platform", plain(where_to_watch(show))),
        ("Episodes", episodes_summary(show)),
        ("Status", plain(show.status)),
        ("Genres", plain(", ".join(show.genres))),
        ("Directed by" if len(show.directors) < 2 else "Directors", plain(", ".join(show.directors))),
    ]
    for name, value in facts:
        if value:
            embed.add_field(name=name, value=value, inline=True)
    if show.based_on:
        embed.add_field(name="Based on", value=based_on_line(show)[:FIELD_LIMIT], inline=False)
    if show.cast:
        embed.add_field(name="Cast", value=join_limited([cast_line(m) for m in show.cast]), inline=False)
    if poster:
        embed.set_thumbnail(url=poster)
    embed.set_footer(text=TVMAZE_ATTRIBUTION if show.source == ShowSource.TVMAZE else CATALOG_ATTRIBUTION)
    return embed


def episode_line(episode: Episode, with_season: bool, hidden: bool = False) -> str:
    """One episode; a ``hidden`` one (past the viewer's progress) keeps its title to itself."""
    label = f"S{episode.season}E{episode.number}" if with_season else f"Episode {episode.number}"
    line = f"**{label}**"
    if hidden:
        line += f" · *{HIDDEN_TITLE}*"
    elif episode.name and episode.name.strip().upper() != "TBA":
        line += f" · {plain(episode.name, 200)}"
    if episode.airstamp is not None:
        line += f" · {_timestamp(episode.airstamp, 'D')}"
    elif episode.airdate is not None:
        line += f" · {episode.airdate.isoformat()}"
    return line


def episodes_page(
    show: Show, episodes: list[Episode], season: int, page: int, hidden: frozenset[tuple[int, int]] = frozenset()
) -> tuple[discord.Embed, discord.ui.View]:
    """One page of `/drama episodes` and its Previous/Next buttons (season 0 means every season).

    ``hidden``: the (season, number) of episodes past the viewer's progress; their titles are left out and a
    "Reveal titles" button shows them privately."""
    current = paginate(episodes, page, EPISODES_PER_PAGE)
    many_seasons = season == 0 and len({e.season for e in episodes}) > 1
    heading = f"{show.title} · Season {season}" if season else show.title
    embed = discord.Embed(title=plain(heading, 256), colour=discord.Colour.teal())
    if current.items:
        embed.description = "\n".join(
            episode_line(e, many_seasons, (e.season, e.number) in hidden) for e in current.items
        )
        if not any(e.name or e.airdate or e.airstamp for e in episodes):
            embed.description += (
                "\n\n*Titles and air dates appear once TVmaze lists them; the catalogue knows the count.*"
            )
    else:
        embed.description = "No episodes are listed for this show yet."
    footer = f"Page {current.index + 1}/{current.count} · {len(episodes)} episodes"
    # A catalogue show linked to TVmaze lists TVmaze's episodes (names, air dates): those need TVmaze's credit.
    listed = show.tvmaze_id is not None and any(e.name or e.airdate or e.airstamp for e in episodes)
    from_tvmaze = show.source == ShowSource.TVMAZE or listed
    footer += " · " + (TVMAZE_ATTRIBUTION if from_tvmaze else CATALOG_ATTRIBUTION)
    embed.set_footer(text=footer)
    view = discord.ui.View(timeout=None)
    if current.count > 1:
        view.add_item(
            EpisodesPageButton(show.id, season, max(current.index - 1, 0), "◀ Previous", not current.has_previous)
        )
        view.add_item(
            EpisodesPageButton(
                show.id, season, min(current.index + 1, current.count - 1), "Next ▶", not current.has_next
            )
        )
    if any((e.season, e.number) in hidden for e in current.items):
        view.add_item(EpisodesRevealButton(show.id, season, current.index))
    return embed, view


class EpisodesPageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"drama:episodes:(?P<show>\d{1,12}):(?P<season>\d{1,3}):(?P<page>\d{1,4})",
):
    """A page turn of `/drama episodes`. Its state lives in the custom id, so it works after a restart."""

    def __init__(self, show_id: int, season: int, page: int, label: str = "Go", disabled: bool = False) -> None:
        super().__init__(page_button(f"drama:episodes:{show_id}:{season}:{page}", label, disabled))
        self.show_id = show_id
        self.season = season
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> EpisodesPageButton:
        return cls(int(match["show"]), int(match["season"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: WatchCompanion = interaction.client
        try:
            show = await bot.lookup.get(self.show_id)
            if show is None:
                raise ExpiredComponentError("That show is no longer in the catalogue.")
            episodes = await bot.lookup.episodes(show, self.season or None)
            hidden = await unseen_for(bot, interaction.user.id, show, episodes)
            embed, view = episodes_page(show, episodes, self.season, self.page, hidden)
            await interaction.response.edit_message(embed=embed, view=view)
        except Exception as exc:
            await report(interaction, exc, "drama:episodes button")


async def title_autocomplete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    """Local-only title suggestions: the 3-second deadline applies to every keystroke."""
    bot: WatchCompanion = interaction.client
    return [app_commands.Choice(name=name, value=value) for name, value in bot.lookup.autocomplete(current)]
