"""The index as a whole: what it builds from stored rows (odd rows included), the labels it falls back to,
shows added and removed later, when it merges its changes and may be saved again, the popular list."""

from __future__ import annotations

import math

import pytest

from bot.domain.search import NameKind, SearchIndex, Tier
from bot.domain.search.romanise import romanise
from bot.domain.text import normalize

Row = tuple[int, str, str, str]


def row(show_id: int, kind: str, name: str) -> Row:
    return (show_id, kind, name, normalize(name))


def test_an_empty_index_finds_nothing_and_takes_shows() -> None:
    index = SearchIndex()
    assert (len(index), index.search("anything"), index.popular(), index.label(1)) == (0, [], [], None)
    index.add_show(1, "Signal (2016)", [("title", "Signal")])
    assert [(h.show_id, h.label) for h in index.search("signal")] == [(1, "Signal (2016)")]
    assert len(index) == 1


def test_rows_may_come_as_any_iterable() -> None:
    rows = [row(1, "title", "Signal"), row(2, "title", "Stranger")]
    built = SearchIndex.build(iter(rows), {})
    assert [h.show_id for h in built.search("s")] == [1, 2]
    assert built.label(2) == "Stranger"


def test_a_kind_this_version_does_not_know_is_an_alias() -> None:
    index = SearchIndex.build([row(1, "title", "Goblin"), row(1, "fan-name", "Guardian")], {1: "Goblin (2016)"})
    hit = index.search("guardian")[0]
    assert (hit.show_id, hit.kind, hit.matched) == (1, NameKind.ALIAS, "Guardian")


def test_a_stored_normal_form_normalize_cannot_have_made_is_redone() -> None:
    rows = [(1, "title", "Crash Landing", "crash\tlanding"), (2, "title", "Vincenzo", ""), row(3, "title", "Mouse")]
    index = SearchIndex.build(rows, {})
    assert [h.show_id for h in index.search("crash landing")] == [1]
    assert [h.show_id for h in index.search("vincenzo")] == [2]
    assert [h.show_id for h in index.search("mouse")] == [3]


def test_only_the_shows_own_hangul_names_are_romanised() -> None:
    index = SearchIndex.build([row(1, "title", "Boys Over Flowers"), row(1, "cast", "이민호")], {})
    assert index.search("이민호")[0].show_id == 1
    spelled = romanise(normalize("이민호"))
    assert spelled != normalize("이민호")
    assert [h for h in index.search(spelled) if h.tier <= Tier.INNER] == []
    titled = SearchIndex.build([row(1, "native", "꽃보다 남자")], {})
    assert titled.search(romanise(normalize("꽃보다 남자")))[0].kind == NameKind.ROMANISED


def test_a_show_without_a_label_is_labelled_by_its_title_else_its_first_name() -> None:
    rows = [
        row(1, "cast", "Hyun Bin"),
        row(1, "title", "Crash Landing on You"),
        row(2, "cast", "Kim Go-eun"),
        row(2, "character", "Ji Eun-tak"),
        row(3, "title", "Signal"),
    ]
    index = SearchIndex.build(rows, {1: "", 3: "Signal (2016)"})
    assert [index.label(i) for i in (1, 2, 3)] == ["Crash Landing on You", "Kim Go-eun", "Signal (2016)"]
    assert index.search("hyun bin")[0].label == "Crash Landing on You"


def test_a_show_added_without_a_label_is_labelled_by_its_title_else_by_its_number() -> None:
    index = SearchIndex()
    index.add_show(7, "", [("cast", "Song Kang"), ("title", "Sweet Home"), ("title", "Sweet Home 2")])
    assert index.label(7) == "Sweet Home"
    index.add_show(8, "", [("cast", "Song Kang")])
    assert index.label(8) == "Show #8"
    index.add_show(9, "Navillera (2021)", [("title", "Navillera")])
    assert index.label(9) == "Navillera (2021)"


def test_a_show_added_without_popularity_ranks_as_unpopular() -> None:
    index = SearchIndex.build([row(1, "title", "Mouse Hunt")], {}, {1: 0.5})
    index.add_show(2, "", [("title", "Mouse Hunt")])
    index.add_show(3, "", [("title", "Mouse Hunt")], float("nan"))
    index.add_show(4, "", [("title", "Mouse Hunt")], 0.25)
    hits = index.search("mouse hunt")
    assert [h.show_id for h in hits] == [1, 4, 2, 3]
    assert all(math.isfinite(h.score) for h in hits)
    assert hits[2].score == hits[3].score < hits[1].score < hits[0].score


def _shows(count: int, start: int = 1) -> list[tuple[int, str, list[tuple[str, str]], float]]:
    return [(i, "", [("title", f"Show {i}")], 0.0) for i in range(start, start + count)]


@pytest.mark.parametrize(("changed", "merged"), [(999, False), (1000, False), (1001, True)])
def test_changes_merge_into_a_saveable_index_once_past_two_thousand_names(changed: int, merged: bool) -> None:
    # Each show changed again counts twice: its stale copy in the main segment and its new names.
    index = SearchIndex.build([row(i, "title", f"Show {i}") for i in range(1, 1101)], {})
    assert index.compact
    index.add_shows(_shows(changed))
    assert index.compact is merged
    assert [h.show_id for h in index.search("show 1000")] == [1000]
    assert len(index) == 1100
    if merged:
        assert SearchIndex.from_snapshot(index.snapshot()).search("show 1001")[0].show_id == 1001


def test_an_index_with_changes_on_top_cannot_be_saved() -> None:
    index = SearchIndex.build([row(1, "title", "Signal")], {})
    index.add_show(2, "", [("title", "Stranger")])
    with pytest.raises(ValueError, match=r"^only a freshly built index can be saved; build it again first$"):
        index.snapshot()


@pytest.mark.parametrize("limit", [0, -3])
def test_no_popular_shows_are_asked_for(limit: int) -> None:
    index = SearchIndex.build([row(1, "title", "Signal")], {}, {1: 1.0})
    assert index.popular(limit) == []


def test_the_popular_shows_are_titles_most_popular_first() -> None:
    rows = [row(1, "title", "Signal"), row(2, "cast", "Aaa"), row(2, "title", "Stranger"), row(3, "title", "Mouse")]
    index = SearchIndex.build(rows, {}, {1: 0.2, 2: 0.9, 3: 0.5})
    hits = index.popular()
    assert [(h.show_id, h.matched, h.kind, h.tier) for h in hits] == [
        (2, "Stranger", NameKind.TITLE, Tier.EXACT),
        (3, "Mouse", NameKind.TITLE, Tier.EXACT),
        (1, "Signal", NameKind.TITLE, Tier.EXACT),
    ]
    assert hits[0].score > hits[1].score > hits[2].score


def test_a_label_typed_back_names_its_show_as_its_title() -> None:
    # "Vincenzo (2021)" picked from autocomplete and typed again: found by a character's name, offered as the
    # label alone, an exact title match; the other Vincenzo is offered below, never taken as meant.
    index = SearchIndex.build(
        [row(1, "native", "빈센조"), row(1, "character", "Vincenzo Cassano"), row(2, "title", "Vincenzo Returns")],
        {1: "Vincenzo (2021)", 2: "Vincenzo Returns (2024)"},
    )
    hits = index.search("Vincenzo (2021)")
    assert [(h.show_id, h.tier, h.kind) for h in hits] == [
        (1, Tier.EXACT, NameKind.TITLE),
        (2, Tier.INNER, NameKind.TITLE),
    ]
    assert index.autocomplete("Vincenzo (2021)") == [("Vincenzo (2021)", "#1"), ("Vincenzo Returns (2024)", "#2")]
    prefix = SearchIndex.build([row(1, "title", "Kingdom Season One")], {1: "Kingdom (2019)"})
    assert [(h.tier, h.kind) for h in prefix.search("kingdom 2019")] == [(Tier.EXACT, NameKind.TITLE)]


def test_a_known_word_is_not_corrected_while_another_word_is_unknown() -> None:
    # "dgo" is the slip; "bat" is a word some name has, so "cat" is not tried for it.
    index = SearchIndex.build([row(1, "title", "Bat Dog"), row(2, "title", "Cat Dog")], {})
    assert [(h.show_id, h.tier) for h in index.search("bat dgo")] == [(1, Tier.TYPO)]


def test_the_last_word_may_be_a_slip_though_some_word_starts_with_it() -> None:
    # "fier" starts "fierce" and was maybe meant as "fire": both are offered, the word as typed first.
    index = SearchIndex.build([row(1, "title", "Love Fierce"), row(2, "title", "Love Fire")], {})
    assert [(h.show_id, h.tier) for h in index.search("lvoe fier")] == [(1, Tier.TYPO), (2, Tier.TYPO)]


def test_an_exact_name_scores_above_one_exact_only_without_spaces() -> None:
    index = SearchIndex.build([row(1, "title", "Squid Game"), row(2, "title", "SquidGame")], {}, {2: 1000.0})
    hits = index.search("squid game")
    assert [(h.show_id, h.tier) for h in hits] == [(1, Tier.EXACT), (2, Tier.EXACT)]
    assert hits[0].score > hits[1].score


def test_a_removed_show_loses_its_label_and_names() -> None:
    index = SearchIndex()
    index.add_show(5, "Xylophone (2020)", [("title", "Xylophone")])
    index.remove_show(5)
    assert (index.label(5), index.search("xylophone"), len(index)) == (None, [], 0)


def test_the_limit_holds_when_typos_would_add_to_inner_matches() -> None:
    # "rauma" is inside both titles; with room for one, the typo tier adds nothing ("trauma" for the other).
    index = SearchIndex.build([row(1, "title", "The Trauma Code"), row(2, "title", "Trauma Center")], {})
    assert [(h.show_id, h.tier) for h in index.search("rauma", 1)] == [(2, Tier.INNER)]
    assert [h.show_id for h in index.search("rauma")] == [2, 1]


def test_a_search_gives_twenty_five_shows_unless_asked_for_more() -> None:
    index = SearchIndex.build([row(i, "title", f"Signal {i}") for i in range(1, 41)], {})
    assert len(index.search("signal")) == 25
    assert len(index.search("signal", 40)) == 40
