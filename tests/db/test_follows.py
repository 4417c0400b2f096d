import datetime as dt

import pytest

from bot.db.follows import FollowStore
from bot.db.shows import ShowStore
from bot.domain.announcements import Follower, FollowMode
from bot.domain.models import Show

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
async def shows(db):
    store = ShowStore(db)
    linked = await store.add(Show(title="Golden Hour Ward", source="tvmaze", tvmaze_id=900101))
    other = await store.add(Show(title="Moonlit Palace Kitchen", source="tvmaze", tvmaze_id=900102))
    unlinked = await store.add(Show(title="Quiet Orchard", catalog_key="quiet-orchard"))
    return linked, other, unlinked


async def test_following_from_two_servers_is_one_follow_with_both_servers(db, shows):
    linked, *_ = shows
    follows = FollowStore(db)
    assert await follows.follow(1, linked, NOW, guild_id=10) is True
    assert await follows.follow(1, linked, NOW + dt.timedelta(hours=1), guild_id=20) is False
    (follow,) = await follows.follows_of(1)
    assert (follow.show_id, follow.mode, follow.guild_ids, follow.since) == (
        linked,
        FollowMode.SEASONS,
        frozenset({10, 20}),
        NOW,
    )
    assert await follows.followers(linked) == [Follower(1, FollowMode.SEASONS, frozenset({10, 20}))]


async def test_following_again_changes_the_mode(db, shows):
    linked, *_ = shows
    follows = FollowStore(db)
    await follows.follow(1, linked, NOW, guild_id=10)
    await follows.follow(1, linked, NOW, FollowMode.EVERY_EPISODE)
    follow = await follows.get(1, linked)
    assert follow is not None
    assert follow.mode is FollowMode.EVERY_EPISODE
    assert follow.guild_ids == frozenset({10})


async def test_unfollow_removes_the_follow_everywhere(db, shows):
    linked, other, _ = shows
    follows = FollowStore(db)
    await follows.follow(1, linked, NOW, guild_id=10)
    await follows.follow(1, other, NOW, guild_id=10)
    assert await follows.unfollow(1, linked) is True
    assert await follows.unfollow(1, linked) is False
    assert [f.show_id for f in await follows.follows_of(1)] == [other]
    assert await follows.followers(linked) == []
    rows = await db.fetchall("SELECT show_id FROM follow_guilds WHERE user_id = 1")
    assert [r[0] for r in rows] == [other]


async def test_the_poller_watches_linked_followed_shows_only(db, shows):
    linked, _other, unlinked = shows
    follows = FollowStore(db)
    await follows.follow(1, linked, NOW)
    await follows.follow(2, linked, NOW)
    await follows.follow(2, unlinked, NOW)
    assert await follows.followed_tvmaze_ids() == {900101: linked}
    assert [f.user_id for f in await follows.followers_of_tvmaze(900101)] == [1, 2]
    assert await follows.followers_of_tvmaze(900102) == []


async def test_closed_dms_are_marked_until_the_member_follows_again(db, shows):
    linked, other, _ = shows
    follows = FollowStore(db)
    await follows.follow(1, linked, NOW, guild_id=10)
    await follows.mark_dms_closed(1, NOW)
    assert await follows.dms_closed(1)
    assert await follows.followers(linked) == [Follower(1, FollowMode.SEASONS, frozenset({10}), dms_closed=True)]
    await follows.follow(1, other, NOW)
    assert not await follows.dms_closed(1)


async def test_delete_user_data_removes_every_follow_and_mark_of_that_member_only(db, shows):
    linked, other, _ = shows
    follows = FollowStore(db)
    await follows.follow(1, linked, NOW, guild_id=10)
    await follows.follow(1, other, NOW, guild_id=20)
    await follows.mark_dms_closed(1, NOW)
    await follows.follow(2, linked, NOW, guild_id=10)
    await follows.delete_user_data(1)
    assert await follows.follows_of(1) == []
    assert not await follows.dms_closed(1)
    assert await db.fetchval("SELECT COUNT(*) FROM follow_guilds WHERE user_id = 1") == 0
    assert [f.user_id for f in await follows.followers(linked)] == [2]


async def test_leaving_a_server_forgets_it_as_a_place_to_post(db, shows):
    linked, *_ = shows
    follows = FollowStore(db)
    await follows.follow(1, linked, NOW, guild_id=10)
    await follows.follow(1, linked, NOW, guild_id=20)
    await follows.delete_guild_data(10)
    assert (await follows.get(1, linked)).guild_ids == frozenset({20})


async def test_a_deleted_show_takes_its_follows_with_it(db, shows):
    linked, *_ = shows
    follows = FollowStore(db)
    await follows.follow(1, linked, NOW, guild_id=10)

    async def op(conn):
        await conn.execute("DELETE FROM shows WHERE id = ?", (linked,))

    await db.write(op)
    assert await follows.follows_of(1) == []
