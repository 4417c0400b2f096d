"""Discord's rate limits as the sandbox answers them: per-route buckets keyed by the route's major parameter
(channel, guild, webhook), one global limit per bot, the ``X-RateLimit-*`` headers on every bucketed answer, and a
429 with ``retry_after`` when a bucket or the global limit is pushed past what it holds.

Off by default (``RateLimits.enabled``): the headers are always sent, with limits no test reaches, so only a test
that turns them on meets a 429. A client that sends again into a bucket before the ``retry_after`` it was given
is recorded as a violation: Discord counts such requests against a bot and bans one that keeps it up.
Interaction callbacks and followups are not limited, as on Discord (they are excluded from the global limit and
answered by the interaction's own token).
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.sandbox.protocol import JSON

# Discord's documented figure is 50 requests per second for a bot; per route it publishes none, answering each
# bucket's in its headers. Sending messages is 5 per 5 seconds per channel (long observed, what discord.py is
# built around); other routes get a bucket no single route fills before the global limit does.
GLOBAL_PER_SECOND = 50
ROUTE_LIMIT = 5
ROUTE_PERIOD = 5.0
MESSAGE_ROUTE = "POST /api/v10/channels/{channel_id}/messages"
OTHER_LIMIT = 50
OTHER_PERIOD = 1.0
UNLIMITED = 10_000
# Discord's answers pass its Google front end; a 429 without it is Cloudflare's ban page (discord.py tells them
# apart by this header and gives up on the latter).
VIA = "1.1 google"
_MAJOR = re.compile(r"\{(channel_id|guild_id|webhook_id)\}")
_EXEMPT = ("/interactions/", "/webhooks/")


@dataclass(frozen=True, slots=True)
class Decision:
    """What a request gets: its headers, and when refused the 429 body to answer with."""

    headers: dict[str, str]
    refused: JSON | None = None
    ignored_retry_after: bool = False


@dataclass(slots=True)
class _Bucket:
    sent: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0


@dataclass
class RateLimits:
    """``route_limit`` messages per ``route_period`` seconds per channel (every route's bucket with
    ``all_routes``), and ``global_per_second`` for all routes together, while ``enabled``."""

    enabled: bool = False
    route_limit: int = ROUTE_LIMIT
    route_period: float = ROUTE_PERIOD
    global_per_second: int = GLOBAL_PER_SECOND
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    all_routes: bool = False
    refused: int = 0
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _global: _Bucket = field(default_factory=_Bucket)

    def enable(
        self,
        route_limit: int = ROUTE_LIMIT,
        route_period: float = ROUTE_PERIOD,
        global_per_second: int = GLOBAL_PER_SECOND,
    ) -> None:
        self.enabled = True
        self.route_limit = route_limit
        self.route_period = route_period
        self.global_per_second = global_per_second

    def check(self, method: str, template: str, params: dict[str, str]) -> Decision | None:
        """The decision for one request to ``template`` (the route as registered); None for an exempt route."""
        if any(part in template for part in _EXEMPT):
            return None
        now = self.clock()
        route = f"{method} {template}"
        major = ":".join(params.get(m.group(1), "") for m in _MAJOR.finditer(template))
        bucket_hash = hashlib.sha1(route.encode(), usedforsecurity=False).hexdigest()[:16]
        bucket = self._buckets.setdefault(f"{bucket_hash}:{major}", _Bucket())
        if route == MESSAGE_ROUTE or self.all_routes:
            limit, period = self.route_limit, self.route_period
        else:
            limit, period = OTHER_LIMIT, OTHER_PERIOD
        if not self.enabled:
            limit = UNLIMITED
        # Only a bucket's own 429 is checked: requests to other buckets may have been in flight when a global one went.
        ignored = now < bucket.blocked_until
        _expire(bucket.sent, now - period)
        _expire(self._global.sent, now - 1.0)
        if self.enabled and len(self._global.sent) >= self.global_per_second:
            retry = _ms_up(self._global.sent[0] + 1.0 - now)
            self._global.blocked_until = now + retry
            self.refused += 1
            headers = {
                "Retry-After": str(math.ceil(retry)),
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
                "Via": VIA,
            }
            body = {"message": "You are being rate limited.", "retry_after": retry, "global": True}
            return Decision(headers, body, ignored)
        if len(bucket.sent) >= limit:
            retry = _ms_up(bucket.sent[0] + period - now)
            bucket.blocked_until = now + retry
            self.refused += 1
            headers = self._headers(bucket_hash, limit, 0, retry)
            headers.update({"Retry-After": str(math.ceil(retry)), "X-RateLimit-Scope": "user", "Via": VIA})
            body = {"message": "You are being rate limited.", "retry_after": retry, "global": False}
            return Decision(headers, body, ignored)
        bucket.sent.append(now)
        self._global.sent.append(now)
        reset_after = round(bucket.sent[0] + period - now, 3)
        return Decision(self._headers(bucket_hash, limit, limit - len(bucket.sent), reset_after), None, ignored)

    def _headers(self, bucket_hash: str, limit: int, remaining: int, reset_after: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(remaining, 0)),
            "X-RateLimit-Reset": f"{self.wall() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash,
        }


def _expire(sent: deque[float], before: float) -> None:
    while sent and sent[0] <= before:
        sent.popleft()


def _ms_up(seconds: float) -> float:
    # Rounded up: a client that waits exactly what it was told must not arrive early.
    return max(math.ceil(seconds * 1000) / 1000, 0.001)
