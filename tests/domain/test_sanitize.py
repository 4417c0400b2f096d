"""Outside text and links made safe: HTML summaries to text, links only to TVmaze's site, images only over https."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.sanitize import html_to_text, image_link, tvmaze_link


def test_html_to_text_keeps_paragraphs_and_decodes_entities():
    assert html_to_text("<p>One &amp; <b>two</b></p><p>Three<br>four</p>") == "One & two\n\nThree\nfour"
    assert html_to_text("<p>Line\nwrapped   in  source</p>") == "Line wrapped in source"
    assert html_to_text("<script>x</script>") == "x"  # tags never survive; text inside is only text
    assert html_to_text("") is None
    assert html_to_text("<p> </p>") is None
    assert html_to_text(None) is None
    assert html_to_text(["<p>x</p>"]) is None


@given(st.text(max_size=300))
def test_html_to_text_never_leaves_a_tag(markup):
    text = html_to_text(markup)
    assert text is None or (text == text.strip() and "\n\n\n" not in text)
    if "<" not in markup and "&" not in markup and markup.strip():
        assert text is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.tvmaze.com/shows/900001/golden-hour-ward",
        "https://WWW.TVMAZE.COM/shows/1",
        "https://www.tvmaze.com:443/shows/1",
    ],
)
def test_tvmaze_links_pass(url):
    assert tvmaze_link(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "http://www.tvmaze.com/shows/1",
        "https://tvmaze.com.evil.example/shows/1",
        "https://evil.example/?www.tvmaze.com",
        "https://www.tvmaze.com@evil.example/shows/1",
        "https://user:pw@www.tvmaze.com/shows/1",
        "https://www.tvmaze.com:8443/shows/1",
        "https://www.tvmaze.com:bad/shows/1",
        "https://www.tvmaze.com/shows/1 onmouseover=x",
        "https://www.tvmaze.com/shows/<script>",
        "data:text/html,<b>x</b>",
        "//www.tvmaze.com/shows/1",
        "https://www.tvmaze.com/" + "x" * 3000,
        "",
        None,
        42,
    ],
)
def test_other_links_are_dropped(url):
    assert tvmaze_link(url) is None


def test_images_must_be_https():
    assert image_link("https://static.tvmaze.com/uploads/a.jpg") == "https://static.tvmaze.com/uploads/a.jpg"
    for bad in ("http://static.tvmaze.com/a.jpg", "javascript:alert(1)", "ftp://x/a.jpg", "a.jpg", "", None, {}):
        assert image_link(bad) is None


@given(st.text(max_size=200))
def test_a_link_that_passes_is_https_to_tvmaze(text):
    link = tvmaze_link(text)
    if link is not None:
        assert link.lower().startswith("https://www.tvmaze.com")
        assert not any(c.isspace() for c in link)
