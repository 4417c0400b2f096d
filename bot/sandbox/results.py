"""``InteractionResult``: one interaction a user started, and the bot's answers to it as they arrive.

Its ``wait_*`` methods wait on the sandbox's change signal, never on fixed sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.sandbox.config import SandboxConfig
from bot.sandbox.errors import InteractionFailedError, SandboxUsageError
from bot.sandbox.protocol import JSON, CallbackType
from bot.sandbox.records import Records
from bot.sandbox.state import Interaction, Message, World

# How long after the ack deadline a result keeps waiting for the server's verdict on a callback in flight.
ACK_GRACE = 0.25

# Renders one message as text: (message, reveal_spoilers) -> str.
Renderer = Callable[[Message, bool], str]


class InteractionResult:
    """One interaction a user started, and the bot's answers to it as they arrive."""

    def __init__(
        self, interaction: Interaction, *, world: World, records: Records, config: SandboxConfig, render: Renderer
    ) -> None:
        self.interaction = interaction
        self.world = world
        self.records = records
        self.config = config
        self._render = render

    def __repr__(self) -> str:
        return f"<InteractionResult id={self.id} type={self.interaction.type} response_type={self.response_type}>"

    @property
    def id(self) -> int:
        return self.interaction.id

    @property
    def response_type(self) -> CallbackType | None:
        """The callback type the bot answered with (4 message, 5 thinking, 6 deferred update, 7 update,
        8 autocomplete, 9 modal), or None."""
        return self.interaction.response_type

    @property
    def acknowledged(self) -> bool:
        return self.interaction.acknowledged

    @property
    def done(self) -> bool:
        return self.interaction.finalised

    @property
    def original(self) -> Message | None:
        """The message @original points at now (for a component acknowledged by 6/7: the clicked message)."""
        return self.world.messages.get(self.interaction.original_id or 0)

    @property
    def followups(self) -> list[Message]:
        world = self.world
        return [world.messages[m] for m in self.interaction.followup_ids]

    @property
    def messages(self) -> list[Message]:
        """Original response then followups, without deleted ones."""
        return [m for m in (self.original, *self.followups) if m is not None and not m.deleted]

    @property
    def ephemeral(self) -> bool:
        original = self.original
        return original is not None and original.ephemeral

    @property
    def modal(self) -> JSON | None:
        return self.interaction.modal

    @property
    def choices(self) -> list[JSON] | None:
        return self.interaction.choices

    @property
    def content(self) -> str:
        original = self.original
        return original.content if original else ""

    @property
    def embeds(self) -> list[JSON]:
        original = self.original
        return original.embeds if original else []

    def text(self, *, reveal_spoilers: bool = False) -> str:
        """Every message of this result rendered as plain text."""
        return "\n\n".join(self._render(m, reveal_spoilers) for m in self.messages)

    async def wait_ack(self, timeout: float | None = None) -> CallbackType:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """The callback type, once the bot acknowledged. Raises ``InteractionFailedError`` when the deadline passes
        (or the server rejected a late callback) without one."""
        interaction = self.interaction
        loop = asyncio.get_running_loop()
        if timeout is None:
            timeout = max(interaction.created + self.config.ack_deadline - loop.time(), 0) + ACK_GRACE

        def verdict() -> CallbackType | str | None:
            if interaction.response_type is not None:
                return interaction.response_type
            return "rejected" if "late" in interaction.rejected else None

        try:
            outcome = await self.records.changes.wait_for(verdict, timeout)
        except TimeoutError:
            outcome = "timeout"
        if isinstance(outcome, CallbackType):
            return outcome
        raise InteractionFailedError(
            f"the bot did not acknowledge interaction {interaction.id} within {self.config.ack_deadline}s ({outcome})"
        )

    async def wait_done(self, timeout: float = 5.0) -> Message | None:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """Wait until the response is final (a deferred one: until @original is edited or a followup is sent)
        and return the original response message, if there is one."""
        await self.wait_ack()
        try:
            await self.records.changes.wait_for(lambda: self.interaction.finalised, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"interaction {self.id} was acknowledged with type {self.response_type} but never completed"
            ) from None
        return self.original

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[Message]:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        await self.wait_ack()
        await self.records.changes.wait_for(lambda: len(self.interaction.followup_ids) >= count, timeout)
        return self.followups

    async def wait_edits(self, count: int = 1, timeout: float = 5.0) -> Message:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        """Wait until @original has been edited ``count`` times after the initial response."""
        await self.wait_ack()
        await self.records.changes.wait_for(lambda: self.interaction.original_edits >= count, timeout)
        original = self.original
        if original is None:
            raise SandboxUsageError("this interaction has no original response")
        return original

    async def wait_modal(self, timeout: float | None = None) -> JSON:  # noqa: ASYNC109 - waits for the sandbox take an explicit timeout
        kind = await self.wait_ack(timeout)
        if kind != CallbackType.MODAL or self.modal is None:
            raise SandboxUsageError(f"the bot answered with callback type {kind}, not a modal")
        return self.modal
