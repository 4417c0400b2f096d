"""Show search as a member meets it: which show comes first for what they type, and the limits Discord
sets. Then properties: random catalogues against a brute-force ranking, and arbitrary input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.models import CastMember, Show
from bot.domain.search import SearchIndex
from bot.domain.search import index as search_index
from bot.domain.search import ranking as search_ranking
from bot.domain.text import CHOSEONG, choseong_range, initials, is_syllable, normalize
from tests.samples import AWKWARD_INPUTS, LONG_INPUTS, SEED_TITLE

SEED = Show(
    id=1,
    title=SEED_TITLE,
    native_title="중증외상센터",
    aliases=("The Trauma Code",),
    year=2025,
    cast=(
        CastMember("Ju Ji Hoon", "Baek Kang Hyuk"),
        CastMember("Choo Yeong Woo", "Yang Jae Won", ("Anus",)),
        CastMember("Ha Young", "Cheon Jang Mi", ("Gangster",)),
        CastMember("Kim Sun Young", "Kang Myeong Hui"),
    ),
)
OTHERS = (
    Show(
        id=2,
        title="Crash Landing on You",
        native_title="사랑의 불시착",
        year=2019,
        cast=(CastMember("Hyun Bin", "Ri Jeong Hyeok"), CastMember("Son Ye Jin", "Yoon Se Ri")),
    ),
    Show(id=3, title="Code Blue", year=2008),
    Show(id=4, title="Hospital Playlist", native_title="슬기로운 의사생활", year=2020),
    Show(id=5, title="Dr. Romantic", native_title="낭만닥터 김사부", year=2016, cast=(CastMember("Han Suk Kyu"),)),
    Show(id=6, title="Code", year=2011),
    Show(id=7, title="Trauma Center", year=2019),
    Show(id=8, title="Kim's Convenience", year=2016),
    Show(id=9, title="Mr. Sunshine", native_title="미스터 션샤인", year=2018),
)
SHOWS = (SEED, *OTHERS)


def label_of(show: Show) -> str:
    return f"{show.title} ({show.year})" if show.year else show.title


def build(shows: tuple[Show, ...] = SHOWS, popularity: dict[int, float] | None = None) -> SearchIndex:
    rows = [(s.id, kind, name, normalize(name)) for s in shows for kind, name in s.search_names()]
    return SearchIndex.build(rows, {s.id: label_of(s) for s in shows}, popularity)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build()


def first(index: SearchIndex, query: str) -> int | None:
    hits = index.search(query)
    return hits[0].show_id if hits else None


@pytest.mark.parametrize(
    "query",
    [
        "The Trauma Code: Heroes On Call",
        "the trauma code heroes",
        "The Trauma Code",
        "heroes on call",
        "중증외상센터",
        "중증",
        "Ju Ji Hoon",
        "Baek Kang Hyuk",
        "Choo Yeong Woo",
        "Gangster",
        "Anus",
        "Cheon Jang Mi",
    ],
)
def test_every_kind_of_name_finds_the_seed_drama(index: SearchIndex, query: str) -> None:
    assert first(index, query) == 1


def test_hit_says_what_matched(index: SearchIndex) -> None:
    hit = index.search("gangster")[0]
    assert (hit.show_id, hit.matched, hit.kind, hit.tier) == (1, "Gangster", "nickname", 0)
    assert hit.label == "The Trauma Code: Heroes On Call (2025)"
    assert index.search("ju ji")[0].kind == "cast"
    assert index.search("중증외상센터")[0].kind == "native"


@pytest.mark.parametrize(
    ("query", "show_id"), [("ㅈㅈㅇㅅㅅㅌ", 1), ("ㅈㅈㅇㅅ", 1), ("ㅅㄹㅇㅂㅅㅊ", 2), ("ㅅㄹㅇ ㅂㅅㅊ", 2)]
)
def test_initial_consonants(index: SearchIndex, query: str, show_id: int) -> None:
    hits = index.search(query)
    assert hits[0].show_id == show_id
    assert hits[0].tier == 3


def test_inner_initials_rank_below_initials_prefix(index: SearchIndex) -> None:
    hits = index.search("ㅅ")
    # 사랑의 불시착 and 슬기로운 의사생활 start with ㅅ; 중증외상센터, 낭만닥터 김사부 and 미스터 션샤인
    # have one inside.
    assert {h.show_id for h in hits[:2]} == {2, 4}
    assert {h.show_id for h in hits[2:]} == {1, 5, 9}
    assert all(h.tier == 3 for h in hits)
    assert hits[1].score > hits[2].score
    assert {h.show_id for h in index.search("ㅅㅅ")} == {1, 4, 9}


def test_syllable_being_composed(index: SearchIndex) -> None:
    # A Korean input method shows "중증ㅇ" on the way to "중증외".
    assert first(index, "중증ㅇ") == 1
    assert first(index, "사랑의 ㅂ") == 2


@pytest.mark.parametrize(
    ("query", "show_id"), [("외상", 1), ("상센터", 1), ("불시착", 2), ("기로운", 4), ("uma co", 1)]
)
def test_inner_substring(index: SearchIndex, query: str, show_id: int) -> None:
    assert first(index, query) == show_id


@pytest.mark.parametrize(
    ("query", "show_id"),
    [
        ("Truama Code", 1),
        ("The Truama Code", 1),
        ("trauma cdoe heroes", 1),
        ("Gangstre", 1),
        ("Crash Landnig", 2),
        ("Crahs Landing on You", 2),
        ("Hosptial", 4),
        ("Hospitl Playlist", 4),
        ("Dr Romnatic", 5),
        ("증중외상센터", 1),
    ],
)
def test_typos(index: SearchIndex, query: str, show_id: int) -> None:
    hits = index.search(query)
    assert hits[0].show_id == show_id
    assert hits[0].tier == 4


def test_typo_that_starts_another_word() -> None:
    # "fier" starts "fierce", but no name has "office" and a word starting with "fier": it was "fire".
    index = build((Show(id=30, title="Fire Office"), Show(id=31, title="Fierce Kingdom")))
    assert first(index, "office fier") == 30
    # A complete word is taken as meant when something matches it as typed.
    assert first(index, "fierce") == 31


def test_ranking_exact_then_prefix_then_word_prefix(index: SearchIndex) -> None:
    hits = index.search("code")
    assert [h.show_id for h in hits[:3]] == [6, 3, 1]  # "Code", then "Code Blue", then "The Trauma Code"
    assert [h.tier for h in hits[:3]] == [0, 1, 2]


def test_ranking_prefix_before_inner_words(index: SearchIndex) -> None:
    hits = index.search("trauma")
    assert [h.show_id for h in hits] == [7, 1]  # "Trauma Center" starts with it
    assert [h.tier for h in hits] == [1, 2]


def test_titles_rank_before_cast_names() -> None:
    index = build()
    hits = index.search("kim")
    assert hits[0].show_id == 8  # "Kim's Convenience" (a title) before "Kim Sun Young" (cast)
    assert hits[1].show_id == 1
    assert hits[1].kind == "cast"


def test_popularity_then_shorter_names_within_a_tier() -> None:
    shows = (
        Show(id=11, title="Doctor Cha"),
        Show(id=12, title="Doctor Prisoner"),
        Show(id=13, title="Doctor Slump"),
        Show(id=14, title="Doctor John"),
    )
    plain = build(shows)
    assert [h.show_id for h in plain.search("doctor")] == [11, 14, 13, 12]  # shortest first
    popular = build(shows, {12: 5.0, 13: 1.0})
    assert [h.show_id for h in popular.search("doctor")] == [12, 13, 11, 14]
    scores = [h.score for h in popular.search("doctor")]
    assert scores == sorted(scores, reverse=True)


def test_one_hit_per_show_and_limits(index: SearchIndex) -> None:
    hits = index.search("o", limit=25)
    assert len({h.show_id for h in hits}) == len(hits)
    assert len(index.search("o", limit=2)) == 2
    assert index.search("o", limit=0) == []
    assert len(index.search("o", limit=1000)) <= search_ranking.MAX_LIMIT


@pytest.mark.parametrize("query", [*AWKWARD_INPUTS, *LONG_INPUTS, "\x00", "\ud800", "ㅏ", "a" * 300, "ㅈ" * 300])
def test_awkward_input_is_answered(index: SearchIndex, query: str) -> None:
    hits = index.search(query)
    assert len(hits) <= 25
    choices = index.autocomplete(query)
    assert len(choices) <= 25
    assert all(1 <= len(name) <= 100 for name, _ in choices)


@pytest.mark.parametrize("query", ["", "   ", "***", "🎬🍿", "\u200b"])
def test_nothing_searchable_finds_nothing(index: SearchIndex, query: str) -> None:
    assert index.search(query) == []


def test_empty_autocomplete_offers_popular_titles() -> None:
    index = build(popularity={2: 3.0, 9: 2.0})
    choices = index.autocomplete("")
    assert choices[:2] == [("Crash Landing on You (2019)", "#2"), ("Mr. Sunshine (2018)", "#9")]
    assert len(choices) == len(SHOWS)


def test_autocomplete_choices(index: SearchIndex) -> None:
    assert index.autocomplete("gangster") == [("The Trauma Code: Heroes On Call (2025) — as Gangster", "#1")]
    assert index.autocomplete("ju ji hoon") == [("The Trauma Code: Heroes On Call (2025) — with Ju Ji Hoon", "#1")]
    # The label already shows the alias, so no hint.
    assert index.autocomplete("The Trauma Code")[0] == ("The Trauma Code: Heroes On Call (2025)", "#1")
    assert index.autocomplete("사랑의")[0] == ("Crash Landing on You (2019) — as 사랑의 불시착", "#2")


def test_autocomplete_fits_discord_limits() -> None:
    long_title = "A Very Long Title " * 12
    shows = tuple(
        Show(id=100 + i, title=f"{long_title}{i}", cast=(CastMember("Actor " + "Name " * 30 + str(i)),))
        for i in range(40)
    )
    index = build(shows)
    for query in ("a very", "actor", "name name", "ttile", ""):
        choices = index.autocomplete(query)
        assert 1 <= len(choices) <= 25
        assert all(1 <= len(name) <= 100 for name, _ in choices)
        assert all(value.startswith("#") for _, value in choices)
    name, _ = index.autocomplete("actor")[0]
    assert "…" in name
    assert " — with Actor" in name


def test_add_replace_and_remove_shows() -> None:
    index = build()
    assert len(index) == len(SHOWS)
    index.add_show(20, "Moving (2023)", [("title", "Moving"), ("native", "무빙"), ("cast", "Ryu Seung Ryong")])
    assert len(index) == len(SHOWS) + 1
    assert first(index, "moving") == 20
    assert first(index, "ㅁㅂ") == 20
    assert index.label(20) == "Moving (2023)"
    # Replacing a show drops the names it no longer has.
    index.add_show(1, "The Trauma Code (2025)", [("title", "The Trauma Code"), ("alias", "Golden Hour")])
    assert first(index, "golden hour") == 1
    assert first(index, "gangster") is None
    assert index.label(1) == "The Trauma Code (2025)"
    assert len(index) == len(SHOWS) + 1
    index.remove_show(2)
    index.remove_show(20)
    index.remove_show(999)
    assert first(index, "crash landing") is None
    assert first(index, "moving") is None
    assert index.label(2) is None
    assert len(index) == len(SHOWS) - 1


def test_many_changes_are_merged_into_the_main_segment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "DELTA_MIN", 5)
    index = build()
    for i in range(30):
        index.add_show(100 + i, f"Extra {i}", [("title", f"Extra Show {i}")], popularity=float(i))
    index.remove_show(3)
    assert len(index) == len(SHOWS) + 29
    assert [h.show_id for h in index.search("extra show", limit=3)] == [129, 128, 127]
    assert first(index, "code blue") is None
    assert first(index, "gangster") == 1


def test_rows_with_unknown_kinds_and_missing_labels() -> None:
    rows = [
        (1, "title", "Signal", ""),  # no stored form: made here
        (1, "romanised", "Sigeuneol", "sigeuneol"),
        (2, "title", "Kingdom", "kingdom"),
    ]
    index = SearchIndex.build(rows, {2: "Kingdom (2019)"})
    assert index.label(1) == "Signal"
    assert first(index, "signal") == 1
    hit = index.search("sigeuneol")[0]
    assert (hit.show_id, hit.kind) == (1, "romanised")
    assert len(index) == 2


# --- properties -------------------------------------------------------------------------------------

Catalogue = list[tuple[list[tuple[str, str]], float]]  # per show: (kind, name) pairs, popularity
WORDS = ("the", "code", "coda", "blue", "trauma", "hero", "on", "call", "중증", "외상", "센터", "사랑", "불시착", "의")
NAMES = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
KINDS = st.sampled_from(("title", "native", "alias", "cast", "character", "nickname"))
CATALOGUE = st.lists(
    st.tuples(st.lists(st.tuples(KINDS, NAMES), min_size=1, max_size=4), st.sampled_from((0.0, 1.0, 2.0))),
    min_size=1,
    max_size=12,
)
# Pieces that span words with the spaces gone ("codeblue") exercise the compact tiers.
JOINED = ("codeblue", "theco", "heroon", "사랑의불")
QUERY_PIECES = st.sampled_from(
    (*WORDS, "co", "cod", "tra", "uma c", "ㅈㅈ", "ㅇㅅ", "ㅅ", "ㅂ", "중증ㅇ", "e", "상센", *JOINED)
)
QUERIES = st.lists(QUERY_PIECES, min_size=1, max_size=3).map(" ".join)


def _starts(s: str, q: str, after_space: bool = False) -> bool:
    """Prefix as the index reads it: a trailing initial consonant after a syllable (or a space) is any
    syllable with that initial."""
    before = q[-2] if len(q) >= 2 else (" " if after_space else "")
    if (before == " " or is_syllable(before)) and (span := choseong_range(q[-1])) is not None:
        head = q[:-1]
        return s.startswith(head) and len(s) > len(head) and span[0] <= s[len(head)] < span[1]
    return s.startswith(q)


def _reference_tier(q: str, norm: str) -> tuple[int, int] | None:
    """(tier, -quality) of a name for a query, by brute force: the ranking the index promises."""
    compact_q, compact_norm = q.replace(" ", ""), norm.replace(" ", "")
    if norm == q:
        return (0, -1)
    if compact_norm == compact_q:
        return (0, 0)
    if _starts(norm, q):
        return (1, -1)
    if compact_norm.startswith(compact_q):
        return (1, 0)
    tokens, words = q.split(), norm.split()
    if all(t in words for t in tokens[:-1]) and any(_starts(w, tokens[-1], len(tokens) > 1) for w in words):
        return (2, 0)
    consonants = q.replace(" ", "")
    is_initials = all(ch in CHOSEONG for ch in consonants)
    if is_initials and initials(norm).startswith(consonants):
        return (3, -2)
    if len(q) >= 2 and not is_initials and q in norm:
        return (3, -1)
    if is_initials and consonants in initials(norm):
        return (3, 0)
    return None


def _reference(catalogue: Catalogue, q: str, limit: int) -> list[tuple[int, int]]:
    best: dict[int, tuple[object, ...]] = {}
    for show_id, (names, pop) in enumerate(catalogue, 1):
        for kind, name in names:
            tier = _reference_tier(normalize(q), normalize(name))
            if tier is None:
                continue
            group = 0 if kind in ("title", "native", "alias") else 1
            key = (*tier, group, -pop, len(normalize(name)), show_id)
            if show_id not in best or key < best[show_id]:
                best[show_id] = key
    ranked = sorted(best.values())[:limit]
    return [(int(str(k[-1])), int(str(k[0]))) for k in ranked]


def _rows(catalogue: Catalogue) -> list[tuple[int, str, str, str]]:
    return [(i, kind, name, normalize(name)) for i, (names, _) in enumerate(catalogue, 1) for kind, name in names]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(CATALOGUE, QUERIES, st.integers(1, 6))
def test_ranking_matches_brute_force(
    catalogue: list[tuple[list[tuple[str, str]], float]], query: str, limit: int
) -> None:
    pops = {i: pop for i, (_, pop) in enumerate(catalogue, 1)}
    index = SearchIndex.build(_rows(catalogue), {}, pops)
    got = [(h.show_id, h.tier) for h in index.search(query, limit) if h.tier <= 3]
    assert got == _reference(catalogue, query, limit)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(CATALOGUE, QUERIES, st.integers(0, 12))
def test_shows_added_later_rank_as_if_built_together(catalogue: Catalogue, query: str, split: int) -> None:
    pops = {i: pop for i, (_, pop) in enumerate(catalogue, 1)}
    together = SearchIndex.build(_rows(catalogue), {}, pops)
    later = SearchIndex.build(_rows(catalogue[:split]), {}, pops)
    for show_id, (names, pop) in enumerate(catalogue[split:], split + 1):
        later.add_show(show_id, "", names, pop)
    expected = [(h.show_id, h.tier, h.matched) for h in together.search(query, 8)]
    assert [(h.show_id, h.tier, h.matched) for h in later.search(query, 8)] == expected


@settings(max_examples=300)
@given(st.text(st.characters(blacklist_categories=()), max_size=400), st.integers(-5, 200))
def test_search_never_raises_and_respects_limits(query: str, limit: int) -> None:
    index = _SHARED
    hits = index.search(query, limit)
    assert len(hits) <= max(0, min(limit, search_ranking.MAX_LIMIT))
    assert len({h.show_id for h in hits}) == len(hits)
    assert all(0 <= h.tier <= 4 for h in hits)
    choices = index.autocomplete(query)
    assert len(choices) <= 25
    assert all(1 <= len(name) <= 100 and value.startswith("#") for name, value in choices)


_SHARED = build()
