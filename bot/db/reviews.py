"""ReviewStore: reviews per server, the messages each was posted as, grade summaries, and a member's own reviews
for /privacy. Every query about a server's reviews is bound to its guild id."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import aiosqlite

from bot.db.database import Database
from bot.domain.errors import MissingPermissionError, ReviewNotFoundError
from bot.domain.paging import Page
from bot.domain.reviews import EpisodeRef, Grade, GradeSummary, PostedMessage, Review, ReviewText, summarize

Clock = Callable[[], dt.datetime]

_COLUMNS = (
    "id, guild_id, author_id, show_id, grade, spoilers_season, spoilers_episode, headline, spoiler_free, spoiler,"
    " created_at, edited_at"
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_db_time(value: dt.datetime) -> str:
    """UTC ISO 8601 with a fixed width, so text order is time order."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def from_db_time(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# How many (server, show) review summaries, and how many reviews, a process keeps before starting afresh.
SUMMARY_CACHE = 4096


class ReviewStore:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock
        # Review counts and averages per (server, show), asked on every /drama info: kept until a review is added
        # or removed in this process (one process per database today; shards sharing one would need to drop it).
        self._summaries: dict[tuple[int, int], GradeSummary] = {}
        # Reviews by (server, id), read on every Reveal press; cleared with the summaries by every write.
        self._reviews: dict[tuple[int, int], Review | None] = {}
        self._changes = 0

    def _changed(self) -> None:
        self._changes += 1
        self._summaries.clear()
        self._reviews.clear()

    # -- writes -------------------------------------------------------------------------------------------------

    async def create(
        self,
        *,
        guild_id: int,
        author_id: int,
        show_id: int,
        grade: Grade,
        spoilers_through: EpisodeRef | None,
        text: ReviewText,
    ) -> Review:
        """Store a new review (not yet posted: ``set_messages`` records the post once it is sent)."""
        created = to_db_time(self.clock())
        season = spoilers_through.season if spoilers_through else None
        episode = spoilers_through.episode if spoilers_through else None

        async def op(conn: aiosqlite.Connection) -> int:
            async with conn.execute(
                "INSERT INTO reviews (guild_id, author_id, show_id, grade, spoilers_season, spoilers_episode,"
                " headline, spoiler_free, spoiler, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (guild_id, author_id, show_id, grade.value, season, episode, *_text_row(text), created),
            ) as cur:
                row = await cur.fetchone()
            assert row is not None  # noqa: S101 - RETURNING always yields the new row
            return int(row[0])

        review_id = await self.db.write(op)
        self._changed()
        review = await self.get(guild_id, review_id)
        assert review is not None  # noqa: S101 - just written
        return review

    async def set_messages(self, guild_id: int, review_id: int, messages: Sequence[PostedMessage]) -> None:
        """Record the messages the review is posted as, in order, replacing any recorded before (after an edit
        that changed how many messages it takes)."""

        async def op(conn: aiosqlite.Connection) -> None:
            await _require_row(conn, guild_id, review_id)
            await conn.execute("DELETE FROM review_messages WHERE review_id = ?", (review_id,))
            await conn.executemany(
                "INSERT INTO review_messages (review_id, position, channel_id, message_id) VALUES (?, ?, ?, ?)",
                [(review_id, i, m.channel_id, m.message_id) for i, m in enumerate(messages)],
            )

        try:
            await self.db.write(op)
        finally:
            self._changed()

    async def edit_text(self, guild_id: int, review_id: int, editor_id: int, text: ReviewText) -> Review:
        """Replace the review's text (Edit button); only its author may. Returns the review as now stored."""
        edited = to_db_time(self.clock())

        async def op(conn: aiosqlite.Connection) -> None:
            row = await _require_row(conn, guild_id, review_id)
            if not _review(row).can_be_edited_by(editor_id):
                raise MissingPermissionError("Only the author of a review can edit it.")
            await conn.execute(
                "UPDATE reviews SET headline = ?, spoiler_free = ?, spoiler = ?, edited_at = ? WHERE id = ?",
                (*_text_row(text), edited, review_id),
            )

        try:
            await self.db.write(op)
        finally:
            self._changed()
        review = await self.get(guild_id, review_id)
        assert review is not None  # noqa: S101 - just written
        return review

    async def delete(self, guild_id: int, review_id: int, *, by_user_id: int, manage_messages: bool) -> Review:
        """Delete a review for its author or a member with Manage Messages; returns it (with its messages, for the
        cog to remove the post). ReviewNotFoundError or MissingPermissionError otherwise, nothing deleted."""

        async def op(conn: aiosqlite.Connection) -> Review:
            row = await _require_row(conn, guild_id, review_id)
            review = _review(row, (await _messages(conn, [review_id])).get(review_id, ()))
            if not review.can_be_deleted_by(by_user_id, manage_messages):
                raise MissingPermissionError(
                    "You can delete your own reviews; deleting someone else's needs the Manage Messages permission."
                )
            await conn.execute("DELETE FROM reviews WHERE id = ? AND guild_id = ?", (review_id, guild_id))
            return review

        try:
            return await self.db.write(op)
        finally:
            self._changed()

    async def delete_user_data(self, user_id: int) -> list[Review]:
        """Delete every review the member wrote, in every server; returns them so their posts can be removed."""

        async def op(conn: aiosqlite.Connection) -> list[Review]:
            reviews = await _select_reviews(conn, "WHERE author_id = ? ORDER BY id", (user_id,))
            await conn.execute("DELETE FROM reviews WHERE author_id = ?", (user_id,))
            return reviews

        try:
            return await self.db.write(op)
        finally:
            self._changed()

    async def delete_guild_data(self, guild_id: int) -> int:
        """Delete every review of a server (after the bot left it and the retention ran out); returns how many."""

        async def op(conn: aiosqlite.Connection) -> int:
            async with conn.execute("DELETE FROM reviews WHERE guild_id = ?", (guild_id,)) as cur:
                return cur.rowcount

        try:
            return await self.db.write(op)
        finally:
            self._changed()

    # -- reads --------------------------------------------------------------------------------------------------

    async def get(self, guild_id: int, review_id: int) -> Review | None:
        """A review of this server, or None (a review of another server is None too)."""
        key = (guild_id, review_id)
        if key in self._reviews:
            return self._reviews[key]
        changes = self._changes
        found = await _select_reviews(self.db.reader, "WHERE guild_id = ? AND id = ?", (guild_id, review_id))
        review = found[0] if found else None
        if changes == self._changes:  # no review was written while this was read
            if len(self._reviews) >= SUMMARY_CACHE:
                self._reviews.clear()
            self._reviews[key] = review
        return review

    async def require(self, guild_id: int, review_id: int) -> Review:
        """Like ``get``, but ReviewNotFoundError when there is no such review in this server."""
        review = await self.get(guild_id, review_id)
        if review is None:
            raise ReviewNotFoundError(review_id)
        return review

    async def list_for_show(self, guild_id: int, show_id: int, page: int = 0, per_page: int = 5) -> Page[Review]:
        """One page of a show's reviews in this server, newest first (``page`` clamped into range)."""
        if per_page < 1:
            raise ValueError("per_page must be positive")
        total = int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM reviews WHERE guild_id = ? AND show_id = ?", (guild_id, show_id)
            )
            or 0
        )
        count = max(1, -(-total // per_page))
        index = min(max(page, 0), count - 1)
        items = await _select_reviews(
            self.db.reader,
            "WHERE guild_id = ? AND show_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (guild_id, show_id, per_page, index * per_page),
        )
        return Page(items, index, count)

    async def summary(self, guild_id: int, show_id: int) -> GradeSummary:
        """How many reviews the show has in this server and their average grade (for /drama info)."""
        key = (guild_id, show_id)
        cached = self._summaries.get(key)
        if cached is not None:
            return cached
        changes = self._changes
        # One trip to the database thread: every /drama info in a server asks this.
        rows = await self.db.reader.execute_fetchall(
            "SELECT grade, COUNT(*) FROM reviews WHERE guild_id = ? AND show_id = ? GROUP BY grade",
            (guild_id, show_id),
        )
        summary = summarize({Grade(str(row[0])): int(row[1]) for row in rows})
        if changes == self._changes:  # no review was added or removed while this was read
            if len(self._summaries) >= SUMMARY_CACHE:
                self._summaries.clear()
            self._summaries[key] = summary
        return summary

    async def find_by_message(self, guild_id: int, message_id: int) -> Review | None:
        """The review one of whose messages this is (a deleted post, a button pressed on an old message)."""
        found = await _select_reviews(
            self.db.reader,
            "WHERE guild_id = ? AND id IN (SELECT review_id FROM review_messages WHERE message_id = ?)",
            (guild_id, message_id),
        )
        return found[0] if found else None

    async def export_user_data(self, user_id: int) -> list[dict[str, Any]]:
        """Every review the member wrote, in every server, as JSON-ready dicts (for /privacy export)."""
        reviews = await _select_reviews(self.db.reader, "WHERE author_id = ? ORDER BY created_at, id", (user_id,))
        titles = {
            int(row[0]): str(row[1])
            for row in await self.db.fetchall(
                "SELECT id, title FROM shows WHERE id IN (SELECT show_id FROM reviews WHERE author_id = ?)",
                (user_id,),
            )
        }
        return [_export(review, titles.get(review.show_id)) for review in reviews]


# -- rows -------------------------------------------------------------------------------------------------------


def _text_row(text: ReviewText) -> tuple[str, str, str]:
    return text.headline, text.spoiler_free, text.spoiler


async def _require_row(conn: aiosqlite.Connection, guild_id: int, review_id: int) -> sqlite3.Row:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM reviews WHERE guild_id = ? AND id = ?",  # noqa: S608 - fixed column list
        (guild_id, review_id),
    ) as cur:
        row: sqlite3.Row | None = await cur.fetchone()
    if row is None:
        raise ReviewNotFoundError(review_id)
    return row


async def _select_reviews(conn: aiosqlite.Connection, where: str, params: tuple[Any, ...]) -> list[Review]:
    """Reviews matching ``where`` (a fixed clause written in this module, values always as parameters)."""
    # execute_fetchall is one trip to the database thread (execute, fetch and close would be three): Reveal reads a
    # review each time a member presses it, and many press at once.
    rows = list(await conn.execute_fetchall(f"SELECT {_COLUMNS} FROM reviews {where}", params))  # noqa: S608
    messages = await _messages(conn, [int(row["id"]) for row in rows])
    return [_review(row, messages.get(int(row["id"]), ())) for row in rows]


async def _messages(conn: aiosqlite.Connection, review_ids: Sequence[int]) -> dict[int, tuple[PostedMessage, ...]]:
    if not review_ids:
        return {}
    found: dict[int, list[PostedMessage]] = {}
    # Chunked to stay under SQLite's parameter limit for a long export.
    for start in range(0, len(review_ids), 500):
        chunk = list(review_ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        rows = await conn.execute_fetchall(
            f"SELECT review_id, channel_id, message_id FROM review_messages WHERE review_id IN ({marks})"  # noqa: S608
            " ORDER BY review_id, position",
            chunk,
        )
        for row in rows:
            found.setdefault(int(row[0]), []).append(PostedMessage(int(row[1]), int(row[2])))
    return {review_id: tuple(messages) for review_id, messages in found.items()}


def _review(row: sqlite3.Row, messages: Sequence[PostedMessage] = ()) -> Review:
    season, episode = row["spoilers_season"], row["spoilers_episode"]
    created = from_db_time(str(row["created_at"]))
    assert created is not None  # noqa: S101 - NOT NULL column
    return Review(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        author_id=int(row["author_id"]),
        show_id=int(row["show_id"]),
        grade=Grade(str(row["grade"])),
        spoilers_through=EpisodeRef(int(season), int(episode)) if season is not None else None,
        text=ReviewText(str(row["headline"]), str(row["spoiler_free"]), str(row["spoiler"])),
        created_at=created,
        edited_at=from_db_time(row["edited_at"]),
        messages=tuple(messages),
    )


def _export(review: Review, show_title: str | None) -> dict[str, Any]:
    return {
        "id": review.id,
        "guild_id": review.guild_id,
        "show_id": review.show_id,
        "show_title": show_title,
        "grade": review.grade.value,
        "spoilers_through": review.spoilers_through.code if review.spoilers_through else None,
        "headline": review.text.headline,
        "spoiler_free": review.text.spoiler_free,
        "spoiler": review.text.spoiler,
        "created_at": review.created_at.isoformat(),
        "edited_at": review.edited_at.isoformat() if review.edited_at else None,
        "messages": [{"channel_id": m.channel_id, "message_id": m.message_id} for m in review.messages],
    }
