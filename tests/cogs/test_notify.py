"""/notify's commands called directly on the offline bot (no TVmaze): follows of linked shows, the reasons an
unlinked one cannot be followed, the list, unfollowing, and who may link a show."""

import datetime as dt

import discord
import pytest

from bot.db.follows import FollowStore
from bot.db.shows import ShowStore
from bot.domain.announcements import FollowMode
from bot.domain.errors import InvalidInputError, MissingPermissionError, NotFollowingError, NotLinkedError
from bot.tree import report
from tests.cogs.fakes import embed_text, fake_interaction, sent
from tests.samples import AWKWARD_INPUTS, SEED_TITLE


def notify(bot):
    return bot.get_cog("Notify")


async def seed_id(bot):
    return (await bot.lookup.resolve_local("The Trauma Code")).id


def manager(bot, allowed=True, guild_id=2001):
    interaction = fake_interaction(bot, guild_id=guild_id)
    interaction.permissions = discord_permissions(manage_guild=allowed)
    return interaction


def discord_permissions(**flags):
    return discord.Permissions(**flags)


async def test_an_unlinked_show_offline_says_why_it_cannot_be_followed(offline_bot):
    cog = notify(offline_bot)
    interaction = fake_interaction(offline_bot)
    with pytest.raises(NotLinkedError) as caught:
        await cog.follow.callback(cog, interaction, title="The Trauma Code")
    await report(interaction, caught.value, "/notify follow")
    text = sent(interaction)["content"]
    assert f"I can't follow “{SEED_TITLE}” yet" in text
    assert "TVmaze is switched off here" in text
    assert "A server manager can link it" in text
    assert await FollowStore(offline_bot.db).follows_of(1001) == []


async def test_a_linked_show_is_followed_in_the_mode_picked_and_listed(offline_bot):
    show_id = await seed_id(offline_bot)
    await ShowStore(offline_bot.db).link_tvmaze(show_id, 900010, "manual", "test")
    await offline_bot.lookup.refresh()
    cog = notify(offline_bot)
    interaction = fake_interaction(offline_bot)
    mode = next(c for c in cog.follow._params["mode"].choices if c.value == "every_episode")
    await cog.follow.callback(cog, interaction, title="The Trauma Code", mode=mode)
    text = sent(interaction)["content"]
    assert f"Following **{SEED_TITLE}**: every episode." in text
    assert "This server has no announce channel yet" in text
    (follow,) = await FollowStore(offline_bot.db).follows_of(1001)
    assert (follow.show_id, follow.mode, follow.guild_ids) == (show_id, FollowMode.EVERY_EPISODE, frozenset({2001}))

    listing = fake_interaction(offline_bot)
    await cog.list_follows.callback(cog, listing)
    shown = sent(listing)
    assert shown["ephemeral"] is True
    assert f"{SEED_TITLE}** · every episode" in embed_text(shown["embed"])


async def test_the_list_of_someone_who_follows_nothing_says_how_to_start(offline_bot):
    cog = notify(offline_bot)
    interaction = fake_interaction(offline_bot, guild_id=None)
    await cog.list_follows.callback(cog, interaction)
    assert "You follow no show yet" in embed_text(sent(interaction)["embed"])


async def test_unfollowing_a_show_not_followed_is_a_clear_sentence(offline_bot):
    cog = notify(offline_bot)
    interaction = fake_interaction(offline_bot)
    with pytest.raises(NotFollowingError, match="You don't follow “The Trauma Code"):
        await cog.unfollow.callback(cog, interaction, title="The Trauma Code")


async def test_unfollow_stops_the_news(offline_bot):
    show_id = await seed_id(offline_bot)
    follows = FollowStore(offline_bot.db)
    await follows.follow(1001, show_id, dt.datetime.now(dt.UTC))
    cog = notify(offline_bot)
    interaction = fake_interaction(offline_bot)
    await cog.unfollow.callback(cog, interaction, title="The Trauma Code")
    assert "You no longer follow" in sent(interaction)["content"]
    assert await follows.follows_of(1001) == []


async def test_only_a_manager_may_link_and_only_in_a_server(offline_bot):
    cog = notify(offline_bot)
    with pytest.raises(MissingPermissionError, match="Manage Server"):
        await cog.link.callback(cog, manager(offline_bot, allowed=False), title="The Trauma Code", tvmaze="900010")
    with pytest.raises(InvalidInputError, match="run `/notify link` in a server"):
        await cog.link.callback(cog, manager(offline_bot, guild_id=None), title="The Trauma Code", tvmaze="900010")
    assert (await ShowStore(offline_bot.db).get(await seed_id(offline_bot))).tvmaze_id is None


@pytest.mark.parametrize(
    "ref", ["900010", "https://www.tvmaze.com/shows/900010/the-trauma-code", "<tvmaze.com/shows/900010>"]
)
async def test_a_manager_links_by_id_or_link(offline_bot, ref):
    cog = notify(offline_bot)
    interaction = manager(offline_bot)
    await cog.link.callback(cog, interaction, title="The Trauma Code", tvmaze=ref)
    text = sent(interaction)["content"]
    assert f"Linked **{SEED_TITLE}** to TVmaze show 900010." in text
    assert "could not check that id" in text
    show_id = await seed_id(offline_bot)
    assert (await ShowStore(offline_bot.db).get(show_id)).tvmaze_id == 900010
    assert (await ShowStore(offline_bot.db).tvmaze_link(show_id))[1] == "manual"


@pytest.mark.parametrize("ref", [*AWKWARD_INPUTS, "https://evil.example/shows/1", "0", "-5", "x" * 10_000])
async def test_nonsense_for_a_tvmaze_ref_is_one_sentence(offline_bot, ref):
    cog = notify(offline_bot)
    interaction = manager(offline_bot)
    with pytest.raises(InvalidInputError, match="isn't a TVmaze show"):
        await cog.link.callback(cog, interaction, title="The Trauma Code", tvmaze=ref)


def test_an_announcement_with_a_time_is_a_discord_timestamp_and_a_day_only_release_is_a_date():
    from bot.domain.announcements import AnnouncementEvent, EventKind
    from cogs._notify_ui import announcement_embed

    at = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
    timed = AnnouncementEvent("k1", EventKind.PREMIERE_DATE, 7, season=2, date=at.date(), at=at)
    embed = announcement_embed(timed, "Show @everyone", "javascript:alert(1)", "https://static.tvmaze.com/p.jpg")
    assert f"<t:{int(at.timestamp())}:F>" in embed.description
    assert embed.url is None, "a link that is not TVmaze's https page is left out"
    assert embed.thumbnail.url == "https://static.tvmaze.com/p.jpg"
    assert "@everyone" not in embed.description.replace("@\u200beveryone", "")
    dated = AnnouncementEvent("k2", EventKind.PREMIERE_DATE, 7, season=2, date=at.date())
    text = announcement_embed(dated, "Show", None, "http://insecure.example/p.jpg").description
    assert "premieres on 4 December 2026." in text
    assert "<t:" not in text


async def test_the_poll_interval_comes_from_settings(tmp_path, db, catalog):
    from bot.app import WatchCompanion
    from bot.db.meta import MetaStore
    from bot.lookup import ShowLookup
    from tests.conftest import offline_settings

    lookup = ShowLookup(ShowStore(db), MetaStore(db), catalog, refresh_seconds=None)
    bot = WatchCompanion(offline_settings(tmp_path, POLL_INTERVAL_MINUTES="0.5"), db, lookup, sync_commands=False)
    await bot.setup_hook()
    try:
        assert notify(bot).tick.minutes == 0.5
        assert notify(bot).poller is None, "offline: nothing to poll"
    finally:
        for name in list(bot.extensions):
            await bot.unload_extension(name)


def test_delivery_retries_back_off_2_4_8_seconds_or_as_long_as_discord_asks():
    from cogs._notify_delivery import backoff

    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert backoff(1, retry_after=30.5).total_seconds() == 30.5
    assert backoff(40).total_seconds() == 15 * 60, "capped"
