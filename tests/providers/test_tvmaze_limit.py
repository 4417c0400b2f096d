"""The rate limiter on a fake clock: windows, places kept for a lookup's later requests, holds after Retry-After."""

import asyncio

import pytest

from bot.providers.base import SourceBusyError, current_errand, errand
from bot.providers.tvmaze import RateLimitWaitError, SlidingWindowLimiter
from tests.fakes.tvmaze import FakeClock, until


async def send(limiter, sent, name):
    async with limiter.slot(current_errand()):
        sent.append(name)


async def test_a_lookup_keeps_a_place_for_its_second_request_ahead_of_others():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(2, 10.0, clock)
    sent = []
    searched = asyncio.Event()

    async def lookup():
        with errand(10.0, requests=2) as work:
            await send(limiter, sent, "lookup search")
            work.sent += 1
            await searched.wait()
            await send(limiter, sent, "lookup details")

    member = asyncio.ensure_future(lookup())
    await until(lambda: sent == ["lookup search"])
    other = asyncio.ensure_future(send(limiter, sent, "other"))
    await until(lambda: limiter.waiting == 1 or other.done())
    searched.set()
    await until(lambda: member.done() or (other.done() and limiter.waiting == 1))
    assert sent == ["lookup search", "lookup details"]
    clock.advance(10.0)
    await asyncio.gather(member, other)
    assert sent[-1] == "other"


async def test_a_kept_place_not_used_is_given_back_when_the_lookup_ends():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(2, 10.0, clock)
    sent = []
    with errand(10.0, requests=2):
        await send(limiter, sent, "search that found nothing")
    await send(limiter, sent, "next member")  # no clock advance needed: the kept place was never sent
    assert sent == ["search that found nothing", "next member"]


async def test_retry_after_holds_everyone_until_the_clock_passes_it():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(20, 10.0, clock)
    limiter.hold_until(clock.now() + 30)
    sent = []
    poll = asyncio.ensure_future(send(limiter, sent, "poller"))
    await until(lambda: clock.sleeping == 1)
    clock.advance(29)
    await until(lambda: clock.sleeping == 1)
    assert sent == []
    clock.advance(1)
    await poll
    assert sent == ["poller"]


async def test_a_member_is_not_kept_waiting_past_a_hold_or_a_long_queue():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(1, 100.0, clock)
    limiter.hold_until(clock.now() + 30)
    with errand(10.0), pytest.raises(RateLimitWaitError) as held:
        await send(limiter, [], "member")
    assert held.value.retry_after == 30
    clock.advance(30)
    await send(limiter, [], "first")
    with errand(10.0, queue_seconds=60.0), pytest.raises(SourceBusyError):
        await send(limiter, [], "second")  # its turn is 100 s away
    assert clock.slept == []


async def test_a_member_behind_a_long_queue_is_told_at_once():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(1, 100.0, clock)
    sent = []
    await send(limiter, sent, "first")
    polling = asyncio.ensure_future(send(limiter, sent, "poller"))  # next in line, 100 s away
    await until(lambda: clock.sleeping == 1)
    with errand(10.0, queue_seconds=60.0), pytest.raises(SourceBusyError) as busy:
        async with asyncio.timeout(5):  # told at once, not after queueing (a broken limiter fails here)
            await send(limiter, sent, "member")
    assert busy.value.retry_after == 100.0
    clock.advance(100.0)
    await polling
    assert sent == ["first", "poller"]
