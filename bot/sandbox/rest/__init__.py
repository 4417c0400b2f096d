"""The sandbox's REST API under ``/api/v10``: the routes discord.py calls, answered with Discord's JSON shapes,
one module per resource (messages, interactions, commands, guilds, users).

Payload rules come from ``bot.sandbox.rules`` and Discord's OpenAPI description; every breach is recorded, and
in strict mode answered the way Discord answers it (400 with code 50035 and the nested ``errors`` tree).
"""

from __future__ import annotations

from aiohttp import web

from bot.sandbox.rest.base import API, ApiError, Context, Upload
from bot.sandbox.rest.commands import Commands
from bot.sandbox.rest.guilds import Guilds
from bot.sandbox.rest.interactions import Interactions
from bot.sandbox.rest.messages import Messages
from bot.sandbox.rest.users import Users

__all__ = ["API", "ApiError", "Context", "RestApi", "Upload"]


class RestApi:
    """Every resource, and the message store the driver posts users' messages through."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.messages = Messages(context)
        self.resources = [
            self.messages,
            Interactions(context, self.messages),
            Commands(context),
            Guilds(context),
            Users(context),
        ]

    def add_routes(self, router: web.UrlDispatcher) -> None:
        for resource in self.resources:
            for method, path, handler in resource.routes():
                router.add_route(method, API + path, handler)
        router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self.messages.get_attachment)
