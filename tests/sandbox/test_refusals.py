"""What Discord refuses, the sandbox refuses: URLs that are not web links, bodies that depart from Discord's
OpenAPI description; and what Discord survives, the sandbox survives: a lone surrogate in a payload. Interaction
tokens never reach a DEBUG log."""

from __future__ import annotations

import io
import logging

import aiohttp
import discord
import pytest

from bot.logs import setup_logging
from bot.sandbox import SandboxServer
from bot.sandbox.openapi import DEFAULT_SPEC, OpenApiCheck

# Discord's description is read from ../shared beside the project (never copied here): a fresh clone has none.
needs_spec = pytest.mark.skipif(
    not DEFAULT_SPEC.is_file(), reason=f"Discord's OpenAPI description is not at {DEFAULT_SPEC}: skipped"
)


async def sync_to(bot: discord.Client, guild_id: int) -> None:
    guild = discord.Object(guild_id)
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)


@pytest.mark.parametrize(
    ("embed", "field"),
    [
        (discord.Embed(title="Card", url="javascript:alert(1)"), "url"),
        (discord.Embed(title="Card").set_thumbnail(url="javascript:alert(1)"), "thumbnail"),
        (discord.Embed(title="Card").set_image(url="data:image/png;base64,AAAA"), "image"),
        (discord.Embed(title="Card", url="attachment://poster.png"), "url"),
    ],
)
async def test_an_embed_link_that_is_not_http_is_refused_as_discord_does(world, make_bot, running, embed, field):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    errors: list[discord.HTTPException] = []

    @bot.tree.command(name="card", description="Posts a card")
    async def card(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message(embed=embed)
        except discord.HTTPException as exc:
            errors.append(exc)
            await interaction.response.send_message("refused", ephemeral=True)

    async with running(bot, sandbox):
        await sync_to(bot, world.guild.id)
        await (await driver.slash(world.alice, world.channel, "card")).wait_done()
    assert [(e.status, e.code) for e in errors] == [(400, 50035)]
    assert "Not a well formed URL" in errors[0].text
    [violation] = [v for v in sandbox.violations if v.kind == "invalid_form_body"]
    assert field in violation.errors["data"]["embeds"]["0"]
    assert [m.content for m in driver.messages(world.channel)] == ["refused"], "no card was posted"


async def test_web_links_and_attached_pictures_pass(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    embed = discord.Embed(title="Card", url="https://www.tvmaze.com/shows/1")
    embed.set_thumbnail(url="https://static.tvmaze.com/poster.jpg").set_image(url="attachment://poster.png")

    @bot.tree.command(name="card", description="Posts a card")
    async def card(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(embed=embed)

    async with running(bot, sandbox):
        await sync_to(bot, world.guild.id)
        message = await (await driver.slash(world.alice, world.channel, "card")).wait_done()
    assert message is not None
    assert message.embeds[0]["url"] == "https://www.tvmaze.com/shows/1"
    assert sandbox.violations == []


@needs_spec
async def test_a_body_the_openapi_description_refuses_is_a_violation(world, make_bot, running):
    # The sandbox's own rules say nothing of colours; Discord's description caps them at 0xFFFFFF.
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    errors: list[discord.HTTPException] = []

    @bot.tree.command(name="loud", description="Too much colour")
    async def loud(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message(embed=discord.Embed(title="x", colour=0x1000000))
        except discord.HTTPException as exc:
            errors.append(exc)
            await interaction.response.send_message("refused", ephemeral=True)

    async with running(bot, sandbox):
        await sync_to(bot, world.guild.id)
        await (await driver.slash(world.alice, world.channel, "loud")).wait_done()
    assert [(e.status, e.code) for e in errors] == [(400, 50035)]
    [violation] = sandbox.violations
    assert violation.kind == "openapi"
    assert "create_interaction_response: data.embeds.0.color" in violation.detail
    assert violation.errors["data"]["embeds"]["0"]["color"]["_errors"][0]["code"] == "NUMBER_TYPE_MAX"


@needs_spec
def test_the_description_is_read_from_the_shared_folder_beside_the_project():
    check = OpenApiCheck.load()
    assert check is not None, f"Discord's OpenAPI description should be at {DEFAULT_SPEC}"
    assert check.operation("POST", "/channels/1/messages") == "create_message"
    assert check.operation("PATCH", "/webhooks/1/tok/messages/@original") == "update_original_webhook_message"
    assert check.operation("GET", "/channels/1/messages") is None


@needs_spec
def test_each_mismatch_is_reported_where_it_is():
    check = OpenApiCheck.load()
    assert check is not None
    body = {"type": 4, "data": {"content": 5, "embeds": [{"title": "t", "color": -1}], "tts": "yes"}}
    found = {(m.path, m.code) for m in check.check("POST", "/interactions/1/tok/callback", body)}
    assert found == {
        (("data", "content"), "BASE_TYPE_BAD"),
        (("data", "embeds", 0, "color"), "NUMBER_TYPE_MIN"),
        (("data", "tts"), "BASE_TYPE_BAD"),
    }
    good = {"type": 4, "data": {"content": "hi", "allowed_mentions": {"parse": [], "users": [123]}}}
    assert check.check("POST", "/interactions/1/tok/callback", good) == []


@needs_spec
def test_a_lone_surrogate_is_checked_not_fatal():
    check = OpenApiCheck.load()
    assert check is not None
    body = {"type": 4, "data": {"content": "\ud800" * 2001}}
    [mismatch] = check.check("POST", "/interactions/1/tok/callback", body)
    assert mismatch.path == ("data", "content")


async def test_without_the_description_it_says_plainly_that_it_skipped(tmp_path, caplog):
    missing = tmp_path / "openapi.json"
    with caplog.at_level(logging.WARNING, logger="bot.sandbox.openapi"):
        sandbox = SandboxServer(openapi=missing)
    assert sandbox.openapi is None
    assert f"Discord's OpenAPI description could not be read at {missing} (not found)" in caplog.text
    assert "skipped, request bodies are not checked against it" in caplog.text


async def test_a_lone_surrogate_goes_through_gateway_and_rest(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    seen: list[str] = []

    @bot.tree.command(name="echo", description="Says it back")
    async def echo(interaction: discord.Interaction, text: str) -> None:
        seen.append(text)
        await interaction.response.send_message(f"you said {text}")
        # wait=True: the sandbox answers with the message as JSON over REST.
        again = await interaction.followup.send(f"again {text}", wait=True)
        seen.append(again.content)

    async with running(bot, sandbox):
        await sync_to(bot, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "echo", text="a\ud800b")
        message = await result.wait_done()
        await result.wait_followups(1)
    assert seen == ["a\ud800b", "again a\ud800b"]
    assert message is not None
    assert message.content == "you said a\ud800b"
    assert sandbox.violations == []


async def test_interaction_tokens_stay_out_of_debug_logs(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    stream = io.StringIO()

    @bot.tree.command(name="slow", description="Defers, then follows up")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("done")
        await interaction.edit_original_response(content="done, edited")

    handler = setup_logging("DEBUG", [sandbox.token], stream)
    try:
        async with running(bot, sandbox):
            await sync_to(bot, world.guild.id)
            result = await driver.slash(world.alice, world.channel, "slow")
            await result.wait_done()
            await result.wait_edits(2)
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
    output = stream.getvalue()
    token = result.interaction.token
    assert "INTERACTION_CREATE" in output, "discord.py logged the gateway payload"
    assert f"/interactions/{result.id}/[redacted-token]/callback" in output
    assert token not in output
    assert sandbox.token not in output


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"content": "hi", "embeds": "not a list"}, "embeds"),
        ({"content": "hi", "embeds": [{"title": "x", "fields": {"name": "a"}}]}, "embeds"),
        ({"content": 5}, "content"),
        (["not", "an", "object"], "_errors"),
    ],
)
async def test_a_body_of_the_wrong_shape_is_a_400_not_a_crash(world, body, where):
    sandbox = world.sandbox
    sandbox.strict = False  # refused whatever the mode: nothing else can be read from such a body
    url = f"{sandbox.url}/api/v10/channels/{world.channel.id}/messages"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers={"Authorization": f"Bot {sandbox.token}"}) as response,
    ):
        answer = await response.json()
    assert response.status == 400
    assert answer["code"] == 50035
    assert where in answer["errors"]
    assert sandbox.violations
    assert sandbox.driver.messages(world.channel) == []


async def test_an_unknown_route_is_logged_without_its_token(sandbox, caplog):
    token = "aW50ZXJhY3Rpb24.secret-interaction-token"
    url = f"{sandbox.url}/api/v10/webhooks/{sandbox.application_id}/{token}/nonsense"
    with caplog.at_level(logging.WARNING, logger="bot.sandbox.server"):
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 404
    assert [route.path for route in sandbox.unhandled] == [url.removeprefix(sandbox.url)]
    assert f"/webhooks/{sandbox.application_id}/[token]/nonsense" in caplog.text
    assert token not in caplog.text
