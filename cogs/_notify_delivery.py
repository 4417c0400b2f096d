"""Outbox delivery of recorded announcements: one post per server's announce channel, one DM per follower.

Rows are claimed from ``AnnouncementStore`` and answered one by one: sent; dropped when Discord says the post can
never happen (no announce channel, a channel the bot may not post in); DMs closed (50007) marks the member, so
no DM is queued for them again until they follow something; anything else is retried with a back-off (2, 4, 8 s...
or Discord's retry_after). discord.py itself waits out Discord's rate limits (bucket headers, 429 retry_after), so
a big delivery is paced by Discord, not by us. A message nonce made from the row id lets Discord drop a resend
whose acknowledgement was lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import discord
from aiolimiter import AsyncLimiter

from bot.db.announcements import AnnouncementStore, OutboxItem
from bot.db.guilds import GuildConfigStore
from bot.domain.announcements import TargetKind
from cogs._notify_ui import announcement_embed

log = logging.getLogger(__name__)

Now = Callable[[], dt.datetime]
# Discord's codes for a post that can never go through as things stand.
CANNOT_DM = 50007
UNKNOWN_CHANNEL = 10003
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
# Under Discord's 50 requests per second per bot, with room for the bot's other work (answering members).
PACE_PER_SECOND = 40
BACKOFF_BASE = 2.0
BACKOFF_MAX = 15 * 60.0


@dataclass(slots=True)
class DeliveryResult:
    sent: int = 0
    dropped: int = 0
    dms_closed: int = 0
    retried: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.dropped + self.dms_closed + self.retried


def backoff(attempt: int, retry_after: float | None = None) -> dt.timedelta:
    """2, 4, 8 s... for tries 1, 2, 3..., or longer when Discord asked for it."""
    delay = min(BACKOFF_BASE * 2 ** (max(attempt, 1) - 1), BACKOFF_MAX)
    return dt.timedelta(seconds=max(delay, retry_after or 0.0))


class Courier:
    def __init__(
        self,
        client: discord.Client,
        announcements: AnnouncementStore,
        guilds: GuildConfigStore,
        holder: str,
        now: Now,
        pace: AsyncLimiter | None = None,
    ) -> None:
        self.client = client
        # One request at a time at the rate, no burst: a burst on top of a full second would meet the global limit.
        self.pace = pace or AsyncLimiter(1, 1.0 / PACE_PER_SECOND)
        # DM channels opened so far: a member's later DMs cost one request instead of two.
        self._dm_channels: dict[int, discord.abc.Messageable] = {}
        self.announcements = announcements
        self.guilds = guilds
        self.holder = holder
        self.now = now

    async def deliver(self, batch: int = 50, max_rows: int | None = None) -> DeliveryResult:
        """Deliver what the outbox holds that is due, ``batch`` rows per claim, until it is empty (or ``max_rows``)."""
        result = DeliveryResult()
        while max_rows is None or result.handled < max_rows:
            items = await self.announcements.claim(self.holder, self.now(), limit=batch)
            if not items:
                break
            channels = await self.guilds.announce_channels()
            for item in items:
                await self._deliver_one(item, channels, result)
        return result

    async def _deliver_one(self, item: OutboxItem, channels: dict[int, int], result: DeliveryResult) -> None:
        embed = announcement_embed(item.event, item.title, item.url, item.poster_url)
        nonce = f"wc{item.id}"[:25]
        try:
            if item.target.kind is TargetKind.GUILD:
                channel_id = channels.get(item.target.id)
                if channel_id is None:
                    await self.announcements.drop(item.id, self.now(), "no announce channel")
                    result.dropped += 1
                    return
                await self.pace.acquire()
                await self.client.get_partial_messageable(channel_id).send(embed=embed, nonce=nonce)
            else:
                dm = self._dm_channels.get(item.target.id)
                if dm is None:
                    await self.pace.acquire()
                    dm = self._dm_channels[item.target.id] = await self.client.create_dm(
                        discord.Object(id=item.target.id)
                    )
                await self.pace.acquire()
                await dm.send(embed=embed, nonce=nonce)
        except discord.Forbidden as exc:
            if exc.code == CANNOT_DM and item.target.kind is TargetKind.DM:
                await self.announcements.dms_closed(item.id, item.target.id, self.now())
                result.dms_closed += 1
                return
            await self.announcements.drop(item.id, self.now(), f"Discord refused: {exc.code} {exc.text}"[:200])
            log.warning("cannot post %s to %s %s: %s", item.event.key, item.target.kind, item.target.id, exc.text)
            result.dropped += 1
            return
        except discord.NotFound as exc:
            await self.announcements.drop(item.id, self.now(), f"gone: {exc.code} {exc.text}"[:200])
            if exc.code == UNKNOWN_CHANNEL and item.target.kind is TargetKind.GUILD:
                # The announce channel was deleted: unset it, so the server's next news is not queued for it.
                await self.guilds.forget_channel(channels.get(item.target.id, 0))
            result.dropped += 1
            return
        except (discord.HTTPException, discord.DiscordServerError, OSError, TimeoutError) as exc:
            retry_after = getattr(exc, "retry_after", None)
            delay = backoff(item.attempt, retry_after if isinstance(retry_after, (int, float)) else None)
            kept = await self.announcements.retry(item.id, self.now(), delay, f"{type(exc).__name__}: {exc}")
            log.warning("delivering %s failed (%s); %s", item.event.key, exc, "retrying" if kept else "giving up")
            result.retried += 1
            return
        await self.announcements.sent(item.id, self.now())
        result.sent += 1
