"""What /review shows and the parts members press: the post rendered as Discord messages, the review modal, and
the persistent buttons (Reveal, Show anyway, Edit, Write, list pages) whose state lives in their custom ids."""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.errors import InvalidInputError
from bot.domain.models import Show
from bot.domain.progress import Progress
from bot.domain.progress.positions import Position, last_position
from bot.domain.reviews import (
    REVIEW_FIELDS,
    FieldStyle,
    Grade,
    PostMessage,
    Review,
    ReviewText,
    ViewerProgress,
    draft_text,
    modal_title,
)
from bot.domain.reviews.modal import HEADLINE, SPOILER, SPOILER_FREE, SPOILER_MORE
from bot.tree import report
from cogs._buttons import page_button

if TYPE_CHECKING:
    from bot.app import WatchCompanion

# How long an open review modal (or a "write it again" button) waits for its author.
MODAL_TIMEOUT = 3600.0
RETRY_TIMEOUT = 900.0
# What the bot needs where it posts: to see and write in the channel, and to show embeds.
POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
SERVER_ONLY = "Reviews belong to a server: run this in one of your server's channels."

# What a submitted modal runs: (modal submit interaction, the raw field values by custom id).
Submit = Callable[[discord.Interaction[Any], dict[str, str]], Awaitable[None]]


def require_guild(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild_id is None:
        raise InvalidInputError(SERVER_ONLY)
    return interaction.guild_id


def missing_post_permissions(channel: discord.abc.GuildChannel | discord.Thread, me: discord.Member) -> list[str]:
    """The permissions (as Discord names them) the bot lacks to post a review or an announcement in ``channel``."""
    perms = channel.permissions_for(me)
    return [name.replace("_", " ").title() for name in POST_PERMISSIONS if not getattr(perms, name)]


def permissions_phrase(missing: list[str]) -> str:
    """ "the Send Messages permission", "the Send Messages and Embed Links permissions"."""
    if len(missing) == 1:
        return f"the {missing[0]} permission"
    return f"the {', '.join(missing[:-1])} and {missing[-1]} permissions"


def multi_season(show: Show | None) -> bool:
    return show is not None and len([s for s in show.seasons if s.number > 0]) > 1


def viewer_progress(progress: Progress | None, show: Show | None) -> ViewerProgress | None:
    """Where the viewer is for the Reveal rule: the furthest they have seen (over every pass), and whether that is
    the end of the show (or a pass of theirs completed it)."""
    if progress is None:
        return None
    seen = progress.seen_through or progress.position
    last = last_position(show) if show is not None else None
    completed = progress.completed_at is not None or (seen is not None and last is not None and seen >= last)
    if seen is None:
        return ViewerProgress(last.season, last.episode, True) if completed and last else None
    return ViewerProgress(seen.season, seen.episode, completed)


def position_of(viewer: ViewerProgress) -> Position:
    return Position(viewer.season, viewer.episode)


# -- messages ------------------------------------------------------------------------------------------------------


def message_fields(message: PostMessage) -> dict[str, Any]:
    """A built post message as the keyword arguments of a send or an edit."""
    return {
        "content": message.content,
        "embeds": [discord.Embed.from_dict(embed.to_dict()) for embed in message.embeds],
    }


def review_buttons(review: Review, *, edit: bool = True) -> discord.ui.View:
    """The buttons under a review's last message: Reveal (when it has spoilers) and Edit (only its author may)."""
    view = discord.ui.View(timeout=None)
    if review.text.has_spoiler:
        view.add_item(RevealButton(review.id, review.show_id))
    if edit:
        view.add_item(EditButton(review.id))
    return view


def draft_file(values: Mapping[str, str], show_title: str) -> discord.File:
    """What the member wrote, as a text file to keep when it could not be posted."""
    text = ReviewText(
        values.get(HEADLINE, ""),
        values.get(SPOILER_FREE, ""),
        values.get(SPOILER, "") + values.get(SPOILER_MORE, ""),
    )
    data = draft_text(text, show_title).encode("utf-8")
    return discord.File(io.BytesIO(data), filename="review-draft.txt")


# -- the modal -----------------------------------------------------------------------------------------------------


class ReviewModal(discord.ui.Modal):
    """The review form: headline, spoiler-free part and the spoiler part over two fields; ``on_done`` gets the
    values by field id. Prefilled for Edit and for a retry."""

    def __init__(
        self, custom_id: str, show_title: str, on_done: Submit, prefill: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(title=modal_title(show_title), custom_id=custom_id, timeout=MODAL_TIMEOUT)
        self.on_done = on_done
        self.inputs: dict[str, discord.ui.TextInput[ReviewModal]] = {}
        for field in REVIEW_FIELDS:
            default = (prefill or {}).get(field.custom_id) or None
            text_input: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
                label=field.label,
                custom_id=field.custom_id,
                style=discord.TextStyle.short if field.style is FieldStyle.SHORT else discord.TextStyle.paragraph,
                required=field.required,
                min_length=field.min_length or None,
                max_length=field.max_length,
                placeholder=field.placeholder,
                default=default[: field.max_length] if default else None,
            )
            self.inputs[field.custom_id] = text_input
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await self.on_done(interaction, {name: text_input.value or "" for name, text_input in self.inputs.items()})

    async def on_error(  # type: ignore[override]  # discord.py's Modal takes no item, unlike the View it extends
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report(interaction, error, f"modal {self.custom_id}")


class RetryView(discord.ui.View):
    """A "Write it again" button under a review that could not be posted: it reopens the form as it was."""

    def __init__(self, author_id: int, open_again: Callable[[discord.Interaction[Any]], Awaitable[None]]) -> None:
        super().__init__(timeout=RETRY_TIMEOUT)
        self.author_id = author_id
        self.open_again = open_again

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        return interaction.user.id == self.author_id

    @discord.ui.button(label="Write it again", style=discord.ButtonStyle.primary, custom_id="review:retry")
    async def again(self, interaction: discord.Interaction[Any], button: discord.ui.Button[RetryView]) -> None:
        await self.open_again(interaction)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report(interaction, error, "review:retry")


# -- persistent buttons --------------------------------------------------------------------------------------------

# What the cog does for each button; the buttons are thin, so the cog's logic is tested without Discord.
ButtonAction = Callable[[discord.Interaction[Any], int], Awaitable[None]]


def _cog_action(interaction: discord.Interaction[Any], name: str) -> Callable[..., Awaitable[None]]:
    bot: WatchCompanion = interaction.client
    cog = bot.get_cog("Reviews")
    action = getattr(cog, name, None) if cog is not None else None
    if action is None:
        raise InvalidInputError("Reviews are switched off on this bot just now; try again later.")
    return action  # type: ignore[no-any-return]


class RevealButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"review:reveal:(?P<id>\d{1,18})(?::(?P<show>\d{1,12}))?",
):
    """Shows the spoiler part to a viewer who has seen that far; works after a restart (state in the custom id:
    the review, and its show so that the viewer's progress is read at the same time as the review)."""

    def __init__(self, review_id: int, show_id: int | None = None) -> None:
        custom_id = f"review:reveal:{review_id}" + (f":{show_id}" if show_id is not None else "")
        super().__init__(
            discord.ui.Button(label="Reveal", emoji="🔓", style=discord.ButtonStyle.secondary, custom_id=custom_id)
        )
        self.review_id = review_id
        self.show_id = show_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RevealButton:
        return cls(int(match["id"]), int(match["show"]) if match["show"] else None)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _cog_action(interaction, "reveal")(interaction, self.review_id, self.show_id)
        except Exception as exc:
            await report(interaction, exc, "review:reveal")


class ShowAnywayButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"review:anyway:(?P<id>\d{1,18})"
):
    """The viewer was warned they are behind and chose to read the spoilers anyway."""

    def __init__(self, review_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show anyway", style=discord.ButtonStyle.danger, custom_id=f"review:anyway:{review_id}"
            )
        )
        self.review_id = review_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShowAnywayButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _cog_action(interaction, "show_anyway")(interaction, self.review_id)
        except Exception as exc:
            await report(interaction, exc, "review:anyway")


class EditButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"review:edit:(?P<id>\d{1,18})"):
    """Opens the review's form prefilled, for its author; the post is edited in place."""

    def __init__(self, review_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Edit", emoji="✏️", style=discord.ButtonStyle.secondary, custom_id=f"review:edit:{review_id}"
            )
        )
        self.review_id = review_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> EditButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _cog_action(interaction, "open_edit")(interaction, self.review_id)
        except Exception as exc:
            await report(interaction, exc, "review:edit")


_GRADE_NAMES = "|".join(g.name for g in Grade)


class ComposeButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=rf"review:compose:(?P<show>\d{{1,12}}):(?P<grade>{_GRADE_NAMES}):(?P<through>S\d{{1,5}}E\d{{1,5}}|-)",
):
    """Opens the review form once the show was picked from a list (a modal cannot follow a deferred answer)."""

    def __init__(self, show_id: int, grade: Grade, through: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Write the review",
                style=discord.ButtonStyle.primary,
                custom_id=f"review:compose:{show_id}:{grade.name}:{through or '-'}",
            )
        )
        self.show_id = show_id
        self.grade = grade
        self.through = "" if through == "-" else through

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ComposeButton:
        return cls(int(match["show"]), Grade[match["grade"]], match["through"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _cog_action(interaction, "compose")(interaction, self.show_id, self.grade, self.through)
        except Exception as exc:
            await report(interaction, exc, "review:compose")


class ReviewPageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"review:list:(?P<show>\d{1,12}):(?P<page>\d{1,5})",
):
    """A page turn of /review list."""

    def __init__(self, show_id: int, page: int, label: str = "Go", disabled: bool = False) -> None:
        super().__init__(page_button(f"review:list:{show_id}:{page}", label, disabled))
        self.show_id = show_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewPageButton:
        return cls(int(match["show"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _cog_action(interaction, "turn_page")(interaction, self.show_id, self.page)
        except Exception as exc:
            await report(interaction, exc, "review:list")


PERSISTENT_ITEMS = (RevealButton, ShowAnywayButton, EditButton, ComposeButton, ReviewPageButton)
