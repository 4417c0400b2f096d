"""The catalogue loader and the import parser: every bad record reported at once, good rows kept, lines right."""

from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.models import CastMember, SeasonInfo, Show, SourceWork
from bot.providers.catalog import (
    CatalogError,
    ImportProblem,
    load_catalog,
    parse_import,
    slugify,
    validate_record,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"

GOOD = {"key": "signal", "title": "Signal", "native_title": "시그널", "year": 2016, "network": "tvN"}


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def catalogue(tmp_path: Path, shows: list[object]) -> Path:
    return write(tmp_path, "catalog.json", json.dumps({"format": 1, "shows": shows}, ensure_ascii=False, indent=2))


def lines_and_fields(errors: list[ImportProblem]) -> list[tuple[int, str | None]]:
    return [(e.line, e.field) for e in errors]


# --- the bundled catalogue ---------------------------------------------------------------------------------


def test_good_catalogue_loads_with_source_and_key(tmp_path: Path) -> None:
    shows = load_catalog(catalogue(tmp_path, [GOOD, {**GOOD, "key": "stranger", "title": "Stranger", "year": 2017}]))
    assert [(s.catalog_key, s.source, s.title) for s in shows] == [
        ("signal", "catalog", "Signal"),
        ("stranger", "catalog", "Stranger"),
    ]


def test_every_bad_record_is_reported_in_one_error(tmp_path: Path) -> None:
    shows = [
        GOOD,
        {"key": "no-title", "year": 2020},
        {"key": "old", "title": "Too Old", "year": 1900},
        {"key": "typo", "title": "Typo", "yaer": 2020},
        {"key": "Bad Key", "title": "Bad Key"},
        {"key": "seasons", "title": "Seasons", "seasons": [{"number": 1, "episodes": 0}, {"number": 1}]},
        {"key": "cast", "title": "Cast", "cast": [{"actor": " "}, {"actor": "A", "charater": "B"}]},
        {"key": "source", "title": "Source", "based_on": [{"kind": "poem", "title": "X"}]},
        {**GOOD, "key": "signal"},
        {**GOOD, "key": "signal-again"},
        "not an object",
    ]
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalogue(tmp_path, shows))

    found = {(p.index, p.field) for p in caught.value.problems}
    assert found == {
        (1, "title"),
        (2, "year"),
        (3, "yaer"),
        (4, "key"),
        (5, "seasons"),  # episodes 0
        (6, "cast"),  # blank actor, and the misspelt "charater"
        (7, "based_on"),
        (8, "key"),  # duplicate key
        (9, "title"),  # duplicate (title, year)
        (10, "record"),
    }
    assert len([p for p in caught.value.problems if p.index == 5]) == 2  # episodes 0 and season 1 twice
    text = str(caught.value)
    assert "did you mean 'year'?" in text
    assert "did you mean 'character'?" in text
    assert "'signal' is already used" in text
    assert all(p.line is not None and p.line > 1 for p in caught.value.problems)


def test_catalogue_problem_names_the_line_and_record(tmp_path: Path) -> None:
    content = """{
  "format": 1,
  "shows": [
    {"key": "a", "title": "A"},
    {"key": "b", "title": "B", "year": 3000}
  ]
}
"""
    path = write(tmp_path, "catalog.json", content)
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    (problem,) = caught.value.problems
    assert (problem.index, problem.line, problem.record, problem.field) == (1, 5, "'b'", "year")
    assert str(problem) == "shows[1] (line 5, 'b'): year: must be a whole number from 1950 to 2100, got 3000"


def test_catalogue_needs_keys_and_a_format(tmp_path: Path) -> None:
    path = write(tmp_path, "catalog.json", json.dumps({"shows": [{"title": "No Key"}]}))
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    messages = [str(p) for p in caught.value.problems]
    assert any('"format": 1' in m for m in messages)
    assert any("key: is required" in m for m in messages)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file (line 1): not valid JSON: Expecting value"),
        (b'{"format": 1,\n "shows": [', "file (line 2): not valid JSON: Expecting value"),
        (b"[]", "file (line 1): the file must hold an object with a 'shows' list, got a list"),
        (b'{"format": 1, "shows": {}}', "file (line 1): 'shows' must be a list, got an object"),
        (
            b'{"format": 1,\n"shows": ["\xc3\x28"]}',
            "file (line 2): the file is not UTF-8 text (byte 0xc3 at offset 25)",
        ),
    ],
)
def test_unusable_catalogue_file_is_one_clean_error(tmp_path: Path, content: bytes, expected: str) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, "catalog.json", content))
    (problem,) = caught.value.problems
    assert str(problem).startswith(expected)


def test_missing_catalogue_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "absent.json")


# --- one record --------------------------------------------------------------------------------------------


def test_full_record_becomes_the_show_it_describes(tmp_path: Path) -> None:
    record = {
        "key": "the-trauma-code-heroes-on-call",
        "title": "  The Trauma Code: Heroes On Call ",
        "native_title": "중증외상센터",
        "aliases": ["The Trauma Code", "the trauma code"],
        "year": 2025,
        "country": "KR",
        "network": None,
        "platform": "Netflix",
        "seasons": [{"number": 2, "episodes": None, "premiere_date": "2026-01-01"}, {"number": 1, "episodes": 8}],
        "status": "Running",
        "genres": ["Medical Drama"],
        "directors": ["Lee Do Yoon"],
        "writers": [],
        "cast": [{"actor": "Choo Yeong Woo", "character": "Yang Jae Won", "nicknames": ["Anus"]}],
        "based_on": [{"kind": "webtoon", "title": None, "creator": "Hong Bicira"}],
    }
    assert validate_record(record) == []
    (show,) = load_catalog(catalogue(tmp_path, [record]))
    assert show.title == "The Trauma Code: Heroes On Call"
    assert show.aliases == ("The Trauma Code",)  # a repeat differing only in case adds nothing
    assert show.seasons[0] == SeasonInfo(1, 8)
    assert show.seasons[1].number == 2
    assert show.seasons[1].episode_count is None
    assert show.episode_count is None
    assert show.cast == (CastMember("Choo Yeong Woo", "Yang Jae Won", ("Anus",)),)
    assert show.based_on == (SourceWork("webtoon", None, "Hong Bicira"),)


def test_decomposed_hangul_is_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "시그널")
    assert decomposed != "시그널"
    assert validate_record({**GOOD, "native_title": decomposed}) == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"title": ""}, "title", "must not be empty"),
        ({"title": "x" * 201}, "title", "201 characters"),
        ({"title": "Bad\u0007Title"}, "title", "U+0007"),
        ({"title": "Flip\u202eped"}, "title", "U+202E"),
        ({"title": ["Signal"]}, "title", "must be text, got a list"),
        ({"year": True}, "year", "got true"),
        ({"year": "2016"}, "year", "got '2016'"),
        ({"year": 2101}, "year", "2101"),
        ({"country": "Korea"}, "country", "two-letter"),
        ({"status": "ended"}, "status", "must be one of"),
        ({"seasons": [{"number": 0}]}, "seasons", "number must be a whole number"),
        ({"seasons": [{"episodes": 8}]}, "seasons", "number is required"),
        ({"seasons": [{"number": 1, "episodes": -1}]}, "seasons", "episodes must be"),
        ({"seasons": [{"number": 1, "premiere_date": "soon"}]}, "seasons", "premiere_date"),
        ({"seasons": {"number": 1}}, "seasons", "must be a list"),
        ({"cast": [{"character": "Nobody"}]}, "cast", "actor is required"),
        ({"cast": ["Hyun Bin"]}, "cast", "must be an object"),
        ({"based_on": [{"title": "X"}]}, "based_on", "kind is required"),
        ({"aliases": ["ok", 3]}, "aliases", "entry 2 must be text"),
        ({"genres": "Romance"}, "genres", "must be a list of text"),
        ({"aliases": ["a"] * 51}, "aliases", "limit is 50"),
    ],
)
def test_each_rule_names_its_field(change: dict[str, object], field: str, words: str) -> None:
    problems = validate_record({**GOOD, **change})
    assert [p.field for p in problems] == [field]
    assert words in problems[0].message


def test_record_that_is_not_an_object() -> None:
    (problem,) = validate_record(["Signal"])
    assert problem.field == "record"


def test_key_is_optional_for_imports() -> None:
    record = {k: v for k, v in GOOD.items() if k != "key"}
    assert validate_record(record, require_key=False) == []
    assert [p.field for p in validate_record(record)] == ["key"]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("The Trauma Code: Heroes On Call", "the-trauma-code-heroes-on-call"),
        ("It's Okay to Not Be Okay", "it-s-okay-to-not-be-okay"),
        ("Café Minamdang", "cafe-minamdang"),
        ("2521", "2521"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slug_of_a_hangul_title_is_a_stable_hash() -> None:
    assert slugify("시그널2") == slugify("시그널2")
    assert slugify("시그널2").startswith("show-")
    assert slugify("시그널2") != slugify("시그널")


# --- imports: CSV ------------------------------------------------------------------------------------------


def test_csv_import_keeps_good_rows_and_reports_bad_rows_by_line() -> None:
    result = parse_import(FIXTURES / "mixed.csv")

    assert [s.title for s in result.shows] == [
        "Crash Landing on You",
        "Hospital Playlist",
        "The Trauma Code: Heroes On Call",
    ]
    assert lines_and_fields(result.errors) == [
        (3, "title"),  # no title
        (5, "year"),  # 20x5
        (6, "title"),  # a quoted title with a line break in it: the row starts on line 6
        (9, "episodes"),  # -3
        (10, "title"),  # repeats line 2
        (11, "based_on"),  # unknown kind
    ]
    assert str(result.errors[3]) == "line 9 ('Negative'): episodes: must be a whole number from 1 to 5000, got '-3'"
    # The message alone names the column: the CLI prints "FILE:LINE: message".
    assert result.errors[0].message == "title: is required"
    assert "already listed at line 2" in result.errors[4].message


def test_csv_cells_become_structured_fields() -> None:
    shows = {s.title: s for s in parse_import(FIXTURES / "mixed.csv").shows}

    cloy = shows["Crash Landing on You"]
    assert cloy.source == "import"
    assert cloy.catalog_key == "import-crash-landing-on-you"  # never replaces the bundled show
    assert cloy.native_title == "사랑의 불시착"
    assert cloy.year == 2019
    assert cloy.network == "tvN"
    assert cloy.seasons == (SeasonInfo(1, 16),)
    assert cloy.genres == ("Romance", "Comedy")
    assert cloy.cast == (CastMember("Hyun Bin", "Ri Jeong Hyeok"), CastMember("Son Ye Jin", "Yoon Se Ri"))

    assert shows["Hospital Playlist"].seasons == (SeasonInfo(1, 12), SeasonInfo(2, 12))
    assert shows["The Trauma Code: Heroes On Call"].based_on == (
        SourceWork("web novel", "Severe Trauma Center: Golden Hour", "Han San"),
        SourceWork("webtoon", None, "Hong Bicira"),
    )


def test_csv_header_with_an_unknown_column_rejects_the_file(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.csv", "title,yaer\nSignal,2016\n"))
    assert result.shows == []
    assert [(e.line, e.message) for e in result.errors] == [(1, "unknown column 'yaer' (did you mean 'year'?)")]


def test_csv_header_is_forgiving_about_case_and_spaces(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.csv", "Title,Native Title,YEAR\nSignal,시그널,2016\n"))
    assert result.errors == []
    assert (result.shows[0].native_title, result.shows[0].year) == ("시그널", 2016)


def test_csv_without_a_title_column(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.csv", "year,network\n2016,tvN\n"))
    assert result.shows == []
    assert [e.message for e in result.errors] == ["the header has no 'title' column"]


def test_csv_row_with_too_many_cells(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.csv", "title,year\nSignal,2016,extra\nStranger,2017\n"))
    assert [s.title for s in result.shows] == ["Stranger"]
    assert [(e.line, e.message) for e in result.errors] == [(2, "the row has 3 cells but the header has 2")]


def test_csv_episodes_and_seasons_together(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.csv", "title,episodes,seasons\nSignal,16,16\n"))
    assert result.shows == []
    assert lines_and_fields(result.errors) == [(2, "episodes")]


def test_csv_unknown_episode_counts_and_separators(tmp_path: Path) -> None:
    content = (
        "title,seasons,aliases,cast\nStranger,16|?,Secret Forest; Forest of Secrets,Bae Doona AS Han Yeo Jin|Extra\n"
    )
    (show,) = parse_import(write(tmp_path, "shows.csv", content)).shows
    assert show.seasons == (SeasonInfo(1, 16), SeasonInfo(2, None))
    assert show.aliases == ("Secret Forest", "Forest of Secrets")
    assert show.cast == (CastMember("Bae Doona", "Han Yeo Jin"), CastMember("Extra"))


def test_csv_blank_lines_keep_physical_line_numbers(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.csv", "title,year\n\nSignal,2016\n\n\nBad,1\r\n"))
    assert [s.title for s in result.shows] == ["Signal"]
    assert lines_and_fields(result.errors) == [(6, "year")]


def test_tab_separated_file(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.tsv", "title\tyear\nSignal\t2016\n"))
    assert [(s.title, s.year) for s in result.shows] == [("Signal", 2016)]


def test_derived_keys_do_not_collide(tmp_path: Path) -> None:
    content = "key,title,year\n,Signal!,2016\n,Signal,2017\nimport-signal-2017,Other,2018\n,시그널,2016\n"
    result = parse_import(write(tmp_path, "shows.csv", content))
    assert result.errors == []
    keys = [s.catalog_key for s in result.shows]
    assert keys[:3] == ["import-signal", "import-signal-2017-2", "import-signal-2017"]
    assert keys[3] is not None
    assert keys[3].startswith("import-show-")


# --- imports: JSON -----------------------------------------------------------------------------------------


def test_json_import_keeps_good_objects_and_reports_bad_ones_by_line() -> None:
    result = parse_import(FIXTURES / "mixed.json")

    assert [(s.title, s.catalog_key, s.source) for s in result.shows] == [
        ("Signal", "import-signal", "import"),
        ("The Glory", "the-glory", "import"),
    ]
    assert lines_and_fields(result.errors) == [
        (6, "title"),  # the object opens on line 6, its empty title is on line 7
        (10, "yaer"),
        (11, "cast"),
        (19, "record"),
        (20, "seasons"),
    ]


def test_json_bare_list_is_accepted(tmp_path: Path) -> None:
    content = '[\n  {"title": "Signal", "year": 2016},\n\n  {"title": "Bad", "year": 1}\n]'
    result = parse_import(write(tmp_path, "shows.json", content))
    assert [s.title for s in result.shows] == ["Signal"]
    assert lines_and_fields(result.errors) == [(4, "year")]


def test_json_line_numbers_survive_nested_values_and_strings_with_brackets(tmp_path: Path) -> None:
    content = (
        '{"shows": [\n'
        '  {"title": "A [{", "cast": [{"actor": "x", "character": "}]"}]},\n'
        '  {"title": "B", "based_on": [{"kind": "novel", "title": "\\"{\\""}]}, {"title": "C", "year": 0}\n'
        '], "format": 1}'
    )
    result = parse_import(write(tmp_path, "shows.json", content))
    assert [s.title for s in result.shows] == ["A [{", "B"]
    assert lines_and_fields(result.errors) == [(3, "year")]


def test_malformed_json_is_one_problem_with_line_and_column(tmp_path: Path) -> None:
    content = '{"shows": [\n  {"title": "A"},\n  {"title": "B" "year": 2016}\n]}'
    result = parse_import(write(tmp_path, "shows.json", content))
    assert result.shows == []
    (error,) = result.errors
    assert (error.line, error.column) == (3, 17)
    assert "Expecting ',' delimiter" in error.message


def test_json_with_an_unsupported_format(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.json", '{"format": 2, "shows": []}'))
    assert [e.message for e in result.errors] == ["unsupported format 2; expected 1"]


# --- imports: hostile and odd input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.json", b" \n\t\n", "the file is empty"),
        ("bom-only.csv", codecs.BOM_UTF8, "the file is empty"),
        ("latin1.csv", "title\nCafé\n".encode("latin-1"), "not UTF-8"),
        ("deep.json", b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
        ("digits.json", b'[{"title": "x", "year": ' + b"9" * 5000 + b"}]", "too many digits"),
        ("scalar.json", b"42", "must hold an object"),
    ],
)
def test_unusable_import_is_one_problem(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    result = parse_import(write(tmp_path, name, content))
    assert result.shows == []
    assert len(result.errors) == 1
    assert message in result.errors[0].message


def test_header_without_rows_imports_nothing_and_complains_of_nothing(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.csv", "title,year\n"))
    assert (result.shows, result.errors) == ([], [])


def test_byte_order_marks_are_understood(tmp_path: Path) -> None:
    utf8 = parse_import(write(tmp_path, "a.csv", codecs.BOM_UTF8 + "title,year\n시그널,2016\n".encode()))
    utf16 = parse_import(write(tmp_path, "b.csv", "title,year\n시그널,2016\n".encode("utf-16")))
    as_json = parse_import(write(tmp_path, "c.json", codecs.BOM_UTF8 + b'[{"title": "Signal"}]'))
    assert [s.title for s in utf8.shows] == [s.title for s in utf16.shows] == ["시그널"]
    assert [s.title for s in as_json.shows] == ["Signal"]
    assert utf8.errors == utf16.errors == as_json.errors == []


def test_huge_cell_is_refused_and_the_next_row_kept(tmp_path: Path) -> None:
    content = "title,year\n" + "x" * 10_000 + ",2016\nSignal,2016\n"
    result = parse_import(write(tmp_path, "shows.csv", content))
    assert [s.title for s in result.shows] == ["Signal"]
    (error,) = result.errors
    assert (error.line, error.field) == (2, "title")
    assert "10,000 characters" in error.message
    assert len(str(error)) < 200  # the message quotes a preview, not the cell


def test_cell_beyond_the_csv_module_limit_stops_cleanly(tmp_path: Path) -> None:
    content = "title,year\nSignal,2016\n" + "x" * 200_000 + ",2016\nStranger,2017\n"
    result = parse_import(write(tmp_path, "shows.csv", content))
    assert [s.title for s in result.shows] == ["Signal"]
    assert [e.line for e in result.errors] == [3]


def test_control_characters_are_refused_and_shown_escaped(tmp_path: Path) -> None:
    content = b"title,year\nA\x00B,2016\nC\x1bD,2016\nGood,2017\n"
    result = parse_import(write(tmp_path, "shows.csv", content))
    assert [s.title for s in result.shows] == ["Good"]
    assert [(e.line, e.record) for e in result.errors] == [(2, "'A\\u0000B'"), (3, "'C\\u001bD'")]
    assert all("\x00" not in str(e) and "\x1b" not in str(e) for e in result.errors)


def test_wrong_types_in_json_are_problems(tmp_path: Path) -> None:
    content = json.dumps(
        [
            {"title": 5},
            {"title": "A", "year": 2016.0},
            {"title": "B", "cast": {"actor": "x"}},
            {"title": "C", "seasons": [{"number": True}]},
            None,
            {"title": "D", "year": float("nan")},
            {"title": "Good"},
        ]
    )
    result = parse_import(write(tmp_path, "shows.json", content))
    assert [s.title for s in result.shows] == ["Good"]
    assert len(result.errors) == 6


def test_lone_surrogate_escape_is_refused(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.json", '[{"title": "a\\ud800b"}, {"title": "ok"}]'))
    assert [s.title for s in result.shows] == ["ok"]
    assert "U+D800" in result.errors[0].message
    str(result.errors[0]).encode("utf-8")  # printable and encodable: no raw surrogate leaks into the message


def test_format_is_sniffed_when_the_extension_says_nothing(tmp_path: Path) -> None:
    as_json = parse_import(write(tmp_path, "shows.txt", '[{"title": "Signal"}]'))
    as_csv = parse_import(write(tmp_path, "shows.dat", "title\nSignal\n"))
    assert [s.title for s in as_json.shows] == [s.title for s in as_csv.shows] == ["Signal"]


def test_missing_import_file_is_a_problem(tmp_path: Path) -> None:
    result = parse_import(tmp_path / "absent.csv")
    assert result.shows == []
    assert "cannot read the file" in result.errors[0].message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".json", ".txt"]))
def test_any_bytes_give_a_result_never_an_exception(tmp_path: Path, content: bytes, suffix: str) -> None:
    result = parse_import(write(tmp_path, "fuzz" + suffix, content))
    assert all(isinstance(e, ImportProblem) and e.line >= 1 for e in result.errors)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.lists(st.text(max_size=30), min_size=1, max_size=12),
        max_size=8,
    )
)
def test_any_csv_rows_give_a_result_never_an_exception(tmp_path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["title", "native_title", "aliases", "year", "network", "platform", "episodes", "genres"])
    writer.writerows(rows)
    result = parse_import(write(tmp_path, "fuzz.csv", buffer.getvalue()))
    # Every show kept is one of the rows, titled by its first cell.
    assert {s.title for s in result.shows} <= {unicodedata.normalize("NFC", row[0].strip()) for row in rows}
    for show in result.shows:
        assert show.title.strip() == show.title
        assert show.catalog_key


# --- rows, not lines; positions; the fast path ---------------------------------------------------------------


def test_rejected_counts_rows_even_when_several_share_a_line(tmp_path: Path) -> None:
    minified = json.dumps([{"title": "A", "year": 1}, {"title": "B"}, {"title": "C", "year": 3, "genres": 5}, {}])
    result = parse_import(write(tmp_path, "shows.json", minified))
    assert [s.title for s in result.shows] == ["B"]
    assert result.rejected == 3
    assert len(result.errors) == 4  # C has two problems, still one row
    # One line for all of them: the column says which record each problem is about.
    assert [(e.line, e.column) for e in result.errors] == [
        (1, minified.index('{"title": "A"') + 1),
        (1, minified.index('{"title": "C"') + 1),
        (1, minified.index('{"title": "C"') + 1),
        (1, minified.index("{}") + 1),
    ]


def test_rejected_counts_a_csv_row_with_several_problems_once_and_file_problems_not_at_all(tmp_path: Path) -> None:
    content = "title,year,episodes\nSignal,twenty,-3\nStranger,2017,16\nToo,many,cells,here\n"
    result = parse_import(write(tmp_path, "shows.csv", content))
    assert [s.title for s in result.shows] == ["Stranger"]
    assert lines_and_fields(result.errors) == [(2, "year"), (2, "episodes"), (4, None)]
    assert result.rejected == 2


def test_a_json_syntax_error_reports_line_and_column_for_the_command_line(tmp_path: Path) -> None:
    result = parse_import(write(tmp_path, "shows.json", '[\n  {"title": "A"},\n  {"title": "B",}\n]'))
    (error,) = result.errors
    assert error.position == "3:17"  # the "}" where a field name should be
    assert result.rejected == 0


def test_the_same_show_twice_in_one_file_keeps_the_first(tmp_path: Path) -> None:
    content = (
        "title,native_title,year\nStranger,비밀의 숲,2017\nSecret Forest,비밀의 숲,2017\nSecret Forest,비밀의 숲,2020\n"
    )
    result = parse_import(write(tmp_path, "shows.csv", content))
    assert [(s.title, s.year) for s in result.shows] == [("Stranger", 2017), ("Secret Forest", 2020)]
    assert lines_and_fields(result.errors) == [(3, "title")]
    assert "already listed at line 2" in result.errors[0].message


def raw_records() -> list[dict]:
    path = Path(__file__).resolve().parents[2] / "data" / "catalog.json"
    return json.loads(path.read_text(encoding="utf-8"))["shows"]


@pytest.mark.parametrize(
    "record",
    [
        *raw_records(),
        {"title": "  Signal Two ", "aliases": ["A", "a", " b "], "year": 2016},
        {"title": unicodedata.normalize("NFD", "시그널"), "native_title": unicodedata.normalize("NFD", "시그널")},
        {"title": "X", "seasons": [{"number": 2, "premiere_date": "2026-01-01"}, {"number": 1, "episodes": 8}]},
        {"title": "X", "network": "   ", "cast": [{"actor": "A", "character": "", "nicknames": ["n", "N"]}]},
    ],
)
def test_the_fast_path_reads_a_good_record_exactly_as_the_careful_one(record) -> None:
    from bot.providers.catalog.records import careful_read, fast_fields

    careful, problems = careful_read(record, require_key=False)
    assert problems == []
    fast = fast_fields(record, require_key=False)
    assert fast is not None, "a good record must take the fast path"
    assert Show(**fast) == careful


def test_a_wide_space_is_left_to_the_careful_path_which_accepts_it() -> None:
    from bot.providers.catalog.records import read_record

    show, problems = read_record({"title": "Signal\u3000Two"}, require_key=False)
    assert problems == []
    assert show is not None
    assert show.title == "Signal\u3000Two"


@pytest.mark.parametrize(
    "record",
    [
        {"title": "Tab\there"},
        {"title": "X", "year": 1900},
        {"title": "X", "status": "Cancelled"},
        {"title": "X", "seasons": [{"number": 1}, {"number": 1}]},
        {"title": "X", "based_on": [{"kind": "opera"}]},
        {"title": "X", "key": "Not A Key"},
        {"title": "X", "aliases": [""]},
        {"title": "X" * 201},
        {"title": "X", "country": "kr"},
    ],
)
def test_the_fast_path_leaves_every_bad_record_to_the_careful_one(record) -> None:
    from bot.providers.catalog.records import careful_read, fast_fields

    assert fast_fields(record, require_key=False) is None
    assert careful_read(record, require_key=False)[1] != []
