"""/party: watch a drama together in a channel; sessions as Discord scheduled events, reminders when they start.

The reminder loop asks the store for sessions that started within the last hour and were not reminded of yet, and
claims each before posting it: a restart, or a bot that was down when the session started, posts it once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.db.progress import Clock, utcnow
from bot.domain.errors import AlreadyFinishedError, ExpiredComponentError, InvalidInputError
from bot.domain.models import Show
from bot.domain.progress import (
    Party,
    PartySession,
    clean_party_name,
    following,
    party_choices,
    require_party_manager,
)
from bot.domain.times import ParsedTime, canonical_zone, parse_time, zone_choices
from cogs._party_ui import (
    GuildOnlyError,
    PartyCheckInButton,
    check_in_view,
    episode_text,
    quoted,
    session_post,
    show_title,
    status_embed,
)
from cogs._titles import TITLE_HELP, reply, resolve_title
from cogs._ui import title_autocomplete

if TYPE_CHECKING:
    from bot.app import WatchCompanion

log = logging.getLogger(__name__)

CREATE_ACTION = "party.create"
REMINDER_SECONDS = 30.0
# A session's Discord event: long enough for an episode (most K-dramas run 60 to 80 minutes) and some chat.
SESSION_LENGTH = dt.timedelta(minutes=90)


class Parties(commands.GroupCog, group_name="party", group_description="Watch a drama together in this channel"):
    def __init__(self, bot: WatchCompanion, clock: Clock = utcnow) -> None:
        self.bot = bot
        self.clock = clock

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PartyCheckInButton)
        self.bot.title_actions[CREATE_ACTION] = self.create_for_pick
        if self.bot.is_ready():  # loaded into a running bot; otherwise on_ready starts the loop
            self.reminders.start()

    async def cog_unload(self) -> None:
        self.reminders.cancel()
        self.bot.remove_dynamic_items(PartyCheckInButton)
        self.bot.title_actions.pop(CREATE_ACTION, None)

    # -- helpers ----------------------------------------------------------------------------------------------------

    @staticmethod
    def guild_of(interaction: discord.Interaction[Any]) -> int:
        if interaction.guild_id is None:
            raise GuildOnlyError
        return int(interaction.guild_id)

    @staticmethod
    def manages_events(interaction: discord.Interaction[Any]) -> bool:
        # The member's resolved permissions in this channel, as Discord sent them with the interaction.
        return bool(interaction.permissions.manage_events)

    async def find(self, interaction: discord.Interaction[Any], name: str) -> Party:
        guild_id = self.guild_of(interaction)
        return await self.bot.stores.parties.find(guild_id, interaction.channel_id or 0, name[:200])

    async def show_of(self, party: Party) -> Show | None:
        return await self.bot.lookup.get(party.show_id)

    async def name_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        names = party_choices(await self.bot.stores.parties.open_parties(interaction.guild_id), current[:200])
        return [app_commands.Choice(name=n, value=n) for n in names]

    async def zone_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in zone_choices(current)]

    # -- create, join, leave ----------------------------------------------------------------------------------------

    @app_commands.command(name="create", description="Start a watch party for a drama in this channel; you host it")
    @app_commands.describe(
        title=TITLE_HELP,
        name="A name for the party, unique among this channel's open parties (up to 100 characters)",
    )
    @app_commands.autocomplete(title=title_autocomplete)
    async def create(
        self,
        interaction: discord.Interaction[Any],
        title: app_commands.Range[str, 1, 200],
        name: app_commands.Range[str, 1, 100],
    ) -> None:
        guild_id = self.guild_of(interaction)
        cleaned = clean_party_name(name)  # Discord checks the length in its clients only: check here too
        # The name waits in the database in case the member must pick the show from a list: the pick then still
        # works after a restart. A title that resolves at once (or not at all) takes it straight back.
        key, user_id, picks = str(interaction.id), interaction.user.id, self.bot.stores.party_picks
        await picks.hold(key, guild_id, user_id, cleaned)
        try:
            show = await resolve_title(interaction, title, CREATE_ACTION, extra=key)
        except Exception:
            await picks.take(key, guild_id, user_id)
            raise
        if show is not None:
            await picks.take(key, guild_id, user_id)
            await self.create_party(interaction, show, cleaned)

    async def create_for_pick(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        guild_id = self.guild_of(interaction)
        name = await self.bot.stores.party_picks.take(extra, guild_id, interaction.user.id)
        if name is None:
            raise ExpiredComponentError("That list has expired; run /party create again.")
        await self.create_party(interaction, show, name)

    async def create_party(self, interaction: discord.Interaction[Any], show: Show, name: str) -> None:
        guild_id = self.guild_of(interaction)
        party = await self.bot.stores.parties.create(
            guild_id, interaction.channel_id or 0, show.id, name, interaction.user.id
        )
        session = await self.bot.stores.parties.current_session(guild_id, party.id)
        text = (
            f"<@{party.host_id}> started the watch party {quoted(party)} for **{show_title(show)}** in this channel."
            f" Join with `/party join`.\n" + session_post(party, show, None)
        )
        await reply(interaction, content=text, view=check_in_view(session.id), ephemeral=False)

    @app_commands.command(name="join", description="Join one of this server's open watch parties")
    @app_commands.describe(name="The party's name (pick a suggestion)")
    @app_commands.autocomplete(name=name_autocomplete)
    async def join(self, interaction: discord.Interaction[Any], name: app_commands.Range[str, 1, 100]) -> None:
        party = await self.find(interaction, name)
        joined = await self.bot.stores.parties.join(party.guild_id, party.id, interaction.user.id)
        if not joined:
            await interaction.response.send_message(f"You are already in {quoted(party)}.", ephemeral=True)
            return
        show = await self.show_of(party)
        where = (
            f"the party has watched {episode_text(show, party.position)}" if party.position else "nothing watched yet"
        )
        await interaction.response.send_message(
            f"<@{interaction.user.id}> joined the watch party {quoted(party)} ({show_title(show)}, {where})."
            " Your own progress moves with the party only for the sessions you check in for."
        )

    @app_commands.command(name="leave", description="Leave a watch party")
    @app_commands.describe(name="The party's name (pick a suggestion)")
    @app_commands.autocomplete(name=name_autocomplete)
    async def leave(self, interaction: discord.Interaction[Any], name: app_commands.Range[str, 1, 100]) -> None:
        party = await self.find(interaction, name)
        result = await self.bot.stores.parties.leave(party.guild_id, party.id, interaction.user.id)
        text = f"<@{interaction.user.id}> left the watch party {quoted(party)}."
        if result.event_id is not None and interaction.guild:
            # The last member left: the evening they planned is off.
            await interaction.response.defer(thinking=True)
            await self.delete_event(interaction.guild, result.event_id)
        if result.ended:
            text += " Nobody is left, so it has ended (its history is kept)."
        elif result.new_host_id is not None:
            text += f" <@{result.new_host_id}> hosts it now."
        await answer(interaction, text)

    # -- status -----------------------------------------------------------------------------------------------------

    @app_commands.command(name="status", description="A party's members, their episodes and the next session")
    @app_commands.describe(name="The party's name (pick a suggestion)")
    @app_commands.autocomplete(name=name_autocomplete)
    async def status(self, interaction: discord.Interaction[Any], name: app_commands.Range[str, 1, 100]) -> None:
        party = await self.find(interaction, name)
        store = self.bot.stores.parties
        members = await store.member_positions(party.guild_id, party.id)
        session = await store.open_session(party.guild_id, party.id)
        checked_in = await store.check_ins(party.guild_id, session.id) if session else []
        embed = status_embed(party, await self.show_of(party), members, session, checked_in)
        await interaction.response.send_message(embed=embed)

    # -- next -------------------------------------------------------------------------------------------------------

    @app_commands.command(name="next", description="Move the party on one episode (host or Manage Events)")
    @app_commands.describe(name="The party's name (pick a suggestion)")
    @app_commands.autocomplete(name=name_autocomplete)
    async def next(self, interaction: discord.Interaction[Any], name: app_commands.Range[str, 1, 100]) -> None:
        party = await self.find(interaction, name)
        show = await self.show_of(party)
        if show is None:
            raise ExpiredComponentError("This party's show is no longer in the catalogue.")
        store = self.bot.stores.parties
        before = await store.open_session(party.guild_id, party.id)
        done = await store.advance(
            party.guild_id, party.id, show, interaction.user.id, self.manages_events(interaction)
        )
        if before and before.event_id and before.starts_at and before.starts_at > self.clock() and interaction.guild:
            # Watched before the planned evening: its Discord event would announce a session that is over.
            await interaction.response.defer(thinking=True)
            await self.delete_event(interaction.guild, before.event_id)
        moved = ", ".join(f"<@{u.progress.user_id}>" for u in done.moved)
        past = ", ".join(f"<@{u}>" for u in done.already_past)
        lines = [
            f"Watch party {quoted(done.party)} has watched {episode_text(show, done.episode)} of {show_title(show)}."
        ]
        lines.append(f"Progress moved for {moved}." if moved else "Nobody had checked in, so nobody's progress moved.")
        if past:
            lines.append(f"Already past it (unchanged): {past}.")
        lines.append("Members who did not check in keep their own place.")
        view: discord.ui.View | None = None
        if following(show, done.party.position) is not None:
            session = await store.current_session(party.guild_id, party.id)
            lines.append(session_post(done.party, show, None))
            view = check_in_view(session.id)
        else:
            lines.append("That was the last episode: end the party with `/party end` when you are done.")
        await answer(interaction, "\n".join(lines), view)

    # -- schedule ---------------------------------------------------------------------------------------------------

    @app_commands.command(
        name="schedule", description="Schedule the next session as a Discord event (host or Manage Events)"
    )
    @app_commands.describe(
        name="The party's name (pick a suggestion)",
        when="Your local time: 2026-12-01 20:00, 20:00, tomorrow 8pm, fri 21:30 or in 2 hours",
        timezone="Your IANA time zone, like Asia/Seoul (default: the one saved with /settings timezone)",
    )
    @app_commands.autocomplete(name=name_autocomplete, timezone=zone_autocomplete)
    async def schedule(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Range[str, 1, 100],
        when: app_commands.Range[str, 1, 100],
        timezone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        party = await self.find(interaction, name)
        require_party_manager(party, interaction.user.id, self.manages_events(interaction))
        show = await self.show_of(party)
        if show is not None and following(show, party.position) is None:
            raise AlreadyFinishedError(
                f"{quoted(party)} has watched the last episode of {show_title(show)}: end it with /party end."
            )
        parsed = await self.read_time(interaction.user.id, when, timezone)
        session, replaced = await self.bot.stores.parties.schedule(
            party.guild_id, party.id, interaction.user.id, self.manages_events(interaction), parsed.at
        )
        # Creating the event is a Discord request: answer first (publicly, the post is for everyone).
        await interaction.response.defer(thinking=True)
        guild = interaction.guild
        if replaced is not None and guild is not None:
            await self.delete_event(guild, replaced)
        lines = [session_post(party, show, parsed.at)]
        if parsed.note:
            lines.append(f"Note: {parsed.note}")
        event_note = await self.create_event(interaction, party, show, session, parsed)
        if event_note:
            lines.append(event_note)
        await answer(interaction, "\n".join(lines), check_in_view(session.id))

    async def read_time(self, user_id: int, when: str, zone_option: str | None) -> ParsedTime:
        zone = canonical_zone(zone_option) if zone_option and zone_option.strip() else None
        if zone is None:
            zone = await self.bot.stores.settings.timezone(user_id)
        if zone is None:
            raise InvalidInputError(
                "Which time zone is that in? Add the timezone option (like Asia/Seoul), or save yours once with"
                " /settings timezone."
            )
        return parse_time(when, zone, self.clock())

    async def create_event(
        self,
        interaction: discord.Interaction[Any],
        party: Party,
        show: Show | None,
        session: PartySession,
        parsed: ParsedTime,
    ) -> str | None:
        """The Discord scheduled event for the session; a sentence for the post when it could not be made."""
        guild = interaction.guild
        perms = interaction.app_permissions
        if guild is None:
            return "I couldn't create the Discord event here; the reminder will still be posted in this channel."
        if not (perms.manage_events or perms.create_events):
            return (
                "I couldn't create a Discord event: I need the Create Events (or Manage Events) permission."
                " The reminder will still be posted in this channel."
            )
        channel = interaction.channel
        where = f"#{getattr(channel, 'name', None) or 'watch-party'}"
        title = show.title if show else "a drama"
        upcoming = episode_text(show, following(show, party.position)) if show else ""
        try:
            event = await guild.create_scheduled_event(
                name=f"{party.name} · {title}"[:100],
                description=f"Watch party in {where}: {upcoming} of {title}. Check in on the bot's post there."[:1000],
                start_time=parsed.at,
                end_time=parsed.at + SESSION_LENGTH,
                entity_type=discord.EntityType.external,
                location=where[:100],
                privacy_level=discord.PrivacyLevel.guild_only,
            )
        except discord.HTTPException as exc:
            log.warning("creating the scheduled event for party %s failed: %s", party.id, exc)
            return "I couldn't create the Discord event (Discord refused it); the reminder will still be posted here."
        await self.bot.stores.parties.set_event(party.guild_id, session.id, event.id)
        return None

    async def delete_event(self, guild: discord.Guild, event_id: int) -> None:
        try:
            event = guild.get_scheduled_event(event_id) or await guild.fetch_scheduled_event(event_id)
            await event.delete()
        except discord.NotFound:
            pass  # deleted by hand already
        except discord.HTTPException as exc:
            log.warning("could not delete scheduled event %s: %s", event_id, exc)

    # -- end --------------------------------------------------------------------------------------------------------

    @app_commands.command(name="end", description="End a watch party (host or Manage Events); its history is kept")
    @app_commands.describe(name="The party's name (pick a suggestion)")
    @app_commands.autocomplete(name=name_autocomplete)
    async def end(self, interaction: discord.Interaction[Any], name: app_commands.Range[str, 1, 100]) -> None:
        party = await self.find(interaction, name)
        result = await self.bot.stores.parties.end(
            party.guild_id, party.id, interaction.user.id, self.manages_events(interaction)
        )
        show = await self.show_of(party)
        event_id = result.open_session.event_id if result.open_session else None
        if event_id is not None and interaction.guild is not None:
            await interaction.response.defer(thinking=True)
            await self.delete_event(interaction.guild, event_id)
        position = result.party.position
        where = (
            f"before its first episode of {show_title(show)}"
            if position is None
            else f"at {episode_text(show, position)} of {show_title(show)}"
        )
        text = f"Watch party {quoted(party)} has ended {where}. Its history is kept, and its name is free again."
        await answer(interaction, text)

    # -- reminders --------------------------------------------------------------------------------------------------

    @tasks.loop(seconds=REMINDER_SECONDS)
    async def reminders(self) -> None:
        try:
            await self.post_due_reminders()
        except Exception:
            # A loop stops for good on an exception it does not retry; the next tick tries again.
            log.exception("posting party reminders failed")

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Started once connected (posting needs the gateway's channels); on_ready again after a reconnect.
        if not self.reminders.is_running():
            self.reminders.start()

    async def post_due_reminders(self) -> int:
        """Post each due reminder once; returns how many were posted."""
        store = self.bot.stores.parties
        posted = 0
        for session in await store.reminders_due(self.clock()):
            if not await store.claim_reminder(session.guild_id, session.id):
                continue  # another tick (or a process before a restart) has it
            try:
                await self.post_reminder(session)
            except (discord.NotFound, discord.Forbidden) as exc:
                # The channel is gone or closed to the bot: trying every 30 seconds would not help.
                log.warning("party reminder for session %s not posted: %s", session.id, exc)
            except Exception:
                await store.release_reminder(session.guild_id, session.id)
                raise
            else:
                posted += 1
        return posted

    async def post_reminder(self, session: PartySession) -> None:
        party = await self.bot.stores.parties.get(session.guild_id, session.party_id)
        if party is None:
            return
        channel = self.bot.get_channel(session.channel_id) or await self.bot.fetch_channel(session.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return
        show = await self.show_of(party)
        await channel.send(session_post(party, show, session.starts_at, reminder=True), view=check_in_view(session.id))

    # -- members leaving the server ---------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        try:
            results = await self.bot.stores.parties.member_left_guild(payload.guild_id, payload.user.id)
            guild = self.bot.get_guild(payload.guild_id)
            for result in results:
                if result.event_id is not None and guild is not None:
                    await self.delete_event(guild, result.event_id)
                if result.new_host_id is None and not result.ended:
                    continue
                channel = self.bot.get_channel(result.party.channel_id)
                if not isinstance(channel, discord.abc.Messageable):
                    continue
                if result.ended:
                    text = f"Watch party {quoted(result.party)} has ended: its last member left the server."
                else:
                    text = f"The host of {quoted(result.party)} left the server; <@{result.new_host_id}> hosts it now."
                await channel.send(text)
        except Exception:
            log.exception("updating parties after member %s left guild %s failed", payload.user.id, payload.guild_id)


async def answer(interaction: discord.Interaction[Any], content: str, view: discord.ui.View | None = None) -> None:
    """A public answer, whether or not the command deferred (publicly) first."""
    if interaction.response.is_done():
        await interaction.edit_original_response(content=content, view=view)
    elif view is None:
        await interaction.response.send_message(content)
    else:
        await interaction.response.send_message(content, view=view)


async def setup(bot: WatchCompanion) -> None:
    await bot.add_cog(Parties(bot, bot.clock))
