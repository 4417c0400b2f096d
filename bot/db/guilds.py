"""GuildConfigStore: each server's settings (review and announce channels), and removing a server's data 30 days
after the bot left it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiosqlite

from bot.db.database import Database
from bot.db.reviews import Clock, from_db_time, to_db_time, utcnow

# How long a server's data is kept after the bot left it, in case it is invited back.
RETENTION = dt.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class GuildConfig:
    """A server's settings; None means "not set" (reviews then go to the channel the command ran in)."""

    guild_id: int
    review_channel_id: int | None = None
    announce_channel_id: int | None = None
    left_at: dt.datetime | None = None


class GuildDataStore(Protocol):
    """A store holding per-server data, which the purge removes when a server's retention runs out (what it
    returns is not used: some stores count what they removed, others return nothing)."""

    async def delete_guild_data(self, guild_id: int) -> object: ...


class GuildConfigStore:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    # -- settings -----------------------------------------------------------------------------------------------

    async def get(self, guild_id: int) -> GuildConfig:
        row = await self.db.fetchone(
            "SELECT guild_id, review_channel_id, announce_channel_id, left_at FROM guild_config WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return GuildConfig(guild_id)
        return GuildConfig(
            guild_id,
            _int(row["review_channel_id"]),
            _int(row["announce_channel_id"]),
            from_db_time(row["left_at"]),
        )

    async def set_review_channel(self, guild_id: int, channel_id: int | None) -> GuildConfig:
        """Where reviews are posted (None: the channel /review write ran in)."""
        await self._set(guild_id, "review_channel_id", channel_id)
        return await self.get(guild_id)

    async def set_announce_channel(self, guild_id: int, channel_id: int | None) -> GuildConfig:
        """Where season announcements are posted (None: no announcements in this server)."""
        await self._set(guild_id, "announce_channel_id", channel_id)
        return await self.get(guild_id)

    async def _set(self, guild_id: int, column: str, channel_id: int | None) -> None:
        if column not in ("review_channel_id", "announce_channel_id"):
            raise ValueError(column)
        now = to_db_time(self.clock())

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                f"INSERT INTO guild_config (guild_id, {column}, updated_at) VALUES (?, ?, ?)"  # noqa: S608 - checked
                f" ON CONFLICT (guild_id) DO UPDATE SET {column} = excluded.{column}, updated_at = excluded.updated_at",
                (guild_id, channel_id, now),
            )

        await self.db.write(op)

    async def announce_channels(self) -> dict[int, int]:
        """Every server with an announce channel, as guild id -> channel id (servers the bot left excluded)."""
        rows = await self.db.fetchall(
            "SELECT guild_id, announce_channel_id FROM guild_config"
            " WHERE announce_channel_id IS NOT NULL AND left_at IS NULL"
        )
        return {int(row[0]): int(row[1]) for row in rows}

    async def forget_channel(self, channel_id: int) -> int:
        """Unset a deleted channel wherever it was configured; returns how many settings changed."""
        now = to_db_time(self.clock())

        async def op(conn: aiosqlite.Connection) -> int:
            changed = 0
            for column in ("review_channel_id", "announce_channel_id"):
                async with conn.execute(
                    f"UPDATE guild_config SET {column} = NULL, updated_at = ? WHERE {column} = ?",  # noqa: S608
                    (now, channel_id),
                ) as cur:
                    changed += cur.rowcount
            return changed

        return await self.db.write(op)

    # -- leaving and retention ----------------------------------------------------------------------------------

    async def mark_left(self, guild_id: int, now: dt.datetime) -> None:
        """The bot was removed from the server: its data is kept for ``RETENTION`` from ``now``."""
        left = to_db_time(now)

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "INSERT INTO guild_config (guild_id, left_at, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET left_at = excluded.left_at, updated_at = excluded.updated_at",
                (guild_id, left, left),
            )

        await self.db.write(op)

    async def mark_joined(self, guild_id: int) -> None:
        """The bot is in the server (again): nothing of it is due for removal. Every server the bot is in gets a
        row, so that ``mark_absent`` can tell one that removed the bot while it was offline."""
        now = to_db_time(self.clock())

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "INSERT INTO guild_config (guild_id, updated_at) VALUES (?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET left_at = NULL, updated_at = excluded.updated_at"
                " WHERE guild_config.left_at IS NOT NULL",
                (guild_id, now),
            )

        await self.db.write(op)

    async def mark_absent(self, present: set[int], now: dt.datetime) -> list[int]:
        """At a fresh connection (Discord's READY lists every server the bot is in, available or not): each stored
        server not among ``present`` removed the bot while it was offline, so it left as of ``now``. Returns them."""
        rows = await self.db.fetchall("SELECT guild_id FROM guild_config WHERE left_at IS NULL")
        gone = sorted(int(row[0]) for row in rows if int(row[0]) not in present)
        if not gone:
            return []
        left = to_db_time(now)

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.executemany(
                "UPDATE guild_config SET left_at = ?, updated_at = ? WHERE guild_id = ? AND left_at IS NULL",
                [(left, left, guild_id) for guild_id in gone],
            )

        await self.db.write(op)
        return gone

    async def due_for_purge(self, now: dt.datetime) -> list[int]:
        """Servers the bot left at least ``RETENTION`` before ``now``."""
        rows = await self.db.fetchall(
            "SELECT guild_id FROM guild_config WHERE left_at IS NOT NULL AND left_at <= ? ORDER BY guild_id",
            (to_db_time(now - RETENTION),),
        )
        return [int(row[0]) for row in rows]

    async def purge_departed(self, now: dt.datetime, stores: Sequence[GuildDataStore] = ()) -> list[int]:
        """Remove the data of every server the bot left ``RETENTION`` or more before ``now``: each of ``stores``
        first, the server's settings last, so a purge cut short is finished by the next one. Returns the servers."""
        purged = await self.due_for_purge(now)
        for guild_id in purged:
            for store in stores:
                await store.delete_guild_data(guild_id)
            await self.delete_guild_data(guild_id)
        return purged

    async def delete_guild_data(self, guild_id: int) -> int:
        async def op(conn: aiosqlite.Connection) -> int:
            async with conn.execute("DELETE FROM guild_config WHERE guild_id = ?", (guild_id,)) as cur:
                return cur.rowcount

        return await self.db.write(op)

    # -- privacy ------------------------------------------------------------------------------------------------

    async def delete_user_data(self, user_id: int) -> int:
        """Server settings hold nothing about a member (no "set by" is stored), so there is nothing to delete."""
        return 0

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        """Nothing about a member is stored here; an empty record keeps the export's shape the same for every store."""
        return {}


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
