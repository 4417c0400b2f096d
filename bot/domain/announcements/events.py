"""Announcement events: what changed between two snapshots of a show, and which releases came due.

Two sources of news: a change TVmaze made (a new season, a premiere date, a status), found by diffing the
stored snapshot with a fresh one; and the clock reaching a release already listed (premiere day, an episode),
found from one snapshot and a time window. Every event has a key that names what happened, not when it was
seen, so recording the same news twice is a no-op.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby
from typing import Any

from bot.domain.announcements.snapshot import EpisodeSnapshot, ShowSnapshot, ShowStatus

# A premiere date or a new season this far in the past when first seen is a correction of old data, not news.
STALE_DATE = dt.timedelta(days=1)
STALE_SEASON = dt.timedelta(days=30)
# After downtime, releases older than this are no longer worth a notice ("episode 3 aired two weeks ago").
MAX_CATCH_UP = dt.timedelta(days=7)


class EventKind(StrEnum):
    SEASON_ANNOUNCED = "season_announced"
    PREMIERE_DATE = "premiere_date"
    PREMIERE_DAY = "premiere_day"
    RETURNING = "returning"
    ENDED = "ended"
    EPISODE_AIRED = "episode_aired"


@dataclass(frozen=True, slots=True)
class AnnouncementEvent:
    """One piece of news about a show.

    ``date`` is the day of a premiere or release when known; ``at`` is the UTC instant when TVmaze gives the time
    too (render it as a Discord timestamp); a release known only by its day has ``at`` None and is shown as that
    day. ``first_episode``..``last_episode`` is the release's episode range (several for a streaming drop), and
    ``whole_season`` says the range is the entire season released at once.
    """

    key: str
    kind: EventKind
    tvmaze_id: int
    season: int | None = None
    date: dt.date | None = None
    at: dt.datetime | None = None
    previous_date: dt.date | None = None
    first_episode: int | None = None
    last_episode: int | None = None
    whole_season: bool = False
    episode_name: str | None = None
    status: ShowStatus | None = None

    @property
    def episode_count(self) -> int:
        if self.first_episode is None or self.last_episode is None:
            return 0
        return self.last_episode - self.first_episode + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind.value,
            "tvmaze_id": self.tvmaze_id,
            "season": self.season,
            "date": self.date.isoformat() if self.date else None,
            "at": self.at.astimezone(dt.UTC).isoformat() if self.at else None,
            "previous_date": self.previous_date.isoformat() if self.previous_date else None,
            "first_episode": self.first_episode,
            "last_episode": self.last_episode,
            "whole_season": self.whole_season,
            "episode_name": self.episode_name,
            "status": self.status.value if self.status else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnnouncementEvent:
        return cls(
            key=str(data["key"]),
            kind=EventKind(data["kind"]),
            tvmaze_id=int(data["tvmaze_id"]),
            season=data.get("season"),
            date=dt.date.fromisoformat(data["date"]) if data.get("date") else None,
            at=dt.datetime.fromisoformat(data["at"]) if data.get("at") else None,
            previous_date=dt.date.fromisoformat(data["previous_date"]) if data.get("previous_date") else None,
            first_episode=data.get("first_episode"),
            last_episode=data.get("last_episode"),
            whole_season=bool(data.get("whole_season")),
            episode_name=data.get("episode_name"),
            status=ShowStatus(data["status"]) if data.get("status") else None,
        )


# -- news from a change -------------------------------------------------------------------------------------------


def diff_snapshots(old: ShowSnapshot | None, new: ShowSnapshot) -> list[AnnouncementEvent]:
    """Events for what TVmaze changed between ``old`` and ``new``; none for the first snapshot of a show.

    A new season (numbered past every season seen before) is "announced", carrying its premiere date when it
    came with one; a later premiere date set or moved on a season is "premiere date"; Ended or To Be Determined
    back to Running is "returning"; anything else to Ended is "ended". A removed date or season says nothing.
    """
    if old is None:
        return []
    tvmaze_id = new.tvmaze_id
    today = new.fetched_at.date()
    events: list[AnnouncementEvent] = []
    for season in new.seasons:
        before = old.season(season.number)
        date = season.premiere_date
        if before is None:
            if season.number <= old.latest_season or (date is not None and date < today - STALE_SEASON):
                continue
            events.append(
                AnnouncementEvent(
                    key=f"tvmaze:{tvmaze_id}:s{season.number}:announced",
                    kind=EventKind.SEASON_ANNOUNCED,
                    tvmaze_id=tvmaze_id,
                    season=season.number,
                    date=date,
                    at=_premiere_instant(new, season.number),
                )
            )
        elif date is not None and date != before.premiere_date and date >= today - STALE_DATE:
            previous = before.premiere_date
            events.append(
                AnnouncementEvent(
                    key=f"tvmaze:{tvmaze_id}:s{season.number}:premiere-date:{previous or 'none'}>{date}",
                    kind=EventKind.PREMIERE_DATE,
                    tvmaze_id=tvmaze_id,
                    season=season.number,
                    date=date,
                    at=_premiere_instant(new, season.number),
                    previous_date=previous,
                )
            )
    # The show's own change stamp tells one return (or ending) from the next; fetch time when TVmaze gave none.
    stamp = new.updated if new.updated is not None else int(new.fetched_at.timestamp())
    if new.status is ShowStatus.RUNNING and old.status in (ShowStatus.ENDED, ShowStatus.TBD):
        events.append(
            AnnouncementEvent(
                key=f"tvmaze:{tvmaze_id}:status:returning:{stamp}",
                kind=EventKind.RETURNING,
                tvmaze_id=tvmaze_id,
                status=new.status,
                season=new.latest_season or None,
            )
        )
    elif new.status is ShowStatus.ENDED and old.status is not None and old.status is not ShowStatus.ENDED:
        events.append(
            AnnouncementEvent(
                key=f"tvmaze:{tvmaze_id}:status:ended:{stamp}",
                kind=EventKind.ENDED,
                tvmaze_id=tvmaze_id,
                status=new.status,
                season=new.latest_season or None,
            )
        )
    return events


def _premiere_instant(snapshot: ShowSnapshot, season: int) -> dt.datetime | None:
    first = next((r for r in releases(snapshot) if r.season == season), None)
    return first.airstamp if first is not None else None


# -- news from the clock ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Release:
    """Episodes of one season that come out together: one, or a whole streaming drop on one day."""

    season: int
    first: int
    last: int
    count: int
    airdate: dt.date | None
    airstamp: dt.datetime | None
    name: str | None

    def moment(self, zone: dt.tzinfo) -> dt.datetime | None:
        """When the release is out: its instant, or the start of its day in the broadcaster's zone."""
        if self.airstamp is not None:
            return self.airstamp
        if self.airdate is None:
            return None
        return dt.datetime.combine(self.airdate, dt.time(), zone).astimezone(dt.UTC)


def releases(snapshot: ShowSnapshot) -> list[Release]:
    """The show's releases in season and episode order: episodes sharing a season, day and time are one."""
    found: list[Release] = []
    dated = [e for e in snapshot.known_episodes() if e.airdate is not None or e.airstamp is not None]
    for (season, airdate, airstamp), group in groupby(
        sorted(dated, key=lambda e: (e.season, e.airstamp or _day_start(e), e.number)),
        key=lambda e: (e.season, e.airdate, e.airstamp),
    ):
        episodes = list(group)
        found.append(
            Release(
                season=season,
                first=min(e.number for e in episodes),
                last=max(e.number for e in episodes),
                count=len(episodes),
                airdate=airdate,
                airstamp=airstamp,
                name=episodes[0].name if len(episodes) == 1 else None,
            )
        )
    # A season whose premiere date is known but none of whose episodes are: its first day is the release.
    listed = {r.season for r in found}
    for season in snapshot.seasons:
        if season.number not in listed and season.premiere_date is not None:
            found.append(Release(season.number, 1, 1, 0, season.premiere_date, None, None))
    found.sort(key=lambda r: (r.season, r.first))
    return found


def due_events(
    snapshot: ShowSnapshot, since: dt.datetime | None, until: dt.datetime, previous: ShowSnapshot | None = None
) -> list[AnnouncementEvent]:
    """Releases that came out in ``(since, until]``: the first of each season is "premiere day", later ones
    "episode aired". With ``previous`` (the snapshot before this fetch), a release that was not listed then (or
    at another time) and is already out counts too: a streaming drop listed only after its day began.

    Nothing when ``since`` is None (a show just followed has no backlog to send), and nothing older than
    ``MAX_CATCH_UP`` before ``until``.
    """
    if since is None:
        return []
    oldest = until - MAX_CATCH_UP
    since = max(since, oldest)
    zone = _zone(snapshot.timezone)
    # Not mutated: read only when ``previous`` is given, which replaces it.
    seen: set[tuple[int, int, dt.datetime | None]] = set()  # pragma: no mutate
    if previous is not None:
        before = _zone(previous.timezone)
        seen = {(r.season, r.first, r.moment(before)) for r in releases(previous)}
    events: list[AnnouncementEvent] = []
    premiered: set[int] = set()
    for release in releases(snapshot):
        first_of_season = release.season not in premiered
        premiered.add(release.season)
        moment = release.moment(zone)
        if moment is None or moment > until:
            continue
        in_window = since < moment
        newly_listed = previous is not None and oldest < moment and (release.season, release.first, moment) not in seen
        if in_window or newly_listed:
            events.append(_release_event(snapshot, release, first_of_season))
    return events


def next_due(snapshot: ShowSnapshot, after: dt.datetime) -> dt.datetime | None:
    """The first release moment after ``after``: the poller need not look at this show before then."""
    zone = _zone(snapshot.timezone)
    moments = [m for m in (r.moment(zone) for r in releases(snapshot)) if m is not None and m > after]
    return min(moments, default=None)


def _release_event(snapshot: ShowSnapshot, release: Release, first_of_season: bool) -> AnnouncementEvent:
    season = snapshot.season(release.season)
    order = season.episode_order if season else None
    season_episodes = [e for e in snapshot.known_episodes() if e.season == release.season]
    whole = release.count > 1 and (
        release.count == order if order is not None else release.count == len(season_episodes)
    )
    kind = EventKind.PREMIERE_DAY if first_of_season else EventKind.EPISODE_AIRED
    suffix = "premiere-day" if first_of_season else f"e{release.first}:aired"
    return AnnouncementEvent(
        key=f"tvmaze:{snapshot.tvmaze_id}:s{release.season}:{suffix}",
        kind=kind,
        tvmaze_id=snapshot.tvmaze_id,
        season=release.season,
        date=release.airdate or (release.airstamp and release.airstamp.date()),
        at=release.airstamp,
        first_episode=release.first if release.count else None,
        last_episode=release.last if release.count else None,
        whole_season=whole,
        episode_name=release.name,
    )


def _day_start(episode: EpisodeSnapshot) -> dt.datetime:
    assert episode.airdate is not None  # noqa: S101 - only dated episodes are sorted here
    return dt.datetime.combine(episode.airdate, dt.time(), dt.UTC)


def _zone(name: str | None) -> dt.tzinfo:
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return dt.UTC
