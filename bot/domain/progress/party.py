"""Watch parties: names, who may run one, finding one by name, and what ``next`` does to members' progress.

A party belongs to one channel of one server. Its ``position`` is the last episode watched together (None before
the first). Members check in for a session (one evening, one episode); ``next`` moves the party one episode on and
moves the progress of the members who checked in for that session, unless they are already past it. Nobody
else's progress moves, and a member joining late moves neither the party nor themselves.

Names: 1 to 100 characters once invisible characters are dropped and spaces collapsed (100 is what Discord shows
in an autocomplete choice, so every open party can be offered by its full name). Unique among a channel's open
parties, compared case-insensitively after NFKC folding; an ended party's name is free again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.errors import AlreadyFinishedError, InvalidInputError, MissingPermissionError, PartyNotFoundError
from bot.domain.markup import inert, strip_invisible
from bot.domain.models import Show
from bot.domain.progress.positions import Position, following
from bot.domain.progress.tracking import ProgressUpdate, Standing, catch_up

MAX_PARTY_NAME = 100
AUTOCOMPLETE_LIMIT = 25


@dataclass(frozen=True, slots=True)
class Party:
    id: int
    guild_id: int
    channel_id: int
    show_id: int
    name: str
    host_id: int
    position: Position | None
    created_at: dt.datetime
    ended_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class PartyMember:
    user_id: int
    joined_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PartySession:
    """One evening of a party: the episode it is for, when it starts, its Discord event, its reminder."""

    id: int
    party_id: int
    guild_id: int
    channel_id: int
    episode: Position | None  # the episode watched, set when the party moved on (None while the session is open)
    starts_at: dt.datetime | None
    event_id: int | None
    reminder_sent_at: dt.datetime | None
    created_at: dt.datetime
    closed_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PartyAdvance:
    """What ``/party next`` did: the party's new episode, whose progress moved, who was already past it."""

    party: Party
    episode: Position
    moved: tuple[ProgressUpdate, ...]
    already_past: tuple[int, ...]
    checked_in: tuple[int, ...]


def clean_party_name(raw: str) -> str:
    """The name as stored: invisible characters dropped, whitespace collapsed, 1..100 characters."""
    name = " ".join(strip_invisible(raw).split())
    if not name:
        raise InvalidInputError("A party name needs at least one visible character.")
    if len(name) > MAX_PARTY_NAME:
        raise InvalidInputError(f"A party name can be at most {MAX_PARTY_NAME} characters; that one has {len(name)}.")
    return name


def party_name_key(name: str) -> str:
    """What two names must share to count as the same name."""
    return unicodedata.normalize("NFKC", " ".join(strip_invisible(name).split())).casefold()


def can_manage_party(party: Party, user_id: int, has_manage_events: bool) -> bool:
    """Advancing, scheduling and ending a party: its host, or a member with Manage Events."""
    return has_manage_events or party.host_id == user_id


def require_party_manager(party: Party, user_id: int, has_manage_events: bool) -> None:
    if not can_manage_party(party, user_id, has_manage_events):
        raise MissingPermissionError(
            f"Only the host of “{inert(party.name, 100)}” or a member with Manage Events can do that."
        )


def pick_party(open_parties: Sequence[Party], channel_id: int, name: str) -> Party:
    """The open party called ``name``: this channel's first, else the only one in the server by that name."""
    key = party_name_key(name)
    matches = [p for p in open_parties if p.is_open and party_name_key(p.name) == key]
    here = [p for p in matches if p.channel_id == channel_id]
    if here:
        return here[0]
    if len(matches) == 1:
        return matches[0]
    shown = inert(name, 100)
    if matches:
        channels = ", ".join(f"<#{p.channel_id}>" for p in matches[:5])
        raise PartyNotFoundError(f"Several open parties are called “{shown}” ({channels}): run this in its channel.")
    suggestions = party_choices(open_parties, name, limit=5) or party_choices(open_parties, "", limit=5)
    message = f"There is no open party called “{shown}” in this server."
    if suggestions:
        message += " Open parties: " + "; ".join(inert(s, 100) for s in suggestions) + "."
    raise PartyNotFoundError(message)


def party_choices(open_parties: Sequence[Party], query: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[str]:
    """Autocomplete: names that start with what was typed first, then names containing it, each once."""
    key = party_name_key(query)
    starts: list[str] = []
    contains: list[str] = []
    seen: set[str] = set()
    for party in sorted(open_parties, key=lambda p: party_name_key(p.name)):
        folded = party_name_key(party.name)
        if not party.is_open or folded in seen:
            continue
        if folded.startswith(key):
            starts.append(party.name)
            seen.add(folded)
        elif key in folded:
            contains.append(party.name)
            seen.add(folded)
    return (starts + contains)[:limit]


def advance_party(party: Party, show: Show, checked_in: Mapping[int, Standing], now: dt.datetime) -> PartyAdvance:
    """The party one episode on, and the progress of each checked-in member caught up to it.

    ``checked_in`` maps each member who checked in for the current session to their standing in the show.
    """
    target = following(show, party.position)
    if target is None:
        raise AlreadyFinishedError(
            f"“{inert(party.name, 100)}” has watched the last episode of {inert(show.title, 200)}."
        )
    moved: list[ProgressUpdate] = []
    past: list[int] = []
    for user_id in sorted(checked_in):
        update = catch_up(checked_in[user_id], show, target, now)
        if update is None:
            past.append(user_id)
        else:
            moved.append(update)
    advanced = dataclasses.replace(party, position=target)
    return PartyAdvance(advanced, target, tuple(moved), tuple(past), tuple(sorted(checked_in)))
