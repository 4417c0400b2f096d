"""What people type finds the show they mean (issue 7): punctuation dropped or words joined, typos that
spell other words, the autocomplete label typed by hand, a season after a title, Hangul without spaces,
and the Revised Romanization of a Hangul title, which the index makes from the Hangul itself.

First on a small catalogue holding those shows and the names that led search astray (an actor called
Hyang, an alias with "Men", words such as "moo", "sae" and "partner" in other names); then on the real
K-drama data in ../shared when it is there."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.domain.models import CastMember, Show
from bot.domain.search import NameKind, SearchIndex, Tier
from bot.domain.text import normalize

CATALOGUE = (
    Show(id=1, title="It's Okay to Not Be Okay", native_title="사이코지만 괜찮아", year=2020),
    Show(id=2, title="It's Okay, That's Love", year=2014),
    Show(id=3, title="I'm Not a Robot", native_title="로봇이 아니야", year=2017),
    Show(id=4, title="D.P.", native_title="디피", aliases=("Deserter Pursuit",), year=2021),
    Show(id=5, title="Hometown Cha-Cha-Cha", native_title="갯마을 차차차", year=2021),
    Show(id=6, title="Twenty-Five Twenty-One", native_title="스물다섯 스물하나", year=2022),
    Show(id=7, title="Squid Game", native_title="오징어 게임", year=2021),
    Show(id=8, title="Moon Lovers: Scarlet Heart Ryeo", native_title="달의 연인 - 보보경심 려", year=2016),
    Show(id=9, title="Save Me", native_title="구해줘", year=2017),
    Show(id=10, title="Partners for Justice", native_title="검법남녀", year=2018),
    Show(id=11, title="Suspicious Partner", year=2017, cast=(CastMember("Ji Chang Wook"),)),
    Show(id=12, title="Hyena", native_title="하이에나", year=2020),
    Show(id=13, title="Graceful Family", year=2019, cast=(CastMember("Im Soo Hyang"),)),
    Show(id=14, title="Mine", native_title="마인", year=2021),
    Show(id=15, title="How to Use Guys with Secret Tips", aliases=("A Manual on How to Use Men",), year=2013),
    Show(id=16, title="Kingdom", native_title="킹덤", year=2019, cast=(CastMember("Ju Ji Hoon"),)),
    Show(id=17, title="Kingdom: Season 2", year=2020, cast=(CastMember("Ju Ji Hoon"),)),
    Show(id=18, title="Crash Landing on You", native_title="사랑의 불시착", year=2019),
    Show(id=19, title="The Glory", native_title="더 글로리", year=2022),
    Show(id=20, title="The Heirs", year=2013, cast=(CastMember("Kim Woo Bin"), CastMember("Kim Moo Yeol"))),
    Show(id=21, title="The Villagers", year=2018, cast=(CastMember("Kim Sae Ron"),)),
    Show(id=22, title="Me Too, Flower!", year=2011),
    # Romanised, 새멋 starts with "saeme": the bench's random Hangul titles met "Sae Me" this way.
    Show(id=23, title="Street of Crime", native_title="새멋 이야기", year=2022),
)

# query -> the title it must find first
RESOLVES = {
    "its okay to not be okay": "It's Okay to Not Be Okay",
    "im not a robot": "I'm Not a Robot",
    "dp": "D.P.",
    "hometown chachacha": "Hometown Cha-Cha-Cha",
    "twentyfive twentyone": "Twenty-Five Twenty-One",
    "SquidGame": "Squid Game",
    "Moo Lovers": "Moon Lovers: Scarlet Heart Ryeo",
    "Sae Me": "Save Me",
    "Partner for Justice": "Partners for Justice",
    "Hyna": "Hyena",
    "Mne": "Mine",
    "Kingdom (2019)": "Kingdom",
    "사랑의불시착": "Crash Landing on You",
    "The Glory season 2": "The Glory",
    "ojingeo geim": "Squid Game",
    "sarangui bulsichak": "Crash Landing on You",
}


def build(shows: tuple[Show, ...] | list[Show]) -> SearchIndex:
    rows = [(s.id, kind, name, normalize(name)) for s in shows for kind, name in s.search_names()]
    labels = {s.id: f"{s.title} ({s.year})" if s.year else s.title for s in shows}
    return SearchIndex.build(rows, labels)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build(CATALOGUE)


@pytest.mark.parametrize(("query", "title"), RESOLVES.items())
def test_what_people_type_finds_the_show(index: SearchIndex, query: str, title: str) -> None:
    hits = index.search(query, 25)
    assert hits, f"{query!r} found nothing"
    assert hits[0].label.startswith(title + " ("), [h.label for h in hits[:3]]


@pytest.mark.parametrize(("query", "title"), RESOLVES.items())
def test_a_saved_index_finds_them_too(index: SearchIndex, query: str, title: str) -> None:
    loaded = SearchIndex.from_snapshot(index.snapshot())
    assert loaded.search(query, 25) == index.search(query, 25)


@pytest.mark.parametrize(("query", "title"), RESOLVES.items())
def test_shows_added_after_the_build_are_found_alike(query: str, title: str) -> None:
    later = build(CATALOGUE[:5])
    later.add_shows((s.id, f"{s.title} ({s.year})", s.search_names(), 0.0) for s in CATALOGUE[5:])
    assert later.search(query, 1)[0].label.startswith(title + " (")


def test_joined_words_match_the_whole_name_exactly(index: SearchIndex) -> None:
    hit = index.search("SquidGame")[0]
    assert (hit.show_id, hit.tier, hit.kind) == (7, Tier.EXACT, NameKind.TITLE)
    # A name still being typed, its spaces left out, is a prefix.
    hit = index.search("hometown chacha")[0]
    assert (hit.show_id, hit.tier) == (5, Tier.PREFIX)


def test_the_romanisation_comes_from_the_hangul(index: SearchIndex) -> None:
    hit = index.search("ojingeo geim")[0]
    # No name "ojingeo geim" was given: the index spelled 오징어 게임, and says it matched that.
    assert all("ojingeo" not in normalize(name) for _, name in CATALOGUE[6].search_names())
    assert (hit.show_id, hit.kind, hit.matched, hit.tier) == (7, NameKind.ROMANISED, "오징어 게임", Tier.EXACT)
    assert index.autocomplete("ojingeo")[0] == ("Squid Game (2021) — as 오징어 게임", "#7")
    assert index.search("gaetmaeul")[0].show_id == 5
    assert index.search("seumuldaseot seumulhana")[0].show_id == 6


def test_a_romanised_title_is_started_only_by_a_long_enough_query(index: SearchIndex) -> None:
    assert index.search("saemeot")[0].show_id == 23
    assert index.search("saemeot iyagi")[0].tier == Tier.EXACT
    assert 23 not in [h.show_id for h in index.search("sae me")]


def test_a_romanised_title_keeps_up_with_changes() -> None:
    index = build(CATALOGUE)
    index.add_show(7, "Squid Game (2021)", [("title", "Squid Game")])
    assert [h.show_id for h in index.search("ojingeo geim")] == []
    index.add_show(30, "Moving (2023)", [("title", "Moving"), ("native", "무빙")])
    assert index.search("mubing")[0].show_id == 30


def test_the_label_typed_by_hand_is_an_exact_title(index: SearchIndex) -> None:
    hits = index.search("Kingdom (2019)")
    assert (hits[0].show_id, hits[0].tier, hits[0].kind) == (16, Tier.EXACT, NameKind.TITLE)
    # The other Kingdom is still offered, after it and not as exact.
    assert hits[1].show_id == 17
    assert hits[1].tier > Tier.EXACT
    # A year no show of that title has is no exact match.
    assert all(h.tier > Tier.EXACT for h in index.search("Kingdom (2007)"))


def test_a_show_named_with_its_season_is_found_as_named(index: SearchIndex) -> None:
    # The season is only dropped when the query finds nothing as typed.
    assert index.search("Kingdom season 2")[0].show_id == 17


def test_a_word_that_exists_is_corrected_only_when_nothing_matches(index: SearchIndex) -> None:
    # "moo yeol" finds the actor as typed: "moo" is not read as "moon" then, so no Moon Lovers.
    hits = index.search("moo yeol")
    assert [(h.show_id, h.tier) for h in hits] == [(20, Tier.WORDS)]


def _real_shows() -> list[Show]:
    path = Path(__file__).resolve().parents[2].parent / "shared" / "realdata-kdrama" / "realdata.csv"
    if not path.is_file():
        pytest.skip(f"real K-drama data not present at {path}: the real-data check did not run")
    shows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
            cast = tuple(CastMember(c.strip()) for c in row["cast"].split(";") if c.strip())
            year = int(row["year"]) if row["year"].isdigit() else None
            shows.append(
                Show(
                    id=number,
                    title=row["title"],
                    native_title=row["native_title"] or None,
                    aliases=aliases,
                    year=year,
                    cast=cast,
                )
            )
    return shows


@pytest.mark.parametrize(("query", "title"), [(q, t) for q, t in RESOLVES.items() if "Glory" not in q])
def test_real_data_finds_them(query: str, title: str) -> None:
    index = _REAL.get("index")
    if index is None:
        index = _REAL["index"] = build(_real_shows())
    hits = index.search(query, 25)
    assert hits, f"{query!r} found nothing"
    # The real data names Moon Lovers without its subtitle.
    assert hits[0].label.startswith(title.split(":")[0] + " ("), [h.label for h in hits[:3]]


_REAL: dict[str, SearchIndex] = {}
