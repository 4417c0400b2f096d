"""Parsing playground lines as Discord's client reads them: ``/drama info title:The Trauma Code season:2``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
SUBCOMMAND, GROUP = 1, 2


class ScriptError(ValueError):
    """A line the playground cannot run; the message says why and what would work."""


@dataclass(frozen=True, slots=True)
class Line:
    """One parsed line. ``verb`` is one of: slash, complete, as, click, select, fill, expect, reveal, help, quit."""

    verb: str
    argument: str = ""
    path: str = ""
    options: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)


VERBS = ("as", "click", "select", "fill", "expect", "reveal", "help", "quit", "exit", "complete", "wait")


def split_command(text: str, commands: Iterable[JSON]) -> tuple[str, list[JSON], str]:
    """Split ``/group sub rest`` into the command path, the option specs it takes, and the option text."""
    words = text.lstrip("/").split(" ")
    by_name = {c["name"]: c for c in commands}
    if not words or words[0] not in by_name:
        known = ", ".join(sorted("/" + n for n in by_name))
        raise ScriptError(f"unknown command /{words[0] if words else ''}; commands: {known}")
    path = [words[0]]
    options: list[JSON] = by_name[words[0]].get("options") or []
    rest = words[1:]
    while rest:
        sub = next((o for o in options if o["type"] in (SUBCOMMAND, GROUP) and o["name"] == rest[0]), None)
        if sub is None:
            break
        path.append(rest.pop(0))
        options = sub.get("options") or []
    subs = [o["name"] for o in options if o["type"] in (SUBCOMMAND, GROUP)]
    if subs:
        raise ScriptError(f"/{' '.join(path)} needs one of: {', '.join(subs)}")
    return " ".join(path), options, " ".join(rest).strip()


def parse_options(text: str, specs: Iterable[JSON]) -> dict[str, str]:
    """``name:value other:value``: a value runs up to the next known option name followed by a colon."""
    names = [s["name"] for s in specs]
    if not text:
        return {}
    if not names:
        raise ScriptError("this command takes no options")
    pattern = re.compile(r"(?:^|\s)(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r"):")
    marks = list(pattern.finditer(text))
    if not marks or text[: marks[0].start()].strip():
        raise ScriptError(f"options are written name:value; this command takes: {', '.join(names)}")
    values: dict[str, str] = {}
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        name = mark.group(1)
        if name in values:
            raise ScriptError(f"option {name} is given twice")
        values[name] = text[mark.end() : end].strip()
    return values


def parse_fields(text: str) -> dict[str, str]:
    """``Headline=Great | Spoilers=...``: modal inputs by label (or custom id)."""
    values: dict[str, str] = {}
    for part in text.split(" | "):
        if "=" not in part:
            raise ScriptError("fill takes Label=value pairs separated by ' | '")
        label, value = part.split("=", 1)
        values[label.strip()] = value.strip()
    return values


def parse_line(text: str, commands: Mapping[str, JSON] | Iterable[JSON]) -> Line | None:
    """A line of the playground, or None for blank lines and ``#`` comments."""
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return None
    specs = list(commands.values()) if isinstance(commands, Mapping) else list(commands)
    if stripped.startswith("/"):
        path, options, rest = split_command(stripped, specs)
        return Line("slash", path=path, options=parse_options(rest, options))
    verb, _, argument = stripped.partition(" ")
    verb = verb.lower()
    argument = argument.strip()
    if verb not in VERBS:
        raise ScriptError(f"don't know {verb!r}; type help")
    if verb == "exit":
        verb = "quit"
    if verb == "complete":
        if not argument.startswith("/"):
            raise ScriptError("complete takes a command line whose last option is being typed")
        path, options, rest = split_command(argument, specs)
        return Line("complete", path=path, options=parse_options(rest, options))
    if verb == "fill":
        return Line("fill", fields=parse_fields(argument))
    if verb in ("as", "click", "select", "expect") and not argument:
        raise ScriptError(f"{verb} needs an argument; type help")
    return Line(verb, argument=argument)


HELP = """\
Type slash commands as in Discord:   /drama info title:The Trauma Code
  options are name:value; a value runs to the next option name   /drama episodes title:Goblin season:1
complete /drama info title:tra       show the autocomplete suggestions for the last option
as bob                               act as another member (alice, bob)
click Next ▶                         press a button of the last reply by its label
select VALUE                         choose in the select menu of the last reply
fill Headline=Wow | Spoilers=...     submit the open form (labels as shown)
reveal                               show the last reply with its spoilers uncovered
expect TEXT                          (scripts) fail unless the last reply contains TEXT
help, quit"""
