"""What /notify shows: the announcement embed (poster, link to TVmaze's record, times as Discord timestamps), the
member's follow list, and the labels of the follow modes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from bot.domain.announcements import AnnouncementEvent, EventKind, Follow, FollowMode, describe
from bot.domain.markup import inert
from bot.domain.models import Show
from bot.domain.sanitize import image_link, tvmaze_link
from cogs._ui import TVMAZE_ATTRIBUTION, join_limited

MODE_LABELS: Mapping[FollowMode, str] = {
    FollowMode.SEASONS: "new seasons and premiere dates",
    FollowMode.EVERY_EPISODE: "every episode",
    FollowMode.PREMIERE_DAY: "premiere day only",
}
HEADINGS: Mapping[EventKind, str] = {
    EventKind.SEASON_ANNOUNCED: "New season announced",
    EventKind.PREMIERE_DATE: "Premiere date",
    EventKind.PREMIERE_DAY: "Premiere day",
    EventKind.EPISODE_AIRED: "New episode",
    EventKind.RETURNING: "Returning",
    EventKind.ENDED: "Ended",
}
LIST_LIMIT = 4000


def announcement_embed(
    event: AnnouncementEvent, title: str | None, url: str | None, poster_url: str | None
) -> discord.Embed:
    """The post and the DM of one event: the news in a sentence, the show's poster, and TVmaze's record linked."""
    name = title or f"TVmaze show {event.tvmaze_id}"
    embed = discord.Embed(
        # Titles show no markdown, so the name goes in as typed (one line, cut to Discord's limit).
        title=_one_line(f"{HEADINGS[event.kind]}: {name}", 256),
        description=describe(event, name),
        colour=discord.Colour.gold(),
        url=tvmaze_link(url),
    )
    poster = image_link(poster_url)
    if poster:
        # The poster, since a translated title alone is hard to recognise.
        embed.set_thumbnail(url=poster)
    embed.set_footer(text=f"{TVMAZE_ATTRIBUTION} · /notify unfollow to stop")
    return embed


def follow_list_embed(follows: Sequence[Follow], shows: Mapping[int, Show]) -> discord.Embed:
    lines: list[str] = []
    for follow in follows:
        show = shows.get(follow.show_id)
        name = inert(show.title, 200) if show else f"show #{follow.show_id}"
        linked = "" if show is None or show.tvmaze_id is not None else " · not linked to TVmaze yet"
        lines.append(f"**{name}** · {MODE_LABELS[follow.mode]}{linked}")
    embed = discord.Embed(title="Shows you follow", colour=discord.Colour.gold())
    embed.description = join_limited(lines, LIST_LIMIT) if lines else "You follow no show yet: try `/notify follow`."
    embed.set_footer(text="News arrives by DM, and in each server's announce channel you followed from.")
    return embed


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
