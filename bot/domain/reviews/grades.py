"""Review grades (A+ to F) and the average a show's reviews in one server add up to."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.errors import InvalidInputError


class Grade(enum.Enum):
    """A letter grade; the value is the label members type and see."""

    A_PLUS = "A+"
    A = "A"
    A_MINUS = "A-"
    B_PLUS = "B+"
    B = "B"
    B_MINUS = "B-"
    C_PLUS = "C+"
    C = "C"
    C_MINUS = "C-"
    D = "D"
    F = "F"

    @property
    def points(self) -> float:
        """Grade points on the usual 4.3 scale (A+ 4.3, A 4.0, A- 3.7, ..., D 1.0, F 0)."""
        return _POINTS[self]

    @classmethod
    def parse(cls, text: str) -> Grade:
        """The grade ``text`` names, case and spaces ignored ("a +" is A+); InvalidInputError otherwise."""
        key = "".join(text.split()).upper().replace("−", "-").replace("–", "-")
        for grade in cls:
            if grade.value == key:
                return grade
        labels = ", ".join(g.value for g in cls)
        raise InvalidInputError(f"A grade is one of {labels}.")

    @classmethod
    def nearest(cls, points: float) -> Grade:
        """The grade whose points are closest to ``points`` (ties go to the higher grade)."""
        return min(cls, key=lambda g: (abs(g.points - points), -g.points))


_POINTS: dict[Grade, float] = {
    Grade.A_PLUS: 4.3,
    Grade.A: 4.0,
    Grade.A_MINUS: 3.7,
    Grade.B_PLUS: 3.3,
    Grade.B: 3.0,
    Grade.B_MINUS: 2.7,
    Grade.C_PLUS: 2.3,
    Grade.C: 2.0,
    Grade.C_MINUS: 1.7,
    Grade.D: 1.0,
    Grade.F: 0.0,
}


@dataclass(frozen=True, slots=True)
class GradeSummary:
    """How many reviews a show has (in one server) and their average; ``average`` is None without reviews."""

    count: int
    average: float | None

    @property
    def nearest(self) -> Grade | None:
        return None if self.average is None else Grade.nearest(self.average)

    def describe(self) -> str:
        """ "3 reviews, average A- (3.77)" or "no reviews yet", for /drama info."""
        if self.average is None:  # summarize gives an average exactly when there are reviews
            return "no reviews yet"
        noun = "review" if self.count == 1 else "reviews"
        return f"{self.count} {noun}, average {Grade.nearest(self.average).value} ({self.average:.2f})"


def summarize(counts: Mapping[Grade, int]) -> GradeSummary:
    """The summary of reviews given as how many of each grade there are."""
    total = sum(max(n, 0) for n in counts.values())
    if not total:
        return GradeSummary(0, None)
    points = sum(g.points * max(n, 0) for g, n in counts.items())
    return GradeSummary(total, points / total)
