"""A loopback stand-in for Discord API v10 (REST and gateway) that the real, unmodified discord.py logs in to.

Used by end-to-end tests and the ``try`` playground. It listens on 127.0.0.1 only and never contacts anything
else.

Public API
----------
``SandboxServer(*, strict=True, ack_deadline=3.0, followup_ttl=900.0, heartbeat_interval=41.25,
bot_name="Sandbox Bot", bot_token=None, host="127.0.0.1", port=0, openapi=None)``
    ``await start()`` / ``await stop()`` or ``async with SandboxServer() as sandbox``. ``url``
    (``http://127.0.0.1:PORT``, give it to ``bot.api_base.apply_api_base``), ``token`` (the bot token to log
    in with), ``bot`` (the bot ``User``), ``application_id``, ``driver``, ``gateway``, ``world``.
    ``openapi`` is an ``OpenApiCheck`` or the path of Discord's ``openapi.json`` (default:
    ``../shared/discord-api-spec/openapi.json`` beside the project; when absent, a warning says the check is
    skipped). Records: ``violations`` (``Violation(kind, detail, route, errors, interaction_id)``; kinds include
    ``openapi`` (a body that departs from Discord's OpenAPI description), ``invalid_form_body``, ``empty_message``,
    ``late_ack``, ``double_ack``, ``callback_type``, ``followup_before_ack``, ``expired_token``,
    ``missing_permissions``, ``dm_closed``), ``pings``
    (``Ping(message_id, channel_id, user_ids, role_ids, everyone, here)`` for every bot message that would
    notify someone), ``unhandled`` (``UnhandledRoute(method, path)``), ``requests``.
    ``await wait_violation(kind=None, timeout=5)``, ``await settle(quiet=0.05, timeout=5)``.
    ``strict`` answers rule breaches with Discord's 400 (code 50035 and its ``errors`` tree); without it they
    are only recorded. Late, repeated or misplaced acknowledgements are refused either way, as Discord does.

``server.gateway`` (``Gateway``)
    ``await force_reconnect()`` (op 7), ``await invalidate_sessions(resumable=False)`` (op 9),
    ``await drop_connections(code=4000)``, ``connected``, ``identify_count``, ``resume_count``,
    ``await wait_for(predicate, timeout=5)``. Dispatches are buffered per session and replayed on RESUME.

``server.driver`` (``Driver``), world building (all ``async``)
    ``create_user(name, *, global_name=None, bot=False) -> User``;
    ``create_guild(name, *, owner=None, everyone_permissions=..., bot_permissions=..., add_bot=True) -> Guild``;
    ``create_role(guild, name, permissions=0, *, mentionable=False, color=0) -> Role``;
    ``create_text_channel(guild, name, *, topic=None, category=None) -> Channel``, ``create_voice_channel``,
    ``create_category``; ``add_member(guild, user, *, roles=(), nick=None) -> Member``;
    ``set_roles(guild, user, roles)``; ``set_overwrite(channel, role_or_member, *, allow=0, deny=0)``;
    ``remove_bot(guild)`` (GUILD_DELETE without ``unavailable``, then 403 Missing Access on the guild's routes;
    the bot leaving by ``DELETE /users/@me/guilds/{id}`` does the same), ``add_bot(guild)`` (invited back).
    Set ``user.dms_open = False`` to make the bot's DMs to that user fail (50007).

``Driver``, acting as a user (each returns an ``InteractionResult``)
    ``slash(user, channel, "group sub", /, options=None, **values)``: option values are Python values
    (``User``/``Member``/``Channel``/``Role`` objects or ids for those types); names resolve against the
    commands the bot synced (guild first, then global), ``resolved`` is filled in.
    ``autocomplete(user, channel, "cmd sub", focused, value="", /, options=None, **values) -> list[dict]``
    (the bot's choices), ``autocomplete_result(...)``;
    ``click(user, message_or_result, label=None, *, custom_id=None, catch_up=True)``;
    ``select(user, message_or_result, values, *, custom_id=None, placeholder=None)``;
    ``submit_modal(user, result_that_opened_it, {label_or_custom_id: value})``.
    ``send_message(user, channel, content)`` and ``dm_bot(user, content)`` post as a user (MESSAGE_CREATE).
    Things Discord's client would not allow (missing required option, disabled button, hidden command)
    raise ``SandboxUsageError``. Before a click, select or modal submit the driver waits for a quiet spell of
    ``driver.settle_quiet`` seconds (0.05) so the bot has registered the view it just sent.

``InteractionResult``
    ``await wait_ack(timeout=None) -> CallbackType`` ( raises ``InteractionFailedError`` when the bot misses the
    deadline), ``await wait_done(timeout=5) -> Message | None`` (final: a deferred response once @original is
    edited or a followup sent; a silent deferral that never completes raises ``TimeoutError``),
    ``wait_followups(count=1)``, ``wait_edits(count=1)``, ``wait_modal()``.
    ``response_type``, ``original``, ``followups``, ``messages``, ``ephemeral``, ``content``, ``embeds``,
    ``modal``, ``choices``, ``text(reveal_spoilers=False)``, ``interaction`` (the raw record).
    After a "thinking" defer the first followup becomes the original response, as on Discord.

``Driver``, reading back
    ``messages(channel, *, visible_to=None)``, ``last_message(channel)``, ``wait_message(channel, predicate=None,
    *, after=None, timeout=5)``, ``dms(user)``, ``wait_dm(user, count=1)``, ``scheduled_events(guild)``,
    ``commands(guild=None)``, ``wait_commands(guild=None)``, ``payload(message)``, ``render(message, *,
    reveal_spoilers=False)``, ``buttons(message)``. A ``Message`` has ``content``, ``embeds``, ``components``,
    ``flags``, ``ephemeral``, ``attachments``, ``history`` (earlier ``Revision``s), ``deleted``.

``bot.sandbox.render``
    ``render_message(payload, *, reveal_spoilers=False, names=None) -> str``, ``render_modal(modal)``,
    ``render_text(text, ...)``; spoilers show as ``[spoiler hidden]``.

Example::

    async with SandboxServer(ack_deadline=3.0) as sandbox:
        apply_api_base(sandbox.url)
        guild = await sandbox.driver.create_guild("Watchers")
        channel = await sandbox.driver.create_text_channel(guild, "general")
        alice = await sandbox.driver.create_user("alice")
        await sandbox.driver.add_member(guild, alice)
        ...  # start a discord.py client with sandbox.token, sync its tree
        result = await sandbox.driver.slash(alice, channel, "drama info", title="The Trauma Code")
        reply = await result.wait_done()
        clicked = await sandbox.driver.click(alice, reply, "Reveal")
        await clicked.wait_done()
        assert not sandbox.violations
"""

from bot.sandbox.driver import Driver
from bot.sandbox.errors import InteractionFailedError, SandboxUsageError
from bot.sandbox.gateway import Gateway
from bot.sandbox.openapi import OpenApiCheck
from bot.sandbox.protocol import CallbackType, InteractionType
from bot.sandbox.records import Ping, UnhandledRoute, Violation
from bot.sandbox.results import InteractionResult
from bot.sandbox.server import SandboxServer
from bot.sandbox.state import Channel, Guild, Member, Message, Role, User

__all__ = [
    "CallbackType",
    "Channel",
    "Driver",
    "Gateway",
    "Guild",
    "InteractionFailedError",
    "InteractionResult",
    "InteractionType",
    "Member",
    "Message",
    "OpenApiCheck",
    "Ping",
    "Role",
    "SandboxServer",
    "SandboxUsageError",
    "UnhandledRoute",
    "User",
    "Violation",
]
