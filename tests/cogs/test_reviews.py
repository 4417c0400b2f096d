"""/review, /config and /privacy called directly with spec'd fakes for Discord; the bot, its stores and the
catalogue are real."""

from __future__ import annotations

import datetime as dt
from unittest.mock import AsyncMock

import pytest

from bot.domain.errors import InvalidInputError, MissingPermissionError
from bot.domain.progress import Progress
from bot.domain.progress.positions import Position
from bot.domain.reviews import EpisodeRef, Grade, ReviewText, ViewerProgress
from cogs._review_ui import ComposeButton, viewer_progress
from cogs.privacy import delete_data, export_data
from cogs.reviews import through_key
from tests.cogs.fakes import embed_text, fake_interaction, sent
from tests.samples import SEED_TITLE

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("8", "8"),
        ("ep 8", "8"),
        ("Episode 8", "8"),
        ("S02 E03", "S2E3"),
        ("season２episode３", "S2E3"),
        ("s1e8", "S1E8"),
    ],
)
def test_spoilers_through_is_read_as_members_type_it(typed, key):
    assert through_key(typed) == key


@pytest.mark.parametrize("typed", ["banana", "S2", "E3", "8 or 9", "x" * 31])
def test_spoilers_through_nonsense_is_refused_by_name(typed):
    with pytest.raises(InvalidInputError, match="episode number such as 8"):
        through_key(typed)


async def test_a_grade_not_in_the_list_is_refused_in_code(offline_bot):
    cog = offline_bot.get_cog("Reviews")
    with pytest.raises(InvalidInputError, match="A grade is one of A\\+, A, A-"):
        await cog.write.callback(cog, fake_interaction(offline_bot), title=SEED_TITLE, grade="Z+")


async def test_a_typed_grade_label_is_read_too(offline_bot):
    cog = offline_bot.get_cog("Reviews")
    interaction = fake_interaction(offline_bot)
    interaction.response.send_modal = AsyncMock()
    await cog.write.callback(cog, interaction, title=SEED_TITLE, grade="a -", spoilers_through="8")
    modal = interaction.response.send_modal.await_args.args[0]
    assert modal.title == "Review: The Trauma Code: Heroes On Call"
    assert [i.custom_id for i in modal.inputs.values()] == ["headline", "spoiler_free", "spoiler", "spoiler_more"]


async def test_review_commands_in_a_dm_need_a_server(offline_bot):
    cog = offline_bot.get_cog("Reviews")
    dm = fake_interaction(offline_bot, guild_id=None)
    with pytest.raises(InvalidInputError, match="Reviews belong to a server"):
        await cog.write.callback(cog, dm, title=SEED_TITLE, grade="A")
    with pytest.raises(InvalidInputError, match="Reviews belong to a server"):
        await cog.list_reviews.callback(cog, dm, title=SEED_TITLE)


async def test_config_checks_manage_server_in_code(offline_bot):
    cog = offline_bot.get_cog("Config")
    interaction = fake_interaction(offline_bot)
    interaction.permissions.manage_guild = False
    with pytest.raises(MissingPermissionError, match="Manage Server"):
        await cog.show.callback(cog, interaction)
    with pytest.raises(MissingPermissionError, match="Manage Server"):
        await cog.review_channel.callback(cog, interaction, channel=None)


async def test_drama_info_carries_the_servers_review_summary(offline_bot):
    show = await offline_bot.lookup.resolve(SEED_TITLE)
    for grade in (Grade.A_PLUS, Grade.A_MINUS):
        await offline_bot.stores.reviews.create(
            guild_id=2001, author_id=7, show_id=show.id, grade=grade, spoilers_through=None, text=ReviewText("h", "x")
        )
    cog = offline_bot.get_cog("Drama")
    here = fake_interaction(offline_bot, guild_id=2001)
    await cog.info.callback(cog, here, title=SEED_TITLE)
    assert "Reviews in this server: 2 reviews, average A (4.00)" in embed_text(sent(here)["embed"])
    elsewhere = fake_interaction(offline_bot, guild_id=3001)
    await cog.info.callback(cog, elsewhere, title=SEED_TITLE)
    assert "Reviews in this server: no reviews yet" in embed_text(sent(elsewhere)["embed"])
    dm = fake_interaction(offline_bot, guild_id=None)
    await cog.info.callback(cog, dm, title=SEED_TITLE)
    assert "Reviews in this server" not in embed_text(sent(dm)["embed"])


def _progress(seen: Position | None, completed: bool = False, position: Position | None = None) -> Progress:
    return Progress(1, 1, position or seen, seen, 1, NOW, NOW, NOW if completed else None)


async def test_the_reveal_gate_reads_the_furthest_episode_seen(offline_bot):
    show = await offline_bot.lookup.resolve(SEED_TITLE)
    assert viewer_progress(None, show) is None
    assert viewer_progress(_progress(Position(1, 3)), show) == ViewerProgress(1, 3, False)
    # Rewatching from episode 2 after finishing: what was seen counts, and the show counts as completed.
    assert viewer_progress(_progress(Position(1, 8), position=Position(1, 2)), show) == ViewerProgress(1, 8, True)
    assert viewer_progress(_progress(Position(1, 5), completed=True), show) == ViewerProgress(1, 5, True)
    assert viewer_progress(_progress(None), show) is None


async def test_privacy_exports_and_deletes_every_store_of_member_data(offline_bot):
    stores = offline_bot.stores
    show = await offline_bot.lookup.resolve(SEED_TITLE)
    me, other = 5001, 5002
    for user in (me, other):
        await stores.progress.set(user, show, 1, 4)
        await stores.watchlist.set(user, show.id)
        await stores.settings.set_timezone(user, "Asia/Seoul")
        party = await stores.parties.create(2001, 3001, show.id, f"party {user}", user)
        await stores.follows.follow(user, show.id, NOW, guild_id=2001)
        await stores.reviews.create(
            guild_id=2001,
            author_id=user,
            show_id=show.id,
            grade=Grade.B,
            spoilers_through=EpisodeRef(1, 2),
            text=ReviewText("mine", "clear", "secret"),
        )
    await stores.parties.join(2001, party.id, me)

    data = await export_data(offline_bot, me)
    assert set(data) == {"user_id", "exported_at", *stores.member_data()}
    assert data["progress"][0]["position"] == "S1E4"
    assert data["watchlist"][0]["status"] == "watching"
    assert data["settings"]["timezone"] == "Asia/Seoul"
    assert [p["name"] for p in data["parties"]["parties"]] == [f"party {me}", f"party {other}"]
    assert data["follows"]["follows"][0]["from_servers"] == [2001]
    assert data["reviews"][0]["spoiler"] == "secret"
    assert data["reviews"][0]["spoilers_through"] == "S1E2"

    assert await delete_data(offline_bot, me) == (1, 0)
    empty = await export_data(offline_bot, me)
    assert empty["progress"] == empty["watchlist"] == empty["reviews"] == empty["announcements"] == []
    assert empty["settings"] == {}
    assert empty["parties"]["parties"] == []
    assert empty["follows"]["follows"] == []
    kept = await export_data(offline_bot, other)
    assert kept["reviews"][0]["headline"] == "mine"
    assert kept["progress"][0]["position"] == "S1E4"


async def test_a_show_picked_from_a_list_gets_a_button_that_opens_the_form(offline_bot):
    cog = offline_bot.get_cog("Reviews")
    show = await offline_bot.lookup.resolve(SEED_TITLE)
    picked = fake_interaction(offline_bot)
    picked.response.is_done.return_value = True  # the pick list's select was answered by deferring
    picked.edit_original_response = AsyncMock()
    await cog.offer_compose(picked, show, "A_PLUS.8")
    edit = picked.edit_original_response.await_args.kwargs
    assert edit["content"] == "Write your review of The Trauma Code: Heroes On Call:"
    [button] = edit["view"].children
    assert button.custom_id == f"review:compose:{show.id}:A_PLUS:S1E8"
    match = ComposeButton.__discord_ui_compiled_template__.fullmatch(button.custom_id)
    rebuilt = await ComposeButton.from_custom_id(picked, button, match)
    pressed = fake_interaction(offline_bot)
    pressed.response.send_modal = AsyncMock()
    await rebuilt.callback(pressed)
    modal = pressed.response.send_modal.await_args.args[0]
    assert modal.title == "Review: The Trauma Code: Heroes On Call"
