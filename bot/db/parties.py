"""PartyStore: watch parties, their members, sessions (scheduled event, reminder marker) and check-ins.

Every query is scoped by the server's id: a party id from another server (a stale button, a guessed id) finds
nothing. Permission checks that depend on the stored host run inside the write's transaction.

Host leaving: the longest-standing remaining member becomes host; a party nobody is left in ends (history kept).
Reminders post at most once: ``claim_reminder`` marks the session before the post, ``release_reminder`` undoes the
mark when the post failed, so a restart never posts a second one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.db.database import Database
from bot.db.progress import (
    Clock,
    from_text,
    load_standings,
    required_time,
    save_updates,
    to_text,
    utcnow,
)
from bot.domain.errors import DuplicatePartyError, NotInPartyError, PartyNotFoundError
from bot.domain.markup import inert
from bot.domain.models import Show
from bot.domain.progress import (
    Party,
    PartyAdvance,
    PartyMember,
    PartySession,
    Position,
    advance_party,
    clean_party_name,
    party_name_key,
    pick_party,
    require_party_manager,
)

# A reminder for a session that started longer ago than this is not posted any more (the bot was down too long).
REMINDER_GRACE = dt.timedelta(hours=1)

_PARTY = "id, guild_id, channel_id, show_id, name, host_id, season, episode, created_at, ended_at"
_SESSION = (
    "s.id, s.party_id, s.guild_id, p.channel_id, s.season, s.episode, s.starts_at, s.event_id, s.reminder_sent_at,"
    " s.created_at, s.closed_at"
)


def _party(row: Sequence[Any]) -> Party:
    return Party(
        id=row[0],
        guild_id=row[1],
        channel_id=row[2],
        show_id=row[3],
        name=row[4],
        host_id=row[5],
        position=None if row[6] is None else Position(row[6], row[7]),
        created_at=required_time(row[8]),
        ended_at=from_text(row[9]),
    )


def _session(row: Sequence[Any]) -> PartySession:
    return PartySession(
        id=row[0],
        party_id=row[1],
        guild_id=row[2],
        channel_id=row[3],
        episode=None if row[4] is None else Position(row[4], row[5]),
        starts_at=from_text(row[6]),
        event_id=row[7],
        reminder_sent_at=from_text(row[8]),
        created_at=required_time(row[9]),
        closed_at=from_text(row[10]),
    )


@dataclass(frozen=True, slots=True)
class LeaveResult:
    """After a member left: the party as it is now (a new host, or ended when nobody is left)."""

    party: Party
    new_host_id: int | None
    ended: bool
    event_id: int | None = None  # when it ended: the Discord event of its open session, for the cog to delete


@dataclass(frozen=True, slots=True)
class CheckInResult:
    session: PartySession
    joined_party: bool  # the member was not in the party and joined by checking in
    new: bool  # False when they had already checked in for this session


@dataclass(frozen=True, slots=True)
class EndResult:
    party: Party
    open_session: PartySession | None  # its scheduled event (if any) is for the cog to cancel


async def _one(conn: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> Any:
    async with conn.execute(sql, tuple(params)) as cur:
        return await cur.fetchone()


async def _all(conn: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    async with conn.execute(sql, tuple(params)) as cur:
        return list(await cur.fetchall())


async def _load_party(conn: aiosqlite.Connection, guild_id: int, party_id: int, *, open_only: bool = True) -> Party:
    row = await _one(conn, f"SELECT {_PARTY} FROM parties WHERE guild_id = ? AND id = ?", (guild_id, party_id))  # noqa: S608
    if row is None or (open_only and row[9] is not None):
        raise PartyNotFoundError("That party has ended or is not in this server.")
    return _party(row)


async def _open_session(conn: aiosqlite.Connection, party: Party, stamp: str | None) -> PartySession:
    """The party's open session, created when there is none."""
    sql = f"SELECT {_SESSION} FROM party_sessions s JOIN parties p ON p.id = s.party_id WHERE s.guild_id = ? AND s.party_id = ? AND s.closed_at IS NULL"  # noqa: E501, S608
    row = await _one(conn, sql, (party.guild_id, party.id))
    if row is None:
        await conn.execute(
            "INSERT INTO party_sessions (party_id, guild_id, created_at) VALUES (?, ?, ?)",
            (party.id, party.guild_id, stamp),
        )
        row = await _one(conn, sql, (party.guild_id, party.id))
    return _session(row)


async def _remove_member(conn: aiosqlite.Connection, party: Party, user_id: int, stamp: str | None) -> LeaveResult:
    await conn.execute(
        "DELETE FROM party_members WHERE guild_id = ? AND party_id = ? AND user_id = ?",
        (party.guild_id, party.id, user_id),
    )
    await conn.execute(
        "DELETE FROM party_checkins WHERE user_id = ? AND session_id IN"
        " (SELECT id FROM party_sessions WHERE guild_id = ? AND party_id = ? AND closed_at IS NULL)",
        (user_id, party.guild_id, party.id),
    )
    if party.host_id != user_id or party.ended_at is not None:
        return LeaveResult(party, None, ended=False)
    heir = await _one(
        conn,
        "SELECT user_id FROM party_members WHERE guild_id = ? AND party_id = ? ORDER BY joined_at, user_id LIMIT 1",
        (party.guild_id, party.id),
    )
    if heir is not None:
        await conn.execute(
            "UPDATE parties SET host_id = ? WHERE guild_id = ? AND id = ?", (heir[0], party.guild_id, party.id)
        )
        return LeaveResult(await _load_party(conn, party.guild_id, party.id), int(heir[0]), ended=False)
    event = await _one(
        conn,
        "SELECT event_id FROM party_sessions WHERE guild_id = ? AND party_id = ? AND closed_at IS NULL",
        (party.guild_id, party.id),
    )
    await conn.execute(
        "UPDATE parties SET ended_at = ? WHERE guild_id = ? AND id = ?", (stamp, party.guild_id, party.id)
    )
    await conn.execute(
        "UPDATE party_sessions SET closed_at = ? WHERE guild_id = ? AND party_id = ? AND closed_at IS NULL",
        (stamp, party.guild_id, party.id),
    )
    ended = await _load_party(conn, party.guild_id, party.id, open_only=False)
    return LeaveResult(ended, None, ended=True, event_id=None if event is None else event[0])


class PartyStore:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    # -- parties ------------------------------------------------------------------------------------------------

    async def create(self, guild_id: int, channel_id: int, show_id: int, name: str, host_id: int) -> Party:
        """A new open party in this channel, the caller its host and first member.

        The name is cleaned (``clean_party_name``); DuplicatePartyError when an open party in the channel has it.
        """
        cleaned = clean_party_name(name)
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> Party:
            try:
                inserted = await conn.execute_fetchall(
                    "INSERT INTO parties (guild_id, channel_id, show_id, name, name_key, host_id, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (guild_id, channel_id, show_id, cleaned, party_name_key(cleaned), host_id, stamp),
                )
            except sqlite3.IntegrityError as exc:
                if "parties" not in str(exc) or "name_key" not in str(exc):
                    raise
                raise DuplicatePartyError(
                    f"This channel already has an open party called “{inert(cleaned, 100)}”. "
                    "Pick another name, or end that party first."
                ) from None
            party_id = int(next(iter(inserted))[0])  # RETURNING yields the new row
            await conn.execute(
                "INSERT INTO party_members (party_id, guild_id, user_id, joined_at) VALUES (?, ?, ?, ?)",
                (party_id, guild_id, host_id, stamp),
            )
            return await _load_party(conn, guild_id, party_id)

        return await self.db.write(op)

    async def get(self, guild_id: int, party_id: int) -> Party | None:
        """The party, open or ended, when it belongs to this server."""
        row = await self.db.fetchone(
            f"SELECT {_PARTY} FROM parties WHERE guild_id = ? AND id = ?",  # noqa: S608
            (guild_id, party_id),
        )
        return None if row is None else _party(row)

    async def open_parties(self, guild_id: int) -> list[Party]:
        rows = await self.db.fetchall(
            f"SELECT {_PARTY} FROM parties WHERE guild_id = ? AND ended_at IS NULL ORDER BY created_at, id",  # noqa: S608
            (guild_id,),
        )
        return [_party(r) for r in rows]

    async def find(self, guild_id: int, channel_id: int, name: str) -> Party:
        """The open party called ``name``: this channel's, else the server's only one (PartyNotFoundError)."""
        return pick_party(await self.open_parties(guild_id), channel_id, name)

    async def end(self, guild_id: int, party_id: int, actor_id: int, has_manage_events: bool) -> EndResult:
        """Close the party (host or Manage Events); its history stays and its name is free again."""
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> EndResult:
            party = await _load_party(conn, guild_id, party_id)
            require_party_manager(party, actor_id, has_manage_events)
            row = await _one(
                conn,
                f"SELECT {_SESSION} FROM party_sessions s JOIN parties p ON p.id = s.party_id"  # noqa: S608
                " WHERE s.guild_id = ? AND s.party_id = ? AND s.closed_at IS NULL",
                (guild_id, party_id),
            )
            await conn.execute(
                "UPDATE parties SET ended_at = ? WHERE guild_id = ? AND id = ?", (stamp, guild_id, party_id)
            )
            await conn.execute(
                "UPDATE party_sessions SET closed_at = ? WHERE guild_id = ? AND party_id = ? AND closed_at IS NULL",
                (stamp, guild_id, party_id),
            )
            ended = await _load_party(conn, guild_id, party_id, open_only=False)
            return EndResult(ended, None if row is None else _session(row))

        return await self.db.write(op)

    # -- members ------------------------------------------------------------------------------------------------

    async def join(self, guild_id: int, party_id: int, user_id: int) -> bool:
        """Join an open party; False when already a member. Joining moves neither the party nor the member."""
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> bool:
            await _load_party(conn, guild_id, party_id)
            cur = await conn.execute(
                "INSERT INTO party_members (party_id, guild_id, user_id, joined_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (party_id, user_id) DO NOTHING",
                (party_id, guild_id, user_id, stamp),
            )
            return cur.rowcount == 1

        return await self.db.write(op)

    async def leave(self, guild_id: int, party_id: int, user_id: int) -> LeaveResult:
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> LeaveResult:
            party = await _load_party(conn, guild_id, party_id)
            member = await _one(
                conn,
                "SELECT 1 FROM party_members WHERE guild_id = ? AND party_id = ? AND user_id = ?",
                (guild_id, party_id, user_id),
            )
            if member is None:
                raise NotInPartyError(f"You are not in “{inert(party.name, 100)}”.")
            return await _remove_member(conn, party, user_id, stamp)

        return await self.db.write(op)

    async def members(self, guild_id: int, party_id: int) -> list[PartyMember]:
        rows = await self.db.fetchall(
            "SELECT user_id, joined_at FROM party_members WHERE guild_id = ? AND party_id = ?"
            " ORDER BY joined_at, user_id",
            (guild_id, party_id),
        )
        return [PartyMember(r[0], required_time(r[1])) for r in rows]

    async def member_positions(self, guild_id: int, party_id: int) -> list[tuple[PartyMember, Position | None]]:
        """Each member and their own progress in the party's show (current pass), for ``/party status``."""
        rows = await self.db.fetchall(
            "SELECT m.user_id, m.joined_at, pr.season, pr.episode FROM party_members m"
            " JOIN parties p ON p.id = m.party_id"
            " LEFT JOIN progress pr ON pr.user_id = m.user_id AND pr.show_id = p.show_id"
            " WHERE m.guild_id = ? AND m.party_id = ? ORDER BY m.joined_at, m.user_id",
            (guild_id, party_id),
        )
        return [(PartyMember(r[0], required_time(r[1])), None if r[2] is None else Position(r[2], r[3])) for r in rows]

    async def member_left_guild(self, guild_id: int, user_id: int) -> list[LeaveResult]:
        """A member left the server: they leave its open parties (and only that server's)."""
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> list[LeaveResult]:
            rows = await _all(
                conn,
                "SELECT party_id FROM party_members m JOIN parties p ON p.id = m.party_id"
                " WHERE m.guild_id = ? AND m.user_id = ? AND p.ended_at IS NULL",
                (guild_id, user_id),
            )
            return [await _remove_member(conn, await _load_party(conn, guild_id, r[0]), user_id, stamp) for r in rows]

        return await self.db.write(op)

    # -- sessions -----------------------------------------------------------------------------------------------

    async def current_session(self, guild_id: int, party_id: int) -> PartySession:
        """The party's open session (the next evening), created when there is none."""
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> PartySession:
            return await _open_session(conn, await _load_party(conn, guild_id, party_id), stamp)

        return await self.db.write(op)

    async def open_session(self, guild_id: int, party_id: int) -> PartySession | None:
        """The party's open session without creating one (for ``/party status``)."""
        row = await self.db.fetchone(
            f"SELECT {_SESSION} FROM party_sessions s JOIN parties p ON p.id = s.party_id"  # noqa: S608
            " WHERE s.guild_id = ? AND s.party_id = ? AND s.closed_at IS NULL",
            (guild_id, party_id),
        )
        return None if row is None else _session(row)

    async def schedule(
        self, guild_id: int, party_id: int, actor_id: int, has_manage_events: bool, starts_at: dt.datetime
    ) -> tuple[PartySession, int | None]:
        """Set the open session's start (host or Manage Events); returns it and the event id it replaced.

        A new time clears the reminder marker and the stored event: the cog creates the new scheduled event,
        stores its id with ``set_event``, and deletes the replaced one.
        """
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> tuple[PartySession, int | None]:
            party = await _load_party(conn, guild_id, party_id)
            require_party_manager(party, actor_id, has_manage_events)
            session = await _open_session(conn, party, stamp)
            await conn.execute(
                "UPDATE party_sessions SET starts_at = ?, event_id = NULL, reminder_sent_at = NULL"
                " WHERE guild_id = ? AND id = ?",
                (to_text(starts_at), guild_id, session.id),
            )
            return await _open_session(conn, party, stamp), session.event_id

        return await self.db.write(op)

    async def set_event(self, guild_id: int, session_id: int, event_id: int | None) -> None:
        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "UPDATE party_sessions SET event_id = ? WHERE guild_id = ? AND id = ?", (event_id, guild_id, session_id)
            )

        await self.db.write(op)

    async def session(self, guild_id: int, session_id: int) -> PartySession | None:
        row = await self.db.fetchone(
            f"SELECT {_SESSION} FROM party_sessions s JOIN parties p ON p.id = s.party_id"  # noqa: S608
            " WHERE s.guild_id = ? AND s.id = ?",
            (guild_id, session_id),
        )
        return None if row is None else _session(row)

    async def check_in(self, guild_id: int, session_id: int, user_id: int) -> CheckInResult:
        """The check-in button: the member watches this session's episode with the party (joining if need be)."""
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> CheckInResult:
            row = await _one(
                conn,
                f"SELECT {_SESSION} FROM party_sessions s JOIN parties p ON p.id = s.party_id"  # noqa: S608
                " WHERE s.guild_id = ? AND s.id = ? AND s.closed_at IS NULL AND p.ended_at IS NULL",
                (guild_id, session_id),
            )
            if row is None:
                raise PartyNotFoundError("That session is over: the party has moved on or ended.")
            session = _session(row)
            joined = await conn.execute(
                "INSERT INTO party_members (party_id, guild_id, user_id, joined_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (party_id, user_id) DO NOTHING",
                (session.party_id, guild_id, user_id, stamp),
            )
            new = await conn.execute(
                "INSERT INTO party_checkins (session_id, user_id, checked_in_at) VALUES (?, ?, ?)"
                " ON CONFLICT (session_id, user_id) DO NOTHING",
                (session_id, user_id, stamp),
            )
            return CheckInResult(session, joined_party=joined.rowcount == 1, new=new.rowcount == 1)

        return await self.db.write(op)

    async def check_ins(self, guild_id: int, session_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT c.user_id FROM party_checkins c JOIN party_sessions s ON s.id = c.session_id"
            " WHERE s.guild_id = ? AND c.session_id = ? ORDER BY c.checked_in_at, c.user_id",
            (guild_id, session_id),
        )
        return [int(r[0]) for r in rows]

    async def advance(
        self, guild_id: int, party_id: int, show: Show, actor_id: int, has_manage_events: bool
    ) -> PartyAdvance:
        """``/party next`` (host or Manage Events): the party one episode on; the members who checked in for the
        open session catch up to it unless already past it; the session closes with that episode. One transaction.
        """
        now = self.clock()
        stamp = to_text(now)

        async def op(conn: aiosqlite.Connection) -> PartyAdvance:
            party = await _load_party(conn, guild_id, party_id)
            require_party_manager(party, actor_id, has_manage_events)
            session = await _one(
                conn,
                "SELECT id FROM party_sessions WHERE guild_id = ? AND party_id = ? AND closed_at IS NULL",
                (guild_id, party_id),
            )
            present: list[int] = []
            if session is not None:
                present = [
                    int(r[0])
                    for r in await _all(
                        conn,
                        "SELECT c.user_id FROM party_checkins c JOIN party_sessions s ON s.id = c.session_id"
                        " WHERE s.guild_id = ? AND c.session_id = ?",
                        (guild_id, session[0]),
                    )
                ]
            standings = await load_standings(conn, [(u, party.show_id) for u in present])
            result = advance_party(party, show, {u: standings[(u, party.show_id)] for u in present}, now)
            episode = result.episode
            await conn.execute(
                "UPDATE parties SET season = ?, episode = ? WHERE guild_id = ? AND id = ?",
                (episode.season, episode.episode, guild_id, party_id),
            )
            if session is not None:
                await conn.execute(
                    "UPDATE party_sessions SET season = ?, episode = ?, closed_at = ? WHERE guild_id = ? AND id = ?",
                    (episode.season, episode.episode, stamp, guild_id, session[0]),
                )
            if result.moved:
                await save_updates(conn, result.moved, now)
            return result

        # Members' progress moved with the party: the transaction moves the database's generation, so the standings
        # ProgressStore keeps are dropped before their next use.
        return await self.db.write(op)

    # -- reminders ----------------------------------------------------------------------------------------------

    async def reminders_due(self, now: dt.datetime, grace: dt.timedelta = REMINDER_GRACE) -> list[PartySession]:
        """Open sessions of open parties, in every server, that have started within ``grace`` and not been
        reminded of yet (oldest first). A bot back from downtime still posts those that started within the hour."""
        rows = await self.db.fetchall(
            f"SELECT {_SESSION} FROM party_sessions s JOIN parties p ON p.id = s.party_id"  # noqa: S608
            " WHERE s.reminder_sent_at IS NULL AND s.closed_at IS NULL AND p.ended_at IS NULL"
            " AND s.starts_at IS NOT NULL AND s.starts_at <= ? AND s.starts_at >= ? ORDER BY s.starts_at, s.id",
            (to_text(now), to_text(now - grace)),
        )
        return [_session(r) for r in rows]

    async def claim_reminder(self, guild_id: int, session_id: int) -> bool:
        """Mark the reminder as sent before posting it; False when it already was (post nothing)."""
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> bool:
            cur = await conn.execute(
                "UPDATE party_sessions SET reminder_sent_at = ? WHERE guild_id = ? AND id = ?"
                " AND reminder_sent_at IS NULL",
                (stamp, guild_id, session_id),
            )
            return cur.rowcount == 1

        return await self.db.write(op)

    async def release_reminder(self, guild_id: int, session_id: int) -> None:
        """The post failed: let the next tick try again."""

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "UPDATE party_sessions SET reminder_sent_at = NULL WHERE guild_id = ? AND id = ?",
                (guild_id, session_id),
            )

        await self.db.write(op)

    # -- data removal -------------------------------------------------------------------------------------------

    async def delete_user_data(self, user_id: int) -> None:
        """Forget the member in every server: memberships and check-ins go; parties they host pass to the
        longest-standing member (or end); ended parties they hosted keep their history without them (host 0)."""
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> None:
            rows = await _all(
                conn,
                "SELECT p.guild_id, p.id FROM party_members m JOIN parties p ON p.id = m.party_id"
                " WHERE m.user_id = ? AND p.ended_at IS NULL",
                (user_id,),
            )
            for guild_id, party_id in rows:
                await _remove_member(conn, await _load_party(conn, guild_id, party_id), user_id, stamp)
            await conn.execute("DELETE FROM party_members WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM party_checkins WHERE user_id = ?", (user_id,))
            await conn.execute("UPDATE parties SET host_id = 0 WHERE host_id = ?", (user_id,))

        await self.db.write(op)

    async def export_user_data(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """The parties the member is in or hosts, and their check-ins, as JSON-ready dicts (/privacy export)."""
        parties = await self.db.fetchall(
            "SELECT p.id, p.guild_id, p.channel_id, p.show_id, p.name, p.host_id, m.joined_at, p.ended_at"
            " FROM parties p LEFT JOIN party_members m ON m.party_id = p.id AND m.user_id = ?"
            " WHERE m.user_id IS NOT NULL OR p.host_id = ? ORDER BY p.id",
            (user_id, user_id),
        )
        check_ins = await self.db.fetchall(
            "SELECT s.party_id, s.guild_id, c.session_id, c.checked_in_at FROM party_checkins c"
            " JOIN party_sessions s ON s.id = c.session_id WHERE c.user_id = ? ORDER BY c.checked_in_at",
            (user_id,),
        )
        return {
            "parties": [
                {
                    "party_id": r[0],
                    "guild_id": r[1],
                    "channel_id": r[2],
                    "show_id": r[3],
                    "name": r[4],
                    "host": r[5] == user_id,
                    "joined_at": r[6],
                    "ended_at": r[7],
                }
                for r in parties
            ],
            "check_ins": [
                {"party_id": r[0], "guild_id": r[1], "session_id": r[2], "checked_in_at": r[3]} for r in check_ins
            ],
        }

    async def delete_guild_data(self, guild_id: int) -> None:
        """Every party of a server, with members, sessions and check-ins (the 30-day clean-up after removal)."""

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("DELETE FROM parties WHERE guild_id = ?", (guild_id,))

        await self.db.write(op)
