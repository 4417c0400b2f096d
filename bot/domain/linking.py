"""Which TVmaze record a catalogue show is: links only when the facts agree, and says which ones did.

A wrong link is worse than none (members would be told about another show's seasons), so the matcher needs a
name that matches exactly and at least one more fact that agrees, refuses a candidate whose year is off by more
than one, and refuses when two candidates are about equally good.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.errors import InvalidInputError, NotLinkedError
from bot.domain.markup import inert
from bot.domain.models import Show
from bot.domain.text import normalize


class LinkField(StrEnum):
    """The facts the matcher compares."""

    TITLE = "title"
    NATIVE_TITLE = "native title"
    YEAR = "year"
    PREMIERE = "premiere date"
    CHANNEL = "network or platform"


NAME_FIELDS = frozenset({LinkField.TITLE, LinkField.NATIVE_TITLE})
# What each fact is worth when it agrees; a "close" agreement (year off by one, premiere within a fortnight) earns
# half. Names are worth most because they are what the candidates were searched by.
WEIGHTS: dict[LinkField, int] = {
    LinkField.TITLE: 3,
    LinkField.NATIVE_TITLE: 3,
    LinkField.YEAR: 2,
    LinkField.PREMIERE: 3,
    LinkField.CHANNEL: 2,
}
# The share of the points the known facts could earn that a link needs.
MIN_CONFIDENCE = 0.7
# Points that facts other than names must earn: an exact year, a network, or a year and a premiere both close.
MIN_CORROBORATION = 2.0
# The best candidate must lead the next sure one by this many points (a full corroborating fact), or it is a tie.
MIN_LEAD = 2.0
# Premiere dates this close agree loosely: listings differ by a day or by a preview episode.
CLOSE_PREMIERE = dt.timedelta(days=14)


class Agreement(StrEnum):
    AGREE = "agree"
    CLOSE = "close"
    DISAGREE = "disagree"


class RefusalReason(StrEnum):
    NO_CANDIDATES = "no_candidates"
    NO_NAME_MATCH = "no_name_match"
    YEAR_MISMATCH = "year_mismatch"
    TOO_LITTLE_EVIDENCE = "too_little_evidence"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True, slots=True)
class LinkFacts:
    """What the matcher compares of one show, from a catalogue ``Show`` or a TVmaze one."""

    names: frozenset[str]
    native_names: frozenset[str]
    year: int | None
    premiered: dt.date | None
    channels: frozenset[str]

    @classmethod
    def of(cls, show: Show) -> LinkFacts:
        """The facts of ``show``; a TVmaze show's aliases (its akas) count as names in both scripts.

        The premiere is the earliest known season premiere, else ``extra["premiered"]`` when the provider keeps it.
        """
        names = {normalize(n) for n in (show.title, *show.aliases)}
        native = {normalize(show.native_title)} if show.native_title else set()
        premieres = [s.premiere_date for s in show.seasons if s.premiere_date is not None]
        premiered = min(premieres) if premieres else _iso_date(show.extra.get("premiered"))
        year = show.year if show.year is not None else (premiered.year if premiered else None)
        channels = {normalize(c) for c in (show.network, show.platform) if c}
        return cls(
            names=frozenset(n for n in names if n),
            native_names=frozenset(n for n in native if n),
            year=year,
            premiered=premiered,
            channels=frozenset(c for c in channels if c),
        )


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """How one candidate compared: each known fact's agreement, the points earned and the confidence."""

    candidate: Show
    fields: tuple[tuple[LinkField, Agreement], ...]
    points: float
    confidence: float

    @property
    def agreed(self) -> tuple[LinkField, ...]:
        return tuple(f for f, a in self.fields if a is not Agreement.DISAGREE)

    @property
    def disagreed(self) -> tuple[LinkField, ...]:
        return tuple(f for f, a in self.fields if a is Agreement.DISAGREE)

    def agreement(self, name: LinkField) -> Agreement | None:
        return next((a for f, a in self.fields if f is name), None)

    @property
    def name_matched(self) -> bool:
        return any(self.agreement(f) is Agreement.AGREE for f in NAME_FIELDS)

    @property
    def year_refused(self) -> bool:
        return self.agreement(LinkField.YEAR) is Agreement.DISAGREE

    @property
    def sure(self) -> bool:
        """A name matches exactly, one more fact agrees, the year is not off, and most known points were earned."""
        corroboration = sum(_points(f, a) for f, a in self.fields if f not in NAME_FIELDS)
        return (
            self.name_matched
            and not self.year_refused
            and corroboration >= MIN_CORROBORATION
            and self.confidence >= MIN_CONFIDENCE
        )


@dataclass(frozen=True, slots=True)
class LinkMatch:
    """A link the matcher is sure of, and how it decided (kept with the link so an admin can see why)."""

    tvmaze_id: int
    show: Show
    agreed: tuple[LinkField, ...]
    disagreed: tuple[LinkField, ...]
    confidence: float
    runner_up: CandidateScore | None

    def as_dict(self) -> dict[str, object]:
        """How the link was decided, to keep with it (JSON-ready)."""
        return {
            "tvmaze_id": self.tvmaze_id,
            "method": "matched",
            "agreed": [str(f) for f in self.agreed],
            "disagreed": [str(f) for f in self.disagreed],
            "confidence": round(self.confidence, 3),
        }

    def explain(self) -> str:
        text = f"matched on {', '.join(self.agreed)} ({self.confidence:.0%} of the known facts)"
        if self.disagreed:
            text += f"; differs on {', '.join(self.disagreed)}"
        return text


@dataclass(frozen=True, slots=True)
class LinkRefusal:
    """No link: why, and the scored candidates (best first) so a server manager can link one by hand."""

    reason: RefusalReason
    message: str
    scores: tuple[CandidateScore, ...] = ()

    def error(self, title: str) -> NotLinkedError:
        """The sentence a member sees when following this show failed for this reason."""
        return NotLinkedError(title, self.message)


def score_candidate(local: Show, candidate: Show) -> CandidateScore:
    """Compare ``candidate`` (a TVmaze show) with ``local`` fact by fact; facts either side lacks are not counted."""
    mine, theirs = LinkFacts.of(local), LinkFacts.of(candidate)
    every_theirs = theirs.names | theirs.native_names
    fields: list[tuple[LinkField, Agreement]] = []
    # TVmaze keeps native titles among its akas, so each of our names is looked for among all of theirs.
    native_agrees = bool(mine.native_names & every_theirs)
    if native_agrees:
        fields.append((LinkField.NATIVE_TITLE, Agreement.AGREE))
    elif mine.native_names and theirs.native_names:
        fields.append((LinkField.NATIVE_TITLE, Agreement.DISAGREE))
    if mine.names & every_theirs:
        fields.append((LinkField.TITLE, Agreement.AGREE))
    elif not native_agrees:
        # English titles of a translated show vary; with the native title matching, a different one is no evidence.
        fields.append((LinkField.TITLE, Agreement.DISAGREE))
    if mine.year is not None and theirs.year is not None:
        gap = abs(mine.year - theirs.year)
        fields.append((LinkField.YEAR, _graded(gap == 0, gap == 1)))
    if mine.premiered is not None and theirs.premiered is not None:
        gap_days = abs(mine.premiered - theirs.premiered)
        fields.append((LinkField.PREMIERE, _graded(gap_days == dt.timedelta(0), gap_days <= CLOSE_PREMIERE)))
    if mine.channels and theirs.channels:
        fields.append((LinkField.CHANNEL, Agreement.AGREE if mine.channels & theirs.channels else Agreement.DISAGREE))
    earned = sum(_points(f, a) for f, a in fields)
    # Never 0: a title or a native title is always compared, agreeing or not.
    possible = sum(WEIGHTS[f] for f, _ in fields)
    return CandidateScore(candidate=candidate, fields=tuple(fields), points=earned, confidence=earned / possible)


def match_tvmaze(local: Show, candidates: Iterable[Show]) -> LinkMatch | LinkRefusal:
    """The TVmaze record ``local`` surely is, or a refusal that says why not.

    ``candidates`` are TVmaze shows (``tvmaze_id`` set; others are ignored), for example search results for the
    title and the native title, with their akas as ``aliases`` where fetched.
    """
    unique: dict[int, Show] = {}
    for show in candidates:
        if show.tvmaze_id is not None:
            unique.setdefault(show.tvmaze_id, show)
    if not unique:
        return LinkRefusal(RefusalReason.NO_CANDIDATES, f"TVmaze lists no show that could be “{_shown(local.title)}”.")
    scores = sorted(
        (score_candidate(local, c) for c in unique.values()), key=lambda s: (s.points, s.confidence), reverse=True
    )
    ranked = tuple(scores)
    sure = [s for s in scores if s.sure]
    if not sure:
        return _refusal(local, ranked)
    best = sure[0]
    rivals = [s for s in sure[1:] if best.points - s.points < MIN_LEAD]
    if rivals:
        ids = ", ".join(str(s.candidate.tvmaze_id) for s in (best, *rivals))
        return LinkRefusal(
            RefusalReason.AMBIGUOUS,
            f"several TVmaze shows fit “{_shown(local.title)}” about equally well (ids {ids}).",
            ranked,
        )
    assert best.candidate.tvmaze_id is not None  # noqa: S101 - filtered above; narrows the type
    return LinkMatch(
        tvmaze_id=best.candidate.tvmaze_id,
        show=best.candidate,
        agreed=best.agreed,
        disagreed=best.disagreed,
        confidence=best.confidence,
        runner_up=next((s for s in scores if s is not best), None),
    )


def _refusal(local: Show, ranked: Sequence[CandidateScore]) -> LinkRefusal:
    named = [s for s in ranked if s.name_matched]
    if not named:
        return LinkRefusal(
            RefusalReason.NO_NAME_MATCH,
            f"no TVmaze show is called “{_shown(local.title)}” or by its native title, and I won't guess.",
            tuple(ranked),
        )
    if all(s.year_refused for s in named):
        years = ", ".join(sorted({str(s.candidate.year) for s in named}))
        return LinkRefusal(
            RefusalReason.YEAR_MISMATCH,
            f"TVmaze's “{_shown(local.title)}” is from {years}, more than a year from {local.year}: another show.",
            tuple(ranked),
        )
    return LinkRefusal(
        RefusalReason.TOO_LITTLE_EVIDENCE,
        f"a TVmaze show is called “{_shown(local.title)}”, but its year, premiere or network doesn't confirm it.",
        tuple(ranked),
    )


def _graded(exact: bool, close: bool) -> Agreement:
    if exact:
        return Agreement.AGREE
    return Agreement.CLOSE if close else Agreement.DISAGREE


def _points(name: LinkField, agreement: Agreement) -> float:
    if agreement is Agreement.AGREE:
        return float(WEIGHTS[name])
    return WEIGHTS[name] / 2 if agreement is Agreement.CLOSE else 0.0


def _iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


_TVMAZE_REF = re.compile(r"(?:https?://)?(?:www\.|api\.)?tvmaze\.com/shows/(\d{1,9})(?:[/?#]\S*)?", re.IGNORECASE)


def parse_tvmaze_ref(text: str) -> int:
    """A TVmaze show id from what a server manager typed: the id itself or a link to the show's page or record."""
    cleaned = text.strip().strip("<>")
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 9 and int(cleaned) > 0:
        return int(cleaned)
    match = _TVMAZE_REF.fullmatch(cleaned)
    if match and int(match.group(1)) > 0:
        return int(match.group(1))
    raise InvalidInputError(
        f"“{inert(text, 80)}” isn't a TVmaze show: give its id (like 1234) or its link"
        " (like https://www.tvmaze.com/shows/1234/name)."
    )


def _shown(title: str) -> str:
    return inert(title, 80)
