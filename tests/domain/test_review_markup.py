import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.reviews import clean_text, decode_chunk, encode_chunk
from bot.domain.reviews.markup import CONTINUED, ZWSP, encode_title
from tests.domain.review_markdown import outside_spoilers, problems, spoiler_spans, title_problems, tokens
from tests.shared_data import SEED_PATHS, needs_seed

AWKWARD = [*"|\\*_~`>#<@[]():-+.!1 \n\t", "||", "```", "@everyone", "@here", "<@123>", "<@&456>", "<#789>"]
AWKWARD += ["[x](https://evil.example)", "# ", "> ", "-# ", "1. ", "가", "😀", "e\u0301", "🇰🇷", "👨\u200d👩\u200d👧"]
AWKWARD += ["\u200b", "\u200e", "\u202e", "\u2066", "\ufeff", "\r\n", "\u2028", "…"]
awkward_text = st.lists(st.one_of(st.sampled_from(AWKWARD), st.text(max_size=5)), max_size=80).map("".join)


def test_markup_and_mentions_become_literal():
    assert encode_chunk("@everyone look", spoiler=False) == "@\u200beveryone look"
    assert encode_chunk("<@&123> hi <#9>", spoiler=False) == "\\<@\u200b&123\\> hi \\<\\#9\\>"
    assert encode_chunk("||x||", spoiler=False) == "\\|\u200b\\|\u200bx\\|\u200b\\|\u200b"
    assert encode_chunk("```py\ncode```", spoiler=False) == "\\`\\`\\`py\ncode\\`\\`\\`"
    assert encode_chunk("[click](https://evil.example)", spoiler=False) == "\\[click\\](https\\://evil.example)"
    assert encode_chunk("# big\n> quote\n- item\n1. first\n-# small", spoiler=False) == (
        "\\# big\n\\> quote\n\\- item\n1\\. first\n\\-\\# small"
    )
    assert encode_chunk("Start-Up, 2.5 stars", spoiler=False) == "Start-Up, 2.5 stars"


def test_spoiler_lines_are_wrapped_one_by_one_and_blank_lines_stay_blank():
    assert encode_chunk("He dies.\n\nShe lives.", spoiler=True) == "||He dies.||\n\n||She lives.||"
    # A pipe at the end of a line must not let the line's spoiler close one character early.
    assert encode_chunk("a|", spoiler=True) == "||a\\|\u200b||"
    assert encode_chunk("ends with a backslash\\", spoiler=True) == "||ends with a backslash\\\\||"


def test_whitespace_at_the_ends_is_fenced_so_discord_cannot_trim_it():
    assert encode_chunk("  indented", spoiler=False) == ZWSP + "  indented"
    assert encode_chunk("\nafter a blank line\n", spoiler=True) == ZWSP + "\n||after a blank line||\n" + ZWSP
    assert decode_chunk(encode_chunk("  x  ", spoiler=False)) == ("  x  ", False)


def test_a_continued_piece_is_marked_and_read_back_as_such():
    rendered = encode_chunk("first half of a line ", spoiler=True, continued=True)
    assert rendered.endswith(CONTINUED)
    assert decode_chunk(rendered) == ("first half of a line ", True)
    assert decode_chunk(encode_chunk("ends with …", spoiler=False)) == ("ends with …", False)


def test_invisible_and_direction_controls_are_dropped_but_emoji_joiners_kept():
    assert clean_text("@\u200beveryone \u202eevil\u202c \ufeffx\u2066y\u2069") == "@everyone evil xy"
    assert clean_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert clean_text("👨\u200d👩\u200d👧 e\u0301") == "👨\u200d👩\u200d👧 e\u0301"
    assert clean_text("\x00bell\x07") == "bell"
    assert clean_text("\ud800lone surrogate") == "lone surrogate"


def test_zero_width_characters_cannot_hide_a_mention_or_a_spoiler_break():
    sneaky = clean_text("@\u200beveryone |\u200b| `\u200b`\u200b`")
    rendered = encode_chunk(sneaky, spoiler=True)
    assert problems(rendered) == []
    assert outside_spoilers(rendered) == ""


@needs_seed
@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.name)
def test_the_seed_review_is_already_clean_and_round_trips(path):
    seed = path.read_text(encoding="utf-8")
    assert clean_text(seed) == seed
    for spoiler in (False, True):
        assert decode_chunk(encode_chunk(seed, spoiler)) == (seed, False)


@given(st.one_of(awkward_text, st.text()))
def test_clean_is_idempotent(raw):
    once = clean_text(raw)
    assert clean_text(once) == once
    assert ZWSP not in once
    assert "\r" not in once


@given(st.one_of(awkward_text, st.text()), st.booleans(), st.booleans())
def test_encoding_round_trips_and_nothing_formats_or_pings(raw, spoiler, continued):
    text = clean_text(raw)
    rendered = encode_chunk(text, spoiler, continued)
    assert decode_chunk(rendered) == (text, continued)
    assert problems(rendered) == []


@given(st.one_of(awkward_text, st.text()))
def test_no_spoiler_text_is_outside_the_spoiler_markup(raw):
    text = clean_text(raw)
    rendered = encode_chunk(text, spoiler=True)
    leaked = outside_spoilers(rendered)
    # Only line breaks, blank lines' spaces and the encoder's own zero-width marks may sit outside.
    assert leaked.replace(ZWSP, "").strip() == "", leaked
    # And every non-blank line of it is, whole, in one spoiler.
    hidden = [span for line in rendered.split("\n") for span in spoiler_spans(line)[1]]
    shown = ["".join(ch for ch, _ in tokens(span) if ch != ZWSP) for span in hidden]
    assert shown == [line for line in text.split("\n") if line.strip()]


def test_a_title_escapes_inline_markup_only_so_plain_headlines_keep_no_backslash():
    assert encode_title("A+ and some spoilers: 10/10, #1 > all [sic] - must-watch") == (
        "A+ and some spoilers: 10/10, #1 > all [sic] - must-watch"
    )
    assert encode_title("**x** @everyone ||s|| `c` <@1>\nnext") == (
        "\\*\\*x\\*\\* @\u200beveryone \\|\u200b\\|\u200bs\\|\u200b\\|\u200b \\`c\\` \\<@\u200b1> next"
    )


@given(st.one_of(awkward_text, st.text()))
def test_a_title_reads_back_and_cannot_format_or_ping(raw):
    text = " ".join(clean_text(raw).split("\n"))
    rendered = encode_title(text)
    assert decode_chunk(rendered) == (text, False)
    assert title_problems(rendered) == []
