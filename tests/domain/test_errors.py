"""The sentences a user reads when a command cannot do what they asked."""

import pytest

from bot.domain.errors import (
    EpisodeOutOfRangeError,
    InvalidInputError,
    UnknownTitleError,
    UserFacingError,
)

HINT = " Try `/drama search` with part of the title, a Hangul title, or an actor's name."


def test_an_unknown_title_with_no_close_match_points_to_search():
    error = UnknownTitleError("Queen of Tearz")
    assert error.message == "I couldn't find a drama called “Queen of Tearz” in the local catalogue." + HINT
    assert (error.query, error.suggestions) == ("Queen of Tearz", [])
    assert str(error) == error.message


def test_an_unknown_title_suggests_the_first_five_close_titles():
    titles = ["Queen of Tears", "Queen In Hyun's Man", "Queen Seondeok", "Queenmaker", "Mr. Queen", "Queen's Umbrella"]
    error = UnknownTitleError("queen", titles)
    assert error.message == (
        "I couldn't find a drama called “queen” in the local catalogue. Did you mean: "
        "Queen of Tears; Queen In Hyun's Man; Queen Seondeok; Queenmaker; Mr. Queen?"
    )
    # The caller keeps every suggestion it gave, only the sentence is short.
    assert error.suggestions == titles
    assert error.query == "queen"


def test_what_the_user_typed_cannot_ping_or_format_in_the_reply():
    error = UnknownTitleError("@everyone **now**", ["<@&1> ||x||"])
    assert error.message == (
        "I couldn't find a drama called “@\u200beveryone \\*\\*now\\*\\*” in the local catalogue."
        " Did you mean: \\<@\u200b&1\\> \\|\\|x\\|\\|?"
    )
    assert error.query == "@everyone **now**"  # kept as typed for the log


@pytest.mark.parametrize(("length", "shown"), [(80, "q" * 80), (81, "q" * 79 + "…")])
def test_a_long_query_is_quoted_up_to_80_characters(length, shown):
    assert (
        UnknownTitleError("q" * length).message
        == f"I couldn't find a drama called “{shown}” in the local catalogue." + HINT
    )


@pytest.mark.parametrize(("length", "shown"), [(100, "s" * 100), (101, "s" * 99 + "…")])
def test_a_long_suggestion_is_quoted_up_to_100_characters(length, shown):
    assert UnknownTitleError("x", ["s" * length]).message.endswith(f"Did you mean: {shown}?")


@pytest.mark.parametrize("kind", [UserFacingError, InvalidInputError, EpisodeOutOfRangeError])
def test_the_message_is_also_the_exception_text_logs_show(kind):
    error = kind("Season must be between 1 and 100.")
    assert error.message == "Season must be between 1 and 100."
    assert str(error) == "Season must be between 1 and 100."
