"""A review as the bot stores it: who wrote it, about which show, its grade, its text and where it was posted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.reviews.grades import Grade
from bot.domain.reviews.spoilers import EpisodeRef


@dataclass(frozen=True, slots=True)
class ReviewText:
    """What the member wrote, in clean form (see ``markup.clean_text``); ``spoiler`` is "" when there is none."""

    headline: str
    spoiler_free: str
    spoiler: str = ""

    @property
    def has_spoiler(self) -> bool:
        return bool(self.spoiler.strip())


@dataclass(frozen=True, slots=True)
class PostedMessage:
    """One Discord message of a review's post, in the order they were posted."""

    channel_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class Review:
    """A stored review; ``spoilers_through`` None means the spoiler part may cover the whole show."""

    id: int
    guild_id: int
    author_id: int
    show_id: int
    grade: Grade
    spoilers_through: EpisodeRef | None
    text: ReviewText
    created_at: dt.datetime
    edited_at: dt.datetime | None = None
    messages: tuple[PostedMessage, ...] = ()

    def can_be_edited_by(self, user_id: int) -> bool:
        """Only the author edits a review."""
        return user_id == self.author_id

    def can_be_deleted_by(self, user_id: int, manage_messages: bool) -> bool:
        """The author deletes their review; so does a member with Manage Messages in the server."""
        return user_id == self.author_id or manage_messages
