import datetime as dt

import pytest

from bot.domain.announcements import (
    AnnouncementEvent,
    DeliveryTarget,
    EventKind,
    Follower,
    FollowMode,
    TargetKind,
    describe,
    plan_deliveries,
    wants,
)

SEASON = AnnouncementEvent("k:s2", EventKind.SEASON_ANNOUNCED, 900101, season=2, date=dt.date(2026, 9, 4))
EPISODE = AnnouncementEvent(
    "k:s2e3",
    EventKind.EPISODE_AIRED,
    900101,
    season=2,
    first_episode=3,
    last_episode=3,
    at=dt.datetime(2026, 9, 7, 12, 50, tzinfo=dt.UTC),
    date=dt.date(2026, 9, 7),
    episode_name="Salt",
)
PREMIERE = AnnouncementEvent(
    "k:s2:pd",
    EventKind.PREMIERE_DAY,
    900101,
    season=2,
    first_episode=1,
    last_episode=8,
    whole_season=True,
    date=dt.date(2026, 9, 4),
)


def dm(user):
    return DeliveryTarget(TargetKind.DM, user)


def guild(gid):
    return DeliveryTarget(TargetKind.GUILD, gid)


@pytest.mark.parametrize(
    ("mode", "heard"),
    [
        (
            FollowMode.SEASONS,
            {
                EventKind.SEASON_ANNOUNCED,
                EventKind.PREMIERE_DATE,
                EventKind.PREMIERE_DAY,
                EventKind.RETURNING,
                EventKind.ENDED,
            },
        ),
        (FollowMode.EVERY_EPISODE, set(EventKind)),
        (FollowMode.PREMIERE_DAY, {EventKind.PREMIERE_DAY}),
    ],
)
def test_each_mode_hears_its_events(mode, heard):
    assert {k for k in EventKind if wants(mode, k)} == heard


@pytest.mark.parametrize("status", ["completed", "dropped"])
def test_a_completed_or_dropped_show_sends_no_episode_notices_but_still_its_news(status):
    assert not wants(FollowMode.EVERY_EPISODE, EventKind.EPISODE_AIRED, status)
    assert wants(FollowMode.EVERY_EPISODE, EventKind.SEASON_ANNOUNCED, status)
    assert wants(FollowMode.EVERY_EPISODE, EventKind.EPISODE_AIRED, "watching")


def test_one_post_per_server_and_one_dm_per_follower():
    followers = [
        Follower(1, FollowMode.SEASONS, frozenset({10, 20})),
        Follower(2, FollowMode.SEASONS, frozenset({10})),
        Follower(3, FollowMode.PREMIERE_DAY, frozenset({30})),  # does not want a season announcement
    ]
    assert plan_deliveries(SEASON, followers) == [dm(1), dm(2), guild(10), guild(20)]


def test_closed_dms_get_no_dm_but_the_server_still_gets_its_post():
    assert plan_deliveries(SEASON, [Follower(1, guild_ids=frozenset({10}), dms_closed=True)]) == [guild(10)]


def test_episode_notices_skip_members_who_completed_the_show():
    followers = [
        Follower(1, FollowMode.EVERY_EPISODE, frozenset({10})),
        Follower(2, FollowMode.EVERY_EPISODE, frozenset({20})),
        Follower(3, FollowMode.SEASONS, frozenset({30})),
    ]
    assert plan_deliveries(EPISODE, followers, {1: "completed", 2: "watching"}) == [dm(2), guild(20)]


def test_servers_without_an_announce_channel_are_left_out():
    followers = [Follower(1, guild_ids=frozenset({10, 20}))]
    assert plan_deliveries(SEASON, followers, announce_guilds={20}) == [dm(1), guild(20)]


def test_an_instant_is_a_discord_timestamp_and_a_day_is_just_the_day():
    aired = describe(EPISODE, "Moonlit Palace Kitchen")
    stamp = int(dt.datetime(2026, 9, 7, 12, 50, tzinfo=dt.UTC).timestamp())
    assert aired == f"**Moonlit Palace Kitchen** S2E3 “Salt” airs <t:{stamp}:F> (<t:{stamp}:R>)."
    announced = describe(SEASON, "Golden Hour Ward")
    assert announced == "**Golden Hour Ward** season 2 is announced. It premieres on 4 September 2026."
    assert "<t:" not in announced
    assert describe(PREMIERE, "Golden Hour Ward") == (
        "**Golden Hour Ward** season 2 premieres today: all 8 episodes are out (4 September 2026)."
    )


def test_a_title_cannot_ping_or_format():
    text = describe(SEASON, "@everyone **bold**")
    assert "@everyone" not in text
    assert "\\*\\*bold\\*\\*" in text
