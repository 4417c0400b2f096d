"""Buttons, selects, modals and autocomplete through real discord.py views and modals; DMs, scheduled events
and attachments through its REST calls."""

from __future__ import annotations

import asyncio
import datetime as dt

import discord
import pytest
from discord import app_commands

from bot.sandbox import SandboxUsageError


async def sync_to(tree: app_commands.CommandTree, guild_id: int) -> None:
    guild = discord.Object(guild_id)
    tree.copy_global_to(guild=guild)
    await tree.sync(guild=guild)


class CounterView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)
        self.count = 0

    @discord.ui.button(label="Add one", custom_id="counter:add", style=discord.ButtonStyle.primary)
    async def add(self, interaction: discord.Interaction, button: discord.ui.Button[CounterView]) -> None:
        self.count += 1
        button.disabled = self.count >= 2
        await interaction.response.edit_message(content=f"count: {self.count}", view=self)

    @discord.ui.select(
        custom_id="counter:season",
        placeholder="Season",
        options=[
            discord.SelectOption(label="Season 1", value="s1"),
            discord.SelectOption(label="Season 2", value="s2"),
        ],
    )
    async def season(self, interaction: discord.Interaction, select: discord.ui.Select[CounterView]) -> None:
        await interaction.response.send_message(f"picked {select.values[0]}", ephemeral=True)


async def test_button_click_edits_the_message(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()

    @bot.tree.command(name="counter", description="A counter")
    async def counter(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("count: 0", view=CounterView())

    async with running(bot, sandbox):
        await sync_to(bot.tree, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "counter")
        message = await result.wait_done()
        assert message is not None
        assert [b["label"] for b in driver.buttons(message)] == ["Add one"]
        first = await driver.click(world.bob, message, "Add one")
        assert await first.wait_ack() == 7
        second = await driver.click(world.alice, result, custom_id="counter:add")
        await second.wait_done()
        with pytest.raises(SandboxUsageError, match="disabled"):
            await driver.click(world.alice, message, "Add one")
        picked = await driver.select(world.alice, message, ["Season 2"])
        reply = await picked.wait_done()
    assert message.content == "count: 2"
    assert [r.content for r in message.history] == ["count: 0", "count: 1"]
    assert driver.buttons(message)[0]["disabled"] is True
    assert first.original is message
    assert reply is not None
    assert reply.content == "picked s2"
    assert reply.ephemeral
    assert "[ Add one ] (primary, disabled)" in driver.render(message)
    assert sandbox.violations == []


class HeadlineFormModal(discord.ui.Modal, title="Write a review"):
    headline = discord.ui.TextInput(label="Headline", max_length=100)
    body = discord.ui.TextInput(label="Spoiler-free part", style=discord.TextStyle.paragraph, custom_id="review:body")
    spoilers = discord.ui.TextInput(label="Spoilers", style=discord.TextStyle.paragraph, required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"{self.headline.value} / {self.body.value} / ||{self.spoilers.value or '-'}||"
        )


async def test_modal_submit_reaches_the_bot_with_values(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()

    @bot.tree.command(name="review", description="Write a review")
    async def review(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(HeadlineFormModal())

    async with running(bot, sandbox):
        await sync_to(bot.tree, world.guild.id)
        opened = await driver.slash(world.alice, world.channel, "review")
        modal = await opened.wait_modal()
        assert modal["title"] == "Write a review"
        with pytest.raises(SandboxUsageError, match="required"):
            await driver.submit_modal(world.alice, opened, {"Headline": "A+"})
        submitted = await driver.submit_modal(
            world.alice, opened, {"Headline": "A+", "review:body": "Loved it", "Spoilers": "he lives"}
        )
        message = await submitted.wait_done()
    assert message is not None
    assert message.content == "A+ / Loved it / ||he lives||"
    assert driver.render(message) == "A+ / Loved it / [spoiler hidden]"
    assert driver.render(message, reveal_spoilers=True) == "A+ / Loved it / he lives"
    assert sandbox.violations == []


async def test_invalid_modal_is_a_violation(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    errors: list[discord.HTTPException] = []

    class TooLong(discord.ui.Modal, title="t" * 46):
        text = discord.ui.TextInput(label="Text")

    @bot.tree.command(name="bad", description="Bad modal")
    async def bad(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_modal(TooLong())
        except discord.HTTPException as exc:
            errors.append(exc)
            await interaction.response.send_message("no modal", ephemeral=True)

    async with running(bot, sandbox):
        await sync_to(bot.tree, world.guild.id)
        result = await driver.slash(world.alice, world.channel, "bad")
        await result.wait_done()
    assert [e.code for e in errors] == [50035]
    assert "title" in sandbox.violations[0].errors["data"]


async def test_autocomplete_returns_choices_and_checks_limits(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    titles = ["The Trauma Code", "The Glory", "Twinkling Watermelon"]

    @bot.tree.command(name="info", description="Show info")
    async def info(interaction: discord.Interaction, title: str) -> None:
        await interaction.response.send_message(title)

    @info.autocomplete("title")
    async def title_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if current == "all":
            return [app_commands.Choice(name=f"Show {i}", value=str(i)) for i in range(30)]
        return [app_commands.Choice(name=t, value=t) for t in titles if t.lower().startswith(current.lower())]

    async with running(bot, sandbox):
        await sync_to(bot.tree, world.guild.id)
        choices = await driver.autocomplete(world.alice, world.channel, "info", "title", "the")
        too_many = await driver.autocomplete_result(world.alice, world.channel, "info", "title", "all")
        await sandbox.wait_violation("invalid_form_body")
        await sandbox.settle()
    assert choices == [
        {"name": "The Trauma Code", "value": "The Trauma Code"},
        {"name": "The Glory", "value": "The Glory"},
    ]
    assert too_many.choices is None
    assert "choices" in sandbox.violations[0].errors["data"]


async def test_dm_and_closed_dms(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    world.bob.dms_open = False
    outcome: dict[str, object] = {}

    @bot.tree.command(name="remind", description="DM me")
    async def remind(interaction: discord.Interaction) -> None:
        await interaction.user.send("your reminder")
        bob = await interaction.client.fetch_user(world.bob.id)
        try:
            await bob.send("hello bob")
        except discord.Forbidden as exc:
            outcome["bob"] = exc.code
        await interaction.response.send_message("sent", ephemeral=True)

    async with running(bot, sandbox):
        await sync_to(bot.tree, world.guild.id)
        await (await driver.slash(world.alice, world.channel, "remind")).wait_done()
        dms = await driver.wait_dm(world.alice)
    assert [m.content for m in dms] == ["your reminder"]
    assert driver.dms(world.bob) == []
    assert outcome == {"bob": 50007}
    assert [v.kind for v in sandbox.violations] == ["dm_closed"]


async def test_scheduled_event_created_through_discord_py(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    created = asyncio.Event()

    @bot.listen()
    async def on_scheduled_event_create(event: discord.ScheduledEvent) -> None:
        created.set()

    async with running(bot, sandbox):
        guild = bot.get_guild(world.guild.id)
        assert guild is not None
        start = discord.utils.utcnow() + dt.timedelta(days=1)
        event = await guild.create_scheduled_event(
            name="Trauma Code watch party",
            start_time=start,
            end_time=start + dt.timedelta(hours=2),
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            location="#general",
        )
        await asyncio.wait_for(created.wait(), 5)
        await event.edit(description="Episodes 7 and 8")
        fetched = await guild.fetch_scheduled_events()
    [stored] = driver.scheduled_events(world.guild)
    assert stored["name"] == "Trauma Code watch party"
    assert stored["description"] == "Episodes 7 and 8"
    assert stored["entity_metadata"] == {"location": "#general"}
    assert [e.id for e in fetched] == [event.id]
    assert event.start_time == start.replace(microsecond=start.microsecond)


async def test_channel_messages_with_attachments_and_edits(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    bot = make_bot()
    async with running(bot, sandbox):
        channel = bot.get_channel(world.channel.id)
        assert isinstance(channel, discord.TextChannel)
        import io

        sent = await channel.send("export", file=discord.File(io.BytesIO(b'{"a": 1}'), filename="data.json"))
        await sent.edit(content="export (edited)")
        history = [m.content async for m in channel.history(limit=10)]
        fetched = await channel.fetch_message(sent.id)
        data = await fetched.attachments[0].read()
        await sent.delete()
    [stored] = [m for m in sandbox.world.messages.values() if m.id == sent.id]
    assert stored.deleted
    assert [r.content for r in stored.history] == ["export"]
    assert history == ["export (edited)"]
    assert data == b'{"a": 1}'
    assert fetched.attachments[0].filename == "data.json"
    assert driver.messages(world.channel) == []


async def test_bot_without_permission_gets_403(world, make_bot, running):
    sandbox, driver = world.sandbox, world.sandbox.driver
    locked = await driver.create_text_channel(world.guild, "announcements")
    await driver.set_overwrite(locked, world.guild.everyone, deny=1 << 11)
    bot = make_bot()
    async with running(bot, sandbox):
        channel = bot.get_channel(locked.id)
        assert isinstance(channel, discord.TextChannel)
        assert not channel.permissions_for(channel.guild.me).send_messages
        with pytest.raises(discord.Forbidden) as caught:
            await channel.send("hi")
    assert caught.value.code == 50013
