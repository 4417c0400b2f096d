"""Build the bot offline and check every command against Discord's limits before Discord rejects a sync."""

import re

import pytest
from discord import app_commands

NAME = re.compile(r"^[-_\w]{1,32}$")


def walk(commands):
    for command in commands:
        yield command
        if isinstance(command, app_commands.Group):
            yield from walk(command.commands)


async def test_every_command_meets_discords_limits(offline_bot):
    tree = offline_bot.tree
    top = tree.get_commands()
    assert 1 <= len(top) <= 100
    names = [c.name for c in top]
    assert len(names) == len(set(names)), "top-level names must be unique"
    for command in walk(top):
        where = command.qualified_name
        assert NAME.match(command.name), where
        assert command.name == command.name.lower(), where
        assert 1 <= len(command.description) <= 100, where
        assert command.description != "…", f"{where} has no description"
        payload = command.to_dict(tree)
        assert len(payload.get("options", [])) <= 25, where
        if isinstance(command, app_commands.Group):
            sub = [c.name for c in command.commands]
            assert len(sub) == len(set(sub)), where
            continue
        option_names = [p.name for p in command.parameters]
        assert len(option_names) == len(set(option_names)), where
        for param in command.parameters:
            assert NAME.match(param.name), f"{where} {param.name}"
            assert param.name == param.name.lower(), f"{where} {param.name}"
            assert 1 <= len(param.description) <= 100, f"{where} {param.name}"
            assert param.description != "…", f"{where} option {param.name} has no description"
            assert len(param.choices) <= 25, f"{where} {param.name}"
        # Discord's cap on a command's combined name, description and option text.
        text = command.name + command.description
        text += "".join(p.name + p.description + "".join(c.name for c in p.choices) for p in command.parameters)
        assert len(text) <= 4000, where


async def test_the_designed_commands_are_registered(offline_bot):
    registered = {c.qualified_name for c in walk(offline_bot.tree.get_commands())}
    assert {"drama search", "drama info", "drama episodes", "about"} <= registered


async def test_title_options_autocomplete(offline_bot):
    for command in walk(offline_bot.tree.get_commands()):
        if isinstance(command, app_commands.Command):
            for param in command.parameters:
                if param.name == "title":
                    assert param.autocomplete, f"{command.qualified_name} title has no autocomplete"


async def test_the_tree_hash_is_stable_and_content_based(offline_bot):
    before = offline_bot.tree_hash()
    assert offline_bot.tree_hash() == before
    assert len(before) == 64


@pytest.mark.parametrize(
    "change",
    [
        lambda tree: setattr(tree.get_command("about"), "description", "Something else"),
        lambda tree: setattr(tree.get_command("drama").get_command("info"), "description", "Something else"),
        lambda tree: setattr(tree.get_command("drama").get_command("info")._params["title"], "description", "Other"),
        lambda tree: setattr(tree.get_command("drama").get_command("episodes")._params["season"], "required", True),
    ],
    ids=["top-level description", "subcommand description", "option description", "option required"],
)
async def test_the_tree_hash_changes_when_one_detail_changes(offline_bot, change):
    before = offline_bot.tree_hash()
    change(offline_bot.tree)
    assert offline_bot.tree_hash() != before, "a changed command must be synced again"
