"""MemberSettingsStore: per-member preferences that follow the member across servers (their time zone)."""

from __future__ import annotations

import aiosqlite

from bot.db.database import Database
from bot.db.progress import Clock, to_text, utcnow


class MemberSettingsStore:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def timezone(self, user_id: int) -> str | None:
        """The member's IANA zone, or None when they have not set one."""
        value = await self.db.fetchval("SELECT timezone FROM member_settings WHERE user_id = ?", (user_id,))
        return None if value is None else str(value)

    async def set_timezone(self, user_id: int, zone: str | None) -> None:
        """Store ``zone`` (already checked with ``bot.domain.times.canonical_zone``); None clears it."""
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "INSERT INTO member_settings (user_id, timezone, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone, updated_at = excluded.updated_at",
                (user_id, zone, stamp),
            )

        await self.db.write(op)

    async def delete_user_data(self, user_id: int) -> int:
        async def op(conn: aiosqlite.Connection) -> int:
            cur = await conn.execute("DELETE FROM member_settings WHERE user_id = ?", (user_id,))
            return cur.rowcount

        return await self.db.write(op)

    async def export_user_data(self, user_id: int) -> dict[str, str | None]:
        """The member's settings (/privacy export); empty when they set none."""
        row = await self.db.fetchone("SELECT timezone, updated_at FROM member_settings WHERE user_id = ?", (user_id,))
        return {} if row is None else {"timezone": row[0], "updated_at": row[1]}
