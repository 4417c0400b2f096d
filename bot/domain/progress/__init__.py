"""Episode progress, watchlist statuses and watch parties: the rules, without Discord or SQL.

Modules: ``positions`` (a place in a show, checked against its counts), ``tracking`` (transitions of one member's
progress), ``watchlist`` (statuses), ``party`` (watch parties), ``display`` (labels, bars, unseen episodes).
"""

from bot.domain.progress.display import has_seen, position_label, progress_bar, progress_line, unseen_episodes
from bot.domain.progress.party import (
    MAX_PARTY_NAME,
    Party,
    PartyAdvance,
    PartyMember,
    PartySession,
    advance_party,
    can_manage_party,
    clean_party_name,
    party_choices,
    party_name_key,
    pick_party,
    require_party_manager,
)
from bot.domain.progress.positions import (
    SPECIALS_SEASON,
    Position,
    check_position,
    check_special,
    episodes_through,
    following,
    is_last,
    last_position,
    total_episodes,
)
from bot.domain.progress.tracking import (
    Progress,
    ProgressUpdate,
    Standing,
    WatchPass,
    catch_up,
    next_episode,
    rewatch,
    set_episode,
)
from bot.domain.progress.watchlist import WatchlistEntry, WatchStatus, status_after_progress

__all__ = [
    "MAX_PARTY_NAME",
    "SPECIALS_SEASON",
    "Party",
    "PartyAdvance",
    "PartyMember",
    "PartySession",
    "Position",
    "Progress",
    "ProgressUpdate",
    "Standing",
    "WatchPass",
    "WatchStatus",
    "WatchlistEntry",
    "advance_party",
    "can_manage_party",
    "catch_up",
    "check_position",
    "check_special",
    "clean_party_name",
    "episodes_through",
    "following",
    "has_seen",
    "is_last",
    "last_position",
    "next_episode",
    "party_choices",
    "party_name_key",
    "pick_party",
    "position_label",
    "progress_bar",
    "progress_line",
    "require_party_manager",
    "rewatch",
    "set_episode",
    "status_after_progress",
    "total_episodes",
    "unseen_episodes",
]
