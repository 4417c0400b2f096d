"""The review modal's edges, pinned value by value: the 45-character title, the refusals' exact sentences, the
headline kept as typed, and where a long spoiler part is split across the two fields when it is shown again."""

import pytest

from bot.domain.errors import InvalidInputError
from bot.domain.reviews import ReviewText, modal_title, prefill_fields, review_text_from_fields


def split(spoiler: str) -> tuple[str, str]:
    values = prefill_fields(ReviewText("h", "clear", spoiler))
    assert values["spoiler"] + values["spoiler_more"] == spoiler
    assert review_text_from_fields(values) == ReviewText("h", "clear", spoiler)
    return values["spoiler"], values["spoiler_more"]


def test_a_title_of_exactly_45_characters_is_kept_whole():
    title = "T" * 37  # "Review: " is eight characters
    assert modal_title(title) == "Review: " + title
    assert modal_title(title + "U") == "Review: " + "T" * 36 + "…"


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"headline": " \n ", "spoiler_free": "ok"}, "The headline is empty: give the review a headline."),
        ({"headline": "h", "spoiler_free": " "}, "The spoiler-free part is empty: write something everyone may read."),
    ],
)
def test_an_empty_part_is_refused_with_this_sentence(fields, sentence):
    with pytest.raises(InvalidInputError) as refused:
        review_text_from_fields(fields)
    assert str(refused.value) == sentence


def test_a_headline_keeps_its_spacing_and_only_line_breaks_become_spaces():
    text = review_text_from_fields({"headline": "Top  10 of\n2025 ", "spoiler_free": "ok"})
    assert text.headline == "Top  10 of 2025 "
    assert review_text_from_fields(prefill_fields(text)) == text


def test_a_spoiler_part_of_eight_thousand_characters_fits_and_one_more_does_not():
    assert split("x" * 8000) == ("x" * 4000, "x" * 4000)
    with pytest.raises(ValueError, match=r"^spoiler part longer than the modal's two fields$"):
        prefill_fields(ReviewText("h", "clear", "x" * 8001))


def test_a_spoiler_part_that_fits_one_field_stays_in_it_even_with_line_breaks():
    spoiler = "line\n" * 799 + "lines"  # exactly 4,000 characters
    assert split(spoiler) == (spoiler, "")


def test_the_split_is_after_the_last_line_break_the_first_field_can_hold():
    line = "a" * 699 + "\n"
    spoiler = line * 8  # 5,600 characters: line breaks end at 700, 1,400, ... 3,500, 4,200
    assert split(spoiler) == (line * 5, line * 3)


def test_a_line_break_that_leaves_exactly_four_thousand_for_the_second_field_is_used():
    spoiler = "a" * 1999 + "\n" + "b two " * 666 + "b" * 4  # 6,000 characters; the break ends at 2,000
    first, second = split(spoiler)
    assert first == "a" * 1999 + "\n"
    assert len(second) == 4000


def test_without_a_usable_line_break_the_split_is_after_the_last_space():
    # The only line break is too early: cutting after it would leave 5,500 characters for the second field.
    spoiler = "a\n" + "word " * 1500  # 7,502 characters; spaces end at 7, 12, ... 7,502
    first, second = split(spoiler)
    assert first.endswith(" ")
    assert len(first) == 3997  # the last space before 4,000 ends at 3,997
    assert second.startswith("word")


def test_a_space_that_leaves_exactly_four_thousand_for_the_second_field_is_used():
    spoiler = "a" * 2999 + " " + "b" * 4000  # the space ends at 3,000, and 4,000 characters follow it
    assert split(spoiler) == ("a" * 2999 + " ", "b" * 4000)


def test_with_neither_line_break_nor_space_the_first_field_is_filled():
    spoiler = "a" * 2998 + " " + "b" * 4001  # the space is too early by one
    assert split(spoiler) == (spoiler[:4000], spoiler[4000:])
    assert split("c" * 5000) == ("c" * 4000, "c" * 1000)
