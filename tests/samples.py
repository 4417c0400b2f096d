"""Test data shared by the layers: what the seed drama's card must show, and awkward input to throw at commands."""

SEED_TITLE = "The Trauma Code: Heroes On Call"

# Facts from the seed review that a member sees on `/drama info`.
SEED_CARD_FACTS = (
    SEED_TITLE,
    "중증외상센터",
    "2025",
    "Netflix",
    "8 episodes",
    "Medical Drama",
    "Lee Do Yoon",
    "Severe Trauma Center: Golden Hour",
    "Han San",
    "Hong Bicira",
    "Ju Ji Hoon as Baek Kang Hyuk",
    "Choo Yeong Woo as Yang Jae Won (“Anus”)",
    "Ha Young as Cheon Jang Mi (“Gangster”)",
    "Kim Sun Young as Kang Myeong Hui",
)

# Input a member can type (Discord's client caps these options at 100-200 characters; the long ones test the code's
# own checks, which matter for clients that do not enforce option limits).
AWKWARD_INPUTS = (
    " ",
    "\x00\x07\x1b[31m",
    "\u200b\u200f\u202e",
    "🎬🍿",
    '"',
    "*",
    "NEAR(",
    "OR",
    "--",
    "' OR 1=1; DROP TABLE shows; --",
    "@everyone <@&1> ||spoiler|| ```code``` [x](https://example.com)",
    "x" * 100,
)
LONG_INPUTS = ("", "x" * 10_000, "가" * 10_000)


def seed_review_parts() -> tuple[str, str]:
    """The seed review as its spoiler-free opening and its story part (from "The Story:" on); only from a test
    marked ``tests.shared_data.needs_seed``."""
    from tests.shared_data import seed_review

    seed = seed_review()
    cut = seed.index("The\nStory:")
    return seed[:cut], seed[cut:]
