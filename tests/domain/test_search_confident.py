"""When a typed title surely names one show (answer at once) and when the member should pick from a list:
on the bundled catalogue, then the rule itself on hand-made hits."""

from __future__ import annotations

import pytest

from bot.domain.search import NameKind, SearchHit, SearchIndex, Tier, confident_match
from bot.domain.text import normalize
from bot.providers.bundled import BundledCatalog


@pytest.fixture(scope="module")
def bundled() -> SearchIndex:
    shows = BundledCatalog.load().shows
    rows = [
        (show_id, kind, name, normalize(name))
        for show_id, show in enumerate(shows, start=1)
        for kind, name in show.search_names()
    ]
    labels = {i: f"{s.title} ({s.year})" if s.year else s.title for i, s in enumerate(shows, start=1)}
    return SearchIndex.build(rows, labels, dict.fromkeys(labels, 1.0))


def test_ju_ji_hoon_is_in_several_bundled_shows(bundled: SearchIndex) -> None:
    # The premise of the case below: the actor is in more than one bundled show.
    assert len({h.show_id for h in bundled.search("Ju Ji Hoon", 25) if h.tier == Tier.EXACT}) > 1


@pytest.mark.parametrize("query", ["Kim", "Ju Ji Hoon", "Lee"])
def test_ambiguous_queries_are_not_confident(bundled: SearchIndex, query: str) -> None:
    hits = bundled.search(query, 25)
    assert len(hits) > 1
    assert confident_match(hits) is None


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("The Trauma Code", "The Trauma Code: Heroes On Call (2025)"),
        ("중증외상센터", "The Trauma Code: Heroes On Call (2025)"),
        ("Kingdom (2019)", "Kingdom (2019)"),
        ("Crash Landing on You", "Crash Landing on You (2019)"),
        ("squid game", "Squid Game (2021)"),
        ("SquidGame", "Squid Game (2021)"),
        ("ojingeo geim", "Squid Game (2021)"),
    ],
)
def test_a_clear_title_is_confident(bundled: SearchIndex, query: str, label: str) -> None:
    best = confident_match(bundled.search(query, 25))
    assert best is not None
    assert best.label == label


def _hit(show_id: int, tier: Tier, kind: NameKind = NameKind.TITLE) -> SearchHit:
    return SearchHit(show_id, f"Show {show_id}", "name", kind, tier, 0.0)


def test_no_hits_no_match() -> None:
    assert confident_match([]) is None


def test_the_only_hit_is_meant_whatever_its_tier() -> None:
    only = _hit(1, Tier.TYPO, NameKind.CAST)
    assert confident_match([only]) is only


@pytest.mark.parametrize("kind", [NameKind.TITLE, NameKind.NATIVE, NameKind.ALIAS, NameKind.ROMANISED])
def test_an_exact_title_beats_anything_but_another_exact_title(kind: NameKind) -> None:
    exact = _hit(1, Tier.EXACT, kind)
    assert confident_match([exact, _hit(2, Tier.EXACT, NameKind.CAST)]) is exact
    assert confident_match([exact, _hit(2, Tier.PREFIX)]) is exact
    # Two shows of the same title: the member picks.
    assert confident_match([exact, _hit(2, Tier.EXACT, NameKind.ALIAS)]) is None


@pytest.mark.parametrize("kind", [NameKind.CAST, NameKind.CHARACTER, NameKind.NICKNAME])
def test_an_exact_person_name_needs_a_lead(kind: NameKind) -> None:
    person = _hit(1, Tier.EXACT, kind)
    assert confident_match([person, _hit(2, Tier.EXACT, kind)]) is None
    assert confident_match([person, _hit(2, Tier.PREFIX)]) is None
    assert confident_match([person, _hit(2, Tier.WORDS)]) is person


@pytest.mark.parametrize(
    ("best", "runner", "sure"),
    [
        (Tier.PREFIX, Tier.PREFIX, False),
        (Tier.PREFIX, Tier.WORDS, False),
        (Tier.PREFIX, Tier.INNER, True),
        (Tier.WORDS, Tier.INNER, False),
        (Tier.WORDS, Tier.TYPO, True),
        (Tier.INNER, Tier.TYPO, False),
        (Tier.TYPO, Tier.TYPO, False),
    ],
)
def test_a_lead_of_two_tiers_from_a_good_match(best: Tier, runner: Tier, sure: bool) -> None:
    first = _hit(1, best)
    assert (confident_match([first, _hit(2, runner)]) is first) is sure
