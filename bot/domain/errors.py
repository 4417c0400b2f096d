"""Errors a user can cause; the command tree turns each into one clear ephemeral sentence."""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence

from bot.domain.markup import inert


class UserFacingError(Exception):
    """An error whose message is safe and useful to show the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInputError(UserFacingError):
    """An option's value cannot be used (empty, malformed, out of range)."""


class Searched(enum.Enum):
    """Where a title was looked for, so a miss can say so."""

    LOCAL_ONLY = "local only"  # TVmaze lookups are off (offline)
    LOCAL = "local"  # TVmaze is on but was not asked: local titles came close
    LOCAL_AND_TVMAZE = "local and TVmaze"


class UnknownTitleError(UserFacingError):
    """No show matches what the user typed; carries a few close titles to suggest, and says where it looked."""

    def __init__(self, query: str, suggestions: Sequence[str] = (), searched: Searched = Searched.LOCAL) -> None:
        shown = inert(query, 80)
        if searched is Searched.LOCAL_AND_TVMAZE:
            message = f"Neither the local catalogue nor TVmaze has a drama called “{shown}”."
        elif searched is Searched.LOCAL_ONLY:
            message = (
                f"I couldn't find a drama called “{shown}” in the local catalogue"
                " (this bot does not look titles up on TVmaze)."
            )
        else:
            message = f"I couldn't find a drama called “{shown}” in the local catalogue."
        message += _suggestions(suggestions)
        super().__init__(message)
        self.query = query
        self.suggestions = list(suggestions)
        self.searched = searched


class RemoteUnavailableError(UserFacingError):
    """TVmaze could not be asked (down, hanging, failing, refusing); the drama may well exist there."""

    def __init__(
        self, query: str, suggestions: Sequence[str] = (), retry_after: float | None = None, *, queued: bool = False
    ) -> None:
        shown = inert(query, 80)
        if queued:
            message = "Many members are looking titles up on TVmaze right now, so I searched only the local catalogue"
            message += f" for “{shown}” and found nothing. Try again in {_wait_phrase(retry_after or 1)}."
        elif retry_after is not None and retry_after > 1:
            message = f"TVmaze is busy and asked me to wait, so I searched only the local catalogue for “{shown}”"
            message += f" and found nothing. Try again in {_wait_phrase(retry_after)}."
        else:
            message = f"I couldn't reach TVmaze just now, so I searched only the local catalogue for “{shown}"
            message += "” and found nothing. Try again in a minute."
        message += _suggestions(suggestions, fallback="")
        super().__init__(message)
        self.query = query
        self.suggestions = list(suggestions)
        self.retry_after = retry_after
        self.queued = queued


def _wait_phrase(seconds: float) -> str:
    return f"about {math.ceil(seconds)} seconds" if seconds < 90 else "a few minutes"


_SEARCH_HINT = " Try `/drama search` with part of the title, a Hangul title, or an actor's name."


def _suggestions(suggestions: Sequence[str], *, fallback: str = _SEARCH_HINT) -> str:
    """Up to five close titles to offer, else ``fallback``."""
    if suggestions:
        return " Did you mean: " + "; ".join(inert(s, 100) for s in suggestions[:5]) + "?"
    return fallback


class AmbiguousTitleError(UserFacingError):
    """Several shows fit what the user typed about equally well: the user picks, nothing is guessed.

    ``candidates`` are the matching shows, best first, as ``(label, show id)`` with the labels autocomplete shows; the
    command layer turns them into a private pick list, and this sentence heads it.
    """

    def __init__(self, query: str, candidates: Sequence[tuple[str, int]]) -> None:
        super().__init__(f"Several dramas match “{inert(query, 80)}”. Pick the one you mean:")
        self.query = query
        self.candidates = list(candidates)


class EpisodeOutOfRangeError(UserFacingError):
    """An episode or season number the show does not have."""


class MissingPermissionError(UserFacingError):
    """The member lacks a permission the command checks at run time."""


class CannotPostError(UserFacingError):
    """The bot cannot post where it was asked to (missing channel permissions)."""


class ExpiredComponentError(UserFacingError):
    """A button or select refers to something that no longer exists."""


class NotLinkedError(UserFacingError):
    """A show with no TVmaze link cannot be followed or list air dates; says why it was not linked."""

    def __init__(self, title: str, reason: str) -> None:
        super().__init__(
            f"I can't follow “{inert(title, 80)}” yet: {reason} A server manager can link it by its TVmaze id or link."
        )
        self.title = title
        self.reason = reason


class TvmazeLinkTakenError(UserFacingError):
    """A server manager linked a show to a TVmaze record another stored show is already linked to."""

    def __init__(self, tvmaze_id: int, other_title: str) -> None:
        super().__init__(
            f"TVmaze show {tvmaze_id} is already linked to “{inert(other_title, 80)}”. Link that one to another id"
            " first, or pick another TVmaze record."
        )
        self.tvmaze_id = tvmaze_id


class NotFollowingError(UserFacingError):
    """The member asked to stop following a show they do not follow."""

    def __init__(self, title: str) -> None:
        super().__init__(f"You don't follow “{inert(title, 80)}”. `/notify list` shows what you follow.")
        self.title = title


class ReviewNotFoundError(UserFacingError):
    """A review id that does not exist in this server (deleted, mistyped, or from another server)."""

    def __init__(self, review_id: int) -> None:
        super().__init__(f"There is no review #{review_id} in this server.")
        self.review_id = review_id


# -- progress, parties and times (issue 9) ------------------------------------------------------------------------


class AlreadyFinishedError(UserFacingError):
    """There is no episode after this one: the member (or the party) has reached the show's last episode."""


class NothingToRewatchError(UserFacingError):
    """A rewatch asked for a show the member has not started (or a rewatch that has not started yet)."""


class PartyNotFoundError(UserFacingError):
    """No open party by that name in this server (or several, in other channels, and none here)."""


class DuplicatePartyError(UserFacingError):
    """An open party in this channel already has that name."""


class NotInPartyError(UserFacingError):
    """The member is not in the party they tried to act in."""


class InvalidTimeError(InvalidInputError):
    """Text that cannot be read as a time."""


class TimeInPastError(InvalidTimeError):
    """A time that has already passed."""


class UnknownTimezoneError(InvalidInputError):
    """A time zone name that is not in the IANA database; carries close names to suggest."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        message = f"“{inert(name, 60)}” is not a time zone I know."
        message += " Use an IANA name such as Asia/Seoul or Europe/London."
        if suggestions:
            message += " Did you mean: " + ", ".join(suggestions[:5]) + "?"
        super().__init__(message)
        self.name = name
        self.suggestions = list(suggestions)
