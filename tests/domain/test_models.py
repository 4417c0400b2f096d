"""What a show record answers: its episode total, one season, and every name it can be found by."""

from bot.domain.models import CastMember, SeasonInfo, Show

TWO_SEASONS = Show(title="Hospital Playlist", seasons=(SeasonInfo(1, 12), SeasonInfo(2, 12)))


def test_the_episode_total_adds_every_season_and_is_unknown_while_any_season_is():
    assert TWO_SEASONS.episode_count == 24
    assert Show(title="Announced", seasons=(SeasonInfo(1, 10), SeasonInfo(2))).episode_count is None
    assert Show(title="Nothing listed").episode_count is None


def test_a_season_is_found_by_number_and_a_missing_one_is_none():
    assert TWO_SEASONS.season(2) == SeasonInfo(2, 12)
    assert TWO_SEASONS.season(3) is None
    assert Show(title="Nothing listed").season(1) is None


def test_search_names_list_every_name_with_its_kind_titles_first():
    show = Show(
        title="Crash Landing on You",
        native_title="사랑의 불시착",
        aliases=("CLOY", "Love's Emergency Landing"),
        cast=(
            CastMember("Hyun Bin", "Ri Jeong-hyeok", ("Comrade Captain",)),
            CastMember("Son Ye-jin", "Yoon Se-ri"),
            CastMember("Kim Jung-hyun"),
        ),
    )
    assert show.search_names() == [
        ("title", "Crash Landing on You"),
        ("native", "사랑의 불시착"),
        ("alias", "CLOY"),
        ("alias", "Love's Emergency Landing"),
        ("cast", "Hyun Bin"),
        ("character", "Ri Jeong-hyeok"),
        ("nickname", "Comrade Captain"),
        ("cast", "Son Ye-jin"),
        ("character", "Yoon Se-ri"),
        ("cast", "Kim Jung-hyun"),
    ]


def test_a_show_with_only_a_title_is_found_by_its_title_alone():
    assert Show(title="Move to Heaven").search_names() == [("title", "Move to Heaven")]
