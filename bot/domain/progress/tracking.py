"""Progress transitions of one member in one show: set, next, catch up with a party, rewatch.

Each transition takes the member's current ``Standing`` (progress and watchlist status) and returns a
``ProgressUpdate``; stores persist it. A position means "everything up to here is watched", so ``set`` marks every
earlier episode at once. Progress is per member and shared across servers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.errors import AlreadyFinishedError, NothingToRewatchError
from bot.domain.markup import inert
from bot.domain.models import Show
from bot.domain.progress.positions import Position, check_position, first_position, following, is_last
from bot.domain.progress.watchlist import WatchStatus, status_after_progress


@dataclass(frozen=True, slots=True)
class Progress:
    """A member's place in a show.

    ``position``: the last regular episode watched in the current pass (None: the pass has not started).
    ``seen_through``: the furthest any pass reached; what the member has seen, for hiding spoilers.
    ``pass_number``: 1 for the first watch, 2 for the first rewatch, ...
    ``completed_at``: when the current pass reached the last episode (None: not yet).
    """

    user_id: int
    show_id: int
    position: Position | None
    seen_through: Position | None
    pass_number: int
    pass_started_at: dt.datetime
    updated_at: dt.datetime
    completed_at: dt.datetime | None = None

    @property
    def rewatching(self) -> bool:
        return self.pass_number > 1


@dataclass(frozen=True, slots=True)
class WatchPass:
    """One time through a show. ``ended_at`` is None for the current pass."""

    number: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    reached: Position | None
    completed_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Standing:
    """What is stored about a member and a show before a transition (either part may be missing)."""

    user_id: int
    show_id: int
    progress: Progress | None = None
    status: WatchStatus | None = None

    @property
    def position(self) -> Position | None:
        return self.progress.position if self.progress else None


@dataclass(frozen=True, slots=True)
class ProgressUpdate:
    """The result of a transition: the new progress and status, and what changed, for the reply."""

    before: Standing
    progress: Progress
    status: WatchStatus | None
    completed_now: bool = False
    closed_pass: WatchPass | None = None

    @property
    def status_changed(self) -> bool:
        return self.status is not self.before.status

    @property
    def crossed_season(self) -> bool:
        old, new = self.before.position, self.progress.position
        return old is not None and new is not None and new.season != old.season

    @property
    def after(self) -> Standing:
        return Standing(self.before.user_id, self.before.show_id, self.progress, self.status)


def set_episode(standing: Standing, show: Show, season: int, episode: int, now: dt.datetime) -> ProgressUpdate:
    """Record that the member has watched up to ``season``/``episode`` (checked against the show's counts).

    Setting an earlier episode is a correction and is allowed; a completed show stays completed (see
    ``status_after_progress``). Season 0 is refused here: specials are marked, never set.
    """
    return _move_to(standing, show, check_position(show, season, episode), now)


def next_episode(standing: Standing, show: Show, now: dt.datetime) -> ProgressUpdate:
    """One episode on, crossing into the next season; AlreadyFinishedError after the last episode."""
    current = standing.position
    if current is None:
        return _move_to(standing, show, first_position(show), now)
    target = following(show, current)
    if target is None:
        raise AlreadyFinishedError(
            f"You've reached the last episode of {inert(show.title, 200)} ({current.label()}). "
            "`/progress rewatch` starts it again."
        )
    return _move_to(standing, show, target, now)


def catch_up(standing: Standing, show: Show, target: Position, now: dt.datetime) -> ProgressUpdate | None:
    """Move the member to ``target`` (a party's episode) unless they are already there or past it."""
    current = standing.position
    if current is not None and current >= target:
        return None
    return _move_to(standing, show, target, now)


def rewatch(standing: Standing, show: Show, now: dt.datetime) -> ProgressUpdate:
    """Start a new pass from the beginning; the finished pass goes into the history. Status becomes watching."""
    previous = standing.progress
    if previous is None or previous.position is None:
        if previous is not None and previous.rewatching:
            raise NothingToRewatchError(
                f"Rewatch {previous.pass_number - 1} of {inert(show.title, 200)} has already started: "
                "`/progress next` marks its first episode."
            )
        raise NothingToRewatchError(
            f"You haven't started {inert(show.title, 200)} yet, so there is nothing to rewatch."
        )
    closed = WatchPass(
        number=previous.pass_number,
        started_at=previous.pass_started_at,
        ended_at=now,
        reached=previous.position,
        completed_at=previous.completed_at,
    )
    progress = Progress(
        user_id=standing.user_id,
        show_id=standing.show_id,
        position=None,
        seen_through=previous.seen_through,
        pass_number=previous.pass_number + 1,
        pass_started_at=now,
        updated_at=now,
    )
    return ProgressUpdate(standing, progress, WatchStatus.WATCHING, closed_pass=closed)


def _move_to(standing: Standing, show: Show, target: Position, now: dt.datetime) -> ProgressUpdate:
    previous = standing.progress
    finished = is_last(show, target)
    already_completed = previous is not None and previous.completed_at is not None
    seen = target if previous is None or previous.seen_through is None else max(target, previous.seen_through)
    progress = Progress(
        user_id=standing.user_id,
        show_id=standing.show_id,
        position=target,
        seen_through=seen,
        pass_number=previous.pass_number if previous else 1,
        pass_started_at=previous.pass_started_at if previous else now,
        updated_at=now,
        completed_at=previous.completed_at if previous and previous.completed_at else (now if finished else None),
    )
    status = status_after_progress(standing.status, finished)
    return ProgressUpdate(standing, progress, status, completed_now=finished and not already_completed)
