"""Paged messages (the episode list): which items a page shows, how many pages there are, where a stale button lands."""

import pytest

from bot.domain.paging import paginate

EPISODES = [f"Episode {n}" for n in range(1, 26)]  # 25 items: pages of 10, 10 and 5


def test_an_empty_list_is_one_empty_page_with_no_buttons():
    for requested in (0, 1, 5, -1):
        page = paginate([], requested, 10)
        assert (list(page.items), page.index, page.count) == ([], 0, 1)
        assert not page.has_previous
        assert not page.has_next


def test_exactly_one_page_shows_everything_and_no_next_button():
    items = EPISODES[:10]
    page = paginate(items, 0, 10)
    assert (list(page.items), page.index, page.count) == (items, 0, 1)
    assert not page.has_previous
    assert not page.has_next


def test_one_item_past_a_page_makes_a_second_page_holding_only_that_item():
    items = EPISODES[:11]
    first = paginate(items, 0, 10)
    assert (list(first.items), first.count) == (items[:10], 2)
    assert first.has_next
    assert not first.has_previous
    second = paginate(items, 1, 10)
    assert (list(second.items), second.index, second.count) == (["Episode 11"], 1, 2)
    assert second.has_previous
    assert not second.has_next


def test_pages_cover_every_item_once_in_order():
    pages = [paginate(EPISODES, i, 10) for i in range(3)]
    assert [list(p.items) for p in pages] == [EPISODES[:10], EPISODES[10:20], EPISODES[20:]]
    assert {p.count for p in pages} == {3}
    middle = pages[1]
    assert middle.has_previous
    assert middle.has_next


@pytest.mark.parametrize(("requested", "landed"), [(3, 2), (99, 2), (-1, 0), (-50, 0)])
def test_a_stale_page_number_lands_on_the_nearest_real_page(requested, landed):
    page = paginate(EPISODES, requested, 10)
    assert page.index == landed
    assert list(page.items) == EPISODES[landed * 10 : landed * 10 + 10]


def test_a_page_of_one_shows_one_item_each():
    page = paginate(EPISODES, 24, 1)
    assert (list(page.items), page.index, page.count) == (["Episode 25"], 24, 25)


@pytest.mark.parametrize("size", [0, -10])
def test_a_page_size_below_one_is_a_programming_error(size):
    with pytest.raises(ValueError, match=r"^page size must be positive$"):
        paginate(EPISODES, 0, size)
