"""Bad input to /review (issue 10, item 10), each through the real bot and the sandbox: what the member is told,
what is posted, and that nothing pings or leaks the spoiler part."""

from __future__ import annotations

import pytest

from bot.domain.reviews import clean_text, rebuild_review
from tests.e2e.review_support import SHOW, club, public_posts, write_review

__all__ = ["club"]  # a fixture, used by name

pytestmark = pytest.mark.e2e

NASTY = (
    "@everyone and @here",
    "<@&123456789012345678> and <@123456789012345678>",
    "|| closes early || opens again ||",
    "```\ncode fence\n```",
    "[a masked link](https://example.com/x)",
    "# a heading\n> a quote\n- a list",
    "zero\u200bwidth\u200d and right\u202eto\u202cleft \u2066isolate\u2069",
    "\\ backslash \\|| escaped",
)


@pytest.mark.parametrize("nasty", NASTY, ids=range(len(NASTY)))
async def test_markup_and_mentions_stay_text_and_the_spoiler_part_stays_hidden(club, nasty):
    world, _bot = club
    driver = world.sandbox.driver
    spoiler = f"{nasty} SECRETWORD"
    fields = {"Headline": nasty.split("\n")[0][:80], "Spoiler-free part": f"Clear. {nasty}", "Spoilers": spoiler}
    await write_review(world, fields=fields, spoilers_through="8")
    posts = public_posts(world)
    text = rebuild_review([driver.payload(m) for m in posts])
    assert text.spoiler == clean_text(spoiler)
    assert text.spoiler_free == clean_text(f"Clear. {nasty}")
    shown = "\n".join(driver.render(m) for m in posts)
    assert "SECRETWORD" not in shown
    assert shown.count("[spoiler hidden]") == spoiler.count("\n") + 1 - sum(
        1 for line in clean_text(spoiler).split("\n") if not line.strip()
    )
    # The spoiler-free part reads as typed (the encoder's zero-width marks aside): no markup took effect.
    clear = driver.render(posts[0]).replace("\u200b", "")
    assert clean_text(f"Clear. {nasty}").replace("\u200b", "") in "\n".join(
        line.removeprefix("| ") for line in clear.split("\n")
    )
    assert world.sandbox.pings == []


async def test_parts_of_4000_characters_each_post_whole(club):
    world, _bot = club
    driver = world.sandbox.driver
    # Pipes and backticks cost the most once escaped: the worst case for the split.
    fields = {
        "Headline": "|" * 80,
        "Spoiler-free part": "|`" * 2000,
        "Spoilers": "*" * 4000,
        "Spoilers (continued)": "가" * 4000,
    }
    await write_review(world, fields=fields, spoilers_through="8")
    posts = public_posts(world)
    text = rebuild_review([driver.payload(m) for m in posts])
    assert (text.headline, text.spoiler_free, text.spoiler) == ("|" * 80, "|`" * 2000, "*" * 4000 + "가" * 4000)


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"Headline": "\u200b", "Spoiler-free part": "x"}, "The headline is empty"),
        ({"Headline": "h", "Spoiler-free part": " \n \u202e "}, "The spoiler-free part is empty"),
    ],
)
async def test_empty_parts_are_refused_and_given_back(club, fields, said):
    world, _bot = club
    _opened, submitted = await write_review(world, fields=fields)
    assert said in submitted.text()
    assert submitted.messages[-1].attachments[0].filename == "review-draft.txt"
    assert public_posts(world) == []


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (
            {"spoilers_through": "9"},
            "There is no episode 9 in The Trauma Code: Heroes On Call: it has episodes 1 to 8.",
        ),
        ({"spoilers_through": "S2E1"}, "has no season 2"),
        ({"spoilers_through": "next week"}, "“next week” is not an episode"),
        ({"title": "Zzqx Nowhere"}, "couldn't find a drama called “Zzqx Nowhere”"),
    ],
)
async def test_a_review_of_what_is_not_there_is_refused_before_the_form(club, options, said):
    world, _bot = club
    driver = world.sandbox.driver
    given = {"title": SHOW, "grade": "B", **options}
    result = await driver.slash(world.users["alice"], world.channel, "review write", **given)
    await result.wait_done()
    assert result.modal is None
    assert result.ephemeral
    assert said in result.text()
