"""One followed show's part of a poll: its events, who hears each, and when to look at it again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass

from bot.domain.announcements.delivery import DeliveryTarget, Follower, plan_deliveries
from bot.domain.announcements.events import AnnouncementEvent, diff_snapshots, due_events, next_due
from bot.domain.announcements.snapshot import ShowSnapshot


@dataclass(frozen=True, slots=True)
class ShowUpdate:
    """What to record for one show: pass it to ``AnnouncementStore.record`` as it is."""

    snapshot: ShowSnapshot
    deliveries: tuple[tuple[AnnouncementEvent, tuple[DeliveryTarget, ...]], ...]
    next_due: dt.datetime | None

    @property
    def events(self) -> list[AnnouncementEvent]:
        return [event for event, _ in self.deliveries]


def show_update(
    old: ShowSnapshot | None,
    new: ShowSnapshot,
    since: dt.datetime | None,
    until: dt.datetime,
    followers: Iterable[Follower],
    watch_status: Mapping[int, str | None] | None = None,
    announce_guilds: Container[int] | None = None,
) -> ShowUpdate:
    """The news between ``old`` and ``new`` plus the releases due in ``(since, until]``, each with its targets.

    For a show that was not fetched but has a release due, pass its stored snapshot as both ``old`` and ``new``.
    ``since`` is the last successful poll, ``until`` this poll's "now". An event nobody wants is still recorded
    (with no targets), so a follower added later is not sent old news.
    """
    who = list(followers)
    events: dict[str, AnnouncementEvent] = {}
    for event in (*diff_snapshots(old, new), *due_events(new, since, until, previous=old)):
        events.setdefault(event.key, event)
    return ShowUpdate(
        snapshot=new,
        deliveries=tuple(
            (event, tuple(plan_deliveries(event, who, watch_status, announce_guilds))) for event in events.values()
        ),
        next_due=next_due(new, until),
    )
