import pytest

from bot.domain.errors import EpisodeOutOfRangeError, InvalidInputError
from bot.domain.models import SeasonInfo, Show
from bot.domain.reviews import EpisodeRef, ViewerProgress, decide_reveal, parse_episode_ref, resolve_spoilers_through

TRAUMA = Show("The Trauma Code: Heroes On Call", seasons=(SeasonInfo(1, 8),))
TWO_SEASONS = Show("Hospital Playlist", seasons=(SeasonInfo(1, 12), SeasonInfo(2, 12)))
UNLISTED = Show("Mystery Show")


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("8", EpisodeRef(1, 8)),
        (" 8 ", EpisodeRef(1, 8)),
        ("ep 8", EpisodeRef(1, 8)),
        ("Episode 8", EpisodeRef(1, 8)),
        ("S2E3", EpisodeRef(2, 3)),
        ("s2e3", EpisodeRef(2, 3)),
        ("S 2 E 3", EpisodeRef(2, 3)),
        ("s02e03", EpisodeRef(2, 3)),
        ("Season 2 Episode 3", EpisodeRef(2, 3)),
        ("S2, E3", EpisodeRef(2, 3)),
        ("８", EpisodeRef(1, 8)),  # full-width digit from a Korean or Japanese keyboard
    ],
)
def test_episode_refs_are_read_in_the_forms_members_type(text, ref):
    assert parse_episode_ref(text) == ref


@pytest.mark.parametrize("text", ["", "eight", "S2", "E3", "2x3", "0", "S0E1", "S1E0", "-1", "99999", "8.5", "٨"])
def test_malformed_episode_refs_are_refused(text):
    with pytest.raises(InvalidInputError):
        parse_episode_ref(text)


def test_spoilers_through_is_checked_against_the_show():
    assert resolve_spoilers_through(TRAUMA, "8") == EpisodeRef(1, 8)
    assert resolve_spoilers_through(TRAUMA, None) is None
    assert resolve_spoilers_through(TRAUMA, "  ") is None
    with pytest.raises(EpisodeOutOfRangeError, match="There is no episode 9 in The Trauma Code"):
        resolve_spoilers_through(TRAUMA, "9")
    with pytest.raises(EpisodeOutOfRangeError, match="has no season 2"):
        resolve_spoilers_through(TRAUMA, "S2E1")


def test_a_bare_number_past_season_one_is_refused_with_the_form_to_use():
    assert resolve_spoilers_through(TWO_SEASONS, "12") == EpisodeRef(1, 12)
    assert resolve_spoilers_through(TWO_SEASONS, "S2E3") == EpisodeRef(2, 3)
    with pytest.raises(EpisodeOutOfRangeError) as err:
        resolve_spoilers_through(TWO_SEASONS, "15")
    assert "Season 1 of Hospital Playlist has 12 episodes" in err.value.message
    assert "episode 15 is S2E3" in err.value.message
    with pytest.raises(EpisodeOutOfRangeError, match="There is no episode 13"):
        resolve_spoilers_through(TWO_SEASONS, "S2E13")


def test_a_show_without_listed_seasons_takes_any_episode():
    assert resolve_spoilers_through(UNLISTED, "S3E40") == EpisodeRef(3, 40)


def test_episode_refs_order_by_season_then_episode():
    assert EpisodeRef(1, 8) < EpisodeRef(2, 1)
    assert EpisodeRef(2, 3) > EpisodeRef(2, 2)
    assert EpisodeRef(1, 8).label() == "episode 8"
    assert EpisodeRef(1, 8).label(multi_season=True) == "season 1, episode 8"
    assert EpisodeRef(2, 3).label() == "season 2, episode 3"
    assert EpisodeRef(2, 3).code == "S2E3"


def test_a_viewer_at_or_past_the_spoilers_or_done_sees_them():
    through = EpisodeRef(1, 8)
    for progress in (ViewerProgress(1, 8), ViewerProgress(2, 1), ViewerProgress(1, 3, completed=True)):
        assert decide_reveal(through, progress, show_title="The Trauma Code").allowed


def test_a_viewer_behind_is_told_where_they_are_and_what_the_review_covers():
    decision = decide_reveal(EpisodeRef(1, 8), ViewerProgress(1, 3), show_title="The Trauma Code")
    assert not decision.allowed
    assert decision.message == (
        "You are on episode 3 of The Trauma Code; this review discusses up to episode 8. Show the spoilers anyway?"
    )


def test_a_viewer_without_progress_is_asked_to_record_it():
    decision = decide_reveal(EpisodeRef(2, 3), None, show_title="Hospital Playlist", multi_season=True)
    assert not decision.allowed
    assert "You have not recorded any progress in Hospital Playlist" in decision.message
    assert "/progress set" in decision.message
    assert "up to season 2, episode 3" in decision.message


def test_a_review_without_spoilers_through_needs_the_show_completed():
    assert not decide_reveal(None, ViewerProgress(9, 99), show_title="X").allowed
    assert "may discuss the whole show" in decide_reveal(None, ViewerProgress(9, 99), show_title="X").message
    assert decide_reveal(None, ViewerProgress(1, 1, completed=True), show_title="X").allowed


def test_the_show_title_in_the_warning_cannot_format_or_ping():
    message = decide_reveal(EpisodeRef(1, 2), None, show_title="@everyone **x**").message
    assert "@everyone" not in message
    assert "**" not in message
