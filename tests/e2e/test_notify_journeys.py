"""Season announcements end to end: members of two servers follow The Trauma Code through the real bot, the fake
TVmaze lists season 2, and the news arrives once per announce channel and once per follower's DMs."""

import pytest

from bot.db.announcements import AnnouncementStore
from bot.db.guilds import GuildConfigStore
from bot.playground.demo import running_bot
from bot.providers.tvmaze import TvmazeSource
from bot.sandbox.state import SEND_MESSAGES
from tests.conftest import offline_settings
from tests.e2e.conftest import assert_clean
from tests.e2e.notify_world import TRAUMA_CODE, NotifyWorld, add_trauma_code, start_clock
from tests.fakes.tvmaze import FakeClock, FakeTvmaze

pytestmark = pytest.mark.e2e

FOLLOWERS = ("alice", "bob", "carol")


@pytest.fixture
async def fake():
    async with FakeTvmaze() as server:
        add_trauma_code(server)
        yield server


@pytest.fixture
async def notify(tmp_path, fake):
    async with running_bot(offline_settings(tmp_path), tmp_path, tvmaze_url=fake.url) as (world, bot):
        remote = bot.lookup.remote
        assert isinstance(remote, TvmazeSource)
        source_clock = FakeClock(autojump=True)
        remote.clock = source_clock  # the poller's source shares this limiter and clock
        clock = start_clock()
        cog = bot.get_cog("Notify")
        # The test drives every poll and delivery itself: the bot's own loop must not race it.
        cog.tick.cancel()
        cog.now = clock
        state = NotifyWorld(world, fake, bot, clock, source_clock)
        await state.setup()
        yield state
        await world.sandbox.settle()


async def follow_all(notify, **options):
    for user in FOLLOWERS:
        result = await notify.slash("notify follow", user=user, title="The Trauma Code", **options)
        assert "ollowing **The Trauma Code: Heroes On Call**" in result.text()


async def test_season_two_is_one_post_per_server_and_one_dm_per_follower_and_only_once(notify):
    fake = notify.fake
    first = await notify.slash("notify follow", user="alice", title="The Trauma Code")
    text = first.text()
    assert "Following **The Trauma Code: Heroes On Call**: new seasons and premiere dates." in text
    assert "This server's announcements go to #announcements." in text
    # Linked at follow time: its title searched on TVmaze (the native title too), then its first snapshot.
    paths = [r.path for r in fake.requests]
    assert paths.count("/search/shows") == 2
    assert paths[-1] == f"/shows/{TRAUMA_CODE}"
    linked = await notify.bot.lookup.resolve("The Trauma Code")
    assert linked.tvmaze_id == TRAUMA_CODE
    # Linked, its episode list has TVmaze's air dates (a date-only release shows the date).
    episodes = await notify.slash("drama episodes", user="bob", title="The Trauma Code")
    # Bob has not started it, so the titles stay hidden; the air dates show.
    assert "**Episode 1** · *title hidden until you get there" in episodes.text()
    assert " · 2025-01-24" in episodes.text()
    assert "Data from TVmaze (CC BY-SA 4.0)" in episodes.text()
    asked = len(fake.requests)
    for user in ("bob", "carol"):
        await notify.slash("notify follow", user=user, title="The Trauma Code")
    assert len(fake.requests) == asked, "linked, with a snapshot kept: following asks TVmaze nothing"

    polled, delivered = await notify.poll()
    assert (polled.events, delivered.sent) == (0, 0), "nothing changed since following"

    fake.add_season(TRAUMA_CODE)  # season 2, announced: no date, no episode count yet
    before = len(fake.requests)
    polled, delivered = await notify.poll()
    assert polled.events == 1
    assert polled.requests == 2, "the change feed, then the one followed show that changed"
    assert [r.path for r in fake.requests[before:]] == ["/updates/shows", f"/shows/{TRAUMA_CODE}"]
    assert delivered.sent == 5
    for server in ("first", "second"):
        (post,) = notify.posts(server)
        shown = notify.render(post)
        assert "**The Trauma Code: Heroes On Call** season 2 is announced." in shown
        assert f"[thumbnail https://static.tvmaze.com/uploads/images/original_untouched/{TRAUMA_CODE}.jpg]" in shown
        assert "Data from TVmaze (CC BY-SA 4.0)" in shown
    for user in FOLLOWERS:
        (dm,) = notify.dms(user)
        assert "season 2 is announced" in notify.render(dm)

    for _ in range(50):
        polled, delivered = await notify.poll()
        assert (polled.events, delivered.handled, polled.requests) == (0, 0, 1)
    assert [len(notify.posts(s)) for s in ("first", "second")] == [1, 1]
    assert [len(notify.dms(u)) for u in FOLLOWERS] == [1, 1, 1]

    # A premiere date set later is one more piece of news, shown as a date (the release has no time).
    fake.set_premiere_date(TRAUMA_CODE, 2, "2026-12-04")
    polled, delivered = await notify.poll()
    assert (polled.events, delivered.sent) == (1, 5)
    latest = notify.render(notify.posts("second")[-1])
    assert "** season 2 premieres on 4 December 2026." in latest
    assert "<t:" not in notify.driver.payload(notify.posts("second")[-1])["embeds"][0]["description"]
    assert_clean(notify.world.sandbox)


async def test_after_three_days_down_the_feed_looks_back_a_week_and_the_news_still_arrives(notify):
    await follow_all(notify)
    await notify.poll()
    notify.fake.add_season(TRAUMA_CODE)
    before = len(notify.fake.requests)
    polled, delivered = await notify.poll(minutes=3 * 24 * 60)
    assert notify.fake.requests[before].param("since") == "week"
    assert (polled.events, delivered.sent) == (1, 5)
    polled, _ = await notify.poll()
    assert notify.fake.requests[-1].param("since") == "day"
    assert_clean(notify.world.sandbox)


async def test_closed_dms_are_tried_once_then_never_again(notify):
    await follow_all(notify)
    await notify.poll()
    notify.users["carol"].dms_open = False
    notify.fake.add_season(TRAUMA_CODE)
    _, delivered = await notify.poll()
    assert (delivered.sent, delivered.dms_closed) == (4, 1)
    assert notify.dms("carol") == []
    assert len(notify.posts("second")) == 1, "her server still hears"
    notify.fake.set_premiere_date(TRAUMA_CODE, 2, "2026-12-04")
    _, delivered = await notify.poll()
    assert (delivered.sent, delivered.dms_closed) == (4, 0), "no DM queued for carol again"
    sandbox = notify.world.sandbox
    assert [v.kind for v in sandbox.violations] == ["dm_closed"], "Discord saw one refused DM, not one per poll"
    assert sandbox.unhandled == []


async def test_a_channel_the_bot_may_not_post_in_is_given_up_not_retried(notify):
    await follow_all(notify)
    await notify.poll()
    second = notify.guilds["second"]
    bot_member = second.members[notify.world.sandbox.bot.id]
    await notify.driver.set_overwrite(notify.announce["second"], bot_member, deny=SEND_MESSAGES)
    notify.fake.add_season(TRAUMA_CODE)
    _, delivered = await notify.poll()
    assert (delivered.sent, delivered.dropped) == (4, 1)
    assert notify.posts("second") == []
    for _ in range(3):
        _, delivered = await notify.poll()
        assert delivered.handled == 0
    sandbox = notify.world.sandbox
    assert [v.kind for v in sandbox.violations] == ["missing_permissions"]
    event = (await AnnouncementStore(notify.bot.db).events_for(TRAUMA_CODE))[0]
    states = {
        (d.target.kind.value, d.state.value) for d in await AnnouncementStore(notify.bot.db).deliveries(event.key)
    }
    assert ("guild", "dropped") in states


async def test_tvmaze_down_through_its_back_off_then_back_delivers_the_news_once(notify):
    await follow_all(notify)
    await notify.poll()
    fake = notify.fake
    fake.add_season(TRAUMA_CODE)
    fake.fail_next(1, 429, path="/updates", retry_after="5")
    fake.fail_always(500, path=f"/shows/{TRAUMA_CODE}")
    polled, delivered = await notify.poll()
    assert (polled.events, delivered.sent, polled.failed) == (0, 0, [TRAUMA_CODE])
    assert 5.0 in notify.source_clock.slept, "Retry-After honoured"
    fake.clear_faults()
    polled, delivered = await notify.poll()
    assert (polled.events, delivered.sent) == (1, 5)
    for _ in range(3):
        await notify.poll()
    assert [len(notify.posts(s)) for s in ("first", "second")] == [1, 1]
    assert_clean(notify.world.sandbox)


async def test_a_deleted_announce_channel_is_given_up_and_unset(notify):
    await follow_all(notify)
    await notify.poll()
    gone = notify.announce["second"]
    notify.world.sandbox.world.channels.pop(gone.id)
    notify.guilds["second"].channels.pop(gone.id)
    notify.fake.add_season(TRAUMA_CODE)
    _, delivered = await notify.poll()
    assert (delivered.sent, delivered.dropped) == (4, 1)
    config = await GuildConfigStore(notify.bot.db).get(notify.guilds["second"].id)
    assert config.announce_channel_id is None


async def test_when_tvmazes_own_record_is_stored_already_the_follow_goes_to_it(notify):
    from bot.db.follows import FollowStore
    from bot.db.shows import ShowStore
    from bot.domain.models import Show, ShowSource

    stored = Show(title="The Trauma Code TVmaze record", year=2025, source=ShowSource.TVMAZE, tvmaze_id=TRAUMA_CODE)
    held = await ShowStore(notify.bot.db).add(stored)
    result = await notify.slash("notify follow", user="alice", title="The Trauma Code: Heroes On Call")
    assert "Following **The Trauma Code TVmaze record**" in result.text()
    (follow,) = await FollowStore(notify.bot.db).follows_of(notify.users["alice"].id)
    assert follow.show_id == held
    notify.fake.add_season(TRAUMA_CODE)
    polled, delivered = await notify.poll()
    assert (polled.events, delivered.sent) == (1, 2)
    assert len(notify.dms("alice")) == 1
