"""A saved index answers exactly as the one it was saved from, and damaged bytes are refused."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.search import SearchIndex, SnapshotError
from bot.domain.text import normalize
from bot.providers.bundled import BundledCatalog

QUERIES = [
    "The Trauma Code",
    "trauma",
    "중증",
    "ㅈㅈㅇㅅ",
    "외상",
    "Gangster",
    "Ju Ji Hoon",
    "Truama Code",
    "Crash Landign on You",
    "goblin",
    "도깨비",
    "hospital",
    "",
    "*",
]


def build() -> SearchIndex:
    """The bundled catalogue built in one piece, as the bot builds it at start."""
    shows = BundledCatalog.load().shows
    rows = [
        (show_id, kind, name, normalize(name))
        for show_id, show in enumerate(shows, start=1)
        for kind, name in show.search_names()
    ]
    labels = {i: f"{s.title} ({s.year})" for i, s in enumerate(shows, start=1)}
    return SearchIndex.build(rows, labels, dict.fromkeys(labels, 1.0))


@pytest.fixture(scope="module")
def pair():
    built = build()
    return built, SearchIndex.from_snapshot(built.snapshot())


@pytest.mark.parametrize("query", QUERIES)
def test_a_loaded_snapshot_answers_exactly_like_the_built_index(pair, query):
    built, loaded = pair
    assert loaded.search(query, 25) == built.search(query, 25)
    assert loaded.autocomplete(query) == built.autocomplete(query)
    assert len(loaded) == len(built)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_query_answers_the_same(pair, query):
    built, loaded = pair
    assert loaded.search(query, 10) == built.search(query, 10)


def test_a_loaded_index_still_takes_changes(pair):
    _, loaded = pair
    index = SearchIndex.from_snapshot(loaded.snapshot())
    index.add_show(999, "Brand New Show (2026)", [("title", "Brand New Show"), ("native", "새로운 쇼")])
    assert index.search("brand new", 1)[0].show_id == 999
    assert index.search("새로운", 1)[0].show_id == 999
    with pytest.raises(ValueError, match="freshly built"):
        index.snapshot()


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],
        lambda b: b"nonsense",
        lambda b: b[:-1],
        lambda b: b + b"x",
        lambda b: b"",
        lambda b: b.replace(b"norms", b"nurms"),
    ],
)
def test_damaged_snapshots_are_refused(pair, damage):
    built, _ = pair
    with pytest.raises(SnapshotError, match="snapshot"):
        SearchIndex.from_snapshot(damage(built.snapshot()))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_flipped_byte_is_refused_or_harmless(data):
    small = SearchIndex.build(
        [(1, "title", "Signal", "signal"), (2, "native", "시그널", "시그널")], {1: "Signal (2016)"}
    )
    saved = bytearray(small.snapshot())
    at = data.draw(st.integers(0, len(saved) - 1))
    saved[at] ^= data.draw(st.integers(1, 255))
    try:
        loaded = SearchIndex.from_snapshot(bytes(saved))
    except SnapshotError:
        return
    assert len(loaded) <= 2
