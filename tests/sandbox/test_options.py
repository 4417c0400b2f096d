"""Option values as Discord's client takes them (the driver refuses what the client would not send), and
URLs as Discord reads them."""

import pytest

from bot.sandbox.errors import SandboxUsageError
from bot.sandbox.options import parse_number
from bot.sandbox.rules import PICTURE_SCHEMES, WEB_SCHEMES, check_components, well_formed_url


@pytest.mark.parametrize(("text", "value"), [("2", 2), (" 7 ", 7), ("-3", -3), ("+4", 4), (3, 3), (2.0, 2)])
def test_whole_numbers_are_taken(text, value):
    assert parse_number("season", text, whole=True) == value


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("abc", "option season takes a whole number, not 'abc'"),
        ("1.5", "option season takes a whole number, not '1.5'"),
        ("1e3", "option season takes a whole number, not '1e3'"),
        ("", "option season takes a whole number; it was left empty"),
        ("   ", "option season takes a whole number; it was left empty"),
        ("٣", "option season takes a whole number, not '٣'"),
        (str(2**53 + 1), "option season: 9007199254740993 is out of range"),
        ("9" * 10_000, "option season: 99999999999999999999… (9980 more characters) is out of range"),
        (True, "option season takes a whole number, not True"),
        (1.5, "option season takes a whole number, not 1.5"),
    ],
)
def test_what_the_client_refuses_for_an_integer(text, said):
    with pytest.raises(SandboxUsageError) as caught:
        parse_number("season", text, whole=True)
    assert str(caught.value) == said


@pytest.mark.parametrize(("text", "value"), [("1.5", 1.5), (".5", 0.5), ("1e3", 1000.0), ("-2", -2.0)])
def test_numbers_take_decimals(text, value):
    assert parse_number("rating", text, whole=False) == value


@pytest.mark.parametrize("text", ["nan", "inf", "1,5", "1.2.3"])
def test_what_the_client_refuses_for_a_number(text):
    with pytest.raises(SandboxUsageError, match="option rating"):
        parse_number("rating", text, whole=False)


@pytest.mark.parametrize(
    ("url", "schemes", "ok"),
    [
        ("https://www.tvmaze.com/shows/1", WEB_SCHEMES, True),
        ("HTTP://example.com/x", WEB_SCHEMES, True),
        ("javascript:alert(1)", WEB_SCHEMES, False),
        ("https://", WEB_SCHEMES, False),
        ("https://exa mple.com", WEB_SCHEMES, False),
        ("//example.com/x", WEB_SCHEMES, False),
        ("attachment://poster.png", WEB_SCHEMES, False),
        ("attachment://poster.png", PICTURE_SCHEMES, True),
        ("data:image/png;base64,AAAA", PICTURE_SCHEMES, False),
        ("ftp://example.com/poster.png", PICTURE_SCHEMES, False),
    ],
)
def test_a_well_formed_url(url, schemes, ok):
    assert well_formed_url(url, schemes) is ok


def test_a_link_button_needs_a_web_link():
    row = {"type": 1, "components": [{"type": 2, "style": 5, "label": "Open", "url": "javascript:alert(1)"}]}
    [problem] = check_components([row])
    assert (problem.path, problem.code) == (("components", 0, "components", 0, "url"), "URL_TYPE_INVALID_URL")
    row["components"][0]["url"] = "https://www.tvmaze.com/shows/1"
    assert check_components([row]) == []
