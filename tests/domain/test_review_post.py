import datetime as dt

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.domain.errors import InvalidInputError
from bot.domain.reviews import (
    EpisodeRef,
    Grade,
    Review,
    ReviewText,
    Section,
    build_reveal,
    build_review_post,
    list_entry,
    rebuild_revealed,
    rebuild_review,
    review_text_from_fields,
)
from bot.domain.reviews.markup import ZWSP, utf16_len
from bot.domain.reviews.post import CONTINUED_TITLE, REVEAL_HINT, ReviewPost, spoiler_title
from tests.domain.review_markdown import outside_spoilers, problems, title_problems
from tests.domain.test_review_markup import AWKWARD
from tests.shared_data import needs_seed, seed_review

SHOW = "The Trauma Code: Heroes On Call"
NOW = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)


def seed_parts() -> tuple[str, str]:
    """The seed review's spoiler-free opening and its story part (from "The Story:" on)."""
    seed = seed_review()
    cut = seed.index("The\nStory:")
    return seed[:cut], seed[cut:]


EP8 = EpisodeRef(1, 8)


def make_review(text: ReviewText, through: EpisodeRef | None = EP8, review_id: int = 42) -> Review:
    return Review(review_id, 1, 2, 3, Grade.A_PLUS, through, text, NOW)


def assert_within_discord_limits(messages) -> None:
    assert messages
    for message in messages:
        assert 1 <= len(message.embeds) <= 10
        assert sum(e.total() for e in message.embeds) <= 6000
        assert message.content is None or utf16_len(message.content) <= 2000
        for embed in message.embeds:
            assert embed.description is None or 0 < utf16_len(embed.description) <= 4096
            assert embed.title is None or utf16_len(embed.title) <= 256
            assert embed.author is None or utf16_len(embed.author) <= 256
            assert embed.footer is None or utf16_len(embed.footer) <= 2048
            assert all(utf16_len(f.name) <= 256 and utf16_len(f.value) <= 1024 for f in embed.fields)


def spoilers_field(review: Review) -> str:
    if not review.text.has_spoiler:
        return "no spoilers"
    return "through episode 8" if review.spoilers_through else "may cover the whole show"


def assert_spoilers_only_where_hidden(post: ReviewPost, review: Review, author: str) -> None:
    """Every slot other than a description holds the headline or the bot's own words; spoiler descriptions show
    nothing outside spoiler markup; the spoiler part comes back only from them."""
    embeds = list(post.embeds())
    header = embeds[0]
    assert header.section is Section.CLEAR
    assert [(f.name, f.value) for f in header.fields] == [
        ("Show", "The Trauma Code: Heroes On Call"),
        ("Grade", "A+"),
        ("Spoilers", spoilers_field(review)),
    ]
    assert header.author == f"Review by {author}"
    assert header.footer == "Review #42" + (REVEAL_HINT if review.text.has_spoiler else "")
    sections = [e.section for e in embeds]
    assert sections == sorted(sections, key=lambda s: s is Section.SPOILER), "spoilers come after the clear part"
    for index, embed in enumerate(embeds[1:], start=1):
        assert (embed.fields, embed.author, embed.footer) == ((), None, None)
        if embed.section is Section.SPOILER:
            first = embeds[index - 1].section is Section.CLEAR
            assert embed.title == (spoiler_title(review.spoilers_through) if first else CONTINUED_TITLE)
            assert outside_spoilers(embed.description or "").replace(ZWSP, "").strip() in ("", "…")
        else:
            assert embed.title is None
    count = len(post.messages)
    later = [f"Review #42, continued ({i} of {count})" for i in range(2, count + 1)]
    assert [m.content for m in post.messages][1:] == later
    assert [m.buttons for m in post.messages] == [False] * (count - 1) + [True]
    for embed in embeds:
        assert problems(embed.description or "") == []
        assert title_problems(embed.title or "") == []


@needs_seed
def test_the_seed_review_posts_without_losing_a_character():
    clear, story = seed_parts()
    assert 4000 < len(story) < 8000  # it needs both spoiler fields
    fields = {"headline": "A+ and some spoilers", "spoiler_free": clear}
    fields |= {"spoiler": story[:4000], "spoiler_more": story[4000:]}
    text = review_text_from_fields(fields)
    assert text == ReviewText("A+ and some spoilers", clear, story)
    review = make_review(text)
    post = build_review_post(review, show_title=SHOW, author_name="Jill")
    assert_within_discord_limits(post.messages)
    assert_spoilers_only_where_hidden(post, review, "Jill")
    assert len(post.messages) == 2
    assert rebuild_review(post.messages) == text
    # The same from the JSON Discord would record.
    assert rebuild_review([m.to_dict() for m in post.messages]) == text
    reveal = build_reveal(review)
    assert_within_discord_limits(reveal)
    assert rebuild_revealed([m.to_dict() for m in reveal]) == story
    assert all(e.section is Section.REVEALED for m in reveal for e in m.embeds)


def test_a_spoiler_free_review_has_no_spoiler_embed():
    review = make_review(ReviewText("Short", "Loved it."), through=None)
    post = build_review_post(review, show_title=SHOW, author_name="Jill")
    assert [e.section for e in post.embeds()] == [Section.CLEAR]
    assert post.messages[0].content == "New review of The Trauma Code: Heroes On Call: Short"
    assert rebuild_review(post.messages) == review.text
    assert_spoilers_only_where_hidden(post, review, "Jill")


def test_one_very_long_line_is_split_mid_line_and_joined_back():
    text = ReviewText("h", "x" * 4000, "🎬" * 3000 + "y" * 1000 + "z" * 4000)
    review = make_review(text)
    post = build_review_post(review, show_title=SHOW, author_name="Jill")
    assert_within_discord_limits(post.messages)
    assert rebuild_review(post.messages) == text
    assert rebuild_revealed(build_reveal(review)) == text.spoiler


def test_the_author_name_cannot_ping_or_span_lines():
    review = make_review(ReviewText("h", "clear"))
    post = build_review_post(review, show_title=SHOW, author_name="@everyone\n\u202eJill")
    assert post.messages[0].embeds[0].author == "Review by @everyone Jill"  # the author line renders no mentions
    assert "<@" not in post.messages[0].content


PIECES = st.lists(st.one_of(st.sampled_from(AWKWARD), st.text(max_size=8)), max_size=40).map("".join)
LONG = st.tuples(PIECES, st.integers(1, 400)).map(lambda t: (t[0] * t[1])[:4000])
PART = st.one_of(PIECES, LONG)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PIECES, PART, PART, PART, st.booleans())
def test_any_review_posts_within_limits_and_reads_back_unchanged(headline, clear, spoiler, more, through):
    fields = {"headline": headline[:80], "spoiler_free": clear, "spoiler": spoiler, "spoiler_more": more}
    try:
        text = review_text_from_fields(fields)
    except InvalidInputError:
        assume(False)
    review = make_review(text, EpisodeRef(1, 8) if through else None)
    post = build_review_post(review, show_title=SHOW, author_name="Jill")
    assert_within_discord_limits(post.messages)
    assert_spoilers_only_where_hidden(post, review, "Jill")
    assert rebuild_review([m.to_dict() for m in post.messages]) == text
    if text.has_spoiler:
        reveal = build_reveal(review)
        assert_within_discord_limits(reveal)
        assert rebuild_revealed(reveal) == text.spoiler


@pytest.mark.parametrize("blank", ["", "   ", "\n\n"])
def test_an_empty_spoiler_part_is_no_spoiler_part(blank):
    text = review_text_from_fields({"headline": "h", "spoiler_free": "ok", "spoiler": blank, "spoiler_more": blank})
    assert text.spoiler == ""
    assert not text.has_spoiler


def test_a_headline_too_long_for_a_title_is_refused_not_cut():
    with pytest.raises(ValueError, match="headline too long"):
        build_review_post(make_review(ReviewText("|" * 90, "c")), show_title=SHOW, author_name="Jill")


def test_a_list_entry_shows_the_headline_but_none_of_the_review_text():
    review = make_review(ReviewText("**Best** @everyone", "CLEARWORDS", "SECRETWORDS"))
    entry = list_entry(review)
    assert entry == (
        f"**#42** · A+ · \\*\\*Best\\*\\* @\u200beveryone · by <@2> · <t:{int(NOW.timestamp())}:d> · through episode 8"
    )
    assert "SECRET" not in entry
    assert "CLEAR" not in entry
