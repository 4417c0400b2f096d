"""romanise keeps the normal form when the romanisation grows past the length limit."""

from bot.domain.search.romanise import romanise
from bot.domain.text import MAX_NORMALIZED_LENGTH, normalize


def test_a_romanisation_cut_at_the_limit_on_a_space_does_not_end_in_one():
    name = normalize(" ".join(["각"] * 60))  # 119 characters; "gak gak ..." is 239, and its 200th is a space
    romanised = romanise(name)
    assert romanised == " ".join(["gak"] * 50)
    assert len(romanised) == MAX_NORMALIZED_LENGTH - 1
    assert normalize(romanised) == romanised
