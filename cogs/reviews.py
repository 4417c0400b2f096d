"""/review: write a graded review whose spoilers stay hidden until a viewer has seen that far, edit it, list, read
and delete reviews. The Reveal gate reads the viewer's progress; the post is built by ``bot.domain.reviews``."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.errors import CannotPostError, ExpiredComponentError, InvalidInputError, MissingPermissionError
from bot.domain.markup import inert
from bot.domain.models import Show
from bot.domain.paging import Page
from bot.domain.reviews import (
    EpisodeRef,
    Grade,
    PostedMessage,
    PostMessage,
    Review,
    build_reveal,
    build_review_post,
    decide_reveal,
    list_entry,
    parse_episode_ref,
    prefill_fields,
    resolve_spoilers_through,
    review_text_from_fields,
)
from cogs._review_ui import (
    PERSISTENT_ITEMS,
    ComposeButton,
    RetryView,
    ReviewModal,
    ReviewPageButton,
    ShowAnywayButton,
    draft_file,
    message_fields,
    missing_post_permissions,
    multi_season,
    permissions_phrase,
    require_guild,
    review_buttons,
    viewer_progress,
)
from cogs._titles import TITLE_HELP, reply, resolve_title
from cogs._ui import title_autocomplete

if TYPE_CHECKING:
    from bot.app import WatchCompanion

log = logging.getLogger(__name__)

WRITE_ACTION = "review.write"
LIST_ACTION = "review.list"
PER_PAGE = 5
# Review numbers are SQLite row ids; far more than any server writes, and a safe integer for every client.
MAX_REVIEW_ID = 1_000_000_000
# Reveal replies kept built (a few kilobytes each).
REVEAL_CACHE_SIZE = 256
GRADE_CHOICES = [app_commands.Choice(name=g.value, value=g.name) for g in Grade]


def parse_grade(value: str) -> Grade:
    """The grade a choice (its name) or a typed label ("A+") names; Discord does not enforce choices everywhere."""
    try:
        return Grade[value]
    except KeyError:
        return Grade.parse(value)


_BARE_EPISODE = re.compile(r"(?:ep(?:isode)?\.?)?[0-9]+", re.ASCII | re.IGNORECASE)


def through_key(typed: str | None) -> str:
    """``spoilers_through`` checked for form (before any title look-up or pick list) and written as the pick list's
    state keeps it: "8" for a bare episode number (resolved against the show later), "S2E3" otherwise."""
    if typed is None or not typed.strip():
        return ""
    if len(typed) > 30:  # Discord bounds the option in its own clients only
        raise InvalidInputError("Write spoilers_through as an episode number such as 8, or S2E3.")
    ref = parse_episode_ref(typed)
    compact = "".join(unicodedata.normalize("NFKC", typed).split())
    return str(ref.episode) if _BARE_EPISODE.fullmatch(compact) else ref.code


def check_can_post(guild: discord.Guild, channel_id: int) -> discord.TextChannel | discord.Thread:
    """The channel a review goes to, when the bot can post and embed there; CannotPostError otherwise."""
    channel = guild.get_channel_or_thread(channel_id)
    if channel is None:
        raise CannotPostError("The review channel set for this server no longer exists; ask a manager to set another.")
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        raise CannotPostError(f"I can only post reviews in a text channel, and {channel.mention} is not one.")
    missing = missing_post_permissions(channel, guild.me)
    if missing:
        raise CannotPostError(f"I can't post reviews in {channel.mention}: I need {permissions_phrase(missing)} there.")
    return channel


class Reviews(commands.GroupCog, group_name="review", group_description="Spoiler-safe reviews of dramas"):
    def __init__(self, bot: WatchCompanion) -> None:
        self.bot = bot
        self._reveal_cache: dict[tuple[int, dt.datetime | None, bool], tuple[PostMessage, ...]] = {}

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*PERSISTENT_ITEMS)
        self.bot.title_actions[WRITE_ACTION] = self.offer_compose
        self.bot.title_actions[LIST_ACTION] = self.post_list

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*PERSISTENT_ITEMS)
        self.bot.title_actions.pop(WRITE_ACTION, None)
        self.bot.title_actions.pop(LIST_ACTION, None)

    # -- writing ------------------------------------------------------------------------------------------------

    @app_commands.command(name="write", description="Review a drama: a form opens for the headline and your text")
    @app_commands.describe(
        title=TITLE_HELP,
        grade="Your grade, A+ to F",
        spoilers_through="How far your spoilers go: an episode number (8) or S2E3; leave empty if there are none",
    )
    @app_commands.choices(grade=GRADE_CHOICES)
    @app_commands.autocomplete(title=title_autocomplete)
    async def write(
        self,
        interaction: discord.Interaction[Any],
        title: app_commands.Range[str, 1, 200],
        grade: str,
        spoilers_through: app_commands.Range[str, 1, 30] | None = None,
    ) -> None:
        require_guild(interaction)
        chosen = parse_grade(grade)
        through_text = through_key(spoilers_through)
        show = await resolve_title(interaction, title, WRITE_ACTION, extra=f"{chosen.name}.{through_text}")
        if show is not None:
            await self.offer_compose(interaction, show, f"{chosen.name}.{through_text}")

    async def offer_compose(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        """Open the form at once when the interaction can still answer with one; else offer a button that does."""
        grade_name, _, through_text = extra.partition(".")
        grade = parse_grade(grade_name)
        through = resolve_spoilers_through(show, through_text or None)
        code = through.code if through else ""
        if not interaction.response.is_done():
            await self.compose(interaction, show.id, grade, code)
            return
        view = discord.ui.View(timeout=None)
        view.add_item(ComposeButton(show.id, grade, code or "-"))
        await reply(interaction, content=f"Write your review of {inert(show.title, 200)}:", view=view, ephemeral=True)

    async def compose(self, interaction: discord.Interaction[Any], show_id: int, grade: Grade, through: str) -> None:
        guild_id = require_guild(interaction)
        show = await self._show(show_id)
        ref = resolve_spoilers_through(show, through or None)

        async def submitted(submit: discord.Interaction[Any], values: dict[str, str]) -> None:
            await self.publish(submit, guild_id, show, grade, ref, values)

        await interaction.response.send_modal(ReviewModal(f"review:write:{show.id}", show.title, submitted))

    async def publish(
        self,
        interaction: discord.Interaction[Any],
        guild_id: int,
        show: Show,
        grade: Grade,
        through: EpisodeRef | None,
        values: dict[str, str],
    ) -> None:
        """Post a submitted review; when it cannot be posted, nothing is kept and the author gets the text back."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            text = review_text_from_fields(values)
            guild = interaction.guild
            if guild is None:
                raise InvalidInputError("I can't see this server any more, so the review was not posted.")
            config = await self.bot.stores.guilds.get(guild_id)
            channel = check_can_post(guild, config.review_channel_id or interaction.channel_id or 0)
        except (InvalidInputError, CannotPostError) as error:
            again = self._write_again(guild_id, show, grade, through, values)
            await self._give_back(interaction, error.message, show, values, again)
            return
        reviews = self.bot.stores.reviews
        review = await reviews.create(
            guild_id=guild_id,
            author_id=interaction.user.id,
            show_id=show.id,
            grade=grade,
            spoilers_through=through,
            text=text,
        )
        try:
            posted = await self._post(channel, review, show, interaction.user.display_name)
        except discord.HTTPException as error:
            log.warning("posting review %s in %s failed: %s", review.id, channel.id, error)
            await reviews.delete(guild_id, review.id, by_user_id=review.author_id, manage_messages=False)
            reason = f"Discord refused my post in {channel.mention}" + (
                " (I lack a permission there)." if isinstance(error, discord.Forbidden) else "."
            )
            await self._give_back(
                interaction, reason, show, values, self._write_again(guild_id, show, grade, through, values)
            )
            return
        await reviews.set_messages(guild_id, review.id, posted)
        link = f"https://discord.com/channels/{guild_id}/{posted[0].channel_id}/{posted[0].message_id}"
        await interaction.followup.send(f"Posted your review #{review.id} in {channel.mention}: {link}", ephemeral=True)

    async def _post(
        self, channel: discord.abc.Messageable, review: Review, show: Show, author_name: str
    ) -> list[PostedMessage]:
        post = build_review_post(
            review, show_title=show.title, author_name=author_name, multi_season=multi_season(show)
        )
        posted: list[PostedMessage] = []
        try:
            for message in post.messages:
                extra: dict[str, Any] = {"view": review_buttons(review)} if message.buttons else {}
                sent = await channel.send(**message_fields(message), **extra)
                posted.append(PostedMessage(sent.channel.id, sent.id))
        except discord.HTTPException:
            await self._remove_posts(posted)
            raise
        return posted

    async def _give_back(
        self,
        interaction: discord.Interaction[Any],
        reason: str,
        show: Show,
        values: Mapping[str, str],
        again: Callable[[discord.Interaction[Any]], Awaitable[None]],
    ) -> None:
        """Tell the author why nothing was posted, with their text as a file and a button that reopens the form."""
        await interaction.followup.send(
            f"{reason} Your review was not saved; here is what you wrote, and a button to open the form again.",
            file=draft_file(values, show.title),
            view=RetryView(interaction.user.id, again),
            ephemeral=True,
        )

    def _write_again(
        self, guild_id: int, show: Show, grade: Grade, through: EpisodeRef | None, values: Mapping[str, str]
    ) -> Callable[[discord.Interaction[Any]], Awaitable[None]]:
        """Reopens the form as the member left it (grade and spoilers_through kept)."""

        async def again(interaction: discord.Interaction[Any]) -> None:
            async def submitted(submit: discord.Interaction[Any], new_values: dict[str, str]) -> None:
                await self.publish(submit, guild_id, show, grade, through, new_values)

            await interaction.response.send_modal(ReviewModal(f"review:write:{show.id}", show.title, submitted, values))

        return again

    # -- reveal -------------------------------------------------------------------------------------------------

    async def reveal(self, interaction: discord.Interaction[Any], review_id: int, show_id: int | None = None) -> None:
        guild_id = require_guild(interaction)
        progress_store = self.bot.stores.progress
        if show_id is None:
            review = await self.bot.stores.reviews.require(guild_id, review_id)
            progress = await progress_store.get(interaction.user.id, review.show_id)
        else:
            # The button names the show too, so both reads go to the database at once (many press at once).
            review, progress = await asyncio.gather(
                self.bot.stores.reviews.require(guild_id, review_id), progress_store.get(interaction.user.id, show_id)
            )
            if review.show_id != show_id:
                progress = await progress_store.get(interaction.user.id, review.show_id)
        show = await self._show(review.show_id)
        if not review.text.has_spoiler:
            await interaction.response.send_message("This review has no spoiler part to reveal.", ephemeral=True)
            return
        decision = decide_reveal(
            review.spoilers_through,
            viewer_progress(progress, show),
            show_title=show.title,
            multi_season=multi_season(show),
        )
        if decision.allowed:
            await self._send_reveal(interaction, review, show, edit=False)
            return
        view = discord.ui.View(timeout=None)
        view.add_item(ShowAnywayButton(review.id))
        await interaction.response.send_message(decision.message, view=view, ephemeral=True)

    async def show_anyway(self, interaction: discord.Interaction[Any], review_id: int) -> None:
        review, show = await self._review(interaction, review_id)
        await self._send_reveal(interaction, review, show, edit=True)

    async def _send_reveal(
        self, interaction: discord.Interaction[Any], review: Review, show: Show, *, edit: bool
    ) -> None:
        messages = self._revealed(review, multi_season(show))
        first, rest = message_fields(messages[0]), messages[1:]
        if edit:
            await interaction.response.edit_message(**first, view=None)
        else:
            await interaction.response.send_message(**first, ephemeral=True)
        for message in rest:
            await interaction.followup.send(**message_fields(message), ephemeral=True)

    def _revealed(self, review: Review, many_seasons: bool) -> tuple[PostMessage, ...]:
        """The Reveal reply, built once per version of the review: a popular review is revealed by many members at
        once, and the review itself is still read from the database each time (an edit or a delete shows at once)."""
        key = (review.id, review.edited_at, many_seasons)
        built = self._reveal_cache.get(key)
        if built is None:
            built = build_reveal(review, multi_season=many_seasons)
            if len(self._reveal_cache) >= REVEAL_CACHE_SIZE:
                self._reveal_cache.pop(next(iter(self._reveal_cache)))
            self._reveal_cache[key] = built
        return built

    # -- editing ------------------------------------------------------------------------------------------------

    async def open_edit(self, interaction: discord.Interaction[Any], review_id: int) -> None:
        review, show = await self._review(interaction, review_id)
        if not review.can_be_edited_by(interaction.user.id):
            raise MissingPermissionError("Only the author of a review can edit it.")

        async def submitted(submit: discord.Interaction[Any], values: dict[str, str]) -> None:
            await self.apply_edit(submit, review, show, values)

        modal = ReviewModal(f"review:editform:{review.id}", show.title, submitted, prefill_fields(review.text))
        await interaction.response.send_modal(modal)

    def _edit_again(
        self, before: Review, show: Show, values: Mapping[str, str]
    ) -> Callable[[discord.Interaction[Any]], Awaitable[None]]:
        async def again(interaction: discord.Interaction[Any]) -> None:
            async def submitted(submit: discord.Interaction[Any], new_values: dict[str, str]) -> None:
                await self.apply_edit(submit, before, show, new_values)

            await interaction.response.send_modal(
                ReviewModal(f"review:editform:{before.id}", show.title, submitted, values)
            )

        return again

    async def apply_edit(
        self, interaction: discord.Interaction[Any], before: Review, show: Show, values: dict[str, str]
    ) -> None:
        """Store the new text and edit the post in place (adding or removing messages if its length changed)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            text = review_text_from_fields(values)
        except InvalidInputError as error:
            await self._give_back(interaction, error.message, show, values, self._edit_again(before, show, values))
            return
        review = await self.bot.stores.reviews.edit_text(before.guild_id, before.id, interaction.user.id, text)
        try:
            posted = await self._edit_post(review, show, interaction.user.display_name)
        except discord.HTTPException as error:
            log.warning("editing the post of review %s failed: %s", review.id, error)
            await self.bot.stores.reviews.edit_text(before.guild_id, before.id, interaction.user.id, before.text)
            again = self._edit_again(before, show, values)
            await self._give_back(interaction, "Discord refused my edit of the post.", show, values, again)
            return
        await self.bot.stores.reviews.set_messages(review.guild_id, review.id, posted)
        await interaction.followup.send(f"Updated your review #{review.id}.", ephemeral=True)

    async def _edit_post(self, review: Review, show: Show, author_name: str) -> list[PostedMessage]:
        post = build_review_post(
            review, show_title=show.title, author_name=author_name, multi_season=multi_season(show)
        )
        old = list(review.messages)
        if not old:
            raise ExpiredComponentError("That review's post is gone; delete the review and write it again.")
        channel = self.bot.get_partial_messageable(old[0].channel_id, guild_id=review.guild_id)
        posted: list[PostedMessage] = []
        for index, message in enumerate(post.messages):
            view = review_buttons(review) if message.buttons else None
            if index < len(old):
                target = self.bot.get_partial_messageable(old[index].channel_id, guild_id=review.guild_id)
                await target.get_partial_message(old[index].message_id).edit(**message_fields(message), view=view)
                posted.append(old[index])
            else:
                extra: dict[str, Any] = {"view": view} if view is not None else {}
                sent = await channel.send(**message_fields(message), **extra)
                posted.append(PostedMessage(sent.channel.id, sent.id))
        await self._remove_posts(old[len(post.messages) :])
        return posted

    # -- reading and removing -----------------------------------------------------------------------------------

    @app_commands.command(name="list", description="A drama's reviews in this server, newest first")
    @app_commands.describe(title=TITLE_HELP)
    @app_commands.autocomplete(title=title_autocomplete)
    async def list_reviews(self, interaction: discord.Interaction[Any], title: app_commands.Range[str, 1, 200]) -> None:
        require_guild(interaction)
        show = await resolve_title(interaction, title, LIST_ACTION)
        if show is not None:
            await self.post_list(interaction, show, "")

    async def post_list(self, interaction: discord.Interaction[Any], show: Show, extra: str) -> None:
        embed, view = await self._list_page(require_guild(interaction), show, 0)
        await reply(interaction, embed=embed, view=view, ephemeral=True)

    async def turn_page(self, interaction: discord.Interaction[Any], show_id: int, page: int) -> None:
        show = await self._show(show_id)
        embed, view = await self._list_page(require_guild(interaction), show, page)
        await interaction.response.edit_message(embed=embed, view=view)

    async def _list_page(self, guild_id: int, show: Show, page: int) -> tuple[discord.Embed, discord.ui.View]:
        found: Page[Review] = await self.bot.stores.reviews.list_for_show(guild_id, show.id, page, PER_PAGE)
        summary = await self.bot.stores.reviews.summary(guild_id, show.id)
        embed = discord.Embed(title=f"Reviews of {inert(show.title, 200)}"[:256], colour=discord.Colour.teal())
        many = multi_season(show)
        if found.items:
            embed.description = "\n".join(list_entry(r, many) for r in found.items)
        else:
            embed.description = "No reviews of this drama in this server yet. `/review write` adds one."
        embed.set_footer(
            text=f"{summary.describe()} · page {found.index + 1}/{found.count} · /review show ID reads one"
        )
        view = discord.ui.View(timeout=None)
        if found.count > 1:
            view.add_item(ReviewPageButton(show.id, max(found.index - 1, 0), "◀ Newer", not found.has_previous))
            view.add_item(
                ReviewPageButton(show.id, min(found.index + 1, found.count - 1), "Older ▶", not found.has_next)
            )
        return embed, view

    @app_commands.command(name="show", description="Read one review of this server by its number")
    @app_commands.describe(id="The review's number (shown as #12 on the post and in /review list)")
    async def show_review(
        self,
        interaction: discord.Interaction[Any],
        id: app_commands.Range[int, 1, MAX_REVIEW_ID],
    ) -> None:
        review, show = await self._review(interaction, _review_id(id))
        name = await self._author_name(interaction, review.author_id)
        post = build_review_post(review, show_title=show.title, author_name=name, multi_season=multi_season(show))
        for index, message in enumerate(post.messages):
            extra: dict[str, Any] = {"view": review_buttons(review, edit=False)} if message.buttons else {}
            if index == 0:
                await interaction.response.send_message(**message_fields(message), **extra, ephemeral=True)
            else:
                await interaction.followup.send(**message_fields(message), **extra, ephemeral=True)

    @app_commands.command(
        name="delete", description="Delete a review and its post (yours, or any with Manage Messages)"
    )
    @app_commands.describe(id="The review's number (shown as #12 on the post and in /review list)")
    async def delete_review(
        self,
        interaction: discord.Interaction[Any],
        id: app_commands.Range[int, 1, MAX_REVIEW_ID],
    ) -> None:
        guild_id = require_guild(interaction)
        manage = bool(interaction.permissions.manage_messages)
        review = await self.bot.stores.reviews.delete(
            guild_id, _review_id(id), by_user_id=interaction.user.id, manage_messages=manage
        )
        left = await self._remove_posts(review.messages)
        note = " I could not remove its post; a moderator can delete it." if left else " Its post is removed too."
        await interaction.response.send_message(f"Deleted review #{review.id}.{note}", ephemeral=True)

    # -- helpers ------------------------------------------------------------------------------------------------

    async def _author_name(self, interaction: discord.Interaction[Any], user_id: int) -> str:
        """The author's name in this server (the bot has no member list, so ask Discord when it is not cached)."""
        guild = interaction.guild
        if guild is None:
            return "a member"
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.HTTPException:
                return "a former member"
        return member.display_name

    async def _show(self, show_id: int) -> Show:
        show = await self.bot.lookup.get(show_id)
        if show is None:
            raise ExpiredComponentError("That drama is no longer in the catalogue.")
        return show

    async def _review(self, interaction: discord.Interaction[Any], review_id: int) -> tuple[Review, Show]:
        review = await self.bot.stores.reviews.require(require_guild(interaction), review_id)
        return review, await self._show(review.show_id)

    async def _remove_posts(self, messages: list[PostedMessage] | tuple[PostedMessage, ...]) -> int:
        """Delete posted messages; returns how many could not be removed (a message already gone counts as removed)."""
        failed = 0
        for message in messages:
            partial = self.bot.get_partial_messageable(message.channel_id).get_partial_message(message.message_id)
            try:
                await partial.delete()
            except discord.NotFound:
                continue
            except discord.HTTPException as error:
                log.warning("could not delete review message %s: %s", message.message_id, error)
                failed += 1
        return failed


def _review_id(value: int) -> int:
    # Discord bounds the option in its own clients only; an id past any stored one is simply not found.
    if not 1 <= value <= MAX_REVIEW_ID:
        raise InvalidInputError("A review number is a whole number such as 12 (see /review list).")
    return value


async def setup(bot: WatchCompanion) -> None:
    await bot.add_cog(Reviews(bot))
