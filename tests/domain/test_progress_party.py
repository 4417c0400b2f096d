import datetime as dt

import pytest

from bot.domain.errors import AlreadyFinishedError, InvalidInputError, MissingPermissionError, PartyNotFoundError
from bot.domain.models import SeasonInfo, Show
from bot.domain.progress import (
    MAX_PARTY_NAME,
    Party,
    Position,
    Standing,
    WatchStatus,
    advance_party,
    can_manage_party,
    clean_party_name,
    party_choices,
    party_name_key,
    pick_party,
    require_party_manager,
    set_episode,
)
from bot.domain.progress import positions as positions_module

SEED = Show(id=1, title="The Trauma Code: Heroes On Call", seasons=(SeasonInfo(1, 8),))
T0 = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
HOST, ANA, BO, CY = 1, 2, 3, 4


@pytest.fixture(autouse=True)
def _empty_position_caches() -> None:
    """positions keeps per-show facts; each test starts with none kept, so it checks the code that computes them."""
    positions_module._FACTS.clear()
    positions_module._regular.cache_clear()
    positions_module._last.cache_clear()


def party(name: str = "Friday Trauma", channel: int = 10, position: Position | None = None, **kw) -> Party:
    values = {"id": 7, "guild_id": 100, "channel_id": channel, "show_id": SEED.id, "name": name, "host_id": HOST}
    values.update(kw)
    return Party(position=position, created_at=T0, **values)


def standing_at(user: int, episode: int | None) -> Standing:
    fresh = Standing(user, SEED.id)
    return fresh if episode is None else set_episode(fresh, SEED, 1, episode, T0).after


def test_names_are_cleaned_and_limited_to_100_characters():
    assert clean_party_name("  Friday \u200b  Trauma\n") == "Friday Trauma"
    assert clean_party_name("x" * MAX_PARTY_NAME) == "x" * 100
    with pytest.raises(InvalidInputError, match="at most 100 characters; that one has 200"):
        clean_party_name("x" * 200)
    with pytest.raises(InvalidInputError, match="visible character"):
        clean_party_name("\u200b \u202e")


def test_names_compare_without_case_or_width():
    assert party_name_key("Friday TRAUMA") == party_name_key("ｆｒｉｄａｙ trauma")
    assert party_name_key("Friday Trauma") != party_name_key("Friday Trauma 2")


def test_only_the_host_or_manage_events_may_run_a_party():
    p = party()
    assert can_manage_party(p, HOST, has_manage_events=False)
    assert can_manage_party(p, ANA, has_manage_events=True)
    assert not can_manage_party(p, ANA, has_manage_events=False)
    with pytest.raises(MissingPermissionError, match="Only the host of “Friday Trauma” or a member with Manage Events"):
        require_party_manager(p, ANA, has_manage_events=False)


def test_a_party_is_found_in_this_channel_first_then_in_the_server():
    here, there = party(channel=10, id=1), party(channel=11, id=2)
    assert pick_party([there, here], 10, "friday trauma") is here
    assert pick_party([there], 10, "Friday Trauma") is there
    with pytest.raises(PartyNotFoundError, match="Several open parties"):
        pick_party([there, party(channel=12, id=3)], 10, "Friday Trauma")


def test_an_unknown_party_name_lists_the_open_ones_inert():
    with pytest.raises(PartyNotFoundError) as caught:
        pick_party([party(name="**Bold** night")], 10, "@everyone")
    assert "@\u200beveryone" in caught.value.message
    assert r"\*\*Bold\*\* night" in caught.value.message


def test_ended_parties_are_neither_found_nor_offered():
    ended = party(ended_at=T0)
    with pytest.raises(PartyNotFoundError):
        pick_party([ended], 10, "Friday Trauma")
    assert party_choices([ended], "") == []


def test_choices_put_prefix_matches_first_and_stop_at_25():
    parties = [party(name=f"Night {i:02d}", id=i) for i in range(30)] + [party(name="Late Night", id=99)]
    choices = party_choices(parties, "night")
    assert len(choices) == 25
    assert choices[0] == "Night 00"
    assert "Late Night" not in choices  # 30 prefix matches fill the list first
    assert party_choices(parties, "late") == ["Late Night"]
    assert party_choices(parties, "ate ni") == ["Late Night"]


def test_next_moves_the_members_who_checked_in_unless_they_are_past_it():
    p = party(position=Position(1, 2))
    checked_in = {ANA: standing_at(ANA, 2), BO: standing_at(BO, 5), CY: standing_at(CY, None)}
    result = advance_party(p, SEED, checked_in, T0)
    assert result.party.position == Position(1, 3)
    assert result.episode == Position(1, 3)
    moved = {u.before.user_id: u.progress.position for u in result.moved}
    assert moved == {ANA: Position(1, 3), CY: Position(1, 3)}
    assert result.already_past == (BO,)
    assert {u.before.user_id: u.status for u in result.moved} == {ANA: WatchStatus.WATCHING, CY: WatchStatus.WATCHING}


def test_next_with_nobody_checked_in_moves_only_the_party():
    result = advance_party(party(), SEED, {}, T0)
    assert result.party.position == Position(1, 1)
    assert result.moved == ()


def test_the_last_episode_together_completes_the_show_for_those_present():
    result = advance_party(party(position=Position(1, 7)), SEED, {ANA: standing_at(ANA, 7)}, T0)
    assert result.moved[0].completed_now
    with pytest.raises(AlreadyFinishedError, match="has watched the last episode"):
        advance_party(party(position=Position(1, 8)), SEED, {}, T0)
