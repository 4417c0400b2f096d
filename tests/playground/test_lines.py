"""Playground lines are read the way Discord's client reads a typed command."""

import pytest

from bot.playground.lines import ScriptError, parse_line

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
