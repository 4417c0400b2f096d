"""What /party shows: the status embed, the session post with its check-in button, and the reminder text.

The check-in button keeps its session id in its custom id (``party:checkin:<session>``), so a post made before a
restart still checks members in afterwards.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.errors import UserFacingError
from bot.domain.markup import inert
from bot.domain.models import Show
from bot.domain.progress import Party, PartyMember, PartySession, Position, following, position_label
from bot.domain.times import discord_timestamp
from bot.tree import report
from cogs._ui import join_limited

if TYPE_CHECKING:
    from bot.app import WatchCompanion

CHECK_IN_LABEL = "Check in"
STATUS_MEMBERS_SHOWN = 40


class GuildOnlyError(UserFacingError):
    """A /party command (or its button) used outside a server."""

    def __init__(self) -> None:
        super().__init__(
            "Watch parties live in a server channel: run /party there (in a DM there is no party to join)."
        )


def quoted(party: Party) -> str:
    """The party's name for a message: markup escaped, mentions broken."""
    return f"“{inert(party.name, 100)}”"


def show_title(show: Show | None) -> str:
    return inert(show.title, 200) if show else "an unknown show"


def session_episode(party: Party, show: Show | None) -> Position | None:
    """The episode an open session is for: the one after the party's."""
    return following(show, party.position) if show else None


def episode_text(show: Show | None, position: Position | None) -> str:
    if show is None or position is None:
        return "not started" if position is None else f"S{position.season}E{position.episode}"
    return position_label(show, position)


def when_text(at: dt.datetime | None) -> str:
    return f"{discord_timestamp(at, 'F')} ({discord_timestamp(at, 'R')})" if at else "not scheduled yet"


def check_in_view(session_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PartyCheckInButton(session_id))
    return view


def status_embed(
    party: Party,
    show: Show | None,
    members: Sequence[tuple[PartyMember, Position | None]],
    session: PartySession | None,
    checked_in: Sequence[int],
) -> discord.Embed:
    embed = discord.Embed(title=f"Watch party: {inert(party.name, 200)}")
    upcoming = session_episode(party, show)
    lines = [
        f"**Show:** {show_title(show)}",
        f"**Host:** <@{party.host_id}>",
        f"**Party's episode:** {episode_text(show, party.position)}",
        f"**Next session:** {when_text(session.starts_at if session else None)}"
        + (f", {episode_text(show, upcoming)}" if upcoming else ", the show is finished"),
    ]
    embed.description = "\n".join(lines)
    here = set(checked_in)
    rows = [
        f"<@{member.user_id}>: {episode_text(show, position)}" + (" ✅ checked in" if member.user_id in here else "")
        for member, position in members[:STATUS_MEMBERS_SHOWN]
    ]
    if len(members) > STATUS_MEMBERS_SHOWN:
        rows.append(f"… and {len(members) - STATUS_MEMBERS_SHOWN} more")
    embed.add_field(name=f"Members ({len(members)})", value=join_limited(rows) or "nobody yet", inline=False)
    embed.set_footer(text="Each member's episode is their own progress; /party next moves those who checked in.")
    return embed


def session_post(party: Party, show: Show | None, starts_at: dt.datetime | None, *, reminder: bool = False) -> str:
    upcoming = episode_text(show, session_episode(party, show))
    if reminder:
        head = f"⏰ Watch party {quoted(party)} starts now: {upcoming} of {show_title(show)}."
    elif starts_at is not None:
        head = f"📅 Watch party {quoted(party)}: {upcoming} of {show_title(show)}, {when_text(starts_at)}."
    else:
        head = f"🎬 Watch party {quoted(party)}: next up is {upcoming} of {show_title(show)}."
    return head + "\nWatching with us? Press **Check in**: when the host moves the party on, your progress moves too."


class PartyCheckInButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"party:checkin:(?P<session>\d{1,20})",
):
    """Checks the presser in for one session of a party (joining the party if they were not in it)."""

    def __init__(self, session_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=CHECK_IN_LABEL, style=discord.ButtonStyle.primary, custom_id=f"party:checkin:{session_id}"
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PartyCheckInButton:
        return cls(int(match["session"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: WatchCompanion = interaction.client
        try:
            if interaction.guild_id is None:
                raise GuildOnlyError
            result = await bot.stores.parties.check_in(interaction.guild_id, self.session_id, interaction.user.id)
            party = await bot.stores.parties.get(interaction.guild_id, result.session.party_id)
            show = await bot.lookup.get(party.show_id) if party else None
            name = quoted(party) if party else "the party"
            episode = episode_text(show, session_episode(party, show)) if party else "this session"
            if not result.new:
                text = f"You're already checked in for {episode} with {name}."
            else:
                text = f"You're checked in for {episode} with {name}."
                if result.joined_party:
                    text += " You have joined the party too."
            await interaction.response.send_message(text, ephemeral=True)
        except Exception as exc:
            await report(interaction, exc, "party:checkin")
