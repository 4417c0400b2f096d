"""Which stored record an incoming show is, who may replace whom, and the ranking weight of each source."""

import pytest

from bot.domain.models import Show, ShowSource
from bot.domain.precedence import identity_keys, is_derived_key, may_replace, show_identity
from bot.domain.ranking import POPULARITY, popularity, show_label


def same_show(a: tuple, b: tuple) -> bool:
    return bool(set(identity_keys(*a)) & set(identity_keys(*b)))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("Crash Landing on You", None, 2019), ("crash landing  on you!", None, 2019), True),
        (("Crash Landing on You", None, 2019), ("Crash Landing on You", None, 2020), False),
        (("Stranger", "비밀의 숲", 2017), ("Secret Forest", "비밀의 숲", 2017), True),
        (("Stranger", "비밀의 숲", 2017), ("Stranger", "비밀의 숲", 2020), False),
        # A shared Hangul title without a year says nothing: remakes and films share titles.
        (("My Sassy Girl", "엽기적인 그녀", None), ("My Sassy Girl (2001)", "엽기적인 그녀", None), False),
        (("Signal", None, None), ("SIGNAL", None, None), True),
        (("Signal", None, None), ("Signal", None, 2016), False),
    ],
)
def test_the_same_show_is_the_same_title_or_native_title_in_the_same_year(a, b, same):
    assert same_show(a, b) is same
    assert same_show(b, a) is same


@pytest.mark.parametrize(
    ("stored", "incoming", "allowed"),
    [
        (ShowSource.BUNDLED, ShowSource.BUNDLED, True),
        (ShowSource.IMPORTED, ShowSource.BUNDLED, False),
        (ShowSource.TVMAZE, ShowSource.BUNDLED, False),
        (ShowSource.BUNDLED, ShowSource.IMPORTED, True),
        (ShowSource.TVMAZE, ShowSource.IMPORTED, True),
        (ShowSource.IMPORTED, ShowSource.IMPORTED, True),
        (ShowSource.BUNDLED, ShowSource.TVMAZE, True),
        (ShowSource.IMPORTED, ShowSource.TVMAZE, True),
    ],
)
def test_the_bundled_file_replaces_only_its_own_records(stored, incoming, allowed):
    assert may_replace(stored, incoming) is allowed
    assert may_replace(stored.value, incoming.value) is allowed  # as the database column holds it


def test_a_derived_key_is_one_an_import_made_up():
    assert is_derived_key("import-signal")
    assert not is_derived_key("signal")


def test_bundled_shows_rank_above_imports_above_tvmaze_and_an_unknown_source_last():
    assert popularity("catalog") > popularity("import") > popularity("tvmaze") > popularity("somewhere") == 0.0
    assert set(POPULARITY) == set(ShowSource)


def test_a_label_carries_the_year_when_known():
    assert show_label("Signal", 2016) == "Signal (2016)"
    assert show_label("Signal", None) == "Signal"


def test_identity_keys_are_the_folded_title_and_the_folded_native_title_each_with_the_year():
    assert identity_keys("Crash Landing on You!", "사랑의 불시착", 2019) == [
        ("title", "crash landing on you", 2019),
        ("native", "사랑의 불시착", 2019),
    ]
    assert identity_keys("Signal", "시그널", None) == [("title", "signal", None)]
    assert identity_keys("", "시그널", 2016) == [("native", "시그널", 2016)]


def test_a_shows_identity_is_that_of_its_title_native_title_and_year():
    show = Show(title="Stranger", native_title="비밀의 숲", year=2017)
    assert show_identity(show) == [("title", "stranger", 2017), ("native", "비밀의 숲", 2017)]
    assert show_identity(Show(title="Stranger")) == [("title", "stranger", None)]
