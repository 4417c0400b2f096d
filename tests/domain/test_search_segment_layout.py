"""A built segment holds what its search tiers read, whatever order names come in and however many repeat: names in
rank order, the key and no-space orders, and one ascending posting list per word (romanised names have none)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.search.blob import NAME_MARK, Blob, side_by_side
from bot.domain.search.ranking import KIND_CODES, KIND_GROUPS, NameKind
from bot.domain.search.segment import Columns, Segment
from bot.domain.text import normalize

ROMANISED = KIND_CODES[NameKind.ROMANISED]
KIND_CHOICES = [KIND_CODES[k] for k in (NameKind.TITLE, NameKind.NATIVE, NameKind.CAST, NameKind.ROMANISED)]

# Few letters, so that names repeat, share words, and differ only by a space ("ab c" and "abc").
texts = st.text(alphabet="ab c가나1", min_size=1, max_size=8).map(normalize).filter(bool)
names_strategy = st.lists(
    st.tuples(st.integers(1, 6), st.sampled_from(KIND_CHOICES), texts, st.sampled_from([0.0, 0.5, 1.0])),
    min_size=1,
    max_size=40,
)


def columns_of(rows: list[tuple[int, int, str, float]]) -> Columns:
    names = Columns()
    for show_id, kind, norm, pop in rows:
        names.append(show_id, kind, norm.upper(), norm, pop)
    return names


@settings(max_examples=150, deadline=None)
@given(names_strategy)
def test_a_segment_keeps_every_name_in_rank_order_with_its_original(rows):
    segment = Segment(columns_of(rows))

    kept = [(segment.show_ids[n], segment.kinds[n], segment.norms[n], segment.pops[n]) for n in range(len(segment))]
    assert sorted(kept) == sorted(rows)
    assert [segment.orig(n) for n in range(len(segment))] == [norm.upper() for _, _, norm, _ in kept]
    ranks = [(KIND_GROUPS[kind], -pop, len(norm), show_id) for show_id, kind, norm, pop in kept]
    assert ranks == sorted(ranks)


@settings(max_examples=150, deadline=None)
@given(names_strategy)
def test_a_segment_orders_names_by_text_and_by_text_without_spaces(rows):
    segment = Segment(columns_of(rows))
    norms = [segment.norms[n] for n in range(len(segment))]

    assert list(segment.key_ids) == sorted(range(len(norms)), key=norms.__getitem__)
    assert list(segment.compact_ids) == sorted(range(len(norms)), key=lambda n: norms[n].replace(" ", ""))


@settings(max_examples=150, deadline=None)
@given(names_strategy)
def test_each_word_lists_the_names_holding_it_once_each_in_order(rows):
    segment = Segment(columns_of(rows))
    norms = [segment.norms[n] for n in range(len(segment))]
    expected: dict[str, list[int]] = {}
    for nid, norm in enumerate(norms):
        if segment.kinds[nid] != ROMANISED:
            for word in dict.fromkeys(norm.split()):
                expected.setdefault(word, []).append(nid)

    words = [segment.vocab[w] for w in range(len(segment.vocab))]
    postings = {
        word: list(segment.postings[segment.post_start[w] : segment.post_start[w + 1]]) for w, word in enumerate(words)
    }
    assert words == sorted(expected)
    assert postings == expected


def test_names_read_back_side_by_side_are_equal_to_the_names():
    names = ["kim soo hyun", "오징어 게임", "signal", "kim soo hyun"]

    copies = side_by_side(names)

    assert copies == names
    assert all(copy is not name for copy, name in zip(copies, names, strict=True))


def test_names_holding_the_mark_come_back_as_they_are():
    names = ["a" + NAME_MARK + " b", "c"]

    assert side_by_side(names) is names
    blob, copies = Blob.relocated(names, NAME_MARK + " ", " ")
    assert copies == names
    assert [blob[i] for i in range(len(blob))] == names


def test_a_relocated_blob_is_the_blob_of_its_names():
    names = ["goblin", "도깨비", "the king eternal monarch", "x"]

    blob, copies = Blob.relocated(names, NAME_MARK + " ", " ")
    plain = Blob(names, NAME_MARK + " ", " ")

    assert copies == names
    assert (blob.text, list(blob.starts), blob.lead, blob.trail) == (
        plain.text,
        list(plain.starts),
        plain.lead,
        plain.trail,
    )
