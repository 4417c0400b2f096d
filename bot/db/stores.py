"""Every store the bot uses, built in one place from the one database, so the runner, the playground and the tests
give the bot the same stores (and the same clock)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.db.announcements import AnnouncementStore
from bot.db.database import Database
from bot.db.follows import FollowStore
from bot.db.guilds import GuildConfigStore
from bot.db.member_settings import MemberSettingsStore
from bot.db.parties import PartyStore
from bot.db.party_picks import PartyNamePicks
from bot.db.progress import ProgressStore
from bot.db.reviews import Clock, ReviewStore, utcnow
from bot.db.watchlist import WatchlistStore


class MemberDataStore(Protocol):
    """A store holding something about a member: /privacy exports it and deletes it."""

    async def export_user_data(self, user_id: int) -> Any: ...

    async def delete_user_data(self, user_id: int) -> object: ...


@dataclass(frozen=True, slots=True)
class Stores:
    progress: ProgressStore
    watchlist: WatchlistStore
    settings: MemberSettingsStore
    parties: PartyStore
    party_picks: PartyNamePicks
    reviews: ReviewStore
    guilds: GuildConfigStore
    follows: FollowStore
    announcements: AnnouncementStore

    @classmethod
    def build(cls, db: Database, clock: Clock = utcnow) -> Stores:
        return cls(
            progress=ProgressStore(db, clock),
            watchlist=WatchlistStore(db, clock),
            settings=MemberSettingsStore(db, clock),
            parties=PartyStore(db, clock),
            party_picks=PartyNamePicks(db, clock),
            reviews=ReviewStore(db, clock),
            guilds=GuildConfigStore(db, clock),
            follows=FollowStore(db),
            announcements=AnnouncementStore(db),
        )

    def member_data(self) -> dict[str, MemberDataStore]:
        """Every store that holds member data, by the name its part of a /privacy export carries. Reviews come
        first: deleting them returns the posts to remove."""
        return {
            "reviews": self.reviews,
            "progress": self.progress,
            "watchlist": self.watchlist,
            "settings": self.settings,
            "parties": self.parties,
            "party_name_picks": self.party_picks,
            "follows": self.follows,
            "announcements": self.announcements,
        }

    def guild_data(self) -> list[Any]:
        """Every store with per-server data, for the purge 30 days after the bot left a server."""
        return [self.reviews, self.parties, self.party_picks, self.follows, self.announcements]
