"""Who may edit or delete a stored review: the author edits; the author or a member with Manage Messages deletes."""

from __future__ import annotations

import datetime as dt

from bot.domain.reviews import Grade, Review, ReviewText

AUTHOR, OTHER = 2, 9
REVIEW = Review(1, 100, AUTHOR, 3, Grade.A, None, ReviewText("h", "text"), dt.datetime(2026, 11, 30, tzinfo=dt.UTC))


def test_only_the_author_edits_a_review_whatever_their_permissions():
    assert REVIEW.can_be_edited_by(AUTHOR)
    assert not REVIEW.can_be_edited_by(OTHER)


def test_the_author_or_a_moderator_deletes_a_review():
    assert REVIEW.can_be_deleted_by(AUTHOR, manage_messages=False)
    assert REVIEW.can_be_deleted_by(OTHER, manage_messages=True)
    assert REVIEW.can_be_deleted_by(AUTHOR, manage_messages=True)
    assert not REVIEW.can_be_deleted_by(OTHER, manage_messages=False)
