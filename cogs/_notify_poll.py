"""One poll of TVmaze for the season announcements: the change feed first, then only followed shows that changed.

What a poll finds is recorded (snapshot, events, outbox rows, in one transaction per show) before anything is
delivered; delivery is ``cogs/_notify_delivery.py``. The poll holds the database's poller lease, so two bots on
one database never poll together, and a crashed holder's lease lapses.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.db.announcements import AnnouncementStore, JobLease
from bot.db.follows import FollowStore
from bot.db.guilds import GuildConfigStore
from bot.db.watchlist import WatchlistStore
from bot.domain.announcements import (
    Lookback,
    ShowSnapshot,
    SnapshotFormatError,
    lookback,
    show_update,
    shows_to_fetch,
    snapshot_from_tvmaze,
)
from bot.providers.base import SourceError
from bot.providers.tvmaze import TvmazeUnavailable

log = logging.getLogger(__name__)

Now = Callable[[], dt.datetime]
# Shows fetched between renewals of the poller lease (at TVmaze's 2 requests a second, under a minute).
RENEW_EVERY = 100


class PollSource(Protocol):
    """What the poller asks TVmaze (``TvmazeSource`` meets it)."""

    request_count: int

    async def updates(self, since: Literal["day", "week", "month"]) -> dict[int, int]: ...

    async def snapshot_record(self, tvmaze_id: int) -> Any: ...


@dataclass(slots=True)
class PollResult:
    """What one poll did; ``requests`` counts the HTTP requests it sent (retries included)."""

    ran: bool = True
    window: Lookback | None = None
    followed: int = 0
    fetched: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    events: int = 0
    requests: int = 0
    complete: bool = False


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SeasonPoller:
    def __init__(
        self,
        source: PollSource,
        follows: FollowStore,
        announcements: AnnouncementStore,
        guilds: GuildConfigStore,
        watchlist: WatchlistStore,
        lease: JobLease,
        holder: str,
        *,
        lease_for: dt.timedelta = dt.timedelta(minutes=10),
        now: Now = utcnow,
    ) -> None:
        self.source = source
        self.follows = follows
        self.announcements = announcements
        self.guilds = guilds
        self.watchlist = watchlist
        self.lease = lease
        self.holder = holder
        self.lease_for = lease_for
        self.now = now

    async def poll(self) -> PollResult:
        """One poll; TVmaze being down ends it early (the next one looks back far enough to catch up)."""
        started = self.now()
        if not await self.lease.acquire(self.holder, started, self.lease_for):
            return PollResult(ran=False)
        result = PollResult()
        before = self.source.request_count
        try:
            await self._poll(started, result)
        finally:
            result.requests = self.source.request_count - before
        return result

    async def _poll(self, now: dt.datetime, result: PollResult) -> None:
        last = await self.announcements.last_poll()
        window = result.window = lookback(last, now)
        followed = await self.follows.followed_tvmaze_ids()
        result.followed = len(followed)
        changes: dict[int, int] = {}
        if followed and window is not Lookback.FULL:
            try:
                changes = await self.source.updates(window.value)  # type: ignore[arg-type]
            except SourceError as exc:
                log.warning("the TVmaze change feed failed (%s); polling again next time", exc)
                return
        stored = await self.announcements.stored_updated()
        announce = set(await self.guilds.announce_channels())
        wanted = shows_to_fetch(window, changes, followed, stored)
        for count, tvmaze_id in enumerate(wanted, start=1):
            if count % RENEW_EVERY == 0 and not await self.lease.acquire(self.holder, self.now(), self.lease_for):
                # A full re-fetch at 20 requests per 10 s can outlast the lease: renewed as it goes, and given up
                # (the rest left to the new holder) if another poller took it over meanwhile.
                log.warning("the poller lease passed to another process mid-poll; stopping this poll")
                result.failed.append(tvmaze_id)
                return
            try:
                raw = await self.source.snapshot_record(tvmaze_id)
                if raw is None:
                    # Deleted upstream: nothing more will come of it, and it must not hold the look-back back.
                    log.warning("TVmaze no longer has show %s; keeping its last snapshot", tvmaze_id)
                    result.missing.append(tvmaze_id)
                    continue
                fresh = snapshot_from_tvmaze(raw, self.now())
            except TvmazeUnavailable as exc:
                log.warning(
                    "fetching show %s from TVmaze failed (%s); the rest waits for the next poll", tvmaze_id, exc
                )
                result.failed.append(tvmaze_id)
                # Unavailable after its back-off: asking for the next show now would only fail the same way.
                return
            except (SnapshotFormatError, SourceError) as exc:
                # A truncated or mistyped record: keep the last snapshot (reading it as "no seasons" would announce
                # every season again at the next good fetch) and go on with the other shows.
                log.warning("TVmaze's record of show %s is unusable (%s); keeping its last snapshot", tvmaze_id, exc)
                result.failed.append(tvmaze_id)
                continue
            if fresh.tvmaze_id != tvmaze_id:
                log.warning("TVmaze answered show %s for %s; ignored", fresh.tvmaze_id, tvmaze_id)
                result.failed.append(tvmaze_id)
                continue
            result.events += await self._record(
                await self.announcements.snapshot(tvmaze_id), fresh, last, now, followed, announce
            )
            result.fetched.append(tvmaze_id)
        # Releases already listed that came due since the last poll, of shows that did not change.
        fetched = set(result.fetched) | set(result.failed) | set(result.missing)
        for kept in await self.announcements.due_snapshots(now):
            if kept.tvmaze_id in followed and kept.tvmaze_id not in fetched:
                result.events += await self._record(kept, kept, last, now, followed, announce)
        if result.failed:
            # The look-back stays where it was, so the next poll's feed still lists the shows that failed.
            return
        await self.announcements.set_last_poll(now)
        await self.announcements.forget_snapshots(followed)
        result.complete = True

    async def _record(
        self,
        old: ShowSnapshot | None,
        new: ShowSnapshot,
        since: dt.datetime | None,
        until: dt.datetime,
        followed: Mapping[int, int],
        announce: set[int],
    ) -> int:
        followers = await self.follows.followers_of_tvmaze(new.tvmaze_id)
        show_id = followed.get(new.tvmaze_id)
        statuses: dict[int, str | None] = {}
        if show_id is not None:
            for follower in followers:
                entry = await self.watchlist.get(follower.user_id, show_id)
                statuses[follower.user_id] = entry.status.value if entry is not None else None
        update = show_update(old, new, since, until, followers, statuses, announce)
        recorded = await self.announcements.record_update(update, until)
        for event in recorded:
            log.info("recorded %s for %d targets", event.key, len(dict(update.deliveries).get(event, ())))
        return len(recorded)

    async def stop(self) -> None:
        """Give the lease up so another process need not wait for it to lapse."""
        await self.lease.release(self.holder)
