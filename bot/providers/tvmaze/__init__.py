"""TVmaze as a ShowProvider: the client (``client``), its rate limit (``limit``), reading answers (``decode``) and
mapping TVmaze's JSON to the bot's models (``mapping``)."""

from bot.providers.tvmaze.client import SHOW_EMBEDS, USER_AGENT, TvmazeSource, TvmazeUnavailable
from bot.providers.tvmaze.limit import MonotonicClock, RateLimitWaitError, SlidingWindowLimiter, SourceClock
from bot.providers.tvmaze.mapping import TvmazeError, episode_from_tvmaze, show_from_tvmaze

__all__ = [
    "SHOW_EMBEDS",
    "USER_AGENT",
    "MonotonicClock",
    "RateLimitWaitError",
    "SlidingWindowLimiter",
    "SourceClock",
    "TvmazeError",
    "TvmazeSource",
    "TvmazeUnavailable",
    "episode_from_tvmaze",
    "show_from_tvmaze",
]
