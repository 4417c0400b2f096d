"""When a typed title surely names one show (answer at once) and when the member should pick from a list:
on the bundled catalogue, then the rule itself on hand-made hits."""

from __future__ import annotations

import pytest

from bot.domain.search import NameKind, SearchHit, SearchIndex, Tier, confident_match, match_settled
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


def _typed_forms(names: list[str]) -> list[str]:
    """What members type for a name: the whole of it, its first word or two, its start, a slip in it."""
    forms: list[str] = []
    for name in names:
        words = name.split()
        forms += [name, name.lower(), " ".join(words[:2]), words[0], name[: max(1, len(name) // 2)]]
        if len(name) > 4:
            forms.append(name[:2] + name[3:])  # one letter dropped
    forms += ["Kim", "Lee", "Park", "doctor", "love", "the", "code", "zzzz", "ㅈㅈㅇㅅㅅㅌ"]
    return forms


def test_stopping_once_settled_resolves_exactly_as_the_full_search(bundled: SearchIndex) -> None:
    """Resolving a typed title stops searching once no worse tier can change the answer: for every name in the
    bundled catalogue, and the usual ways of typing it, the show taken (or the decision to ask) is the same."""
    names = sorted({name for show in BundledCatalog.load().shows for _, name in show.search_names()})
    checked = stopped_early = 0
    for query in _typed_forms(names):
        full = bundled.search(query, 2)
        quick = bundled.search(query, 2, settled=match_settled)
        expected, got = confident_match(full), confident_match(quick)
        assert (got.show_id if got else None) == (expected.show_id if expected else None), query
        assert bool(quick) == bool(full), query  # "nothing found" is told apart from "ambiguous" alike
        checked += 1
        stopped_early += len(quick) < len(full)
    assert checked > 500
    assert stopped_early > 10  # the shortcut is taken (it left out a runner-up that changes nothing)


@pytest.mark.parametrize(
    ("found", "next_tier", "settled"),
    [
        ([], Tier.PREFIX, False),
        ([_hit(1, Tier.EXACT)], Tier.EXACT, False),  # another exact title would make it doubtful
        ([_hit(1, Tier.EXACT)], Tier.PREFIX, True),
        ([_hit(1, Tier.EXACT, NameKind.CAST)], Tier.PREFIX, False),  # an actor is sure only with a clear lead
        ([_hit(1, Tier.EXACT, NameKind.CAST)], Tier.WORDS, True),
        ([_hit(1, Tier.PREFIX)], Tier.WORDS, False),
        ([_hit(1, Tier.PREFIX)], Tier.INNER, True),
        ([_hit(1, Tier.WORDS)], Tier.TYPO, True),
        ([_hit(1, Tier.INNER)], Tier.TYPO, False),  # a weak hit is sure only as the only hit: search on
        ([_hit(1, Tier.INNER), _hit(2, Tier.INNER)], Tier.TYPO, True),
    ],
)
def test_when_a_title_search_may_stop(found: list[SearchHit], next_tier: Tier, settled: bool) -> None:
    assert match_settled(found, next_tier) is settled
