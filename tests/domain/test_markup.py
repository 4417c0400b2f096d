import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.markup import inert, strip_invisible

UNESCAPED_MARKUP = re.compile(r"(?<!\\)(\|\||\*|_|~~|`|\[)")


def test_mentions_and_markup_become_literal():
    assert inert("@everyone look") == "@\u200beveryone look"
    assert inert("<@&123> hi") == "\\<@\u200b&123\\> hi"
    assert inert("||spoiler|| **bold**") == "\\|\\|spoiler\\|\\| \\*\\*bold\\*\\*"
    assert inert("[click](https://evil.example)") == "\\[click\\]\\(https://evil.example\\)"
    assert inert("# heading") == "\\# heading"
    assert inert("Start-Up") == "Start-Up"


def test_long_text_is_cut_with_an_ellipsis_and_no_dangling_escape():
    out = inert("*" * 50, limit=10)
    assert len(out) <= 10
    assert out.endswith("…")
    assert not out[:-1].endswith("\\") or out[:-1].endswith("\\\\")


@given(st.text(max_size=400), st.integers(min_value=2, max_value=300))
def test_inert_output_is_bounded_and_cannot_format_or_ping(text, limit):
    out = inert(text, limit)
    assert len(out) <= limit
    assert not UNESCAPED_MARKUP.search(out)
    assert "@everyone" not in out
    assert "@here" not in out
    assert not re.search(r"<@[!&]?\d", out)
    # The only invisible character left is the zero-width space inert() puts after "@" to break a mention.
    assert all(unicodedata.category(ch) not in {"Cc", "Cf"} for ch in out.replace("@\u200b", "@"))


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        ("x" * 10, 10, "x" * 10),  # exactly at the limit: whole
        ("x" * 11, 10, "x" * 9 + "…"),  # one past: cut, the ellipsis counted in the limit
        ("x" * 1024, None, "x" * 1024),  # the default limit is an embed field's 1,024
        ("x" * 1025, None, "x" * 1023 + "…"),
        ("*" * 6, 12, "\\*" * 6),  # escaping makes text longer; the limit is on what is shown
    ],
)
def test_text_is_whole_up_to_its_limit_and_cut_one_past(text, limit, shown):
    assert (inert(text) if limit is None else inert(text, limit)) == shown


def test_a_cut_keeps_an_escaped_backslash_and_drops_a_lone_escape():
    # "abc\def" escapes to "abc\\def": cut after the pair, both backslashes stay (one shown backslash).
    assert inert("abc\\def", 6) == "abc\\\\…"
    # "abc*def" escapes to "abc\*def": a cut between "\" and "*" must not leave "\" escaping the ellipsis.
    assert inert("abc*def", 5) == "abc…"


def test_empty_text_is_empty():
    assert inert(None) == ""
    assert inert("") == ""


def test_runs_of_spaces_collapse_by_default_and_line_breaks_are_kept_on_request():
    assert inert("  Line   one\u200b  two ") == "Line one two"
    assert inert("Line one\n\nline\u200b  two\u202e", keep_newlines=True) == "Line one\n\nline  two"


def test_strip_invisible_drops_line_breaks_unless_asked_to_keep_them():
    assert strip_invisible("a\nb\u200bc d\u0007") == "abc d"
    assert strip_invisible("a\nb\u200bc d\u0007", keep_newlines=True) == "a\nbc d"


def test_line_breaks_and_tabs_separate_words_on_one_line():
    assert inert("Line one\nLine two\r\nthree\tfour") == "Line one Line two three four"
    assert inert("Line one\nLine two", keep_newlines=True) == "Line one\nLine two"
