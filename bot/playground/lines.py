"""Parsing playground lines as Discord's client reads them: ``/drama info title:The Trauma Code season:2``."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.sandbox.protocol import JSON, OptionType
from bot.sandbox.rules import shorten

SUBCOMMANDS = (OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP)
# What an option name looks like (Discord: lowercase, up to 32 characters) when typed as ``name:value``;
# ``Lovers: Scarlet`` (a space after the colon) or ``Re:Zero`` (capitals) are text, not an option.
_OPTION_LIKE = re.compile(r"(?:^|\s)([-_\w]{1,32}):(?=\S|$)")


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
        raise ScriptError(f"unknown command /{shorten(words[0] if words else '', 40)}; commands: {known}")
    path = [words[0]]
    options: list[JSON] = by_name[words[0]].get("options") or []
    rest = words[1:]
    while rest:
        sub = next((o for o in options if o["type"] in SUBCOMMANDS and o["name"] == rest[0]), None)
        if sub is None:
            break
        path.append(rest.pop(0))
        options = sub.get("options") or []
    subs = [o["name"] for o in options if o["type"] in SUBCOMMANDS]
    if subs:
        given = f" (not {shorten(rest[0], 40)!r})" if rest else ""
        raise ScriptError(f"/{' '.join(path)} needs one of: {', '.join(subs)}{given}")
    return " ".join(path), options, " ".join(rest).strip()


def parse_options(text: str, specs: Iterable[JSON]) -> dict[str, str]:
    """``name:value other:value``: a value runs up to the next known option name followed by a colon.

    A ``word:`` that looks like an option but is none of this command's is refused by name (Discord's client
    would not have let it through either), rather than read as part of the previous value.
    """
    names = [s["name"] for s in specs]
    if not text:
        return {}
    if not names:
        raise ScriptError(f"this command takes no options (got {shorten(text, 40)!r})")
    for match in _OPTION_LIKE.finditer(text):
        word = match.group(1)
        # A clock time ("21:30" in ``when:tomorrow 21:30``) is text, not an option.
        if word not in names and word == word.lower() and not word.isdigit():
            raise ScriptError(_unknown_option(word, names))
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


def _unknown_option(word: str, names: list[str]) -> str:
    close = difflib.get_close_matches(word, names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"no option {shorten(word, 32)!r}{hint}; this command takes: {', '.join(names)}"


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
        raise ScriptError(f"don't know {shorten(verb, 40)!r}; type help")
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


VERB_HELP = (
    ("complete /drama info title:tra", "the autocomplete suggestions for the option being typed (the last one)"),
    ("click LABEL", "press a button of the last reply by its label"),
    ("select VALUE, VALUE", "choose in the select menu of the last reply, when it has one"),
    ("fill Label=value | Label=value", "submit the form the last reply opened, when it opened one"),
    ("reveal", "show the last reply with its spoilers uncovered"),
    ("as NAME", "act as another member"),
    ("expect TEXT", "(scripts) fail unless the last reply contains TEXT"),
    ("wait", "let the bot finish what it is still doing"),
    ("help, quit", ""),
)


def command_usages(commands: Iterable[JSON]) -> list[str]:
    """Every command the bot synced, as typed: ``/drama episodes title [season]``."""
    usages: list[str] = []

    def walk(path: str, options: list[JSON]) -> None:
        subs = [o for o in options if o.get("type") in SUBCOMMANDS]
        if subs:
            for sub in subs:
                walk(f"{path} {sub['name']}", sub.get("options") or [])
            return
        words = [o["name"] if o.get("required") else f"[{o['name']}]" for o in options]
        usages.append(" ".join([path, *words]))

    for command in sorted(commands, key=lambda c: str(c.get("name"))):
        if command.get("type", 1) == 1:
            walk("/" + str(command["name"]), command.get("options") or [])
    return usages


def help_text(commands: Iterable[JSON], members: Iterable[str]) -> str:
    """What can be typed here now: the bot's commands as synced, and the playground's own verbs."""
    lines = ["Slash commands, typed as in Discord with options as name:value (a value runs to the next option):"]
    lines += [f"  {usage}" for usage in command_usages(commands)]
    lines.append("  e.g. /drama info title:The Trauma Code")
    lines.append("Also:")
    width = max(len(verb) for verb, _ in VERB_HELP)
    for verb, text in VERB_HELP:
        if verb == "as NAME":
            text = f"{text} ({', '.join(members)})"
        lines.append(f"  {verb:<{width}}  {text}".rstrip())
    return "\n".join(lines)
