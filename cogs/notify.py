"""/notify: follow a show's seasons, premiere dates or episodes; the season poller and the outbox delivery.

A show is followed by its TVmaze record: one not yet linked is linked at follow time by the matcher (or the
member is told why not), and a server manager sets or corrects a link with ``/notify link``. The poller
(``cogs/_notify_poll.py``) records news once; delivery (``cogs/_notify_delivery.py``) sends it from the outbox.
Both run in one ``tasks.loop`` every POLL_INTERVAL_MINUTES.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.db.announcements import JobLease
from bot.domain.announcements import DEFAULT_MODE, FollowMode, show_update, snapshot_from_tvmaze
from bot.domain.errors import (
    InvalidInputError,
    MissingPermissionError,
    NotFollowingError,
    NotLinkedError,
    TvmazeLinkTakenError,
)
from bot.domain.linking import LinkMatch, match_tvmaze, parse_tvmaze_ref
from bot.domain.markup import inert
from bot.domain.models import Show
from bot.providers.base import SourceError, errand
from bot.providers.tvmaze import TvmazeSource
from cogs._notify_delivery import Courier, DeliveryResult
from cogs._notify_poll import PollResult, SeasonPoller
from cogs._notify_ui import MODE_LABELS, follow_list_embed
from cogs._titles import TITLE_HELP, reply, resolve_title
from cogs._ui import title_autocomplete

if TYPE_CHECKING:
    from bot.app import WatchCompanion

log = logging.getLogger(__name__)

FOLLOW_ACTION = "notify.follow"
UNFOLLOW_ACTION = "notify.unfollow"
LINK_ACTION = "notify.link"
# What following an unlinked show may spend on TVmaze: searches by title and native title, then its snapshot.
LINK_SECONDS = 12.0
LINK_REQUESTS = 3
MODE_CHOICES = [app_commands.Choice(name=label.capitalize(), value=mode.value) for mode, label in MODE_LABELS.items()]


class Notify(commands.GroupCog, group_name="notify", group_description="Hear when a followed show gets news"):
    def __init__(self, bot: WatchCompanion) -> None:
        self.bot = bot
        self.now = bot.clock
        self.shows = bot.lookup.store
        self.follows = bot.stores.follows
        self.announcements = bot.stores.announcements
        self.guilds = bot.stores.guilds
        holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        remote = bot.lookup.remote
        # The poller's own source: the 2-4-8 s back-off, sharing the lookups' session and rate limit.
        self.source = remote.sibling() if isinstance(remote, TvmazeSource) else None
        interval = dt.timedelta(minutes=bot.settings.poll_interval_minutes)
        self.poller = (
            SeasonPoller(
                self.source,
                self.follows,
                self.announcements,
                self.guilds,
                bot.stores.watchlist,
                JobLease(bot.db),
                holder,
                lease_for=max(interval * 1.5, dt.timedelta(minutes=10)),
                now=lambda: self.now(),
            )
            if self.source is not None
            else None
        )
        self.courier = Courier(bot, self.announcements, self.guilds, holder, lambda: self.now())

    async def cog_load(self) -> None:
        self.bot.title_actions[FOLLOW_ACTION] = self.post_follow
        self.bot.title_actions[UNFOLLOW_ACTION] = self.post_unfollow
        self.bot.title_actions[LINK_ACTION] = self.post_link
        self.tick.change_interval(minutes=self.bot.settings.poll_interval_minutes)
        self.tick.start()

    async def cog_unload(self) -> None:
        for action in (FOLLOW_ACTION, UNFOLLOW_ACTION, LINK_ACTION):
            self.bot.title_actions.pop(action, None)
        self.tick.cancel()
        if self.poller is not None:
            try:
                await self.poller.stop()
            except Exception:  # the database may already be closing; the lease then lapses by itself
                log.warning("could not give the poller lease up", exc_info=True)

    # -- the loop -------------------------------------------------------------------------------------------------

    @tasks.loop(minutes=60)
    async def tick(self) -> None:
        # A tasks.loop ends for good on an exception: each step catches and logs its own.
        try:
            await self.run_poll()
        except Exception:
            log.exception("the season poll failed; trying again next time")
        try:
            await self.deliver()
        except Exception:
            log.exception("announcement delivery failed; trying again next time")

    @tick.before_loop
    async def _before_tick(self) -> None:
        try:
            await self.bot.wait_until_ready()
        except RuntimeError:
            # A bot built but never logged in (the offline test build) has nothing to poll for or deliver to.
            self.tick.cancel()

    async def run_poll(self) -> PollResult | None:
        """One poll of TVmaze (None when TVmaze is switched off)."""
        if self.poller is None:
            return None
        result = await self.poller.poll()
        if result.ran:
            log.info(
                "season poll (%s): %d followed, %d fetched, %d failed, %d new events, %d requests",
                result.window,
                result.followed,
                len(result.fetched),
                len(result.failed),
                result.events,
                result.requests,
            )
        return result

    async def deliver(self) -> DeliveryResult:
        return await self.courier.deliver()

    # -- commands -------------------------------------------------------------------------------------------------

    @app_commands.command(name="follow", description="Hear about a show's new seasons, premiere dates or episodes")
    @app_commands.describe(
        title=TITLE_HELP,
        mode="What to hear about (default: new seasons and premiere dates)",
    )
    @app_commands.autocomplete(title=title_autocomplete)
    @app_commands.choices(mode=MODE_CHOICES)
    async def follow(
        self,
        interaction: discord.Interaction[Any],
        title: app_commands.Range[str, 1, 200],
        mode: app_commands.Choice[str] | None = None,
    ) -> None:
        chosen = _mode(mode.value if mode else None)
        await interaction.response.defer(ephemeral=True, thinking=True)
        show = await resolve_title(interaction, title, FOLLOW_ACTION, extra=chosen.value)
        if show is not None:
            await self.post_follow(interaction, show, chosen.value)

    async def post_follow(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        mode = _mode(extra or None)
        linked = show if show.tvmaze_id is not None else await self._link_by_matcher(show)
        guild_id = interaction.guild_id
        created = await self.follows.follow(interaction.user.id, linked.id, self.now(), mode, guild_id)
        await self._first_snapshot(linked)
        name = inert(linked.title, 200)
        lines = [
            f"{'Following' if created else 'Now following'} **{name}**: {MODE_LABELS[mode]}. News comes by DM.",
        ]
        if guild_id is not None:
            channel_id = (await self.guilds.get(guild_id)).announce_channel_id
            if channel_id is not None:
                lines.append(f"This server's announcements go to <#{channel_id}>.")
            else:
                lines.append(
                    "This server has no announce channel yet (a manager sets one with `/config announce-channel`)."
                )
        if self.source is None:
            lines.append("TVmaze is switched off here (offline mode), so no news arrives until it is on.")
        await reply(interaction, content="\n".join(lines), ephemeral=True)

    @app_commands.command(name="unfollow", description="Stop hearing about a show")
    @app_commands.describe(title=TITLE_HELP)
    @app_commands.autocomplete(title=title_autocomplete)
    async def unfollow(self, interaction: discord.Interaction[Any], title: app_commands.Range[str, 1, 200]) -> None:
        show = await resolve_title(interaction, title, UNFOLLOW_ACTION)
        if show is not None:
            await self.post_unfollow(interaction, show, "")

    async def post_unfollow(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        if not await self.follows.unfollow(interaction.user.id, show.id):
            raise NotFollowingError(show.title)
        await reply(interaction, content=f"You no longer follow **{inert(show.title, 200)}**.", ephemeral=True)

    @app_commands.command(name="list", description="The shows you follow and what you hear about each")
    async def list_follows(self, interaction: discord.Interaction[Any]) -> None:
        follows = await self.follows.follows_of(interaction.user.id)
        shows = {f.show_id: s for f in follows if (s := await self.bot.lookup.get(f.show_id)) is not None}
        await interaction.response.send_message(embed=follow_list_embed(follows, shows), ephemeral=True)

    @app_commands.command(name="link", description="Server managers: set or correct which TVmaze record a show is")
    @app_commands.describe(
        title=TITLE_HELP,
        tvmaze="The TVmaze show id (like 1234) or its link (https://www.tvmaze.com/shows/1234/...)",
    )
    @app_commands.autocomplete(title=title_autocomplete)
    @app_commands.default_permissions(manage_guild=True)
    async def link(
        self,
        interaction: discord.Interaction[Any],
        title: app_commands.Range[str, 1, 200],
        tvmaze: app_commands.Range[str, 1, 200],
    ) -> None:
        if interaction.guild_id is None:
            raise InvalidInputError("Linking shows is for server managers: run `/notify link` in a server.")
        # default_permissions is only a default a server can change: check the member's permissions here too.
        if not interaction.permissions.manage_guild:
            raise MissingPermissionError("Linking a show to TVmaze needs the Manage Server permission.")
        tvmaze_id = parse_tvmaze_ref(tvmaze)
        await interaction.response.defer(ephemeral=True, thinking=True)
        show = await resolve_title(interaction, title, LINK_ACTION, extra=str(tvmaze_id))
        if show is not None:
            await self.post_link(interaction, show, str(tvmaze_id))

    async def post_link(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        if not interaction.permissions.manage_guild:
            raise MissingPermissionError("Linking a show to TVmaze needs the Manage Server permission.")
        tvmaze_id = parse_tvmaze_ref(extra)
        checked = ""
        remote = self.source
        if remote is not None:
            try:
                with errand(LINK_SECONDS, 1):
                    record = await remote.show(tvmaze_id)
            except SourceError as exc:
                raise InvalidInputError(
                    f"I couldn't reach TVmaze to check show {tvmaze_id} ({inert(str(exc), 100)}); try again later."
                ) from exc
            if record is None:
                raise InvalidInputError(f"TVmaze has no show {tvmaze_id}: check the id or the link.")
            checked = f" (“{inert(record.title, 100)}”, {record.year or 'year unknown'})"
        who = f"set by {interaction.user.id} in server {interaction.guild_id}"
        linked = await self.shows.link_tvmaze(show.id, tvmaze_id, "manual", who)
        if linked is None:
            raise InvalidInputError("That show is no longer in the catalogue.")
        await self.bot.lookup.refresh()
        text = f"Linked **{inert(show.title, 200)}** to TVmaze show {tvmaze_id}{checked}."
        if remote is None:
            text += " TVmaze is switched off here, so I could not check that id."
        await reply(interaction, content=text, ephemeral=True)

    # -- linking and the first snapshot ---------------------------------------------------------------------------

    async def _link_by_matcher(self, show: Show) -> Show:
        """The show linked to the TVmaze record the matcher is sure of, or ``NotLinkedError`` saying why not."""
        remote = self.bot.lookup.remote
        if remote is None:
            raise NotLinkedError(show.title, "it has no TVmaze link, and TVmaze is switched off here (offline mode).")
        candidates: list[Show] = []
        try:
            with errand(LINK_SECONDS, LINK_REQUESTS):
                for query in dict.fromkeys(q for q in (show.title, show.native_title) if q):
                    candidates.extend(await remote.search(query, limit=10))
        except SourceError as exc:
            raise NotLinkedError(
                show.title, "TVmaze could not be reached just now; try again in a few minutes."
            ) from exc
        decided = match_tvmaze(show, candidates)
        if not isinstance(decided, LinkMatch):
            raise decided.error(show.title)
        try:
            linked = await self.shows.link_tvmaze(show.id, decided.tvmaze_id, "matched", decided.explain())
        except TvmazeLinkTakenError:
            # TVmaze's own record of the show is stored already (a member found it there): follow that one.
            held = await self.shows.by_tvmaze_id(decided.tvmaze_id)
            if held is None:
                raise
            return held
        if linked is None:
            raise InvalidInputError("That show is no longer in the catalogue.")
        await self.bot.lookup.refresh()
        log.info("linked %s to TVmaze %s: %s", show.title, decided.tvmaze_id, decided.explain())
        return linked

    async def _first_snapshot(self, show: Show) -> None:
        """What TVmaze says now, so the first poll has something to compare with (news starts from here)."""
        if self.source is None or show.tvmaze_id is None:
            return
        if await self.announcements.snapshot(show.tvmaze_id) is not None:
            return
        try:
            with errand(LINK_SECONDS, 1):
                raw = await self.source.snapshot_record(show.tvmaze_id)
            if raw is not None:
                now = self.now()
                first = show_update(None, snapshot_from_tvmaze(raw, now), None, now, ())
                await self.announcements.record_update(first, now)
        except (SourceError, ValueError) as exc:
            # Not needed to follow: the next poll takes the first snapshot instead.
            log.info("no first snapshot of TVmaze %s yet: %s", show.tvmaze_id, exc)


def _mode(value: str | None) -> FollowMode:
    if value is None:
        return DEFAULT_MODE
    try:
        return FollowMode(value)
    except ValueError:
        raise InvalidInputError("Pick a mode from the list: new seasons, every episode, or premiere day.") from None


async def setup(bot: WatchCompanion) -> None:
    await bot.add_cog(Notify(bot))
