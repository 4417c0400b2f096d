"""The sentences a user reads when a command cannot do what they asked."""

import pytest

from bot.domain.errors import (
    AmbiguousTitleError,
    EpisodeOutOfRangeError,
    InvalidInputError,
    NotFollowingError,
    NotLinkedError,
    RemoteUnavailableError,
    ReviewNotFoundError,
    Searched,
    TvmazeLinkTakenError,
    UnknownTimezoneError,
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


# -- where the title was looked for ---------------------------------------------------------------------------------


def test_a_miss_says_where_it_looked():
    everywhere = UnknownTitleError("Signal", searched=Searched.LOCAL_AND_TVMAZE)
    assert everywhere.message == "Neither the local catalogue nor TVmaze has a drama called “Signal”." + HINT
    assert everywhere.searched is Searched.LOCAL_AND_TVMAZE
    offline = UnknownTitleError("Signal", ["Signals"], searched=Searched.LOCAL_ONLY)
    assert offline.message == (
        "I couldn't find a drama called “Signal” in the local catalogue (this bot does not look titles up on TVmaze)."
        " Did you mean: Signals?"
    )
    assert offline.searched is Searched.LOCAL_ONLY
    assert UnknownTitleError("Signal").searched is Searched.LOCAL


# -- TVmaze could not be asked --------------------------------------------------------------------------------------


def test_an_unreachable_tvmaze_says_so_and_gives_no_search_hint():
    error = RemoteUnavailableError("Sig*nal")
    assert error.message == (
        "I couldn't reach TVmaze just now, so I searched only the local catalogue for “Sig\\*nal”"
        " and found nothing. Try again in a minute."
    )
    assert (error.query, error.suggestions, error.retry_after, error.queued) == ("Sig*nal", [], None, False)


def test_an_unreachable_tvmaze_still_offers_close_local_titles():
    error = RemoteUnavailableError("Signl", ["Signal", "Sign"])
    assert error.message.endswith("Try again in a minute. Did you mean: Signal; Sign?")
    assert error.suggestions == ["Signal", "Sign"]


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        (1.5, "about 2 seconds"),
        (30, "about 30 seconds"),
        (89.9, "about 90 seconds"),
        (90, "a few minutes"),
        (600, "a few minutes"),
    ],
)
def test_a_busy_tvmaze_says_how_long_to_wait(retry_after, wait):
    error = RemoteUnavailableError("Signal", retry_after=retry_after)
    assert error.message == (
        "TVmaze is busy and asked me to wait, so I searched only the local catalogue for “Signal”"
        f" and found nothing. Try again in {wait}."
    )
    assert error.retry_after == retry_after


@pytest.mark.parametrize("retry_after", [None, 0, 1])
def test_a_wait_of_a_second_or_less_is_not_worth_naming(retry_after):
    assert RemoteUnavailableError("Signal", retry_after=retry_after).message.endswith(
        " and found nothing. Try again in a minute."
    )


@pytest.mark.parametrize(("retry_after", "wait"), [(None, "about 1 seconds"), (12.2, "about 13 seconds")])
def test_a_queued_lookup_says_many_members_are_searching(retry_after, wait):
    error = RemoteUnavailableError("Signal", ["Signals"], retry_after, queued=True)
    assert error.message == (
        "Many members are looking titles up on TVmaze right now, so I searched only the local catalogue"
        f" for “Signal” and found nothing. Try again in {wait}. Did you mean: Signals?"
    )
    assert error.queued


# -- the other sentences --------------------------------------------------------------------------------------------


def test_several_matching_dramas_ask_the_user_to_pick():
    error = AmbiguousTitleError("@here Signal", [("Signal (2016)", 1), ("Signal (2023)", 2)])
    assert error.message == "Several dramas match “@\u200bhere Signal”. Pick the one you mean:"
    assert (error.query, error.candidates) == ("@here Signal", [("Signal (2016)", 1), ("Signal (2023)", 2)])


def test_an_unlinked_show_says_why_and_who_can_link_it():
    error = NotLinkedError("_Signal_", "TVmaze has two shows by that name.")
    assert error.message == (
        "I can't follow “\\_Signal\\_” yet: TVmaze has two shows by that name."
        " A server manager can link it by its TVmaze id or link."
    )
    assert (error.title, error.reason) == ("_Signal_", "TVmaze has two shows by that name.")


def test_a_taken_tvmaze_link_names_the_show_holding_it():
    error = TvmazeLinkTakenError(1234, "Signal")
    assert error.message == (
        "TVmaze show 1234 is already linked to “Signal”."
        " Link that one to another id first, or pick another TVmaze record."
    )
    assert error.tvmaze_id == 1234


def test_unfollowing_a_show_not_followed_points_to_the_list():
    error = NotFollowingError("Signal")
    assert error.message == "You don't follow “Signal”. `/notify list` shows what you follow."
    assert error.title == "Signal"


def test_a_missing_review_names_its_number():
    error = ReviewNotFoundError(42)
    assert error.message == "There is no review #42 in this server."
    assert error.review_id == 42


def test_an_unknown_time_zone_suggests_up_to_five_names():
    names = ["Asia/Seoul", "Asia/Tokyo", "Asia/Taipei", "Asia/Shanghai", "Asia/Manila", "Asia/Jakarta"]
    error = UnknownTimezoneError("Seol", names)
    assert error.message == (
        "“Seol” is not a time zone I know. Use an IANA name such as Asia/Seoul or Europe/London."
        " Did you mean: Asia/Seoul, Asia/Tokyo, Asia/Taipei, Asia/Shanghai, Asia/Manila?"
    )
    assert (error.name, error.suggestions) == ("Seol", names)
    assert isinstance(error, InvalidInputError)
    bare = UnknownTimezoneError("x" * 61)
    assert bare.message == (
        f"“{'x' * 59}…” is not a time zone I know. Use an IANA name such as Asia/Seoul or Europe/London."
    )
    assert bare.suggestions == []


def test_every_title_or_query_in_a_sentence_is_quoted_up_to_80_characters():
    whole, cut = "q" * 80, "q" * 81
    shown = "q" * 79 + "…"
    assert AmbiguousTitleError(cut, []).message == f"Several dramas match “{shown}”. Pick the one you mean:"
    assert AmbiguousTitleError(whole, []).message == f"Several dramas match “{whole}”. Pick the one you mean:"
    assert NotFollowingError(cut).message.startswith(f"You don't follow “{shown}”.")
    assert NotLinkedError(cut, "why.").message.startswith(f"I can't follow “{shown}” yet:")
    assert f"catalogue for “{shown}”" in RemoteUnavailableError(cut).message
    assert f"catalogue for “{whole}”" in RemoteUnavailableError(whole).message
    assert TvmazeLinkTakenError(1, cut).message.startswith(f"TVmaze show 1 is already linked to “{shown}”.")
