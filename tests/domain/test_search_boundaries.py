"""Edges of the search that mutation testing found unasserted: the typo tie-break, lone surrogates through
the saved index, Discord's 100-character choice names exactly at the limit, a snapshot of another format."""

from __future__ import annotations

import sys

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.search import NameKind, SearchHit, SearchIndex, SnapshotError, Tier, snapshot
from bot.domain.search.ranking import choice_name, rank_score, squash
from bot.domain.search.romanise import romanise
from bot.domain.search.typo import COST_EDIT, COST_SWAP, edits
from bot.domain.text import normalize


def build(names: dict[int, list[tuple[str, str]]], labels: dict[int, str] | None = None) -> SearchIndex:
    rows = [(show_id, kind, name, normalize(name)) for show_id, pairs in names.items() for kind, name in pairs]
    return SearchIndex.build(rows, labels or {})


@pytest.mark.parametrize(("house", "hose"), [(1, 2), (2, 1)])
def test_a_swap_wins_a_tie_in_similarity(house: int, hose: int) -> None:
    # "hosue" is one edit from both; a swap of neighbours is the likelier slip, whichever show came first.
    index = build({house: [("title", "House")], hose: [("title", "Hose")]})
    hits = index.search("hosue")
    assert [h.show_id for h in hits] == [house, hose]
    assert all(h.tier == Tier.TYPO for h in hits)
    assert hits[0].score > hits[1].score


def test_similarity_of_the_whole_name_outranks_the_swap() -> None:
    # "hyna": a swap reads it as "hyan" (an actor's Hyang), an insertion as "hyena"; the title is closer.
    index = build({1: [("title", "Graceful Family"), ("cast", "Im Soo Hyang")], 2: [("title", "Hyena")]})
    assert [h.show_id for h in index.search("hyna")] == [2, 1]


def test_fewer_corrected_words_come_first() -> None:
    index = build({1: [("title", "Moon Lovers")], 2: [("title", "Mood Lovers Club")]})
    # Both need one correction of "moo"; nothing needs none, so similarity decides.
    assert [h.show_id for h in index.search("moo lovers")] == [1, 2]
    index = build({1: [("title", "Moon Lovers")], 2: [("title", "Moo Lover Club")]})
    # "moo lover" starts show 2's title as typed: no word is corrected then.
    hits = index.search("moo lover")
    assert [(h.show_id, h.tier) for h in hits] == [(2, Tier.PREFIX)]


@pytest.mark.parametrize("odd", [chr(0xD800), chr(0xDFFF), "a" + chr(0xDC80) + "b", chr(0xD83D)])
def test_lone_surrogates_survive_the_snapshot(odd: str) -> None:
    title = f"Broken {odd} Title"
    built = build({1: [("title", title), ("cast", f"Actor {odd}")]}, {1: f"{title} (2020)"})
    loaded = SearchIndex.from_snapshot(built.snapshot())
    hit = loaded.search("broken title")[0]
    assert (hit.label, hit.matched) == (f"{title} (2020)", title)
    assert loaded.search("actor")[0].matched == f"Actor {odd}"
    assert loaded.label(1) == f"{title} (2020)"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(list(NameKind)), st.text(st.characters(blacklist_categories=()), max_size=20)),
        min_size=1,
        max_size=8,
    ),
    st.text(st.characters(blacklist_categories=()), max_size=20),
    st.text(max_size=10),
)
def test_any_names_come_back_from_a_snapshot(names: list[tuple[NameKind, str]], label: str, query: str) -> None:
    built = build({i: [(kind.value, name)] for i, (kind, name) in enumerate(names, 1)}, {1: label})
    loaded = SearchIndex.from_snapshot(built.snapshot())
    assert loaded.label(1) == built.label(1)
    assert loaded.search(query, 10) == built.search(query, 10)
    for _, name in names:
        assert loaded.search(name, 100) == built.search(name, 100)


def _saved_with(**changes: object) -> bytes:
    index = build({1: [("title", "Signal")]})
    data = index.snapshot()
    saved = msgspec.msgpack.decode(data, type=snapshot._Snapshot)
    return msgspec.msgpack.encode(msgspec.structs.replace(saved, **changes))


def test_a_snapshot_of_another_format_or_machine_is_refused() -> None:
    assert SearchIndex.from_snapshot(_saved_with()).search("signal")[0].show_id == 1
    with pytest.raises(SnapshotError, match="format 1, not"):
        SearchIndex.from_snapshot(_saved_with(format=1))
    other = "big" if sys.byteorder == "little" else "little"
    with pytest.raises(SnapshotError, match=r"^search index snapshot saved on a machine of the other byte order$"):
        SearchIndex.from_snapshot(_saved_with(byteorder=other))


def _choice(label: str, matched: str, kind: NameKind = NameKind.CAST) -> str:
    return choice_name(SearchHit(7, label, matched, kind, Tier.EXACT, 0.0))


def test_a_label_of_exactly_100_characters_is_kept_whole() -> None:
    assert _choice("x" * 100, "x" * 100, NameKind.TITLE) == "x" * 100
    cut = _choice("x" * 101, "x" * 101, NameKind.TITLE)
    assert cut == "x" * 99 + "…"


def test_a_hint_of_exactly_half_the_room_is_kept() -> None:
    # " — with " is 8 characters: a 42-character name makes a 50-character hint.
    name = "N" * 42
    assert _choice("Show", name) == "Show — with " + name
    longer = _choice("Show", name + "N")
    assert longer == "Show — with " + "N" * 41 + "…"
    assert len(longer) == len("Show") + 50


def test_a_label_shares_the_room_with_its_hint() -> None:
    name = _choice("L" * 100, "Gangster", NameKind.NICKNAME)
    assert name == "L" * 85 + "… — as Gangster"
    assert len(name) == 100


def test_a_hint_only_when_the_label_does_not_show_the_match() -> None:
    assert _choice("Squid Game (2021)", "Squid Game", NameKind.ALIAS) == "Squid Game (2021)"
    assert _choice("Squid Game (2021)", "오징어 게임", NameKind.ROMANISED) == "Squid Game (2021) — as 오징어 게임"
    assert _choice("  ", "Gangster", NameKind.NICKNAME) == "Show #7 — as Gangster"


@pytest.mark.parametrize(
    ("hangul", "latin"),
    [("가", "ga"), ("힣", "hih"), ("오징어 게임", "ojingeo geim"), ("SKY 캐슬", "sky kaeseul"), ("ㄱ", "ㄱ")],
)
def test_romanisation_spells_every_syllable_and_keeps_the_rest(hangul: str, latin: str) -> None:
    assert romanise(normalize(hangul)) == latin


def test_the_first_and_last_syllables_are_found_by_their_romanisation() -> None:
    index = build({1: [("native", "가")], 2: [("native", "힣")]})
    assert [(h.show_id, h.kind) for h in index.search("ga")] == [(1, NameKind.ROMANISED)]
    assert index.search("hih")[0].show_id == 2
    assert index.search("힣")[0].kind == NameKind.NATIVE


def test_a_whole_word_is_not_a_prefix_in_a_long_query() -> None:
    # "code" is the commonest word, so it is checked word by word: "codex" must not pass for it.
    index = build(
        {
            1: [("title", "Codex Blue Hero")],
            2: [("title", "Code Blue Hero")],
            3: [("title", "Code One")],
            4: [("title", "Code Two")],
            5: [("title", "Code Three")],
        }
    )
    assert [(h.show_id, h.tier) for h in index.search("blue code h")] == [(2, Tier.WORDS)]


def test_a_syllable_being_composed_anywhere_in_a_long_query() -> None:
    # The last word is a lone initial consonant after a space: any word starting with a syllable of it.
    index = build(
        {
            1: [("native", "불시착 사랑의 이야기")],
            2: [("native", "불시착 사랑의 비밀")],
            3: [("native", "이야기 불시착")],
            4: [("native", "아무 불시착 사랑의")],
            # More words of ㅇ than of the others, so that it is the word checked name by name.
            5: [("native", "아기 오늘")],
            6: [("native", "우리 이웃")],
            7: [("native", "여름 왕")],
        }
    )
    # 아무 and 이야기 start with a syllable of ㅇ; 비밀 does not.
    assert sorted(h.show_id for h in index.search("사랑의 불시착 ㅇ")) == [1, 4]
    found = index.search("불시착 ㅅ")
    assert sorted((h.show_id, h.tier) for h in found) == [(1, Tier.PREFIX), (2, Tier.PREFIX), (4, Tier.WORDS)]
    # Two characters: a syllable, then the consonant of the next one.
    assert sorted((h.show_id, h.tier) for h in index.search("사ㄹ")) == [
        (1, Tier.WORDS),
        (2, Tier.WORDS),
        (4, Tier.WORDS),
    ]
    found = sorted((h.show_id, h.tier) for h in index.search("불ㅅ"))
    assert found == [(1, Tier.PREFIX), (2, Tier.PREFIX), (3, Tier.WORDS), (4, Tier.WORDS)]
    # A syllable being composed must start a word: 사랑의 불시착 and an inner ㅇ syllable is not enough.
    assert [h.show_id for h in index.search("사랑의 불시착 ㅈ")] == []


def test_a_cut_label_loses_the_space_before_its_ellipsis() -> None:
    label = "x" * 98 + " yyyy"
    assert _choice(label, "x", NameKind.TITLE) == "x" * 98 + "…"
    assert _choice("  " + "z" * 120, "z", NameKind.TITLE) == "z" * 99 + "…"


@settings(max_examples=200)
@given(
    st.sampled_from((0, 1)),
    st.floats(-1000, 1000),
    st.integers(1, 10_000),
    st.floats(-1000, 1000),
    st.integers(1, 10_000),
)
def test_rank_score_orders_kind_then_popularity_then_length(group, pop, length, other_pop, other_length) -> None:
    score = rank_score(group, pop, length)
    assert 0.0 <= score < 4.0
    # Any title kind outranks any person's name.
    assert rank_score(0, pop, length) > rank_score(1, other_pop, other_length)
    if pop == other_pop:
        assert (rank_score(group, pop, length) > rank_score(group, pop, other_length)) == (length < other_length)
    if length == other_length and abs(squash(pop) - squash(other_pop)) > 1e-9:
        assert (score > rank_score(group, other_pop, length)) == (squash(pop) > squash(other_pop))


def _labels_state(ids: list[int], texts: list[str]) -> bytes:
    from array import array

    from bot.domain.search.blob import Blob
    from bot.domain.search.labels import LabelsState

    return msgspec.msgpack.encode(
        msgspec.structs.replace(
            msgspec.msgpack.decode(build({1: [("title", "Signal")]}).snapshot(), type=snapshot._Snapshot),
            labels=LabelsState(array("q", ids).tobytes(), Blob(texts).state()),
        )
    )


def test_label_tables_are_checked_on_load() -> None:
    assert SearchIndex.from_snapshot(_labels_state([1, 5], ["Signal", "Other"])).label(5) == "Other"
    with pytest.raises(SnapshotError, match="label ids are out of order"):
        SearchIndex.from_snapshot(_labels_state([5, 1], ["Other", "Signal"]))
    with pytest.raises(SnapshotError, match="label ids are out of order"):
        SearchIndex.from_snapshot(_labels_state([1, 1], ["Signal", "Signal"]))
    with pytest.raises(SnapshotError, match="wrong length"):
        SearchIndex.from_snapshot(_labels_state([1, 5], ["Signal"]))


def test_a_label_removed_then_set_again_is_back() -> None:
    index = build({1: [("title", "Signal")], 2: [("title", "Kingdom")]}, {1: "Signal (2016)", 2: "Kingdom (2019)"})
    index.remove_show(1)
    assert (index.label(1), len(index)) == (None, 1)
    index.add_show(1, "Signal (2016)", [("title", "Signal")])
    assert (index.label(1), len(index)) == ("Signal (2016)", 2)


def test_a_typo_read_as_the_start_of_many_words_scans_for_them() -> None:
    # 3,000 words start with "zyx": too many to merge, so the typo tier scans the names for " zyx".
    index = build({n: [("title", f"zyx{n} {'tail ' * (n % 3)}".strip())] for n in range(1, 3001)})
    hits = index.search("zyxq", 25)
    assert len(hits) == 25
    assert all(h.tier == Tier.TYPO and h.matched.startswith("zyx") for h in hits)
    # Best first: the shortest names (one-digit numbers, no tail) lead.
    assert hits[0].matched in {"zyx3", "zyx6", "zyx9"}


def test_one_edit_spellings_of_a_word() -> None:
    spelled = list(edits("abc"))
    swaps = [w for w, cost in spelled if cost == COST_SWAP]
    others = [w for w, cost in spelled if cost == COST_EDIT]
    assert swaps == ["bac", "acb"]  # every neighbouring pair, the last one too
    assert others[:3] == ["bc", "ac", "ab"]  # one letter dropped at each place
    substituted = [w for w in others[3:] if len(w) == 3]
    inserted = [w for w in others[3:] if len(w) == 4]
    assert len(substituted) == 3 * 35  # every other letter or digit at each place, never the same letter
    assert all(sum(a != b for a, b in zip(w, "abc", strict=True)) == 1 for w in substituted)
    assert len(inserted) == 4 * 36  # every letter or digit before, between and after
    assert {"0abc", "a0bc", "ab0c", "abc0"} <= set(inserted)
    assert len(set(inserted)) < len(inserted)  # "aabc" twice: before and after the first a
    # Doubled letters are not swapped; two-letter words get swaps only; Hangul gets no new letters.
    assert [w for w, _ in edits("aab")][:1] == ["aba"]
    assert list(edits("ab")) == [("ba", COST_SWAP)]
    assert {w for w, _ in edits("사랑의")} == {"랑사의", "사의랑", "랑의", "사의", "사랑"}
