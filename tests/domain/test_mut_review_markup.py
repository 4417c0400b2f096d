"""Encoding rules the other markup tests leave unasserted: the escaper as built for any set of characters, the
subdivision-flag tag characters at both ends of their range, single spaces at either end, counting in UTF-16 code
units, and where plain text is cut."""

from __future__ import annotations

import pytest

from bot.domain.reviews import markup
from bot.domain.reviews.markup import ZWSP, clean_text, decode_chunk, encode_chunk, plain, utf16_len


def test_an_escaper_escapes_its_characters_and_breaks_every_pipe_and_at_sign():
    # The module's own escapers are built at import; this builds one here so the building itself is checked.
    escape = markup._Escaper(frozenset("*|\\"))
    assert escape("X*y|z@w_v\\") == f"X\\*y\\|{ZWSP}z@{ZWSP}w_v\\\\"
    assert markup._Escaper(frozenset("#"))("a|b@c#") == f"a\\|{ZWSP}b@{ZWSP}c\\#"
    assert escape("plain text") == "plain text"


def test_tabs_and_line_breaks_are_kept_other_controls_dropped():
    assert clean_text("a\tb\nc\x0bd\x1be") == "a\tb\nc\nde"


def test_the_tag_characters_of_subdivision_flags_are_kept_at_both_ends_of_their_range():
    tags = "\U000e0020\U000e0067\U000e007f"
    assert clean_text("\U0001f3f4" + tags + "\U000e0001x") == "\U0001f3f4" + tags + "x"  # U+E0001 is another tag


@pytest.mark.parametrize(
    ("text", "spoiler", "rendered"),
    [
        (" x", False, ZWSP + " x"),
        ("x ", False, "x " + ZWSP),
        ("\tx\t", False, ZWSP + "\tx\t" + ZWSP),
        ("\tx\t", True, "||\tx\t||"),  # the spoiler markup is at the ends: nothing to fence
        ("- a\n  2) b\n+ c", False, "\\- a\n  2\\) b\n\\+ c"),
        ("x-y 3.5", False, "x-y 3.5"),
    ],
)
def test_single_spaces_at_the_ends_are_fenced_and_only_a_leading_list_marker_is_escaped(text, spoiler, rendered):
    assert encode_chunk(text, spoiler) == rendered
    assert decode_chunk(rendered) == (text, False)


def test_a_line_that_is_only_spoiler_markup_reads_back_empty():
    assert decode_chunk("||||") == ("", False)
    assert decode_chunk("|||") == ("|||", False)


def test_lengths_count_utf16_code_units_as_whole_numbers():
    for text, units in [("abc", 3), ("가", 1), ("😀", 2), ("가😀a", 4), ("\ud800", 1)]:
        length = utf16_len(text)
        assert (length, type(length)) == (units, int)


def test_plain_text_is_one_line_cut_to_the_limit_with_an_ellipsis():
    assert plain("a" * 10, 10) == "a" * 10
    assert plain("a" * 11, 10) == "a" * 9 + "…"
    assert plain(" two\n lines\u200b ", 20) == "two lines"
