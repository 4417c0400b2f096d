import datetime as dt

from bot.domain.announcements import DeliveryTarget, EventKind, Follower, FollowMode, TargetKind, show_update
from tests.domain.announce_samples import at, record, snap, with_drop, with_season

DROP = record("netflix-drop")
BROADCAST = record("broadcast")
FOLLOWERS = [
    Follower(1, FollowMode.SEASONS, frozenset({10})),
    Follower(2, FollowMode.PREMIERE_DAY, frozenset({20})),
    Follower(3, FollowMode.EVERY_EPISODE, frozenset({10}), dms_closed=True),
]


def test_a_new_season_goes_to_the_followers_who_want_it_and_their_servers():
    update = show_update(
        snap(DROP),
        snap(with_season(DROP, 2)),
        at("2026-05-31T23:00:00+00:00"),
        at("2026-06-01T00:00:00+00:00"),
        FOLLOWERS,
    )
    ((event, targets),) = update.deliveries
    assert event.kind is EventKind.SEASON_ANNOUNCED
    # Member 2 only wants premiere days; member 3's DMs are closed but their server still gets the post.
    assert targets == (DeliveryTarget(TargetKind.DM, 1), DeliveryTarget(TargetKind.GUILD, 10))
    assert update.next_due is None


def test_a_drop_coming_due_in_the_same_poll_as_its_listing_is_announced_and_premiered():
    dropped = with_drop(with_season(DROP, 2, "2026-06-01", order=8), 2, "2026-06-01", 8)
    update = show_update(
        snap(DROP),
        snap(dropped, "2026-06-01T09:00:00+00:00"),
        at("2026-06-01T08:00:00+00:00"),
        at("2026-06-01T09:00:00+00:00"),
        FOLLOWERS,
    )
    assert [(e.kind, e.season) for e in update.events] == [
        (EventKind.SEASON_ANNOUNCED, 2),
        (EventKind.PREMIERE_DAY, 2),
    ]
    premiere_targets = update.deliveries[1][1]
    assert DeliveryTarget(TargetKind.DM, 2) in premiere_targets
    assert DeliveryTarget(TargetKind.GUILD, 20) in premiere_targets


def test_a_stored_snapshot_with_a_release_due_gives_only_that_release_and_the_next_moment():
    dated = snap(with_drop(with_season(DROP, 2, "2026-09-04", order=8), 2, "2026-09-04", 8))
    update = show_update(dated, dated, at("2026-06-01T00:00:00+00:00"), at("2026-06-02T00:00:00+00:00"), FOLLOWERS)
    assert update.deliveries == ()
    assert update.snapshot is dated  # recorded as the show's latest snapshot
    assert update.next_due == dt.datetime(2026, 9, 4, tzinfo=dt.UTC)


def test_every_event_reaches_followers_given_once_as_an_iterator_in_servers_with_an_announce_channel():
    dropped = with_drop(with_season(DROP, 2, "2026-06-01", order=8), 2, "2026-06-01", 8)
    followers = iter([Follower(1, FollowMode.SEASONS, frozenset({10, 30})), Follower(4, FollowMode.SEASONS)])
    update = show_update(
        snap(DROP),
        snap(dropped, "2026-06-01T09:00:00+00:00"),
        at("2026-06-01T08:00:00+00:00"),
        at("2026-06-01T09:00:00+00:00"),
        followers,
        announce_guilds={10},
    )
    # The listing and the premiere day both reach both members; server 30 has no announce channel.
    expected = (
        DeliveryTarget(TargetKind.DM, 1),
        DeliveryTarget(TargetKind.DM, 4),
        DeliveryTarget(TargetKind.GUILD, 10),
    )
    assert [targets for _, targets in update.deliveries] == [expected, expected]


def test_a_member_who_completed_the_show_hears_of_no_aired_episode():
    broadcast = snap(BROADCAST)
    followers = [Follower(1, FollowMode.EVERY_EPISODE), Follower(2, FollowMode.EVERY_EPISODE)]
    update = show_update(
        broadcast,
        broadcast,
        at("2026-03-03T12:00:00+00:00"),
        at("2026-03-03T13:00:00+00:00"),
        followers,
        watch_status={1: "completed"},
    )
    ((event, targets),) = update.deliveries
    assert (event.kind, event.first_episode) == (EventKind.EPISODE_AIRED, 2)
    assert targets == (DeliveryTarget(TargetKind.DM, 2),)
    assert update.next_due == at("2026-03-09T15:10:00+00:00")
