"""Users, the application and the gateway's address."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.sandbox.payloads import channel_payload, self_user_payload, user_payload
from bot.sandbox.rest.base import ApiError, Resource, json_response, no_content, snowflake
from bot.sandbox.state import permissions_in


class Users(Resource):
    def routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/@me/guilds", self.get_my_guilds),
            ("DELETE", "/users/@me/guilds/{guild_id}", self.leave_guild),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/users/{user_id}", self.get_user),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
        ]

    async def get_me(self, request: web.Request) -> web.Response:
        return json_response(self_user_payload(self.context.bot))

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.world.users.get(snowflake(request, "user_id"))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(user_payload(user))

    async def get_my_guilds(self, request: web.Request) -> web.Response:
        guilds = [g for g in self.world.guilds.values() if self.bot_id in g.members]
        return json_response(
            [
                {
                    "id": str(g.id),
                    "name": g.name,
                    "icon": None,
                    "banner": None,
                    "owner": g.owner_id == self.bot_id,
                    "permissions": str(permissions_in(g, self.bot_id, None)),
                    "features": [],
                }
                for g in guilds
            ]
        )

    async def leave_guild(self, request: web.Request) -> web.Response:
        guild = self.guild(snowflake(request, "guild_id"))
        if guild.owner_id == self.bot_id:
            raise ApiError(400, 50055, "Invalid Guild")  # an owner deletes a guild, it cannot leave it
        await self.context.gateway.remove_bot(guild)
        return no_content()

    async def create_dm(self, request: web.Request) -> web.Response:
        body, _ = await self.read_body(request)
        recipient = self.world.users.get(int(body.get("recipient_id") or 0))
        if recipient is None:
            raise ApiError(404, 10013, "Unknown User")
        channel = self.world.open_dm(recipient)
        return json_response(channel_payload(channel, self.world.users))

    async def get_application(self, request: web.Request) -> web.Response:
        bot = self.context.bot
        return json_response(
            {
                "id": str(self.world.application_id),
                "name": bot.username,
                "icon": None,
                "description": "A Discord application served by the sandbox.",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "bot": user_payload(bot),
                "owner": user_payload(bot),
                "team": None,
                "verify_key": "0" * 64,
                "flags": self.world.application_flags,
                "tags": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "approximate_guild_count": sum(1 for g in self.world.guilds.values() if bot.id in g.members),
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.context.config.gateway_url.rstrip("/")})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.context.config.gateway_url.rstrip("/"),
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }
        )
