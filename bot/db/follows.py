"""FollowStore: which members follow which shows, in which mode, from which servers; whose DMs are closed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

from bot.db.database import Database
from bot.domain.announcements import DEFAULT_MODE, Follow, Follower, FollowMode


class FollowStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writes -------------------------------------------------------------------------------------------------

    async def follow(
        self, user_id: int, show_id: int, now: dt.datetime, mode: FollowMode = DEFAULT_MODE, guild_id: int | None = None
    ) -> bool:
        """Follow ``show_id`` (or change the mode of a follow), from ``guild_id`` when given; True when new.

        Following reopens the member's DMs: asking for news is taken as having let the bot write again.
        """

        async def op(conn: aiosqlite.Connection) -> bool:
            cur = await conn.execute(
                "INSERT INTO follows (user_id, show_id, mode, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id, show_id) DO NOTHING",
                (user_id, show_id, mode.value, _secs(now)),
            )
            created = cur.rowcount == 1
            if not created:
                await conn.execute(
                    "UPDATE follows SET mode = ? WHERE user_id = ? AND show_id = ?", (mode.value, user_id, show_id)
                )
            if guild_id is not None:
                await conn.execute(
                    "INSERT INTO follow_guilds (user_id, show_id, guild_id) VALUES (?, ?, ?)"
                    " ON CONFLICT (user_id, show_id, guild_id) DO NOTHING",
                    (user_id, show_id, guild_id),
                )
            await conn.execute("DELETE FROM dm_closed WHERE user_id = ?", (user_id,))
            return created

        return await self.db.write(op)

    async def unfollow(self, user_id: int, show_id: int) -> bool:
        """Stop following (in every server); False when the member did not follow the show."""

        async def op(conn: aiosqlite.Connection) -> bool:
            cur = await conn.execute("DELETE FROM follows WHERE user_id = ? AND show_id = ?", (user_id, show_id))
            return cur.rowcount > 0

        return await self.db.write(op)

    async def mark_dms_closed(self, user_id: int, now: dt.datetime) -> None:
        """Discord refused a DM to this member: queue none until they follow something again."""

        async def op(conn: aiosqlite.Connection) -> None:
            await _mark_closed(conn, user_id, now)

        await self.db.write(op)

    async def delete_user_data(self, user_id: int) -> None:
        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("DELETE FROM follows WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM dm_closed WHERE user_id = ?", (user_id,))

        await self.db.write(op)

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        """The member's follows and whether their DMs were found closed, as JSON-ready data (/privacy export)."""
        closed = await self.db.fetchval("SELECT closed_at FROM dm_closed WHERE user_id = ?", (user_id,))
        return {
            "follows": [
                {
                    "show_id": f.show_id,
                    "mode": f.mode.value,
                    "from_servers": sorted(f.guild_ids),
                    "since": f.since.isoformat(),
                }
                for f in await self.follows_of(user_id)
            ],
            "dms_closed_at": None if closed is None else dt.datetime.fromtimestamp(int(closed), dt.UTC).isoformat(),
        }

    async def delete_guild_data(self, guild_id: int) -> None:
        """Forget which members follow from this server (their follows and DMs stay)."""

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("DELETE FROM follow_guilds WHERE guild_id = ?", (guild_id,))

        await self.db.write(op)

    # -- reads --------------------------------------------------------------------------------------------------

    async def follows_of(self, user_id: int) -> list[Follow]:
        """The member's follows, oldest first."""
        rows = await self.db.fetchall(
            "SELECT f.user_id, f.show_id, f.mode, f.created_at, g.guild_id FROM follows f"
            " LEFT JOIN follow_guilds g ON g.user_id = f.user_id AND g.show_id = f.show_id"
            " WHERE f.user_id = ? ORDER BY f.created_at, f.show_id",
            (user_id,),
        )
        return _follows(rows)

    async def get(self, user_id: int, show_id: int) -> Follow | None:
        rows = await self.db.fetchall(
            "SELECT f.user_id, f.show_id, f.mode, f.created_at, g.guild_id FROM follows f"
            " LEFT JOIN follow_guilds g ON g.user_id = f.user_id AND g.show_id = f.show_id"
            " WHERE f.user_id = ? AND f.show_id = ?",
            (user_id, show_id),
        )
        found = _follows(rows)
        return found[0] if found else None

    async def followers(self, show_id: int) -> list[Follower]:
        """Everyone following the show, with their servers and whether their DMs are closed."""
        return await self._followers("f.show_id = ?", (show_id,))

    async def followers_of_tvmaze(self, tvmaze_id: int) -> list[Follower]:
        """Everyone following the show linked to this TVmaze record."""
        return await self._followers("f.show_id IN (SELECT id FROM shows WHERE tvmaze_id = ?)", (tvmaze_id,))

    async def followed_tvmaze_ids(self) -> dict[int, int]:
        """TVmaze id to show id, for every followed show that is linked to TVmaze (what the poller watches)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT s.tvmaze_id, s.id FROM shows s JOIN follows f ON f.show_id = s.id"
            " WHERE s.tvmaze_id IS NOT NULL"
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def dms_closed(self, user_id: int) -> bool:
        return await self.db.fetchval("SELECT 1 FROM dm_closed WHERE user_id = ?", (user_id,)) is not None

    async def _followers(self, where: str, params: Sequence[Any]) -> list[Follower]:
        # ``where`` is one of this class's own fixed conditions, never user text.
        rows = await self.db.fetchall(
            "SELECT f.user_id, f.mode, g.guild_id, c.user_id IS NOT NULL AS closed FROM follows f"  # noqa: S608
            " LEFT JOIN follow_guilds g ON g.user_id = f.user_id AND g.show_id = f.show_id"
            " LEFT JOIN dm_closed c ON c.user_id = f.user_id"
            f" WHERE {where} ORDER BY f.user_id",
            params,
        )
        modes: dict[int, FollowMode] = {}
        guilds: dict[int, set[int]] = defaultdict(set)
        closed: dict[int, bool] = {}
        for row in rows:
            user = int(row["user_id"])
            modes[user] = FollowMode(row["mode"])
            closed[user] = bool(row["closed"])
            if row["guild_id"] is not None:
                guilds[user].add(int(row["guild_id"]))
        return [Follower(u, modes[u], frozenset(guilds[u]), closed[u]) for u in modes]


async def _mark_closed(conn: aiosqlite.Connection, user_id: int, now: dt.datetime) -> None:
    await conn.execute(
        "INSERT INTO dm_closed (user_id, closed_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING",
        (user_id, _secs(now)),
    )


def _follows(rows: Iterable[Any]) -> list[Follow]:
    found: dict[tuple[int, int], tuple[FollowMode, int, set[int]]] = {}
    for row in rows:
        key = (int(row["user_id"]), int(row["show_id"]))
        guilds = found.setdefault(key, (FollowMode(row["mode"]), int(row["created_at"]), set()))[2]
        if row["guild_id"] is not None:
            guilds.add(int(row["guild_id"]))
    return [
        Follow(user, show, mode, frozenset(guilds), dt.datetime.fromtimestamp(created, dt.UTC))
        for (user, show), (mode, created, guilds) in found.items()
    ]


def _secs(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("times must be aware")
    return int(moment.timestamp())
