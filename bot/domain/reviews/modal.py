"""The review modal: its fields and limits, reading a submission, and prefilling it for Edit or a retry."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.errors import InvalidInputError
from bot.domain.reviews.markup import clean_text
from bot.domain.reviews.model import ReviewText

# Discord: a modal title and a field label take at most 45 characters, a text field at most 4,000, five fields.
MODAL_TITLE_LIMIT = 45
FIELD_LIMIT = 4000
# Short enough that the escaped headline (at most three characters per character) fits an embed title (256).
HEADLINE_LIMIT = 80

HEADLINE = "headline"
SPOILER_FREE = "spoiler_free"
SPOILER = "spoiler"
SPOILER_MORE = "spoiler_more"


class FieldStyle(enum.Enum):
    SHORT = 1
    PARAGRAPH = 2


@dataclass(frozen=True, slots=True)
class ModalField:
    custom_id: str
    label: str
    style: FieldStyle
    required: bool
    max_length: int
    min_length: int = 0
    placeholder: str | None = None


# Labels are short and plain, as members (and the playground's ``fill Headline=... | Spoilers=...``) name them;
# the placeholders say who sees what.
REVIEW_FIELDS: tuple[ModalField, ...] = (
    ModalField(HEADLINE, "Headline", FieldStyle.SHORT, True, HEADLINE_LIMIT, 1, "Shown to everyone."),
    ModalField(
        SPOILER_FREE,
        "Spoiler-free part",
        FieldStyle.PARAGRAPH,
        True,
        FIELD_LIMIT,
        1,
        "Shown to everyone: what anyone may read before watching.",
    ),
    ModalField(
        SPOILER,
        "Spoilers",
        FieldStyle.PARAGRAPH,
        False,
        FIELD_LIMIT,
        placeholder="Hidden until revealed. Leave empty for a spoiler-free review.",
    ),
    ModalField(
        SPOILER_MORE,
        "Spoilers (continued)",
        FieldStyle.PARAGRAPH,
        False,
        FIELD_LIMIT,
        placeholder="Hidden too. More spoilers if the field above is full; joined to it as it is.",
    ),
)


def modal_title(show_title: str) -> str:
    """ "Review: <title>" within Discord's 45 characters."""
    title = " ".join(clean_text(show_title).split())
    full = f"Review: {title}"
    return full if len(full) <= MODAL_TITLE_LIMIT else full[: MODAL_TITLE_LIMIT - 1] + "…"


def _checked(values: Mapping[str, str], name: str, label: str, limit: int) -> str:
    text = clean_text(values.get(name) or "")
    if len(text) > limit:
        raise InvalidInputError(f"The {label} is {len(text):,} characters long; the most it can take is {limit:,}.")
    return text


def review_text_from_fields(values: Mapping[str, str]) -> ReviewText:
    """The review a modal submission holds, in clean form. The two spoiler fields are joined exactly as they are
    (a story pasted across them reads on without a break). Refuses an empty headline or spoiler-free part and any
    field over its limit (Discord enforces the limits, but not every client does)."""
    headline = " ".join(_checked(values, HEADLINE, "headline", HEADLINE_LIMIT).split("\n"))
    spoiler_free = _checked(values, SPOILER_FREE, "spoiler-free part", FIELD_LIMIT)
    spoiler = _checked(values, SPOILER, "spoiler part", FIELD_LIMIT)
    spoiler += _checked(values, SPOILER_MORE, "second spoiler part", FIELD_LIMIT)
    if not headline.strip():
        raise InvalidInputError("The headline is empty: give the review a headline.")
    if not spoiler_free.strip():
        raise InvalidInputError("The spoiler-free part is empty: write something everyone may read.")
    return ReviewText(headline, spoiler_free, spoiler if spoiler.strip() else "")


def prefill_fields(text: ReviewText) -> dict[str, str]:
    """Field values that show ``text`` again (for Edit, or to give a review back when posting failed). Submitted
    unchanged they give back the same text; the spoiler part is split across the two fields at a line break."""
    spoiler = text.spoiler
    if len(spoiler) > 2 * FIELD_LIMIT:
        raise ValueError("spoiler part longer than the modal's two fields")
    first, second = spoiler, ""
    if len(spoiler) > FIELD_LIMIT:
        # The first field holds spoiler[:cut], so cut <= FIELD_LIMIT; the second holds spoiler[cut:], so cut >= low.
        head, low = spoiler[:FIELD_LIMIT], len(spoiler) - FIELD_LIMIT
        cut = head.rfind("\n") + 1  # after the last line break the first field can hold
        if cut < low:
            cut = head.rfind(" ") + 1  # else after the last space
        if cut < low:
            cut = FIELD_LIMIT
        first, second = spoiler[:cut], spoiler[cut:]
    return {HEADLINE: text.headline, SPOILER_FREE: text.spoiler_free, SPOILER: first, SPOILER_MORE: second}


def draft_text(text: ReviewText, show_title: str) -> str:
    """The review as a plain text file, to give it back to its author when it could not be posted."""
    parts = [f"Review of {show_title}", "", "Headline:", text.headline, "", "Spoiler-free part:", text.spoiler_free]
    if text.has_spoiler:
        parts += ["", "Spoilers:", text.spoiler]
    return "\n".join(parts) + "\n"
