"""What the other post tests leave unasserted: the exact JSON a short review posts as, the titles and sections of the
Reveal reply, reading back odd message JSON, and the splitting rules at their edges: where a line is cut (after a
space in the last 30%, never inside one visible character), what fits exactly, and the cost of each line."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.reviews import EpisodeRef, Grade, Review, ReviewText, Section, build_reveal, build_review_post
from bot.domain.reviews.markup import CONTINUED
from bot.domain.reviews.post import (
    EmbedField,
    PostEmbed,
    _joins,
    _longest_prefix,
    _Packer,
    _Piece,
    _polish_cut,
    _Section,
    _take,
    list_entry,
    rebuild_revealed,
    rebuild_review,
    spoiler_title,
)
from tests.domain.test_review_post import assert_within_discord_limits

NOW = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)
HINT = "Review #42 · Reveal shows the spoilers if you have seen that far"
EP8 = EpisodeRef(1, 8)


def review(text: ReviewText, through: EpisodeRef | None = EP8) -> Review:
    return Review(42, 1, 2, 3, Grade.A_PLUS, through, text, NOW)


# -- the post as Discord records it -----------------------------------------------------------------------------------


def test_a_short_review_posts_as_one_message_of_this_json():
    post = build_review_post(
        review(ReviewText("Best *show*", "Loved it.", "He lives.")), show_title="The Trauma Code", author_name="Jill"
    )
    assert [m.to_dict() for m in post.messages] == [
        {
            "content": "New review of The Trauma Code: Best \\*show\\*",
            "embeds": [
                {
                    "type": "rich",
                    "title": "Best \\*show\\*",
                    "description": "Loved it.",
                    "fields": [
                        {"name": "Show", "value": "The Trauma Code", "inline": True},
                        {"name": "Grade", "value": "A+", "inline": True},
                        {"name": "Spoilers", "value": "through episode 8", "inline": True},
                    ],
                    "author": {"name": "Review by Jill"},
                    "footer": {"text": HINT},
                },
                {"type": "rich", "title": "Spoilers through episode 8", "description": "||He lives.||"},
            ],
        }
    ]
    assert [m.buttons for m in post.messages] == [True]


def test_an_embed_counts_every_part_toward_the_message_budget_and_says_a_field_is_not_inline():
    embed = PostEmbed(
        Section.CLEAR, "d" * 2, "t" * 3, (EmbedField("n" * 5, "v" * 7, inline=False),), "a" * 11, "f" * 13
    )
    assert embed.total() == 2 + 3 + 5 + 7 + 11 + 13
    assert embed.to_dict()["fields"] == [{"name": "nnnnn", "value": "vvvvvvv", "inline": False}]
    assert PostEmbed(Section.CLEAR).to_dict() == {"type": "rich"}


def test_the_spoiler_title_and_the_list_name_the_season_when_the_show_has_several():
    assert spoiler_title(EpisodeRef(1, 8)) == "Spoilers through episode 8"
    assert spoiler_title(EpisodeRef(1, 8), multi_season=True) == "Spoilers through season 1, episode 8"
    assert spoiler_title(None) == "Spoilers may cover the whole show"
    entry = list_entry(review(ReviewText("h", "c", "s")), multi_season=True)
    assert entry.endswith(" · through season 1, episode 8")


# -- the Reveal reply -------------------------------------------------------------------------------------------------


def test_the_reveal_reply_is_titled_like_the_spoiler_embed_and_continued_after():
    text = ReviewText("h", "clear", ("He lives. " * 300 + "\n\n") * 3)
    reveal = build_reveal(review(text))
    embeds = [e for m in reveal for e in m.embeds]
    assert len(embeds) > 1
    assert [e.section for e in embeds] == [Section.REVEALED] * len(embeds)
    assert [e.title for e in embeds] == ["Spoilers through episode 8"] + ["Spoilers, continued"] * (len(embeds) - 1)
    assert "||" not in "".join(e.description or "" for e in embeds)
    assert rebuild_revealed(reveal) == text.spoiler
    several = build_reveal(review(text), multi_season=True)
    assert several[0].embeds[0].title == "Spoilers through season 1, episode 8"


def test_the_reveal_of_a_review_without_spoilers_reads_back_empty():
    reveal = build_reveal(review(ReviewText("h", "clear"), through=None))
    assert [(e.title, e.description) for m in reveal for e in m.embeds] == [("Spoilers may cover the whole show", None)]
    assert rebuild_revealed([m.to_dict() for m in reveal]) == ""


# -- reading back -----------------------------------------------------------------------------------------------------


def test_nothing_to_read_back_is_an_error_that_says_so():
    with pytest.raises(ValueError, match=r"\Ano embeds to rebuild a review from\Z"):
        rebuild_review([{"content": "x", "embeds": []}])


def test_embeds_without_a_title_or_a_description_read_back_as_empty_text():
    assert rebuild_review([{"embeds": [{"description": "only text"}]}]) == ReviewText("", "only text", "")
    text = ReviewText("h", "", "the spoiler")
    post = build_review_post(review(text), show_title="S", author_name="A")
    assert rebuild_review([m.to_dict() for m in post.messages]) == text


def test_messages_without_embeds_are_passed_over_when_reading_back():
    text = ReviewText("h", "clear part", "hidden part")
    post = build_review_post(review(text), show_title="S", author_name="A")
    assert rebuild_review([{"content": "a reply in between"}, *post.messages]) == text


def test_a_headline_that_starts_with_spoilers_stays_the_headline():
    text = ReviewText("Spoilers ahead, sort of", "clear part", "hidden part")
    post = build_review_post(review(text), show_title="S", author_name="A")
    assert rebuild_review([m.to_dict() for m in post.messages]) == text


# -- splitting --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "joined"),
    [
        ("a", "b", False),
        ("X", "X", False),
        ("e", "\u0301", True),  # a combining accent
        ("a", "\u200c", True),  # zero-width non-joiner
        ("a", "\u200d", True),  # zero-width joiner
        ("\u200d", "a", True),  # after a joiner
        ("\u200c", "a", False),
        ("✋", "\U0001f3fb", True),  # skin tones U+1F3FB..U+1F3FF
        ("✋", "\U0001f3ff", True),
        ("✋", "\U0001f3fa", False),
        ("✋", "\U0001f400", False),
        ("✋", "\ufe00", True),  # variation selectors U+FE00..U+FE0F
        ("✋", "\ufe0f", True),
        ("✋", "\ufdff", False),
        ("✋", "\ufe10", False),
        ("\U0001f3f4", "\U000e0020", True),  # tag characters U+E0020..U+E007F (subdivision flags)
        ("\U0001f3f4", "\U000e007f", True),
        ("\U0001f3f4", "\U000e001f", False),
        ("\U0001f3f4", "\U000e0080", False),
        ("\U0001f1e6", "\U0001f1e6", True),  # two regional indicators U+1F1E6..U+1F1FF make one flag
        ("\U0001f1ff", "\U0001f1ff", True),
        ("\U0001f1e5", "\U0001f1e6", False),
        ("\U0001f1e6", "\U0001f1e5", False),
        ("\U0001f200", "\U0001f1ff", False),
        ("\U0001f1ff", "\U0001f200", False),
        ("a", "\U0001f1f0", False),
        ("\U0001f1f0", "a", False),
        ("\u1100", "\u1100", True),  # conjoining jamo U+1100..U+11FF, U+A960..U+A97F, U+D7B0..U+D7FF
        ("\u11ff", "\u11ff", True),
        ("\u10ff", "\u1100", False),
        ("\u1100", "\u1200", False),
        ("\ua960", "\ua97f", True),
        ("\ua95f", "\ua960", False),
        ("\ua980", "\ua97f", False),
        ("\ud7b0", "\ud7ff", True),
        ("\ud7af", "\ud7b0", False),
        ("\ud7ff", "\ud800", False),
        ("\u1100", "a", False),
        ("a", "\u1161", False),
    ],
)
def test_a_cut_between_these_two_characters_would_split_what_a_reader_sees_as_one(before, after, joined):
    assert _joins(before, after) is joined


def test_every_whole_line_is_costed_once_where_it_starts():
    assert _Section("ab\n\ncdef\nxyz", spoiler=True)._costs == {0: 6, 3: 0, 4: 8, 9: 7}
    assert _Section("ab\n\ncdef\n  \n", spoiler=True).blank == {3, 9, 12}
    assert _Section("abc\nx\nabc\nlonger line", spoiler=False)._costs == {0: 3, 4: 1, 6: 3, 10: 11}
    section = _Section("a\n\nbbbb\nc", spoiler=True)
    lines = [(0, "a"), (2, ""), (3, "bbbb"), (8, "c")]
    assert [section.line_cost(start, line) for start, line in lines] == [5, 0, 8, 5]
    assert section.line_cost(5, "bb") == 6  # the rest of a line cut before: costed as it renders, in spoiler markup


def test_the_rest_fits_whole_only_within_the_budget_in_its_own_markup():
    section = _Section("abc", spoiler=True)  # renders as ||abc||
    assert section.fits_whole(0, 7)
    assert not section.fits_whole(0, 6)


def test_with_no_room_past_the_reserve_only_a_rest_that_fits_exactly_is_taken():
    section = _Section("a\n\nbbbbbbbb", spoiler=False)
    assert _take(section, 2, 4) is None  # a blank line then more: no empty piece
    assert _take(_Section("ab", spoiler=False), 0, 4) == _Piece(0, 2, 2, False)
    assert _take(_Section("abcde", spoiler=False), 0, 4) is None


def test_one_unit_of_room_takes_a_one_character_line():
    assert _take(_Section("a\nbcdef", spoiler=False), 0, 5) == _Piece(0, 1, 2, False)


def test_a_rest_that_only_fits_without_the_reserve_is_taken_whole():
    section = _Section("a\n\nbbbbbbbb", spoiler=False)
    assert _take(section, 3, 11) == _Piece(3, 11, 11, False)
    assert _take(section, 3, 8) == _Piece(3, 11, 11, False)
    assert _take(section, 3, 7) == _Piece(3, 6, 6, True)


def test_the_longest_prefix_that_renders_within_the_room():
    assert _longest_prefix("|abc", 1, spoiler=False) == 0  # the escaped pipe alone takes 3
    assert _longest_prefix("abcdef", 3, spoiler=False) == 3
    assert _longest_prefix("abcdef", 4, spoiler=False) == 4
    assert _longest_prefix("abcdef", 6, spoiler=True) == 2  # ||ab||


@pytest.mark.parametrize(
    ("line", "fit", "cut"),
    [
        ("abcd e", 6, 6),  # all of it fits: no cut moved
        ("aaaaaaa bb cc", 12, 11),  # after the last space
        ("a bcdefghijkl", 10, 10),  # the only space is too far back (before 70%)
        ("abcdef ghijkl", 10, 7),  # a space exactly at 70%
        ("abcde fghijkl", 10, 10),  # just before 70%
        ("abcdefg\thij", 10, 8),  # a tab counts as a space
        ("ab\tcdef ghij", 10, 8),  # the later of a tab and a space
        ("ab cdefg\thij", 10, 9),
        ("ab\tcdef\tghij", 10, 8),  # the last of two tabs
        ("ab\u200dcdef", 3, 1),  # never just after a zero-width joiner, nor just before one
        ("a\u0301\u0301\u0301bcd", 3, 3),  # one character longer than the room: cut inside it rather than lose it
        ("abc\u0301\u0301def", 4, 2),  # never between a letter and its accents
        ("ab\u0301\u0301cdef", 3, 1),
        ("a\u0301\u0301bc\u200d", 2, 2),
        ("abcdef", 0, 0),
    ],
)
def test_a_long_line_is_cut_after_a_space_near_the_end_and_never_inside_a_character(line, fit, cut):
    assert _polish_cut(line, fit) == cut


@pytest.mark.parametrize(
    ("text", "start", "budget", "piece"),
    [
        # Room is the budget less 4 (the fences and a continuation mark). Lines that fill the room exactly are taken.
        ("aaaa\nbbbb\ncccc", 0, 13, _Piece(0, 9, 10, False)),
        ("aaaa\nbbbb\ncccc", 5, 9, _Piece(5, 14, 14, False)),  # from a later line
        ("aaaa\nbbbb\ncccc", 0, 18, _Piece(0, 14, 14, False)),  # all of it within the room
        # A paragraph end is preferred to a later line break once it uses 60% of the room.
        ("aaaaaaaaaaaaaa\n\nb\ncccccccccccccccccc", 0, 22, _Piece(0, 14, 15, False)),
        ("aaaa\n\nbbbb\ncccc", 0, 14, _Piece(0, 10, 11, False)),  # a paragraph under 60%: the line break
        ("aaaaaa\nbbbbbbbbbbbbbbbbb", 0, 14, _Piece(0, 6, 7, False)),  # a line break at exactly 60%
        ("aaaaa\nbbbbbbbbbbbbbbbbb", 0, 14, _Piece(0, 10, 10, True)),  # under 60%: cut inside the next line
        # Inside a line: as much as fits after the line break's own character, marked as continued.
        ("aaaa\nbbbbbbbbbbbbbbbbbbbbbbbbbbb", 0, 12, _Piece(0, 8, 8, True)),
        ("bbbbbbbbbbbbbbbbbbbb", 0, 12, _Piece(0, 8, 8, True)),
        ("\nbbbbbbbbbbbbbbbbbbbb", 0, 12, _Piece(0, 8, 8, True)),
        ("aaaa\nbbbb cccc dddd", 0, 16, _Piece(0, 10, 10, True)),  # after the space
        # Nothing of the next line fits: the line break after all, however short; nothing at all: None.
        ("aa\n|||||", 0, 8, _Piece(0, 2, 3, False)),
        ("xx aa\n|||||", 3, 8, _Piece(3, 5, 6, False)),
        ("\n|||||", 0, 6, _Piece(0, 0, 1, False)),  # a blank first line is a line break too
        ("|||||", 0, 6, None),
        ("bcdefg", 0, 5, _Piece(0, 1, 1, True)),  # room for one character
        # From inside a line (after a cut): its rest is costed up to its end, not beyond.
        ("xx aaaa\nbbbb", 3, 8, _Piece(3, 7, 8, False)),
        # With no room past the reserve, only a rest that fits exactly, counted from where it starts.
        ("abcdef\nx", 7, 4, _Piece(7, 8, 8, False)),
        # The line that did not fit and the lines after it decide whether the rest fits without the reserve.
        ("aaaa\nbbbb\ncc", 0, 12, _Piece(0, 12, 12, False)),
        ("aaaa\nbbbb\ncccccc", 0, 12, _Piece(0, 8, 8, True)),
    ],
)
def test_a_piece_ends_at_a_paragraph_a_line_break_or_inside_a_line_in_that_order(text, start, budget, piece):
    assert _take(_Section(text, spoiler=False), start, budget) == piece


# -- packing embeds into messages ---------------------------------------------------------------------------------


def test_a_message_holds_ten_embeds_and_6000_characters_and_a_description_4096():
    packer = _Packer()
    assert packer.room(0) == 4096
    packer.messages[-1].append(PostEmbed(Section.CLEAR, description="x" * 3000))
    assert packer.room(50) == 6000 - 3000 - 50
    packer.messages[-1][:] = [PostEmbed(Section.CLEAR, description="x")] * 9
    assert packer.room(0) == 4096
    packer.messages[-1].append(PostEmbed(Section.CLEAR, description="x"))
    assert packer.room(0) == 0


def test_an_empty_section_adds_its_first_embed_alone_and_a_full_message_passes_it_on():
    first = PostEmbed(Section.CLEAR, title="t")
    packer = _Packer()
    packer.add_section("", Section.CLEAR, first, None)
    assert packer.messages == [[first]]
    full = [PostEmbed(Section.CLEAR, description="x")] * 10
    packer.messages = [list(full)]
    packer.add_section("", Section.CLEAR, first, None)
    assert packer.messages == [full, [first]]


def test_a_first_embed_that_leaves_no_room_in_an_empty_message_is_an_error():
    packer = _Packer()
    with pytest.raises(ValueError, match=r"\Aa single embed cannot hold this piece\Z"):
        packer.add_section("x", Section.CLEAR, PostEmbed(Section.CLEAR, footer="f" * 6000), None)


def test_one_character_of_room_still_takes_an_embed_with_nothing_to_describe():
    big = PostEmbed(Section.CLEAR, description="x" * 5999)
    packer = _Packer()
    packer.messages = [[big]]
    packer.add_section("", Section.CLEAR, PostEmbed(Section.CLEAR), None)
    assert packer.messages == [[big, PostEmbed(Section.CLEAR)]]


@pytest.mark.parametrize(
    ("used", "rest", "stays"),
    [
        (5700, 1000, False),  # under 400 of room and the rest does not fit: a new message
        (5700, 250, True),  # under 400 of room but the rest fits: it stays
        (5600, 1000, True),  # exactly 400 of room: a piece goes here and the rest to a new message
    ],
)
def test_a_small_room_is_left_unless_the_rest_fits_in_it(used, rest, stays):
    big = PostEmbed(Section.CLEAR, description="x" * used)
    packer = _Packer()
    packer.messages = [[big]]
    packer.add_section("y" * rest, Section.CLEAR, PostEmbed(Section.CLEAR), "later")
    assert (len(packer.messages[0]) == 2) is stays
    descriptions = [e.description or "" for m in packer.messages for e in m if e is not big]
    assert "".join(d.removesuffix(CONTINUED) for d in descriptions) == "y" * rest
    assert [e.title for m in packer.messages for e in m if e is not big][1:] == ["later"] * (len(descriptions) - 1)


# -- the whole post ---------------------------------------------------------------------------------------------------


def test_a_long_review_goes_over_four_messages_each_within_discord_limits():
    clear = ("Clear words here. " * 100 + "\n\n") * 5
    story = ("Story words. " * 150 + "\n\n") * 6
    text = ReviewText("h", clear, story)
    post = build_review_post(review(text), show_title="S", author_name="A", multi_season=True)
    assert_within_discord_limits(post.messages)
    assert [m.content for m in post.messages] == [
        "New review of S: h",
        "Review #42, continued (2 of 4)",
        "Review #42, continued (3 of 4)",
        "Review #42, continued (4 of 4)",
    ]
    assert [m.buttons for m in post.messages] == [False, False, False, True]
    embeds = list(post.embeds())
    assert [e.section for e in embeds] == [Section.CLEAR] * 4 + [Section.SPOILER] * 6
    assert [e.title for e in embeds] == ["h", None, None, None, "Spoilers through season 1, episode 8"] + [
        "Spoilers, continued"
    ] * 5
    assert embeds[0].fields[2] == EmbedField("Spoilers", "through season 1, episode 8")
    assert rebuild_review([m.to_dict() for m in post.messages]) == text


def test_a_headline_is_refused_only_past_256_once_encoded():
    fits = "|" * 85 + "a"  # each pipe shows as three characters: 256
    post = build_review_post(review(ReviewText(fits, "c")), show_title="S", author_name="A")
    assert post.messages[0].embeds[0].title is not None
    with pytest.raises(
        ValueError, match=r"\Aheadline too long for an embed title \(the modal keeps it to 80 characters\)\Z"
    ):
        build_review_post(review(ReviewText(fits + "b", "c")), show_title="S", author_name="A")


def test_a_long_show_title_and_author_name_are_cut_where_discord_would_refuse_them():
    post = build_review_post(review(ReviewText("h", "c")), show_title="*" * 150, author_name="a" * 300)
    shown = "\\*" * 99 + "…"
    header = post.messages[0].embeds[0]
    assert header.fields[0] == EmbedField("Show", shown)
    assert post.messages[0].content == f"New review of {shown}: h"
    assert header.author == "Review by " + "a" * 245 + "…"
    assert header.footer == "Review #42"
