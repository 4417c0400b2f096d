"""The search normaliser and the Hangul helpers: examples, then properties over arbitrary text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import text as text_module
from bot.domain.text import (
    _RAW_LIMIT,
    CHOSEONG,
    MAX_NORMALIZED_LENGTH,
    _ascii_table,
    _initials_table,
    choseong_range,
    initials,
    initials_of_normalized,
    is_initials_query,
    is_syllable,
    normalize,
)

# Characters nobody sees: zero-width space/joiners, word joiner, BOM, soft hyphen, bidi marks and
# embeddings, a variation selector, the Hangul filler.
INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufe0f\u3164"
)

# Any code point, surrogates and unassigned ones included.
ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=300)
# Text whose upper and lower case fold alike (Latin, Hangul, jamo, digits, punctuation, spaces).
CASED_TEXT = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéÉüÜ0123456789 -:'중증외상센터사랑ㅈㅅ"),
    max_size=80,
)


@pytest.fixture(autouse=True)
def _empty_character_caches() -> None:
    """normalize() keeps what it decided per character; each test starts with none kept, so it checks the
    code that decides, not what an earlier test (or another process's import) left behind."""
    text_module._PREPARE.clear()
    text_module._FOLD.clear()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Trauma Code: Heroes On Call", "the trauma code heroes on call"),
        ("  The   Trauma\tCode\n", "the trauma code"),
        ("ＴＨＥ　ＴＲＡＵＭＡ", "the trauma"),  # full-width letters and space
        ("중증외상센터", "중증외상센터"),
        ("ㅈㅈㅇㅅㅅㅌ", "ㅈㅈㅇㅅㅅㅌ"),  # NFKC would turn these into conjoining jamo
        ("ﾡ", "ㄱ"),  # half-width jamo
        ("Tr\u200bau\u200fma", "trauma"),
        ("\u202eevil", "evil"),
        ('NEAR("x" OR y)--*', "near x or y"),
        ("🔥 Fire 🔥", "fire"),
        ("Dr. Romantic", "dr romantic"),
        ("Straße", "strasse"),
        ("Crash\nLanding", "crash landing"),
        ("a\x00b", "ab"),
        ("", ""),
        ("***", ""),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_caps_long_input() -> None:
    out = normalize("가" * 10_000)
    assert out == "가" * MAX_NORMALIZED_LENGTH
    assert len(normalize("word " * 5000)) <= MAX_NORMALIZED_LENGTH


def test_initials() -> None:
    assert initials("중증외상센터") == "ㅈㅈㅇㅅㅅㅌ"
    assert initials("사랑의 불시착") == "ㅅㄹㅇㅂㅅㅊ"
    assert initials("Crash Landing on You") == ""
    assert initials("낭만닥터 김사부 2") == "ㄴㅁㄷㅌㄱㅅㅂ"
    assert initials("ㅈㅈ외상") == "ㅈㅈㅇㅅ"
    # Decomposed syllables (as macOS file names have them) count the same.
    assert initials(unicodedata.normalize("NFD", "중증")) == "ㅈㅈ"


def test_is_initials_query() -> None:
    assert is_initials_query("ㅈㅈㅇㅅㅅㅌ")
    assert is_initials_query(" ㅅㄹㅇ ㅂㅅㅊ ")
    assert not is_initials_query("ㅈㅈ외상")
    assert not is_initials_query("code")
    assert not is_initials_query("")
    assert not is_initials_query("ㅏㅓ")  # vowels are not initial consonants


def test_choseong_range() -> None:
    assert choseong_range("ㅇ") == ("아", "자")
    lo, hi = choseong_range("ㅎ") or ("", "")
    assert lo <= "힣" < hi
    assert choseong_range("ㅏ") is None
    assert choseong_range("a") is None


@given(ANY_TEXT)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(ANY_TEXT)
def test_normalize_output_is_clean(text: str) -> None:
    out = normalize(text)
    assert len(out) <= MAX_NORMALIZED_LENGTH
    assert out == out.strip()
    assert "  " not in out
    assert all(unicodedata.category(ch) not in ("Cc", "Cf") for ch in out)
    assert all(ch == " " or not ch.isspace() for ch in out)


@given(CASED_TEXT)
def test_normalize_ignores_case(text: str) -> None:
    assert normalize(text.upper()) == normalize(text.lower()) == normalize(text)


@given(st.text(max_size=120), st.lists(st.tuples(st.integers(0, 120), st.sampled_from(INVISIBLE)), max_size=10))
def test_normalize_ignores_invisible_characters(text: str, insertions: list[tuple[int, str]]) -> None:
    spiked = text
    for at, ch in insertions:
        spiked = spiked[:at] + ch + spiked[at:]
    assert normalize(spiked) == normalize(text)


@given(ANY_TEXT)
def test_initials_are_consonants(text: str) -> None:
    out = initials(text)
    assert all(ch in CHOSEONG for ch in out)
    if is_initials_query(text):
        assert initials(normalize(text)) == normalize(text).replace(" ", "")


# --- edges: the first and last Hangul syllables, text exactly at its limits ------------------------------

FIRST_SYLLABLE, LAST_SYLLABLE = "가", "힣"  # U+AC00 and U+D7A3
BEFORE_FIRST, AFTER_LAST = chr(0xABFF), chr(0xD7A4)


def test_the_first_and_last_syllables_are_syllables() -> None:
    assert is_syllable(FIRST_SYLLABLE)
    assert is_syllable(LAST_SYLLABLE)
    assert not is_syllable(BEFORE_FIRST)
    assert not is_syllable(AFTER_LAST)
    assert not is_syllable(FIRST_SYLLABLE * 2)
    assert not is_syllable("")


def test_the_first_and_last_syllables_have_initials() -> None:
    assert initials(FIRST_SYLLABLE) == "ㄱ"
    assert initials(LAST_SYLLABLE) == "ㅎ"
    assert initials(BEFORE_FIRST + AFTER_LAST) == ""
    assert initials_of_normalized([FIRST_SYLLABLE + " " + LAST_SYLLABLE, "ab"]) == ["ㄱㅎ", ""]


def test_the_first_and_last_syllables_keep_their_normal_form() -> None:
    assert normalize(FIRST_SYLLABLE + LAST_SYLLABLE) == FIRST_SYLLABLE + LAST_SYLLABLE
    assert is_initials_query("ㄱㅎ")
    assert not is_initials_query(FIRST_SYLLABLE)


def test_choseong_ranges_cover_the_first_and_last_syllables() -> None:
    assert choseong_range("ㄱ") == (FIRST_SYLLABLE, "까")
    lo, hi = choseong_range("ㅎ") or ("", "")
    assert (lo, hi) == ("하", AFTER_LAST)  # one past 힣, so 힣 itself is inside
    assert choseong_range("ㄱㄱ") is None
    assert choseong_range("") is None


def test_text_exactly_at_the_normal_form_limit_is_kept() -> None:
    assert normalize("a" * MAX_NORMALIZED_LENGTH) == "a" * MAX_NORMALIZED_LENGTH
    assert normalize("a" * (MAX_NORMALIZED_LENGTH + 1)) == "a" * MAX_NORMALIZED_LENGTH
    # A cut that lands on a space leaves no space at the end.
    assert normalize("a" * (MAX_NORMALIZED_LENGTH - 1) + " b") == "a" * (MAX_NORMALIZED_LENGTH - 1)


def test_only_the_first_raw_characters_are_looked_at() -> None:
    # Invisible characters are dropped, but they count towards what is read of a long paste.
    assert normalize("\u200b" * (_RAW_LIMIT - 1) + "a") == "a"
    assert normalize("\u200b" * _RAW_LIMIT + "a") == ""
    assert normalize(" " * (_RAW_LIMIT - 1) + "가나") == "가"


@pytest.mark.parametrize(
    ("jamo", "syllable"),
    [
        ("\u1100\u200b\u1161", FIRST_SYLLABLE),  # ㄱ, a zero-width space, ㅏ
        ("\u1112\u200d\u1175\u034f\u11c2", LAST_SYLLABLE),  # ㅎ ㅣ ㅎ with a joiner and a grapheme joiner
        ("\u1100\ufe0f\u1161", FIRST_SYLLABLE),  # a variation selector
    ],
)
def test_an_invisible_character_between_jamo_does_not_split_the_syllable(jamo: str, syllable: str) -> None:
    # Dropped before NFKC composes the jamo: dropped after, it would leave them apart (ㄱㅏ).
    assert normalize(jamo) == syllable


# --- the lookup tables behind normalize and initials, built afresh (the module builds its own at import) --


def test_the_initials_table_gives_every_syllable_the_consonant_unicode_decomposes_it_to() -> None:
    table = _initials_table()
    for cp in range(0x10000):
        ch = chr(cp)
        if unicodedata.name(ch, "").startswith("HANGUL SYLLABLE "):
            expected = CHOSEONG[ord(unicodedata.normalize("NFD", ch)[0]) - 0x1100]
        else:
            expected = ch if ch in CHOSEONG else ""
        assert ch.translate(table) == expected, hex(cp)


def test_the_ascii_shortcut_folds_each_character_as_the_general_path_does() -> None:
    table = _ascii_table()
    for cp in range(128):
        ch = chr(cp)
        # The "é" sends the same text down the general path (NFKC, casefolding, Unicode categories).
        assert " ".join(f"x{ch}y".translate(table).split()) + "é" == normalize(f"x{ch}yé"), hex(cp)
