"""Fixtures shared by the domain tests."""

import time

import pytest


@pytest.fixture
def host_in_seoul(monkeypatch):
    """The process's local zone is Seoul, not UTC: a conversion that forgets to name UTC shows."""
    monkeypatch.setenv("TZ", "Asia/Seoul")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
