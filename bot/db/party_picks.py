"""PartyNamePicks: a /party create name waiting, in the database, for the member to pick the party's show from a
list, so that the pick still works after a restart. Held a day at most, taken once, by its member in its server."""

from __future__ import annotations

import datetime as dt

import aiosqlite

from bot.db.database import Database
from bot.db.progress import Clock, to_text, utcnow

# How long a party's name waits for the member to pick its show from a list.
NAME_PICK_TTL = dt.timedelta(days=1)


class PartyNamePicks:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def hold(self, key: str, guild_id: int, user_id: int, name: str) -> None:
        """Keep a party's name under ``key`` (the interaction that showed the list) until ``take``; older ones go."""
        now = self.clock()

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("DELETE FROM party_name_picks WHERE created_at < ?", (to_text(now - NAME_PICK_TTL),))
            await conn.execute(
                "INSERT INTO party_name_picks (id, guild_id, user_id, name, created_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET name = excluded.name, created_at = excluded.created_at",
                (key, guild_id, user_id, name, to_text(now)),
            )

        await self.db.write(op)

    async def take(self, key: str, guild_id: int, user_id: int) -> str | None:
        """The name held under ``key`` for this member in this server, once (None: taken, expired or not theirs)."""
        oldest = to_text(self.clock() - NAME_PICK_TTL)

        async def op(conn: aiosqlite.Connection) -> str | None:
            async with conn.execute(
                "DELETE FROM party_name_picks WHERE id = ? AND guild_id = ? AND user_id = ? AND created_at >= ?"
                " RETURNING name",
                (key, guild_id, user_id, oldest),
            ) as cur:
                row = await cur.fetchone()
            return None if row is None else str(row[0])

        return await self.db.write(op)

    async def export_user_data(self, user_id: int) -> list[dict[str, str | int]]:
        """Names the member typed that still wait for a pick (/privacy export)."""
        rows = await self.db.fetchall(
            "SELECT guild_id, name, created_at FROM party_name_picks WHERE user_id = ? ORDER BY created_at", (user_id,)
        )
        return [{"guild_id": int(r[0]), "name": str(r[1]), "created_at": str(r[2])} for r in rows]

    async def delete_user_data(self, user_id: int) -> int:
        return await self._delete("user_id", user_id)

    async def delete_guild_data(self, guild_id: int) -> int:
        return await self._delete("guild_id", guild_id)

    async def _delete(self, column: str, value: int) -> int:
        async def op(conn: aiosqlite.Connection) -> int:
            # column is one of two names written above, never input
            cur = await conn.execute(f"DELETE FROM party_name_picks WHERE {column} = ?", (value,))  # noqa: S608
            return cur.rowcount

        return await self.db.write(op)
