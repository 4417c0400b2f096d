"""Errors the sandbox raises to the test (or playground) driving it."""

from __future__ import annotations


class SandboxUsageError(Exception):
    """The test asked for something Discord's own client would not let a user do (or that does not exist)."""


class InteractionFailedError(Exception):
    """The bot did not acknowledge in time: the user would see "This interaction failed"."""
