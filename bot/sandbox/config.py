"""How a sandbox is set up: strictness, Discord's deadlines, and where it listens."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SandboxConfig:
    """``strict`` answers rule breaches with Discord's 400 (without it they are only recorded); ``ack_deadline``
    is the initial-response window (Discord: 3 s), ``followup_ttl`` the interaction token's lifetime (15 min)."""

    strict: bool = True
    ack_deadline: float = 3.0
    followup_ttl: float = 15 * 60
    host: str = "127.0.0.1"
    port: int = 0

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: pass it to ``apply_api_base``."""
        if not self.port:
            raise RuntimeError("the sandbox is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway/"
