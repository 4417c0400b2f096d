"""Searches over thousands of names alike, where the index scans its text or merges posting lists instead of
gathering every candidate, and the order of names it builds: best first whichever path finds them."""

from __future__ import annotations

import pytest

from bot.domain.search import NameKind, SearchIndex, Tier
from bot.domain.search.romanise import romanise
from bot.domain.search.segment import SPARSE
from bot.domain.text import normalize

MANY = SPARSE + 100  # more matches than the index gathers one by one


def build(names: dict[int, list[tuple[str, str]]], popularity: dict[int, float] | None = None) -> SearchIndex:
    rows = [(show_id, kind, name, normalize(name)) for show_id, pairs in names.items() for kind, name in pairs]
    return SearchIndex.build(rows, {}, popularity)


def test_a_prefix_of_thousands_of_names_finds_the_best_first() -> None:
    index = build({n: [("title", f"The Show {n}")] for n in range(1, MANY + 1)})
    hits = index.search("the show", 5)
    assert [(h.show_id, h.tier) for h in hits] == [(n, Tier.PREFIX) for n in range(1, 6)]


def test_a_hangul_prefix_of_thousands_of_names_finds_the_best_first() -> None:
    index = build({n: [("title", f"사랑 {n}")] for n in range(1, MANY + 1)})
    hits = index.search("사랑", 3)
    assert [(h.show_id, h.tier) for h in hits] == [(1, Tier.PREFIX), (2, Tier.PREFIX), (3, Tier.PREFIX)]


def test_a_word_start_shared_by_thousands_of_words_is_scanned_for() -> None:
    # Every name has its own word starting with "x": too many words to merge their lists.
    index = build({n: [("title", f"Agent x{n}")] for n in range(1, MANY + 1)})
    hits = index.search("x", 4)
    assert [(h.show_id, h.tier, h.matched) for h in hits] == [(n, Tier.WORDS, f"Agent x{n}") for n in range(1, 5)]


def test_a_word_start_shared_by_a_few_common_words_merges_their_lists() -> None:
    # "zq1" and "zq2" are each in over a thousand names, most of them both: each show is found once,
    # best first, and the best show that has neither word does not stand in for one that has.
    names = {1: [("title", "Other Story")]}
    names |= {n: [("title", f"{n} zq2")] for n in range(2, 5)}
    names |= {n: [("title", f"{n} zq1 zq2")] for n in range(5, 1200)}
    names |= {n: [("title", f"{n} zq1 later")] for n in range(1200, 1300)}
    index = build(names, {1: 1.0})
    hits = index.search("zq", 30)
    assert [h.show_id for h in hits] == list(range(2, 32))
    assert all(h.tier == Tier.WORDS for h in hits)


def test_with_room_for_one_a_title_comes_before_a_more_popular_persons_name() -> None:
    index = build({1: [("cast", "Signal")], 2: [("title", "Signal")]}, {1: 0.9, 2: 0.1})
    assert [(h.show_id, h.kind) for h in index.search("signal", 1)] == [(2, NameKind.TITLE)]
    assert [h.show_id for h in index.search("signal", 2)] == [2, 1]


@pytest.mark.parametrize("order", [(2, 1), (1, 2)])
def test_names_alike_in_every_way_rank_by_show_number(order: tuple[int, int]) -> None:
    index = build({show_id: [("title", "Signal")] for show_id in order})
    assert [h.show_id for h in index.search("signal", 1)] == [1]
    assert [h.show_id for h in index.search("signal")] == [1, 2]


def test_any_sixty_four_bit_show_number_is_kept() -> None:
    numbers = [-(2**63), -5, 2**62, 2**63 - 1]
    index = build({n: [("title", f"Show {i}")] for i, n in enumerate(numbers)})
    loaded = SearchIndex.from_snapshot(index.snapshot())
    for i, n in enumerate(numbers):
        assert [h.show_id for h in loaded.search(f"show {i}")] == [n]
        assert loaded.label(n) == f"Show {i}"
    loaded.add_show(-5, "", [("title", "Renamed")])
    assert [h.show_id for h in loaded.search("renamed")] == [-5]
    assert loaded.search("show 1") == []


def test_a_romanised_title_is_found_whole_never_by_its_words() -> None:
    index = build({1: [("native", "사랑의 불시착")], 2: [("title", "Bulsichak Diary")]})
    spelled = romanise(normalize("사랑의 불시착"))
    assert spelled == "sarangui bulsichak"
    assert [(h.show_id, h.kind) for h in index.search(spelled)] == [(1, NameKind.ROMANISED)]
    assert [(h.show_id, h.tier) for h in index.search("bulsichak")] == [(2, Tier.PREFIX)]


def test_one_word_in_thousands_of_names_finds_the_best_first() -> None:
    index = build({n: [("title", f"x{n} Agent")] for n in range(1, MANY + 1)})
    assert [(h.show_id, h.tier) for h in index.search("agent", 3)] == [(n, Tier.WORDS) for n in (1, 2, 3)]


def test_text_inside_a_word_of_thousands_of_names_finds_the_best_first() -> None:
    index = build({n: [("title", f"Agent x{n}")] for n in range(1, MANY + 1)})
    assert [(h.show_id, h.tier) for h in index.search("gent", 3)] == [(n, Tier.INNER) for n in (1, 2, 3)]


def test_a_syllable_being_composed_that_starts_hundreds_of_words_finds_the_best_first() -> None:
    # 사ㅇ: 사 then any syllable starting with ㅇ (아..잏), 588 words in all, a word of every name.
    index = build({n: [("title", f"별 사{chr(ord('아') + n % 588)}")] for n in range(1, MANY + 1)})
    assert [(h.show_id, h.tier) for h in index.search("사ㅇ", 3)] == [(n, Tier.WORDS) for n in (1, 2, 3)]
