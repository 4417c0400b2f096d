import datetime as dt

import pytest

from bot.db.announcements import AnnouncementStore
from bot.db.follows import FollowStore
from bot.db.guilds import RETENTION, GuildConfig, GuildConfigStore, GuildDataStore
from bot.db.reviews import ReviewStore
from bot.db.shows import ShowStore
from bot.domain.models import Show
from bot.domain.reviews import Grade, ReviewText

GUILD, OTHER_GUILD = 1001, 2002
LEFT = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def guilds(db):
    return GuildConfigStore(db)


async def test_a_server_without_settings_has_none(guilds):
    assert await guilds.get(GUILD) == GuildConfig(GUILD)


async def test_channels_are_set_changed_and_unset_per_server(guilds):
    await guilds.set_review_channel(GUILD, 10)
    config = await guilds.set_announce_channel(GUILD, 20)
    assert config == GuildConfig(GUILD, review_channel_id=10, announce_channel_id=20)
    assert (await guilds.set_review_channel(GUILD, 11)).review_channel_id == 11
    assert (await guilds.set_review_channel(GUILD, None)).review_channel_id is None
    assert (await guilds.get(GUILD)).announce_channel_id == 20
    assert await guilds.get(OTHER_GUILD) == GuildConfig(OTHER_GUILD)


async def test_announce_channels_skip_servers_the_bot_left(guilds):
    await guilds.set_announce_channel(GUILD, 20)
    await guilds.set_announce_channel(OTHER_GUILD, 30)
    await guilds.mark_left(OTHER_GUILD, LEFT)
    assert await guilds.announce_channels() == {GUILD: 20}


async def test_a_deleted_channel_is_forgotten_wherever_it_was_set(guilds):
    await guilds.set_review_channel(GUILD, 20)
    await guilds.set_announce_channel(GUILD, 20)
    await guilds.set_announce_channel(OTHER_GUILD, 30)
    assert await guilds.forget_channel(20) == 2
    assert await guilds.get(GUILD) == GuildConfig(GUILD)
    assert (await guilds.get(OTHER_GUILD)).announce_channel_id == 30


async def test_a_servers_data_is_removed_thirty_days_after_the_bot_left(db, guilds):
    show_id = await ShowStore(db).add(Show("Some Drama", catalog_key="sd"))
    reviews = ReviewStore(db)
    for guild in (GUILD, OTHER_GUILD):
        await guilds.set_review_channel(guild, 10)
        await reviews.create(
            guild_id=guild,
            author_id=1,
            show_id=show_id,
            grade=Grade.B,
            spoilers_through=None,
            text=ReviewText("h", "c"),
        )
    await guilds.mark_left(GUILD, LEFT)
    assert (await guilds.get(GUILD)).left_at == LEFT
    almost = LEFT + RETENTION - dt.timedelta(seconds=1)
    assert await guilds.purge_departed(almost, [reviews]) == []
    assert (await reviews.summary(GUILD, show_id)).count == 1
    assert await guilds.purge_departed(LEFT + RETENTION, [reviews]) == [GUILD]
    assert (await reviews.summary(GUILD, show_id)).count == 0
    assert await guilds.get(GUILD) == GuildConfig(GUILD)
    # The server the bot is still in keeps everything, and a second purge has nothing to do.
    assert (await reviews.summary(OTHER_GUILD, show_id)).count == 1
    assert (await guilds.get(OTHER_GUILD)).review_channel_id == 10
    assert await guilds.purge_departed(LEFT + RETENTION * 2, [reviews]) == []


async def test_coming_back_before_the_purge_keeps_the_data(guilds):
    await guilds.set_review_channel(GUILD, 10)
    await guilds.mark_left(GUILD, LEFT)
    await guilds.mark_joined(GUILD)
    assert await guilds.due_for_purge(LEFT + RETENTION * 3) == []
    assert await guilds.get(GUILD) == GuildConfig(GUILD, review_channel_id=10)


async def test_leaving_a_server_that_had_no_settings_still_starts_the_clock(guilds):
    await guilds.mark_left(GUILD, LEFT)
    assert await guilds.due_for_purge(LEFT + RETENTION) == [GUILD]


async def test_settings_hold_no_member_data(guilds):
    await guilds.set_review_channel(GUILD, 10)
    assert await guilds.export_user_data(10) == {}
    assert await guilds.delete_user_data(10) == 0
    assert (await guilds.get(GUILD)).review_channel_id == 10


async def test_times_must_be_aware(guilds):
    with pytest.raises(ValueError, match="naive"):
        await guilds.mark_left(GUILD, dt.datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


async def test_the_purge_takes_every_store_that_holds_server_data(db, guilds):
    show_id = await ShowStore(db).add(Show("Some Drama", catalog_key="sd"))
    follows = FollowStore(db)
    await follows.follow(7, show_id, LEFT, guild_id=GUILD)
    await follows.follow(7, show_id, LEFT, guild_id=OTHER_GUILD)
    await guilds.mark_left(GUILD, LEFT)
    stores: list[GuildDataStore] = [ReviewStore(db), follows, AnnouncementStore(db)]
    assert await guilds.purge_departed(LEFT + RETENTION, stores) == [GUILD]
    remaining = await db.fetchall("SELECT guild_id FROM follow_guilds WHERE user_id = 7")
    assert [row[0] for row in remaining] == [OTHER_GUILD]


async def test_servers_missing_from_a_fresh_connection_left_while_the_bot_was_offline(guilds):
    third = 3003
    for guild_id in (GUILD, OTHER_GUILD, third):
        await guilds.mark_joined(guild_id)  # every server the bot is in has a row, settings or not
    await guilds.set_review_channel(OTHER_GUILD, 10)
    await guilds.mark_left(third, LEFT)  # removed earlier, while online: its 30 days started then
    later = LEFT + dt.timedelta(days=3)

    assert await guilds.mark_absent({GUILD}, later) == [OTHER_GUILD]

    assert (await guilds.get(GUILD)).left_at is None
    assert await guilds.get(OTHER_GUILD) == GuildConfig(OTHER_GUILD, review_channel_id=10, left_at=later)
    assert (await guilds.get(third)).left_at == LEFT
    assert await guilds.mark_absent({GUILD}, later + dt.timedelta(days=1)) == []
    # Back in the list (invited again while offline): its server is no longer due for removal.
    await guilds.mark_joined(OTHER_GUILD)
    assert (await guilds.get(OTHER_GUILD)).left_at is None
