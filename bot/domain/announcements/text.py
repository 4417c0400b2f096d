"""The sentence an announcement posts: times as Discord timestamps, a day-only release as that day."""

from __future__ import annotations

import datetime as dt

from bot.domain.announcements.events import AnnouncementEvent, EventKind
from bot.domain.markup import inert


def when(at: dt.datetime | None, date: dt.date | None) -> str | None:
    """``<t:..:F> (<t:..:R>)`` for an instant, which each reader's client shows in their zone; else the bare day."""
    if at is not None:
        stamp = int(at.timestamp())
        return f"<t:{stamp}:F> (<t:{stamp}:R>)"
    if date is not None:
        return f"{date.day} {date:%B %Y}"
    return None


def describe(event: AnnouncementEvent, title: str) -> str:
    """One line of news about the show called ``title`` (made inert: a title cannot format or ping)."""
    name = f"**{inert(title, 200)}**"
    season = f"season {event.season}" if event.season else "a new season"
    moment = when(event.at, event.date)
    if event.kind is EventKind.SEASON_ANNOUNCED:
        text = f"{name} {season} is announced."
        return f"{text} It premieres {_on(event)}{moment}." if moment else text
    if event.kind is EventKind.PREMIERE_DATE:
        text = f"{name} {season} premieres {_on(event)}{moment}."
        before = when(None, event.previous_date)
        return f"{text} (It was listed for {before}.)" if before else text
    if event.kind is EventKind.PREMIERE_DAY:
        return f"{name} {season} premieres today: {_released(event, moment)}."
    if event.kind is EventKind.EPISODE_AIRED:
        return f"{name} {_released(event, moment)}."
    if event.kind is EventKind.RETURNING:
        return f"{name} is running again" + (f" (season {event.season} is listed)." if event.season else ".")
    return f"{name} has ended."


def _on(event: AnnouncementEvent) -> str:
    return "" if event.at is not None else "on "


def _released(event: AnnouncementEvent, moment: str | None) -> str:
    where = f"S{event.season}"
    if event.whole_season:
        what = f"all {event.episode_count} episodes are out"
    elif event.episode_count > 1:
        what = f"episodes {event.first_episode}–{event.last_episode} are out"
    elif event.first_episode is not None:
        label = f" “{inert(event.episode_name, 100)}”" if event.episode_name and event.episode_name != "TBA" else ""
        what = f"{where}E{event.first_episode}{label} airs"
    else:
        what = "it is out"
    if moment is None:
        return what
    return f"{what} {moment}" if event.at is not None else f"{what} ({moment})"
