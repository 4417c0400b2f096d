"""Spoiler-tagged reviews: grades, how far spoilers reach and who may see them, the reversible markup of review
text, the modal, and the post split within Discord's limits. Pure: the cog renders what these return."""

from bot.domain.reviews.grades import Grade, GradeSummary, summarize
from bot.domain.reviews.markup import clean_text, decode_chunk, encode_chunk
from bot.domain.reviews.modal import (
    REVIEW_FIELDS,
    FieldStyle,
    ModalField,
    draft_text,
    modal_title,
    prefill_fields,
    review_text_from_fields,
)
from bot.domain.reviews.model import PostedMessage, Review, ReviewText
from bot.domain.reviews.post import (
    EmbedField,
    PostEmbed,
    PostMessage,
    ReviewPost,
    Section,
    build_reveal,
    build_review_post,
    list_entry,
    rebuild_revealed,
    rebuild_review,
)
from bot.domain.reviews.spoilers import (
    EpisodeRef,
    RevealDecision,
    ViewerProgress,
    decide_reveal,
    parse_episode_ref,
    resolve_spoilers_through,
)

__all__ = [
    "REVIEW_FIELDS",
    "EmbedField",
    "EpisodeRef",
    "FieldStyle",
    "Grade",
    "GradeSummary",
    "ModalField",
    "PostEmbed",
    "PostMessage",
    "PostedMessage",
    "RevealDecision",
    "Review",
    "ReviewPost",
    "ReviewText",
    "Section",
    "ViewerProgress",
    "build_reveal",
    "build_review_post",
    "clean_text",
    "decide_reveal",
    "decode_chunk",
    "draft_text",
    "encode_chunk",
    "list_entry",
    "modal_title",
    "parse_episode_ref",
    "prefill_fields",
    "rebuild_revealed",
    "rebuild_review",
    "resolve_spoilers_through",
    "review_text_from_fields",
    "summarize",
]
