"""Point discord.py's REST and gateway at another base URL (the sandbox, or a proxy in front of Discord)."""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl

DISCORD_REST_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"


def rest_base_for(api_base: str) -> str:
    """The REST root for a base such as ``http://127.0.0.1:8080`` (``/api/v10`` is appended when missing)."""
    base = api_base.rstrip("/")
    return base if base.endswith("/api/v10") else base + "/api/v10"


def gateway_for(api_base: str) -> str:
    """The gateway URL the sandbox (or a proxy) serves next to its REST root."""
    url = yarl.URL(api_base.rstrip("/"))
    scheme = "wss" if url.scheme == "https" else "ws"
    return str(url.with_scheme(scheme).with_path("/gateway/"))


def apply_api_base(api_base: str | None) -> None:
    """Set the REST and gateway roots discord.py uses for this process; ``None`` restores Discord's own.

    discord.py keeps both as class attributes, so this is process-wide: call it before the client logs in.
    """
    if api_base:
        discord.http.Route.BASE = rest_base_for(api_base)
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_for(api_base))
    else:
        discord.http.Route.BASE = DISCORD_REST_BASE
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(DISCORD_GATEWAY)
