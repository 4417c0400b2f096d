"""The sandbox's websocket gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, and zlib-stream.

Every dispatch goes into its session's buffer before it is sent, so a client that RESUMEs with the last
sequence it saw gets exactly what it missed, however the connection was lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from bot.sandbox.config import SandboxConfig
from bot.sandbox.payloads import channel_payload, guild_payload, iso, member_payload, user_payload
from bot.sandbox.protocol import JSON
from bot.sandbox.records import Records
from bot.sandbox.state import Guild, World

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11

# Gateway intents that gate the events the sandbox sends.
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16

_EVENT_INTENTS: dict[str, tuple[int, int]] = {
    # event: (intent in a guild, intent in a DM); 0 means always delivered.
    "MESSAGE_CREATE": (GUILD_MESSAGES, DIRECT_MESSAGES),
    "MESSAGE_UPDATE": (GUILD_MESSAGES, DIRECT_MESSAGES),
    "MESSAGE_DELETE": (GUILD_MESSAGES, DIRECT_MESSAGES),
    "GUILD_SCHEDULED_EVENT_CREATE": (GUILD_SCHEDULED_EVENTS, 0),
    "GUILD_SCHEDULED_EVENT_UPDATE": (GUILD_SCHEDULED_EVENTS, 0),
    "GUILD_SCHEDULED_EVENT_DELETE": (GUILD_SCHEDULED_EVENTS, 0),
    "GUILD_MEMBER_ADD": (GUILD_MEMBERS, 0),
    "GUILD_MEMBER_UPDATE": (GUILD_MEMBERS, 0),
    "GUILD_MEMBER_REMOVE": (GUILD_MEMBERS, 0),
    "GUILD_CREATE": (GUILDS, 0),
    "GUILD_DELETE": (GUILDS, 0),
    "CHANNEL_CREATE": (GUILDS, 0),
    "GUILD_ROLE_CREATE": (GUILDS, 0),
}

REPLAY_BUFFER = 5000


class Connection:
    """One websocket; sends are serialised because the zlib stream must see messages in order."""

    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.ws = ws
        self.compress = compress
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self._lock = asyncio.Lock()
        self.session: GatewaySession | None = None

    @property
    def closed(self) -> bool:
        return self.ws.closed

    async def send(self, payload: JSON) -> bool:
        """Send one gateway message; False when the socket is already gone (the message stays buffered)."""
        # ASCII with escapes, as Discord sends it: a lone surrogate in a payload stays a valid \ud800 escape.
        text = json.dumps(payload, separators=(",", ":"))
        async with self._lock:
            if self.ws.closed:
                return False
            try:
                if self._zlib is not None:
                    # One compressor for the whole connection; Z_SYNC_FLUSH ends each message in 00 00 ff ff.
                    data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return False
        return True

    async def close(self, code: int, message: str = "") -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.ws.close(code=code, message=message.encode())


@dataclass
class GatewaySession:
    id: str
    user_id: int
    intents: int
    shard: list[int] | None
    seq: int = 0
    buffer: list[tuple[int, JSON]] = field(default_factory=list)
    connection: Connection | None = None
    invalid: bool = False

    def wants(self, event: str, in_guild: bool) -> bool:
        needed = _EVENT_INTENTS.get(event, (0, 0))[0 if in_guild else 1]
        return needed == 0 or bool(self.intents & needed)

    async def dispatch(self, event: str, data: JSON) -> None:
        self.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append((self.seq, payload))
        del self.buffer[:-REPLAY_BUFFER]
        if self.connection is not None:
            await self.connection.send(payload)


class Gateway:
    """The websocket endpoint at ``/gateway/`` and the sessions behind it."""

    def __init__(self, world: World, records: Records, config: SandboxConfig, heartbeat_interval: float) -> None:
        self.world = world
        self.records = records
        self.config = config
        self.heartbeat_interval = heartbeat_interval
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[Connection] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeats = 0
        # Incoming gateway payloads other than heartbeats (presence, voice, member requests), for tests.
        self.received: list[JSON] = []

    # ----- test driver controls -----

    @property
    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if not s.invalid]

    @property
    def connected(self) -> bool:
        return any(s.connection is not None and not s.connection.closed for s in self.live_sessions)

    async def force_reconnect(self) -> None:
        """Send op 7 RECONNECT on every connection; events from now on wait in the buffer for the RESUME."""
        for session in self.live_sessions:
            conn = session.connection
            session.connection = None
            if conn is not None:
                await conn.send({"op": RECONNECT, "d": None})
        self.records.changes.notify()

    async def invalidate_sessions(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; unless ``resumable`` the session is dropped and the client must IDENTIFY."""
        for session in self.live_sessions:
            conn = session.connection
            if not resumable:
                session.invalid = True
                session.connection = None
            if conn is not None:
                await conn.send({"op": INVALID_SESSION, "d": resumable})
        self.records.changes.notify()

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every socket abruptly (as a network fault would); sessions stay resumable."""
        for session in self.live_sessions:
            conn = session.connection
            session.connection = None
            if conn is not None:
                await conn.close(code)
        self.records.changes.notify()

    async def dispatch(self, event: str, data: JSON, *, guild_id: int | None = None, dm: bool = False) -> None:
        """Send a DISPATCH to every live session whose intents ask for it."""
        in_guild = guild_id is not None and not dm
        for session in self.live_sessions:
            if guild_id is not None and session.user_id not in self._guild_member_ids(guild_id):
                continue
            if not session.wants(event, in_guild):
                continue
            payload = data
            if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not session.intents & MESSAGE_CONTENT:
                payload = self._without_content(data, session.user_id, dm)
            await session.dispatch(event, payload)
        self.records.changes.notify()

    async def remove_bot(self, guild: Guild) -> None:
        """The bot is out of ``guild``: GUILD_DELETE (without ``unavailable``, which would mean an outage) reaches
        it while it is still a member, then it is one no more."""
        bot = self.world.bot
        if bot is None or bot.id not in guild.members:
            return
        await self.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild_id=guild.id)
        del guild.members[bot.id]

    def _guild_member_ids(self, guild_id: int) -> set[int]:
        guild = self.world.guilds.get(guild_id)
        return set(guild.members) if guild else set()

    @staticmethod
    def _without_content(data: JSON, user_id: int, dm: bool) -> JSON:
        # Without the MESSAGE_CONTENT intent a bot sees content only in DMs, its own messages and mentions.
        author = (data.get("author") or {}).get("id")
        mentioned = any(u.get("id") == str(user_id) for u in data.get("mentions") or [])
        if dm or author == str(user_id) or mentioned:
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    # ----- the websocket -----

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, compress=True)
        await ws.prepare(request)
        if request.query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"Only JSON encoding is supported by the sandbox.")
            return ws
        compress = request.query.get("compress")
        conn = Connection(ws, compress if compress == "zlib-stream" else None)
        self.connections.append(conn)
        await conn.send({"op": HELLO, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)}})
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._receive(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    await conn.close(4002, "Binary frames (ETF) are not supported by the sandbox.")
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self.connections.remove(conn)
            self.records.changes.notify()
        return ws

    async def _receive(self, conn: Connection, text: str) -> None:
        try:
            message = json.loads(text)
            op = message["op"]
        except (ValueError, KeyError, TypeError):
            await conn.close(4002, "Error while decoding payload.")
            return
        data = message.get("d")
        if op == HEARTBEAT:
            self.heartbeats += 1
            await conn.send({"op": HEARTBEAT_ACK})
            return
        self.received.append(message)
        if op in (IDENTIFY, RESUME, REQUEST_MEMBERS) and not isinstance(data, dict):
            await conn.close(4002, "Error while decoding payload.")
            return
        if op == IDENTIFY:
            await self._identify(conn, data)
        elif op == RESUME:
            await self._resume(conn, data)
        elif op == REQUEST_MEMBERS:
            await self._request_members(conn, data)
        elif op not in (PRESENCE, VOICE_STATE):
            await conn.close(4001, "Unknown opcode.")

    def _check_token(self, token: Any) -> bool:
        bot = self.world.bot
        return bot is not None and isinstance(token, str) and secrets.compare_digest(token, bot.token or "")

    async def _identify(self, conn: Connection, data: JSON) -> None:
        if conn.session is not None:
            await conn.close(4005, "Already authenticated.")
            return
        if not self._check_token(data.get("token")):
            await conn.close(4004, "Authentication failed.")
            return
        world = self.world
        bot = world.bot
        if bot is None:
            return
        self.identify_count += 1
        session = GatewaySession(
            id=secrets.token_hex(16),
            user_id=bot.id,
            intents=int(data.get("intents", 0) or 0),
            shard=data.get("shard"),
            connection=conn,
        )
        conn.session = session
        self.sessions[session.id] = session
        guilds = [g for g in world.guilds.values() if bot.id in g.members]
        ready: JSON = {
            "v": 10,
            "user": {**user_payload(bot), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "resume_gateway_url": self.config.gateway_url,
            "session_type": "normal",
            "application": {"id": str(world.application_id), "flags": world.application_flags},
            "private_channels": [],
            "relationships": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["watch-companion-sandbox"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        await session.dispatch("READY", ready)
        for guild in guilds:
            if session.wants("GUILD_CREATE", True):
                await session.dispatch("GUILD_CREATE", self.guild_create_payload(guild))
        self.records.changes.notify()

    async def _resume(self, conn: Connection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.invalid or not self._check_token(data.get("token")):
            await conn.send({"op": INVALID_SESSION, "d": False})
            return
        old = session.connection
        if old is not None and old is not conn:
            await old.close(4000, "Session resumed elsewhere.")
        session.connection = conn
        conn.session = session
        self.resume_count += 1
        last = data.get("seq") or 0
        for seq, payload in list(session.buffer):
            if seq > last:
                await conn.send(payload)
        await session.dispatch("RESUMED", {"_trace": ["watch-companion-sandbox"]})
        self.records.changes.notify()

    async def _request_members(self, conn: Connection, data: JSON) -> None:
        session = conn.session
        if session is None:
            await conn.close(4003, "Not authenticated.")
            return
        raw_ids = data.get("guild_id")
        guild_ids = raw_ids if isinstance(raw_ids, list) else [raw_ids]
        for raw in guild_ids:
            guild = self.world.guilds.get(int(raw or 0))
            if guild is None:
                continue
            members = self._select_members(guild, data)
            wanted = [int(u) for u in data.get("user_ids") or []]
            chunk: JSON = {
                "guild_id": str(guild.id),
                "members": [member_payload(m, self.world.users[m.user_id]) for m in members],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [str(u) for u in wanted if u not in guild.members],
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            if data.get("presences"):
                chunk["presences"] = []
            await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _select_members(self, guild: Guild, data: JSON) -> list[Any]:
        users = self.world.users
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        limit = int(data.get("limit") or 0)
        members = list(guild.members.values())
        if wanted:
            members = [m for m in members if m.user_id in wanted]
        elif query:
            members = [m for m in members if users[m.user_id].username.lower().startswith(query)]
        return members[:limit] if limit else members

    def guild_create_payload(self, guild: Guild) -> JSON:
        world = self.world
        bot = world.bot
        me = guild.members.get(bot.id) if bot else None
        data = guild_payload(guild)
        data.update(
            {
                "unavailable": False,
                "joined_at": iso(me.joined_at) if me else None,
                "large": False,
                "member_count": len(guild.members),
                "members": [member_payload(m, world.users[m.user_id]) for m in guild.members.values()],
                "channels": [channel_payload(c) for c in guild.channels.values()],
                "threads": [],
                "presences": [],
                "voice_states": [],
                "stage_instances": [],
                "guild_scheduled_events": list(guild.scheduled_events.values()),
                "soundboard_sounds": [],
            }
        )
        return data

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        await self.records.changes.wait_for(predicate, timeout)

    async def close_all(self) -> None:
        for conn in list(self.connections):
            await conn.close(1001, "Sandbox shutting down.")
