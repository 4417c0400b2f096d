"""Interactions end to end: a real discord.py app command tree syncs to the sandbox, the driver plays a user,
and the sandbox enforces Discord's acknowledgement rules."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest
from discord import app_commands

from bot.sandbox import InteractionFailedError, SandboxServer, SandboxUsageError


async def sync_to(bot: discord.Client, tree: app_commands.CommandTree, guild_id: int) -> None:
    guild = discord.Object(guild_id)
    tree.copy_global_to(guild=guild)
    await tree.sync(guild=guild)


def tree_bot(make_bot):
    bot = make_bot()
    return bot, bot.tree


async def test_slash_command_round_trip(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)
    seen: dict[str, object] = {}

    @tree.command(name="echo", description="Say it back")
    @app_commands.describe(text="What to say")
    async def echo(interaction: discord.Interaction, text: str) -> None:
        seen["user"] = interaction.user.id
        seen["channel"] = interaction.channel_id
        seen["permissions"] = interaction.permissions.send_messages
        seen["app_permissions"] = interaction.app_permissions.manage_events
        callback = await interaction.response.send_message(f"you said: {text}")
        seen["message_id"] = callback.message_id

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "echo", text="hello")
        message = await result.wait_done()
        await sandbox.settle()
    assert result.response_type == 4
    assert message is not None
    assert message.content == "you said: hello"
    assert not message.ephemeral
    assert driver.last_message(world.channel) is message
    assert seen == {
        "user": world.alice.id,
        "channel": world.channel.id,
        "permissions": True,
        "app_permissions": True,
        "message_id": message.id,
    }
    payload = driver.payload(message)
    assert payload["type"] == 20
    assert payload["interaction_metadata"]["user"]["id"] == str(world.alice.id)
    assert sandbox.violations == []
    assert sandbox.unhandled == []


async def test_groups_subcommands_and_typed_options(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)
    role = await driver.create_role(world.guild, "Fans", mentionable=True)
    got: dict[str, object] = {}
    drama = app_commands.Group(name="drama", description="Dramas")
    party = app_commands.Group(name="party", description="Parties", parent=drama)

    @party.command(name="plan", description="Plan a party")
    async def plan(
        interaction: discord.Interaction,
        title: str,
        episode: app_commands.Range[int, 1, 16],
        rating: float,
        public: bool,
        host: discord.Member,
        where: discord.TextChannel,
        fans: discord.Role,
    ) -> None:
        got.update(
            title=title, episode=episode, rating=rating, public=public, host=host.id, host_nick=host.display_name,
            where=where.id, fans=fans.name,
        )  # fmt: skip
        await interaction.response.send_message("planned", ephemeral=True)

    tree.add_command(drama)
    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        result = await driver.slash(
            world.alice, world.channel, "drama party plan",
            title="The Trauma Code", episode=8, rating=9.5, public=True, host=world.alice, where=world.channel,
            fans=role,
        )  # fmt: skip
        await result.wait_done()
        with pytest.raises(SandboxUsageError, match="at most 16"):
            await driver.slash(
                world.alice, world.channel, "drama party plan",
                title="x", episode=17, rating=1.0, public=False, host=world.bob, where=world.channel, fans=role,
            )  # fmt: skip
        with pytest.raises(SandboxUsageError, match="required"):
            await driver.slash(world.alice, world.channel, "drama party plan", title="x")
        with pytest.raises(SandboxUsageError, match="needs one of"):
            await driver.slash(world.alice, world.channel, "drama")
    assert got == {
        "title": "The Trauma Code",
        "episode": 8,
        "rating": 9.5,
        "public": True,
        "host": world.alice.id,
        "host_nick": "Alice",
        "where": world.channel.id,
        "fans": "Fans",
    }
    assert result.ephemeral


async def test_command_ids_stay_stable_across_syncs(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)

    @tree.command(name="about", description="About")
    async def about(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("about")

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        first = {c["name"]: (c["id"], c["version"]) for c in driver.commands(world.guild)}

        @tree.command(name="ping", description="Ping", guild=discord.Object(world.guild.id))
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        synced = await tree.sync(guild=discord.Object(world.guild.id))
        second = {c["name"]: (c["id"], c["version"]) for c in driver.commands(world.guild)}
        await tree.sync()
    assert second["about"] == first["about"]
    assert set(second) == {"about", "ping"}
    assert {c.id for c in synced} == {int(i) for i, _ in second.values()}
    assert [c["name"] for c in driver.commands()] == ["about"]


async def test_ephemeral_reply_carries_flag_64(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)

    @tree.command(name="secret", description="Only for you")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("just you", ephemeral=True)

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        result = await driver.slash(world.bob, world.channel, "secret")
        message = await result.wait_done()
    assert message is not None
    assert message.flags & 64
    assert driver.payload(message)["flags"] & 64
    assert message.visible_to == world.bob.id
    assert driver.messages(world.channel, visible_to=world.alice) == []
    assert "(only you can see this)" in result.text()


async def test_deferred_response_is_done_after_edit_and_followups_count(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)
    release = asyncio.Event()

    @tree.command(name="slow", description="Takes a while")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await release.wait()
        await interaction.edit_original_response(content="finally")
        await interaction.followup.send("and one more", ephemeral=True)

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "slow")
        assert await result.wait_ack() == 5
        assert result.original is not None
        assert result.original.loading
        assert not result.done
        release.set()
        message = await result.wait_done()
        followups = await result.wait_followups(1)
    assert message is not None
    assert message.content == "finally"
    assert not message.loading
    assert len(message.history) == 1
    assert [f.content for f in followups] == ["and one more"]
    assert followups[0].ephemeral


async def test_first_followup_after_thinking_becomes_the_original(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)

    @tree.command(name="think", description="Thinks")
    async def think(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("answer")

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "think")
        message = await result.wait_done()
    assert message is not None
    assert message.content == "answer"
    assert message.ephemeral
    assert result.followups == []


async def test_late_callback_is_rejected_and_recorded(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    sandbox.ack_deadline = 0.2
    bot, tree = tree_bot(make_bot)
    errors: list[Exception] = []

    @tree.command(name="sleepy", description="Too slow")
    async def sleepy(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.4)
        try:
            await interaction.response.send_message("too late")
        except discord.NotFound as exc:
            errors.append(exc)

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "sleepy")
        with pytest.raises(InteractionFailedError):
            await result.wait_ack(timeout=2)
        violation = await sandbox.wait_violation("late_ack")
        await sandbox.settle()
    assert violation.interaction_id == result.id
    assert [getattr(e, "code", None) for e in errors] == [10062]
    assert driver.messages(world.channel) == []


async def test_second_acknowledgement_is_rejected_with_40060(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)

    @tree.command(name="once", description="Answers once")
    async def once(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "once")
        await result.wait_done()
    # discord.py itself refuses a second response, so send the second one as a raw client would.
    url = f"{sandbox.url}/api/v10/interactions/{result.id}/{result.interaction.token}/callback"
    second = {"type": 4, "data": {"content": "second"}}
    async with aiohttp.ClientSession() as session, session.post(url, json=second) as response:
        body = await response.json()
        status = response.status
    assert status == 400
    assert body == {"message": "Interaction has already been acknowledged.", "code": 40060}
    assert [v.kind for v in sandbox.violations] == ["double_ack"]
    assert [m.content for m in driver.messages(world.channel)] == ["first"]


async def test_overlong_content_is_a_recorded_violation_with_400(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)
    errors: list[discord.HTTPException] = []

    @tree.command(name="long", description="Too long")
    async def long(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("x" * 2001)
        except discord.HTTPException as exc:
            errors.append(exc)
            await interaction.response.send_message("sorry, that was too long")

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "long")
        message = await result.wait_done()
    assert message is not None
    assert message.content == "sorry, that was too long"
    assert [(e.status, e.code) for e in errors] == [(400, 50035)]
    assert "data.content" in errors[0].text
    [violation] = sandbox.violations
    assert violation.kind == "invalid_form_body"
    assert violation.errors["data"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"


async def test_embed_and_component_limits(sandbox: SandboxServer):
    # Checked by hand against the REST route so that discord.py's own client-side checks do not interfere.
    driver = sandbox.driver
    guild = await driver.create_guild("Limits")
    channel = await driver.create_text_channel(guild, "general")
    headers = {"Authorization": f"Bot {sandbox.token}"}
    url = f"{sandbox.url}/api/v10/channels/{channel.id}/messages"
    too_much = {
        "embeds": [
            {"title": "t" * 257, "description": "d" * 4000, "fields": [{"name": "n", "value": "v" * 1025}]},
            {"description": "d" * 2000, "footer": {"text": "f" * 2049}},
        ],
        "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "b", "custom_id": "c" * 101}]}] * 6,
    }
    async with aiohttp.ClientSession() as session, session.post(url, json=too_much, headers=headers) as response:
        body = await response.json()
    assert response.status == 400
    assert body["code"] == 50035
    errors = body["errors"]
    assert errors["embeds"]["0"]["title"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert "value" in errors["embeds"]["0"]["fields"]["0"]
    assert "text" in errors["embeds"]["1"]["footer"]
    assert any(e["code"] == "MAX_EMBED_SIZE_EXCEEDED" for e in errors["embeds"]["_errors"])
    assert "custom_id" in errors["components"]["0"]["components"]["0"]
    assert errors["components"]["_errors"][0]["message"] == "Must be 5 or fewer in length."
    assert driver.messages(channel) == []


async def test_allowed_mentions_decide_pings(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)
    role = await driver.create_role(world.guild, "Fans", mentionable=True)

    @tree.command(name="quiet", description="Mentions nobody")
    async def quiet(interaction: discord.Interaction) -> None:
        text = f"@everyone <@{world.bob.id}> <@&{role.id}>"
        await interaction.response.send_message(text, allowed_mentions=discord.AllowedMentions.none())

    @tree.command(name="loud", description="Mentions everyone")
    async def loud(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("@everyone the finale is on")

    @tree.command(name="bob", description="Mentions bob only")
    async def only_bob(interaction: discord.Interaction) -> None:
        text = f"@here <@!{world.bob.id}> and <@{world.alice.id}>"
        bob = discord.Object(world.bob.id)
        await interaction.response.send_message(text, allowed_mentions=discord.AllowedMentions(users=[bob]))

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        quiet_message = await (await driver.slash(world.alice, world.channel, "quiet")).wait_done()
        assert sandbox.pings == []
        loud_message = await (await driver.slash(world.alice, world.channel, "loud")).wait_done()
        bob_message = await (await driver.slash(world.alice, world.channel, "bob")).wait_done()
    assert quiet_message is not None
    assert loud_message is not None
    assert bob_message is not None
    assert [(p.message_id, p.everyone, p.user_ids, p.role_ids) for p in sandbox.pings] == [
        (loud_message.id, True, [], []),
        (bob_message.id, False, [world.bob.id], []),
    ]
    assert driver.payload(loud_message)["mention_everyone"] is True


async def test_unknown_route_is_recorded(world, make_bot, running):
    sandbox = world.sandbox
    bot = make_bot()
    async with running(bot, sandbox):
        guild = bot.get_guild(world.guild.id)
        assert guild is not None
        with pytest.raises(discord.NotFound) as caught:
            await guild.fetch_emojis()
    assert caught.value.text == "404: Not Found"
    assert [(u.method, u.path) for u in sandbox.unhandled] == [("GET", f"/api/v10/guilds/{world.guild.id}/emojis")]


async def test_requests_without_the_bot_token_get_401(sandbox: SandboxServer):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sandbox.url}/api/v10/users/@me", headers={"Authorization": "Bot nope"}) as r:
            assert r.status == 401
            assert (await r.json())["code"] == 0
        headers = {"Authorization": f"Bot {sandbox.token}"}
        async with session.get(f"{sandbox.url}/api/v10/users/@me", headers=headers) as r:
            assert r.status == 200
            assert (await r.json())["id"] == str(sandbox.bot.id)


async def test_followups_stop_when_the_token_expires(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)
    release = asyncio.Event()
    errors: list[discord.HTTPException] = []

    @tree.command(name="later", description="Answers much later")
    async def later(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("working on it")
        await release.wait()
        try:
            await interaction.followup.send("done")
        except discord.HTTPException as exc:
            errors.append(exc)

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "later")
        await result.wait_done()
        # Age the interaction past the token lifetime instead of waiting 15 minutes.
        result.interaction.created -= sandbox.followup_ttl + 1
        release.set()
        await sandbox.wait_violation("expired_token")
        await sandbox.settle()
    assert [(e.status, e.code) for e in errors] == [(401, 50027)]
    assert result.followups == []


async def test_lenient_mode_records_but_accepts(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    sandbox.strict = False
    bot, tree = tree_bot(make_bot)

    @tree.command(name="long", description="Too long")
    async def long(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("y" * 2500)

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        message = await (await driver.slash(world.alice, world.channel, "long")).wait_done()
    assert message is not None
    assert len(message.content) == 2500
    assert [v.kind for v in sandbox.violations] == ["invalid_form_body"]


async def test_user_select_and_deferred_update(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)
    picked: list[str] = []

    class PickView(discord.ui.View):
        @discord.ui.select(cls=discord.ui.UserSelect, custom_id="pick:user", placeholder="Who?")
        async def who(self, interaction: discord.Interaction, select: discord.ui.UserSelect) -> None:
            picked.extend(u.display_name for u in select.values)
            await interaction.response.defer()
            await interaction.edit_original_response(content=f"picked {picked[0]}", view=None)

    @tree.command(name="pick", description="Pick someone")
    async def pick(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pick one", view=PickView())

    async with running(bot, sandbox):
        await sync_to(bot, tree, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "pick")
        message = await result.wait_done()
        assert message is not None
        chosen = await driver.select(world.alice, message, [world.bob])
        assert await chosen.wait_ack() == 6
        await chosen.wait_done()
    assert picked == ["bob"]
    assert message.content == "picked bob"
    assert message.components == []


async def test_message_content_intent_hides_content(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot(message_content=False)
    seen: list[str] = []
    got = asyncio.Event()

    @bot.listen()
    async def on_message(message: discord.Message) -> None:
        seen.append(message.content)
        if len(seen) == 2:
            got.set()

    async with running(bot, sandbox):
        await driver.send_message(world.alice, world.channel, "secret plans")
        await driver.send_message(world.alice, world.channel, f"<@{sandbox.bot.id}> hello")
        await asyncio.wait_for(got.wait(), 5)
    assert seen == ["", f"<@{sandbox.bot.id}> hello"]


async def test_gateway_bot_route(sandbox: SandboxServer):
    headers = {"Authorization": f"Bot {sandbox.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{sandbox.url}/api/v10/gateway/bot", headers=headers) as r,
    ):
        body = await r.json()
    assert body["url"].startswith("ws://127.0.0.1:")
    assert body["shards"] == 1


async def test_slash_command_in_a_dm(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot, tree = tree_bot(make_bot)
    where: list[object] = []

    @tree.command(name="hello", description="Say hello")
    async def hello(interaction: discord.Interaction) -> None:
        where.append((interaction.guild_id, type(interaction.channel).__name__, interaction.user.name))
        await interaction.response.send_message("hi there")

    @tree.command(name="guildonly", description="Only in servers")
    @app_commands.guild_only()
    async def guild_only(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("server")

    async with running(bot, sandbox):
        await tree.sync()
        dm = driver.dm_channel(world.alice)
        result = await driver.slash(world.alice, dm, "hello")
        message = await result.wait_done()
        with pytest.raises(SandboxUsageError, match="not available in DMs"):
            await driver.slash(world.alice, dm, "guildonly")
    assert where == [(None, "DMChannel", "alice")]
    assert message is not None
    assert driver.dms(world.alice) == [message]
