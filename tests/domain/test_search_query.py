"""A query word against the words of a name: a prefix from any position, and a syllable still being composed
(``낭만ㄷ``), whose trailing consonant stands for exactly the syllables that start with it."""

from __future__ import annotations

import pytest

from bot.domain.search import SearchIndex, Tier
from bot.domain.search.query import Token
from bot.domain.text import normalize


def test_a_prefix_starts_a_name_only_where_it_is_asked_to() -> None:
    token = Token.prefix("crash")
    assert token.literal
    assert token.starts("crash landing")
    assert token.starts("the crash", 4)
    assert not token.starts("the crash")
    assert not token.starts("crash", 1)
    assert not Token.prefix("cr").starts("cx", 0)


def test_a_composing_syllable_starts_a_name_only_where_it_is_asked_to() -> None:
    token = Token.prefix("낭만ㄷ")
    assert not token.literal
    assert token.starts("낭만닥터")
    assert token.starts("김사부 낭만닥터", 4)
    assert not token.starts("김사부 낭만닥터")
    assert not token.starts("김사부 낭만닥터", 3)
    # The head alone is not enough: a syllable must follow it.
    assert not token.starts("낭만")
    assert not token.starts("x낭만", 0)


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("낭만닥터 김사부", True),  # 닥 starts with ㄷ
        ("김사부 낭만다", True),  # 다: the first syllable of ㄷ
        ("김사부 낭만딯", True),  # 딯: the last syllable of ㄷ
        ("김사부 낭만따", False),  # 따: the first syllable of the next consonant, ㄸ
        ("김사부 낭만", False),
        ("김사부 로맨스 낭만닥터", True),
        ("김사부낭만닥터", False),  # not at the start of a word
    ],
)
def test_a_composing_syllable_matches_only_syllables_that_start_with_its_consonant(name: str, found: bool) -> None:
    token = Token.prefix("낭만ㄷ")
    assert token.in_words(f" {name} ") is found


def test_a_whole_word_of_the_query_is_not_the_start_of_a_longer_word() -> None:
    # "bat" before another word was typed in full: "Bat2 Mansion" is only a one-edit reading of it.
    rows = [(1, "title", "Bat2 Mansion", normalize("Bat2 Mansion"))]
    assert [h.tier for h in SearchIndex.build(rows, {}).search("bat man")] == [Tier.TYPO]


def test_a_whole_word_of_the_query_may_end_the_name() -> None:
    # "code" is the commonest word, so the name is checked for it last, as a whole word at its very end.
    names = ["The Trauma Code", "Code Blue", "Code Red", "Code Black"]
    rows = [(i, "title", name, normalize(name)) for i, name in enumerate(names, 1)]
    assert [(h.show_id, h.tier) for h in SearchIndex.build(rows, {}).search("code the trau")] == [(1, Tier.WORDS)]


def test_one_letter_is_never_looked_for_inside_words() -> None:
    rows = [(1, "title", "Max Power", "max power")]
    assert SearchIndex.build(rows, {}).search("a") == []
