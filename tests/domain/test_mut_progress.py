"""Progress rules the other progress tests leave unasserted: exact replies (wording and where long names are cut),
boundaries (the first special, a member exactly at the party's episode, a season count that shrank), the fields a
transition stores, and that the per-show caches never answer for a show they were not computed for."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.domain.errors import (
    AlreadyFinishedError,
    EpisodeOutOfRangeError,
    InvalidInputError,
    MissingPermissionError,
    NothingToRewatchError,
    PartyNotFoundError,
)
from bot.domain.models import SeasonInfo, Show
from bot.domain.progress import (
    Party,
    Position,
    Standing,
    advance_party,
    catch_up,
    check_special,
    clean_party_name,
    episodes_through,
    following,
    last_position,
    next_episode,
    party_choices,
    party_name_key,
    pick_party,
    require_party_manager,
    rewatch,
    set_episode,
    total_episodes,
)
from bot.domain.progress import positions as positions_module
from bot.domain.progress.positions import first_position

T0 = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
SEED = Show(id=1, title="The Trauma Code: Heroes On Call", seasons=(SeasonInfo(1, 8),))
THREE = Show(id=5, title="Three Seasons", seasons=(SeasonInfo(1, 10), SeasonInfo(2, 12), SeasonInfo(3, 6)))
USER, HOST, ANA, BO, CY = 42, 1, 2, 3, 4

# A name or title of markdown stars: each star is shown escaped ("\*"), so the shown text is cut at its limit.
STARS_100 = "*" * 100
STARS_150 = "*" * 150
SHOWN_AT_100 = "\\*" * 49 + "…"  # 99 characters and "…", no lone backslash at the cut
SHOWN_AT_200 = "\\*" * 99 + "…"
LONG_TITLED = Show(id=6, title=STARS_150, seasons=(SeasonInfo(0, 2), SeasonInfo(1, 2)))


@pytest.fixture(autouse=True)
def _empty_position_caches() -> None:
    """positions keeps per-show facts; each test starts with none kept, so it checks the code that computes them."""
    positions_module._FACTS.clear()
    positions_module._regular.cache_clear()
    positions_module._last.cache_clear()


def later(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def party(name: str = "Friday Trauma", channel: int = 10, position: Position | None = None, **kw) -> Party:
    values = {"id": 7, "guild_id": 100, "channel_id": channel, "show_id": SEED.id, "name": name, "host_id": HOST}
    values.update(kw)
    return Party(position=position, created_at=T0, **values)


def standing_at(show: Show, user: int, season: int, episode: int) -> Standing:
    return set_episode(Standing(user, show.id), show, season, episode, T0).after


def refusal(error: type[Exception], call, *args, **kw) -> str:
    with pytest.raises(error) as refused:
        call(*args, **kw)
    return str(refused.value)


# -- party names and permissions -------------------------------------------------------------------------------------


def test_an_invisible_party_name_is_refused_with_the_exact_reason():
    assert refusal(InvalidInputError, clean_party_name, " \u200b ") == (
        "A party name needs at least one visible character."
    )


def test_a_name_key_is_the_folded_name_with_single_spaces():
    assert party_name_key("  Friday \u200b  TRAUMA\n night ") == "friday trauma night"


def test_the_host_or_a_manager_passes_the_check_and_anyone_else_is_told_who_may():
    require_party_manager(party(), HOST, has_manage_events=False)
    require_party_manager(party(), ANA, has_manage_events=True)
    assert refusal(MissingPermissionError, require_party_manager, party(name=STARS_100), ANA, False) == (
        f"Only the host of “{SHOWN_AT_100}” or a member with Manage Events can do that."
    )


# -- finding a party --------------------------------------------------------------------------------------------------


def test_a_name_shared_by_parties_in_six_other_channels_lists_five_of_them():
    parties = [party(channel=20 + i, id=i) for i in range(6)]
    assert refusal(PartyNotFoundError, pick_party, parties, 10, "friday trauma") == (
        "Several open parties are called “friday trauma” (<#20>, <#21>, <#22>, <#23>, <#24>): run this in its channel."
    )


def test_an_unknown_name_suggests_at_most_five_parties_that_contain_it():
    parties = [party(name=f"Night {i}", id=i) for i in range(1, 8)]
    assert refusal(PartyNotFoundError, pick_party, parties, 10, "Night") == (
        "There is no open party called “Night” in this server."
        " Open parties: Night 1; Night 2; Night 3; Night 4; Night 5."
    )


def test_an_unknown_name_that_matches_nothing_suggests_five_open_parties():
    parties = [party(name=f"Night {i}", id=i) for i in range(1, 8)]
    assert refusal(PartyNotFoundError, pick_party, parties, 10, STARS_100) == (
        f"There is no open party called “{SHOWN_AT_100}” in this server."
        " Open parties: Night 1; Night 2; Night 3; Night 4; Night 5."
    )


def test_a_suggested_party_name_is_shown_cut_like_every_other_name():
    assert refusal(PartyNotFoundError, pick_party, [party(name=STARS_100)], 10, "x") == (
        f"There is no open party called “x” in this server. Open parties: {SHOWN_AT_100}."
    )


def test_with_no_open_party_the_reply_suggests_nothing():
    assert refusal(PartyNotFoundError, pick_party, [party(ended_at=T0)], 10, "x") == (
        "There is no open party called “x” in this server."
    )


def test_choices_skip_an_ended_party_and_go_on_with_the_rest():
    parties = [party(name="A ended", id=1, ended_at=T0), party(name="B open", id=2), party(name="C open", id=3)]
    assert party_choices(parties, "") == ["B open", "C open"]


def test_choices_offer_a_name_shared_by_two_channels_once():
    twins = [party(name="Night", channel=10, id=1), party(name="NIGHT", channel=11, id=2), party(name="Late", id=3)]
    assert party_choices(twins, "nig") == ["Night"]
    assert party_choices(twins, "igh") == ["Night"]


# -- advancing a party ------------------------------------------------------------------------------------------------


def test_next_keeps_every_field_of_the_party_but_its_episode_and_stores_each_move_at_now():
    before = party(position=Position(1, 2), id=9, guild_id=300, channel_id=30, show_id=SEED.id, host_id=CY)
    checked_in = {CY: standing_at(SEED, CY, 1, 1), ANA: standing_at(SEED, ANA, 1, 5), BO: Standing(BO, SEED.id)}
    result = advance_party(before, SEED, checked_in, later(30))
    assert result.party == dataclasses.replace(before, position=Position(1, 3))
    assert result.checked_in == (ANA, BO, CY)
    assert [(u.before.user_id, u.progress.position, u.progress.updated_at) for u in result.moved] == [
        (BO, Position(1, 3), later(30)),
        (CY, Position(1, 3), later(30)),
    ]
    assert result.already_past == (ANA,)


def test_a_member_exactly_at_the_party_episode_is_already_there():
    assert catch_up(standing_at(SEED, ANA, 1, 3), SEED, Position(1, 3), later(1)) is None
    moved = catch_up(standing_at(SEED, ANA, 1, 2), SEED, Position(1, 3), later(1))
    assert moved is not None
    assert (moved.progress.position, moved.progress.updated_at) == (Position(1, 3), later(1))


def test_a_party_past_the_last_episode_is_told_so_with_both_names_cut():
    done = party(name=STARS_100, position=Position(1, 2), show_id=LONG_TITLED.id)
    assert refusal(AlreadyFinishedError, advance_party, done, LONG_TITLED, {}, T0) == (
        f"“{SHOWN_AT_100}” has watched the last episode of {SHOWN_AT_200}."
    )


# -- positions --------------------------------------------------------------------------------------------------------


def test_special_number_1_exists_and_the_refusals_say_the_range():
    check_special(LONG_TITLED, 1)
    check_special(SEED, 1)
    assert refusal(EpisodeOutOfRangeError, check_special, LONG_TITLED, 3) == (
        f"{SHOWN_AT_200} has specials 1 to 2; there is no special 3."
    )
    assert refusal(EpisodeOutOfRangeError, check_special, SEED, 1000) == "Special numbers run from 1 to 999."


def test_a_show_listed_from_a_later_season_starts_there_and_an_unlisted_one_at_s1e1():
    later_only = Show(id=7, title="Listed from season 3", seasons=(SeasonInfo(0, 1), SeasonInfo(3, 8)))
    assert first_position(later_only) == Position(3, 1)
    assert following(later_only, None) == Position(3, 1)
    assert first_position(Show(id=8, title="Unlisted")) == Position(1, 1)
    assert following(Show(id=8, title="Unlisted"), None) == Position(1, 1)


def test_a_season_listed_with_no_episodes_adds_none():
    show = Show(id=9, title="Empty second season", seasons=(SeasonInfo(1, 8), SeasonInfo(2, 0)))
    assert total_episodes(show) == 8


def test_episodes_watched_count_every_earlier_season_and_cap_at_the_season_count():
    assert episodes_through(THREE, None) == 0
    assert episodes_through(THREE, Position(3, 2)) == 10 + 12 + 2
    # A position stored before the catalogue lowered the season's count counts the season's episodes, no more.
    assert episodes_through(SEED, Position(1, 10)) == 8
    assert episodes_through(Show(id=8, title="Unlisted"), Position(1, 10)) == 10


def test_a_season_tuple_whose_memory_is_reused_is_not_read_as_the_old_one():
    # Each loop drops the previous show and its seasons, and the lru caches let go of them too (as they do once 4,096
    # other shows were asked about); CPython soon hands a freed tuple's address to a new one.
    for count in range(1, 60):
        show = Show(id=count, title="Recounted", seasons=(SeasonInfo(1, count),))
        assert last_position(show) == Position(1, count)
        positions_module._regular.cache_clear()
        positions_module._last.cache_clear()


# -- tracking ---------------------------------------------------------------------------------------------------------


def test_next_after_the_last_episode_names_it_and_points_to_rewatch():
    assert refusal(AlreadyFinishedError, next_episode, standing_at(LONG_TITLED, USER, 1, 2), LONG_TITLED, T0) == (
        f"You've reached the last episode of {SHOWN_AT_200} (S1 E2). `/progress rewatch` starts it again."
    )


def test_next_from_nothing_stores_the_member_show_and_time():
    update = next_episode(Standing(USER, SEED.id), SEED, later(3))
    progress = update.progress
    assert (progress.user_id, progress.show_id, progress.position) == (USER, SEED.id, Position(1, 1))
    assert (progress.pass_number, progress.pass_started_at, progress.updated_at) == (1, later(3), later(3))


def test_rewatch_refusals_say_which_rewatch_has_started_or_that_nothing_was_watched():
    first_rewatch = rewatch(standing_at(LONG_TITLED, USER, 1, 2), LONG_TITLED, later(1)).after
    assert refusal(NothingToRewatchError, rewatch, first_rewatch, LONG_TITLED, later(2)) == (
        f"Rewatch 1 of {SHOWN_AT_200} has already started: `/progress next` marks its first episode."
    )
    second_rewatch = rewatch(next_episode(first_rewatch, LONG_TITLED, later(3)).after, LONG_TITLED, later(4)).after
    assert refusal(NothingToRewatchError, rewatch, second_rewatch, LONG_TITLED, later(5)).startswith("Rewatch 2 of ")
    assert refusal(NothingToRewatchError, rewatch, Standing(USER, LONG_TITLED.id), LONG_TITLED, T0) == (
        f"You haven't started {SHOWN_AT_200} yet, so there is nothing to rewatch."
    )


def test_a_rewatch_stores_the_member_show_and_time_and_its_episodes_stay_in_that_pass():
    update = rewatch(standing_at(SEED, USER, 1, 8), SEED, later(10))
    progress = update.progress
    assert (progress.user_id, progress.show_id, progress.updated_at) == (USER, SEED.id, later(10))
    step = next_episode(update.after, SEED, later(20)).progress
    assert (step.user_id, step.show_id, step.updated_at) == (USER, SEED.id, later(20))
    assert (step.pass_number, step.pass_started_at) == (2, later(10))
