"""Playground lines are read the way Discord's client reads a typed command."""

import pytest

from bot.playground.lines import VERBS, ScriptError, help_text, parse_line

COMMANDS = [
    {
        "name": "drama",
        "options": [
            {"type": 1, "name": "info", "options": [{"type": 3, "name": "title"}]},
            {"type": 1, "name": "episodes", "options": [{"type": 3, "name": "title"}, {"type": 4, "name": "season"}]},
        ],
    },
    {"name": "about", "options": []},
]


def test_a_value_runs_to_the_next_option_name_and_may_hold_colons_and_spaces():
    line = parse_line("/drama episodes title:Moon Lovers: Scarlet Heart Ryeo season:2", COMMANDS)
    assert line.verb == "slash"
    assert line.path == "drama episodes"
    assert line.options == {"title": "Moon Lovers: Scarlet Heart Ryeo", "season": "2"}


def test_options_may_come_in_any_order_and_commands_may_take_none():
    line = parse_line("/drama episodes season:1 title:중증외상센터", COMMANDS)
    assert line.options == {"season": "1", "title": "중증외상센터"}
    assert parse_line("/about", COMMANDS).options == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/nosuch", "unknown command /nosuch"),
        ("/drama", "needs one of: info, episodes"),
        ("/drama info The Trauma Code", "options are written name:value"),
        ("/drama info title:a title:b", "given twice"),
        ("/about extra:1", "takes no options"),
        ("dance", "don't know 'dance'"),
        ("click", "click needs an argument"),
        ("fill Headline", "Label=value"),
    ],
)
def test_bad_lines_say_what_would_work(text, message):
    with pytest.raises(ScriptError, match=message):
        parse_line(text, COMMANDS)


def test_other_verbs():
    assert parse_line("   ", COMMANDS) is None
    assert parse_line("# a comment", COMMANDS) is None
    assert parse_line("as Bob", COMMANDS).argument == "Bob"
    assert parse_line("click Next ▶", COMMANDS).argument == "Next ▶"
    assert parse_line("fill Headline=Wow | Spoilers=He lives", COMMANDS).fields == {
        "Headline": "Wow",
        "Spoilers": "He lives",
    }
    complete = parse_line("complete /drama info title:tra", COMMANDS)
    assert (complete.verb, complete.path, complete.options) == ("complete", "drama info", {"title": "tra"})
    assert parse_line("exit", COMMANDS).verb == "quit"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/drama info title:Goblin color:red", r"no option 'color'; this command takes: title$"),
        ("/drama info titl:The Trauma Code", r"no option 'titl' \(did you mean title\?\)"),
        ("/drama info titl:", r"no option 'titl' \(did you mean title\?\)"),
        ("/drama episodes title:Goblin seasn:2", r"no option 'seasn' \(did you mean season\?\)"),
    ],
)
def test_an_option_that_does_not_exist_is_named(text, message):
    with pytest.raises(ScriptError, match=message):
        parse_line(text, COMMANDS)


def test_colons_inside_a_title_are_not_options():
    line = parse_line("/drama info title:Re:Zero Moon Lovers: Scarlet Heart Ryeo", COMMANDS)
    assert line.options == {"title": "Re:Zero Moon Lovers: Scarlet Heart Ryeo"}


@pytest.mark.parametrize(
    "text",
    [
        "/" + "x" * 10_000,
        "/drama " + "x" * 10_000,
        "/about " + "x" * 10_000,
        "x" * 10_000,
        "/drama info " + "x" * 10_000 + ":1",
    ],
)
def test_an_error_never_repeats_a_long_line_in_full(text):
    with pytest.raises(ScriptError) as caught:
        parse_line(text, COMMANDS)
    assert len(str(caught.value)) < 200


def test_help_lists_the_commands_as_synced_and_nothing_else():
    text = help_text(COMMANDS, ["alice", "bob"])
    usages = [line.strip() for line in text.splitlines() if line.startswith("  /")]
    assert usages == ["/about", "/drama info [title]", "/drama episodes [title] [season]"]
    assert "act as another member (alice, bob)" in text
    also = text.splitlines()[text.splitlines().index("Also:") + 1 :]
    verbs = set()
    for line in also:
        first, second = [*line.split(), ""][:2]
        verbs |= {first.rstrip(","), second} if first.endswith(",") else {first}
    assert verbs == set(VERBS) - {"exit"}


def test_a_clock_time_in_a_value_is_text_not_an_option():
    line = parse_line("/drama episodes title:Night 21:30 club season:2", COMMANDS)
    assert line.options == {"title": "Night 21:30 club", "season": "2"}
