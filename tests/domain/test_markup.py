import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.markup import inert

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
