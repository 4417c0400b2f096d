"""Grades at the edges: an en dash typed for the minus, and counts of none in a summary."""

import pytest

from bot.domain.reviews import Grade, summarize


def test_an_en_dash_reads_as_a_minus():
    assert Grade.parse("B–") is Grade.B_MINUS
    assert Grade.parse("a –") is Grade.A_MINUS


def test_a_grade_counted_zero_or_fewer_times_is_not_in_the_summary():
    summary = summarize({Grade.A: 2, Grade.F: 0, Grade.D: -1})
    assert summary.count == 2
    assert summary.average == pytest.approx(4.0)
    assert summary.describe() == "2 reviews, average A (4.00)"
    assert summarize({Grade.A: 0}).describe() == "no reviews yet"
