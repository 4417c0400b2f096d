"""The shipped catalogue, read by the same loader the bot uses: it loads, and the seed drama matches the seed."""

from __future__ import annotations

import re

import pytest

from bot.domain.models import CastMember, SeasonInfo, Show, SourceWork
from bot.providers.catalog import default_catalog_path, load_catalog

SEED_KEY = "the-trauma-code-heroes-on-call"
HANGUL_SYLLABLE = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def shows() -> list[Show]:
    return load_catalog(default_catalog_path())


@pytest.fixture(scope="module")
def seed(shows: list[Show]) -> Show:
    return next(s for s in shows if s.catalog_key == SEED_KEY)


def test_default_path_is_the_repositorys_data_file() -> None:
    path = default_catalog_path()
    assert path.is_file()
    assert path.parts[-2:] == ("data", "catalog.json")


def test_catalogue_has_the_seed_and_at_least_thirty_more(shows: list[Show]) -> None:
    assert len(shows) >= 31
    assert all(s.source == "catalog" for s in shows)


def test_keys_are_unique_and_present(shows: list[Show]) -> None:
    keys = [s.catalog_key for s in shows]
    assert None not in keys
    assert len(set(keys)) == len(keys)


def test_titles_and_years_are_unique(shows: list[Show]) -> None:
    pairs = [(s.title.casefold(), s.year) for s in shows]
    assert len(set(pairs)) == len(pairs)


def test_every_show_has_english_and_hangul_titles_a_year_and_seasons(shows: list[Show]) -> None:
    def faults(show: Show) -> list[str]:
        found = []
        if not re.search("[A-Za-z]", show.title) or HANGUL_SYLLABLE.search(show.title):
            found.append("title is not an English title")
        if not show.native_title or not HANGUL_SYLLABLE.search(show.native_title):
            found.append("native title has no Hangul")
        if show.year is None:
            found.append("no year")
        if show.country != "KR":
            found.append("country is not KR")
        if (show.network is None) == (show.platform is None):
            found.append("needs exactly one of network (broadcaster) or platform (streaming original)")
        if not show.seasons:
            found.append("no seasons")
        return found

    bad = {s.title: faults(s) for s in shows if faults(s)}
    assert bad == {}


def test_seed_titles_year_and_where_it_airs(seed: Show) -> None:
    assert seed.title == "The Trauma Code: Heroes On Call"
    assert seed.native_title == "중증외상센터"
    assert seed.aliases == ("The Trauma Code",)
    assert seed.year == 2025
    assert seed.platform == "Netflix"
    assert seed.network is None
    assert seed.country == "KR"
    assert seed.status is None


def test_seed_has_one_season_of_eight_episodes(seed: Show) -> None:
    assert seed.seasons == (SeasonInfo(number=1, episode_count=8),)
    assert seed.episode_count == 8


def test_seed_genre_and_director(seed: Show) -> None:
    assert seed.genres == ("Medical Drama",)
    assert seed.directors == ("Lee Do Yoon",)
    assert seed.writers == ()


def test_seed_source_material(seed: Show) -> None:
    assert seed.based_on == (
        SourceWork(kind="web novel", title="Severe Trauma Center: Golden Hour", creator="Han San"),
        SourceWork(kind="webtoon", title=None, creator="Hong Bicira"),
    )


def test_seed_cast_characters_and_nicknames(seed: Show) -> None:
    assert seed.cast == (
        CastMember("Ju Ji Hoon", "Baek Kang Hyuk"),
        CastMember("Choo Yeong Woo", "Yang Jae Won", ("Anus",)),
        CastMember("Ha Young", "Cheon Jang Mi", ("Gangster",)),
        CastMember("Kim Eui Sung", "Choi Jo Eun"),
        CastMember("Kim Won Ae", "Hong Jae Hoon"),
        CastMember("Yoon Kyung Ho", "Han Yu Rim"),
        CastMember("Kim Sun Young", "Kang Myeong Hui"),
    )


def test_seed_has_nothing_the_seed_does_not_give(seed: Show) -> None:
    assert seed.summary is None
    assert seed.poster_url is None
    assert seed.tvmaze_id is None


def test_seed_star_other_catalogue_dramas_share_the_actor(shows: list[Show]) -> None:
    # The review names Ju Ji Hoon's Jirisan and Mask; the catalogue carries both with him in the cast.
    by_title = {s.title: s for s in shows}
    for title in ("Jirisan", "Mask", "Kingdom"):
        assert "Ju Ji Hoon" in {m.actor for m in by_title[title].cast}, title


def test_every_bundled_show_is_stored_and_read_back_unchanged_through_the_one_schema(shows: list[Show]) -> None:
    import dataclasses

    from bot.domain.show_schema import decode_stored, encode_stored

    for number, show in enumerate(shows, start=1):
        assert decode_stored(encode_stored(show), number) == dataclasses.replace(show, id=number), show.catalog_key


def test_the_file_and_the_schema_name_the_same_fields() -> None:
    import json

    from bot.domain.show_schema import CAST_FIELDS, SEASON_FIELDS, SHOW_FIELDS, SOURCE_FIELDS

    document = json.loads(default_catalog_path().read_text(encoding="utf-8"))
    for record in document["shows"]:
        assert set(record) <= set(SHOW_FIELDS)
        assert all(set(season) <= set(SEASON_FIELDS) for season in record.get("seasons", []))
        assert all(set(member) <= set(CAST_FIELDS) for member in record.get("cast", []))
        assert all(set(work) <= set(SOURCE_FIELDS) for work in record.get("based_on", []))


def test_no_two_bundled_shows_are_the_same_show_to_an_import(shows: list[Show]) -> None:
    from bot.domain.precedence import show_identity

    keys = [key for show in shows for key in show_identity(show)]
    assert len(set(keys)) == len(keys)


def run_import(tmp_path, name: str, content: str):
    import os
    import subprocess
    import sys

    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bot.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "catalog", "import", str(source)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return source, result


def test_import_reports_json_problems_by_line_and_column_and_counts_rows(tmp_path) -> None:
    content = '[{"title": "Signal", "year": 2016}, {"title": "A", "year": 1}, {"title": "B", "year": 2, "genres": 3}]'
    source, result = run_import(tmp_path, "shows.json", content)
    assert result.returncode == 1
    column_a, column_b = content.index('{"title": "A"') + 1, content.index('{"title": "B"') + 1
    assert f"{source}:1:{column_a}: year: must be a whole number" in result.stderr
    assert f"{source}:1:{column_b}: genres: must be a list" in result.stderr
    assert "imported 1 shows; 2 rows rejected" in result.stdout


def test_import_of_malformed_json_names_line_and_column(tmp_path) -> None:
    source, result = run_import(tmp_path, "shows.json", '[\n  {"title": "A"},\n  {"title": "B",}\n]')
    assert result.returncode == 1
    assert f"{source}:3:17: not valid JSON" in result.stderr
    assert "imported 0 shows; 0 rows rejected" in result.stdout
