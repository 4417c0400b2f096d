"""Season announcements: snapshots of followed shows, the events between them, who hears, what to poll."""

from bot.domain.announcements.cycle import ShowUpdate, show_update
from bot.domain.announcements.delivery import (
    DEFAULT_MODE,
    DeliveryTarget,
    Follow,
    Follower,
    FollowMode,
    TargetKind,
    plan_deliveries,
    wants,
)
from bot.domain.announcements.events import (
    AnnouncementEvent,
    EventKind,
    Release,
    diff_snapshots,
    due_events,
    next_due,
    releases,
)
from bot.domain.announcements.polling import Lookback, lookback, shows_to_fetch
from bot.domain.announcements.snapshot import (
    EpisodeSnapshot,
    SeasonSnapshot,
    ShowSnapshot,
    ShowStatus,
    SnapshotFormatError,
    snapshot_from_dict,
    snapshot_from_tvmaze,
    snapshot_to_dict,
)
from bot.domain.announcements.text import describe, when

__all__ = [
    "DEFAULT_MODE",
    "AnnouncementEvent",
    "DeliveryTarget",
    "EpisodeSnapshot",
    "EventKind",
    "Follow",
    "FollowMode",
    "Follower",
    "Lookback",
    "Release",
    "SeasonSnapshot",
    "ShowSnapshot",
    "ShowStatus",
    "ShowUpdate",
    "SnapshotFormatError",
    "TargetKind",
    "describe",
    "diff_snapshots",
    "due_events",
    "lookback",
    "next_due",
    "plan_deliveries",
    "releases",
    "show_update",
    "shows_to_fetch",
    "snapshot_from_dict",
    "snapshot_from_tvmaze",
    "snapshot_to_dict",
    "wants",
    "when",
]
