"""The typo tier's order: fewer corrected words first, then the name closer to the query, then the cheaper
corrections in total; the best name of each show; and shows past one already found are still found."""

from __future__ import annotations

from bot.domain.search import SearchIndex, Tier
from bot.domain.text import normalize


def build(names: dict[int, list[tuple[str, str]]], popularity: dict[int, float] | None = None) -> SearchIndex:
    rows = [(show_id, kind, name, normalize(name)) for show_id, pairs in names.items() for kind, name in pairs]
    return SearchIndex.build(rows, {}, popularity)


def found(index: SearchIndex, query: str, limit: int = 25) -> list[tuple[int, str]]:
    hits = index.search(query, limit)
    assert all(h.tier == Tier.TYPO for h in hits)
    return [(h.show_id, h.matched) for h in hits]


def test_the_corrections_of_every_word_add_up() -> None:
    # Both names are two edits from "hosue lvoe", alike in length: two swaps (house, love) cost less than a
    # dropped letter and a swap (hose, love), though the second show is the more popular.
    index = build({1: [("title", "House Love")], 2: [("title", "Hose Love")]}, {2: 1.0})
    assert found(index, "hosue lvoe") == [(1, "House Love"), (2, "Hose Love")]


def test_one_corrected_word_comes_before_two_however_close_the_name() -> None:
    # "bat" and "dog" are both words of some name, none has both: the last word is corrected in the first
    # show ("dig"), both words in the second ("cat dig"), whose name is far closer to the query.
    index = build(
        {
            1: [("title", "Bat Dig With Many Long Extra Words")],
            2: [("title", "Cat Dig")],
            3: [("title", "Dogs Life")],
            4: [("title", "Bat Man")],
        }
    )
    assert found(index, "bat dog") == [(1, "Bat Dig With Many Long Extra Words"), (2, "Cat Dig")]


def test_a_show_is_found_by_its_closest_name() -> None:
    # The title takes a swap in each word and an added letter, the alias a dropped letter and a swap.
    index = build({1: [("title", "House Lover"), ("alias", "Hose Love")]})
    assert found(index, "hosue lvoe") == [(1, "Hose Love")]


def test_a_show_with_two_matching_names_does_not_hide_the_shows_after_it() -> None:
    index = build({1: [("title", "House"), ("alias", "House Again")], 2: [("title", "House Party")]}, {1: 1.0})
    assert found(index, "hosue") == [(1, "House"), (2, "House Party")]


def test_with_room_for_one_the_closer_of_two_names_wins_over_the_more_popular() -> None:
    index = build({1: [("title", "House of Cards")], 2: [("title", "House")]}, {1: 1.0})
    assert found(index, "hosue", 1) == [(2, "House")]
    assert found(index, "hosue") == [(2, "House"), (1, "House of Cards")]


def test_with_room_for_one_the_name_that_is_just_the_word_wins_however_many_more_popular_names_hold_it() -> None:
    # Ten more popular shows hold "house" too; the plain "House" comes last in rank order, behind where the scan of
    # names holding a corrected word stops for a small limit.
    shows = {n: [("title", f"House Party {n}")] for n in range(1, 11)}
    shows[11] = [("title", "House")]
    index = build(shows, dict.fromkeys(range(1, 11), 1.0))
    assert found(index, "hosue", 1) == [(11, "House")]
    assert found(index, "hosue", 2)[0] == (11, "House")


def test_with_room_for_one_the_closer_of_two_longer_names_wins_over_the_more_popular() -> None:
    # Neither is just the word: both come from the scan of names holding "house", the popular one first.
    index = build({1: [("title", "House Party Tonight")], 2: [("title", "House 2")]}, {1: 1.0})
    assert found(index, "hosue", 1) == [(2, "House 2")]


def titles(*names: str) -> SearchIndex:
    return build({show_id: [("title", name)] for show_id, name in enumerate(names, 1)})


def test_a_whole_word_corrected_to_a_whole_word_is_not_read_as_a_start_too() -> None:
    # "bidr" is one swap from "bird": neither "birdie" nor "bid"(ding) is offered besides.
    index = titles("Bird Sky", "Birdie Sky", "Bidding Sky")
    assert found(index, "bidr sky") == [(1, "Bird Sky")]


def test_a_whole_word_no_word_is_one_edit_from_is_read_as_the_start_of_one() -> None:
    assert found(titles("Lovers Sky"), "lvoer sky") == [(1, "Lovers Sky")]


def test_a_whole_word_that_starts_a_word_is_both_a_slip_and_cut_short() -> None:
    # "brid" is "bird" mistyped (a swap, first) before it is "bridge" cut short (as costly as an edit).
    assert found(titles("Bridge Sky", "Bird Sky"), "brid sky") == [(2, "Bird Sky"), (1, "Bridge Sky")]


def test_every_one_edit_correction_is_tried_past_a_repeated_one() -> None:
    # Dropping either "o" of "moovie" gives "movie" twice; "moonie" comes later among the edits.
    index = titles("Movie Night", "Moonie Night")
    assert found(index, "moovie night") == [(1, "Movie Night"), (2, "Moonie Night")]


def test_a_three_letter_correction_of_the_last_word_starts_longer_words() -> None:
    assert found(titles("Hot Dogs"), "hot dgo") == [(1, "Hot Dogs")]


def test_a_doubted_known_word_is_corrected_to_whole_words_only() -> None:
    # Every word is known and no name has both: "bird" may be a slip ("bind"), but not the start of "birdie".
    index = titles("Bird Lake", "Blue Sky", "Bind Sky", "Birdie Sky")
    assert found(index, "bird sky") == [(3, "Bind Sky")]


def test_typo_scores_fall_in_the_order_the_hits_are_listed() -> None:
    # Fewer corrected words, then a closer name (even at a dearer correction), then a more popular show.
    cases = [
        (titles("Bat Dig With Many Long Extra Words", "Cat Dig", "Dogs Life", "Bat Man"), "bat dog"),
        (build({1: [("title", "House of Cards")], 2: [("title", "House")]}, {1: 1.0}), "hosue"),
        (build({1: [("title", "Graceful Family"), ("cast", "Im Soo Hyang")], 2: [("title", "Hyena")]}), "hyna"),
        (build({1: [("title", "House")], 2: [("title", "House")]}, {2: 1.0}), "hosue"),
    ]
    for index, query in cases:
        hits = index.search(query)
        assert len(hits) == 2
        assert all(h.tier == Tier.TYPO for h in hits)
        assert hits[0].score > hits[1].score, query


def test_a_correction_may_be_a_two_letter_word() -> None:
    assert found(titles("At Sky"), "aat sky") == [(1, "At Sky")]


def test_a_corrected_word_is_found_next_to_a_word_hundreds_of_names_share() -> None:
    # "love" is in 801 names, "house" in one, ranked after the 800 shorter ones: the pair of the two words'
    # names is looked at, not the names of the common word one by one (the check stops after 750 of them).
    names = {n: [("title", f"Love {n}")] for n in range(1, 801)}
    names[10_000] = [("title", "House Love Forever")]
    assert found(build(names), "hosue love") == [(10_000, "House Love Forever")]


def test_the_24_commonest_corrections_of_a_word_are_kept() -> None:
    # Every one of the 25 words "axz".."zxz" but "qxz" is one edit from "qxz"; "axz" is in one name, the other
    # 24 in two each: the rarest correction is the one left out.
    names: dict[int, list[tuple[str, str]]] = {1: [("title", "Axz Sky")]}
    words = [f"{letter}xz" for letter in "bcdefghijklmnoprstuvwxyz"]
    for n, word in enumerate(words):
        names[10 + 2 * n] = [("title", f"{word.title()} Sky")]
        names[11 + 2 * n] = [("title", f"{word.title()} Sky Again")]
    shows = {show_id for show_id, _ in found(build(names), "qxz sky", 100)}
    assert shows == set(names) - {1}


def test_a_correction_starting_thousands_of_words_is_scanned_for() -> None:
    # "agnet" is "agent" with a swap, and "agent" starts 2,100 words: too many to merge, so names are scanned.
    index = build({n: [("title", f"Agent{n}")] for n in range(1, 2101)})
    assert found(index, "agnet", 5) == [(n, f"Agent{n}") for n in range(1, 6)]


def test_a_name_is_charged_for_the_correction_its_words_really_match() -> None:
    # "brid" reads as "bird" (a swap) or as the start of "bridge" (dearer). Both names are as close to the query;
    # only the second has the word "bird" ("birdie" is not it), so it is the cheaper one, though less popular.
    index = build({1: [("title", "Birdie Bridge Sky")], 2: [("title", "Bird Bridge Skyyy")]}, {1: 1.0})
    assert found(index, "brid sky") == [(2, "Bird Bridge Skyyy"), (1, "Birdie Bridge Sky")]
