import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.errors import InvalidInputError
from bot.domain.reviews import (
    REVIEW_FIELDS,
    FieldStyle,
    ReviewText,
    draft_text,
    modal_title,
    prefill_fields,
    review_text_from_fields,
)
from bot.domain.reviews.markup import clean_text
from tests.domain.test_review_markup import AWKWARD

PIECES = st.lists(st.one_of(st.sampled_from(AWKWARD), st.text(max_size=8)), max_size=60).map("".join)


def test_the_modal_fits_discords_limits():
    assert len(REVIEW_FIELDS) <= 5
    assert len({f.custom_id for f in REVIEW_FIELDS}) == len(REVIEW_FIELDS)
    for field in REVIEW_FIELDS:
        assert 1 <= len(field.label) <= 45
        assert field.placeholder is None or len(field.placeholder) <= 100
        assert 1 <= field.max_length <= 4000
        assert 0 <= field.min_length <= field.max_length
        assert len(field.custom_id) <= 100
    assert [f.custom_id for f in REVIEW_FIELDS] == ["headline", "spoiler_free", "spoiler", "spoiler_more"]
    assert REVIEW_FIELDS[0].style is FieldStyle.SHORT
    assert [f.required for f in REVIEW_FIELDS] == [True, True, False, False]
    assert [f.label for f in REVIEW_FIELDS] == ["Headline", "Spoiler-free part", "Spoilers", "Spoilers (continued)"]
    assert all("Hidden" in (f.placeholder or "") for f in REVIEW_FIELDS[2:])
    assert all("Shown to everyone" in (f.placeholder or "") for f in REVIEW_FIELDS[:2])


def test_the_modal_title_is_cut_to_45_characters():
    assert modal_title("The Trauma Code") == "Review: The Trauma Code"
    long = modal_title("The Trauma Code: Heroes On Call and a much longer subtitle")
    assert len(long) == 45
    assert long.endswith("…")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"headline": " ", "spoiler_free": "ok"}, "headline is empty"),
        ({"headline": "\u200b\u202e", "spoiler_free": "ok"}, "headline is empty"),
        ({"headline": "h", "spoiler_free": "\n \t"}, "spoiler-free part is empty"),
        ({"headline": "h" * 81, "spoiler_free": "ok"}, "headline is 81 characters long; the most it can take is 80"),
        ({"headline": "h", "spoiler_free": "x" * 4001}, "spoiler-free part is 4,001 characters"),
        ({"headline": "h", "spoiler_free": "ok", "spoiler": "x" * 4001}, "spoiler part is 4,001"),
        ({"headline": "h", "spoiler_free": "ok", "spoiler_more": "x" * 4001}, "second spoiler part is 4,001"),
    ],
)
def test_a_bad_submission_is_refused_with_a_sentence(fields, message):
    with pytest.raises(InvalidInputError, match=message):
        review_text_from_fields(fields)


def test_four_thousand_characters_per_part_are_taken():
    fields = {"headline": "h", "spoiler_free": "a" * 4000, "spoiler": "b" * 4000, "spoiler_more": "c" * 4000}
    text = review_text_from_fields(fields)
    assert text == ReviewText("h", "a" * 4000, "b" * 4000 + "c" * 4000)


def test_submitted_text_is_cleaned_and_the_spoiler_fields_joined_as_they_are():
    text = review_text_from_fields(
        {"headline": "Great\nshow", "spoiler_free": "a\r\nb\u202e", "spoiler": "He sur", "spoiler_more": "vives."}
    )
    assert text == ReviewText("Great show", "a\nb", "He survives.")


def test_prefill_splits_a_long_spoiler_part_at_a_line_break():
    story = "\n".join(f"line {i:04d} " + "x" * 40 for i in range(150))  # about 7,500 characters
    values = prefill_fields(ReviewText("h", "clear", story))
    assert len(values["spoiler"]) <= 4000
    assert len(values["spoiler_more"]) <= 4000
    assert values["spoiler"].endswith("\n")
    assert values["spoiler"] + values["spoiler_more"] == story


@settings(max_examples=80, deadline=None)
@given(PIECES, st.integers(1, 300))
def test_a_prefilled_modal_submitted_unchanged_gives_the_same_review(piece, times):
    spoiler = clean_text(piece * times)[:8000]
    original = ReviewText("headline", "clear part", spoiler if spoiler.strip() else "")
    values = prefill_fields(original)
    assert all(len(v) <= 4000 for v in values.values())
    assert review_text_from_fields(values) == original


def test_a_review_that_could_not_be_posted_is_given_back_whole():
    text = ReviewText("Great", "Loved it.", "He lives.\n\nShe too.")
    draft = draft_text(text, "The Trauma Code")
    assert draft == (
        "Review of The Trauma Code\n\nHeadline:\nGreat\n\nSpoiler-free part:\nLoved it.\n\n"
        "Spoilers:\nHe lives.\n\nShe too.\n"
    )
    assert "Spoilers" not in draft_text(ReviewText("Great", "Loved it."), "X")
