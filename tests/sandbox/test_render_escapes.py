"""The renderer reads backslash escapes as Discord does: an escaped character shows as itself and opens no markup,
so what the review encoder posts renders hidden as a whole and, revealed, as exactly what the member wrote."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.reviews import clean_text, encode_chunk
from bot.sandbox.render import SPOILER_HIDDEN, render_text

ZWSP = "\u200b"


def test_an_escaped_backtick_inside_a_spoiler_stays_hidden():
    text = "||He dies in \\`ep 8\\` sadly||"
    assert render_text(text) == SPOILER_HIDDEN
    assert render_text(text, reveal_spoilers=True) == "He dies in `ep 8` sadly"


def test_escaped_markup_shows_as_itself_without_the_backslash():
    assert render_text("\\|\\|not hidden\\|\\|") == "||not hidden||"
    assert render_text("a \\*b\\* \\\\ c \\q") == "a *b* \\ c \\q"  # a backslash before a letter stays
    assert render_text("\\<@1> <@1>", names={"<@1>": "@alice"}) == "<@1> @alice"
    assert render_text("\\<t:0:d>") == "<t:0:d>"


def test_code_is_still_literal_and_an_escape_cannot_open_it():
    assert render_text("`||a||` \\`||b||\\`") == "`||a||` `[spoiler hidden]`"
    assert render_text("```\n\\||x||\n```") == "```\n\\||x||\n```"


def test_private_use_characters_in_the_text_survive():
    assert render_text("\U000f0000 ||x|| \U000f0001") == f"\U000f0000 {SPOILER_HIDDEN} \U000f0001"


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300))
def test_an_encoded_spoiler_renders_hidden_and_reveals_exactly(raw):
    text = clean_text(raw)
    encoded = encode_chunk(text, spoiler=True)
    hidden = render_text(encoded).replace(ZWSP, "")
    assert hidden.replace(SPOILER_HIDDEN, "").strip() == ""
    assert render_text(encoded, reveal_spoilers=True).replace(ZWSP, "") == text.replace(ZWSP, "")
    clear = encode_chunk(text, spoiler=False)
    assert render_text(clear).replace(ZWSP, "") == text
