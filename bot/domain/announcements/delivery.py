"""Who hears about an event: follow modes, the member's watch status, and one post per server.

Planned when the event is recorded, so the outbox holds every target and a restart delivers exactly those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.announcements.events import AnnouncementEvent, EventKind


class FollowMode(StrEnum):
    """What a member hears about a followed show."""

    SEASONS = "seasons"  # new seasons and premiere dates (the default)
    EVERY_EPISODE = "every_episode"
    PREMIERE_DAY = "premiere_day"


DEFAULT_MODE = FollowMode.SEASONS

MODE_EVENTS: Mapping[FollowMode, frozenset[EventKind]] = {
    FollowMode.SEASONS: frozenset(
        {
            EventKind.SEASON_ANNOUNCED,
            EventKind.PREMIERE_DATE,
            EventKind.PREMIERE_DAY,
            EventKind.RETURNING,
            EventKind.ENDED,
        }
    ),
    FollowMode.EVERY_EPISODE: frozenset(EventKind),
    FollowMode.PREMIERE_DAY: frozenset({EventKind.PREMIERE_DAY}),
}

# Watch statuses (the watchlist's values) under which a member gets no episode notices for the show.
NO_EPISODE_NOTICES = frozenset({"completed", "dropped"})
EPISODE_NOTICES = frozenset({EventKind.EPISODE_AIRED})


class TargetKind(StrEnum):
    GUILD = "guild"  # the server's announce channel
    DM = "dm"  # the member's direct messages


@dataclass(frozen=True, slots=True, order=True)
class DeliveryTarget:
    """Where one copy of an event goes: ``id`` is the guild id or the user id."""

    kind: TargetKind
    id: int


@dataclass(frozen=True, slots=True)
class Follower:
    """A member following a show: their mode, the servers they follow it from, and whether their DMs are closed."""

    user_id: int
    mode: FollowMode = DEFAULT_MODE
    guild_ids: frozenset[int] = frozenset()
    dms_closed: bool = False


@dataclass(frozen=True, slots=True)
class Follow:
    """One of a member's follows, as ``/notify list`` shows it."""

    user_id: int
    show_id: int
    mode: FollowMode
    guild_ids: frozenset[int]
    since: dt.datetime


def wants(mode: FollowMode, kind: EventKind, watch_status: str | None = None) -> bool:
    """Whether a member following in ``mode`` hears about ``kind``; ``watch_status`` is theirs for the show."""
    if kind in EPISODE_NOTICES and watch_status in NO_EPISODE_NOTICES:
        return False
    return kind in MODE_EVENTS[mode]


def plan_deliveries(
    event: AnnouncementEvent,
    followers: Iterable[Follower],
    watch_status: Mapping[int, str | None] | None = None,
    announce_guilds: Container[int] | None = None,
) -> list[DeliveryTarget]:
    """One DM per follower who wants the event (DMs open), and one post per server any such follower follows
    from; ``announce_guilds``, when given, keeps only servers that have an announce channel. Sorted, no repeats.
    """
    statuses = watch_status or {}
    targets: set[DeliveryTarget] = set()
    for follower in followers:
        if not wants(follower.mode, event.kind, statuses.get(follower.user_id)):
            continue
        if not follower.dms_closed:
            targets.add(DeliveryTarget(TargetKind.DM, follower.user_id))
        targets.update(
            DeliveryTarget(TargetKind.GUILD, g)
            for g in follower.guild_ids
            if announce_guilds is None or g in announce_guilds
        )
    return sorted(targets)
