import pytest

from bot.domain.errors import InvalidInputError
from bot.domain.reviews import Grade, summarize


def test_every_listed_grade_parses_in_any_case_and_spacing():
    assert [g.value for g in Grade] == ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D", "F"]
    assert Grade.parse("a+") is Grade.A_PLUS
    assert Grade.parse(" b - ") is Grade.B_MINUS
    assert Grade.parse("C−") is Grade.C_MINUS  # a typographic minus sign


@pytest.mark.parametrize("text", ["E", "A++", "", "10/10", "D+", "F-"])
def test_a_grade_not_in_the_list_is_refused_with_the_list(text):
    with pytest.raises(InvalidInputError) as err:
        Grade.parse(text)
    assert "A+, A, A-, B+, B, B-, C+, C, C-, D, F" in err.value.message


def test_grades_are_ordered_by_their_points():
    points = [g.points for g in Grade]
    assert points == sorted(points, reverse=True)
    assert Grade.A_PLUS.points == pytest.approx(4.3)
    assert Grade.F.points == 0


def test_average_of_a_shows_reviews_and_its_nearest_grade():
    summary = summarize({Grade.A_PLUS: 2, Grade.B: 1})
    assert summary.count == 3
    assert summary.average == pytest.approx((4.3 * 2 + 3.0) / 3)
    assert summary.nearest is Grade.A
    assert summary.describe() == "3 reviews, average A (3.87)"


def test_one_review_and_no_review():
    assert summarize({Grade.F: 1}).describe() == "1 review, average F (0.00)"
    empty = summarize({})
    assert (empty.count, empty.average, empty.nearest) == (0, None, None)
    assert empty.describe() == "no reviews yet"


def test_nearest_grade_ties_go_up():
    assert Grade.nearest(3.85) is Grade.A
    assert Grade.nearest(0.5) is Grade.D
