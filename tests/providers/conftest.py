"""The provider tests' loopback TVmaze and a client on a fake clock, shared by every module here."""

import pytest

from bot.providers.tvmaze import TvmazeSource
from tests.fakes.tvmaze import FakeClock, FakeTvmaze


@pytest.fixture
async def fake():
    async with FakeTvmaze() as server:
        yield server


@pytest.fixture
def clock():
    # Back-offs and windows pass the moment they are slept on; what was asked for is recorded.
    return FakeClock(autojump=True)


@pytest.fixture
async def source(fake, clock):
    async with TvmazeSource(fake.url, clock=clock) as client:
        yield client
