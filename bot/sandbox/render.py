"""Plain-text rendering of a Discord message payload: content, embeds, buttons and selects, as a user would
read them. Spoilers (``||...||``) stay hidden as ``[spoiler hidden]`` unless revealed, as in Discord's client.

Used by the terminal playground and by tests that assert on what a user sees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.sandbox.protocol import JSON, SELECTS, ButtonStyle, ComponentType

SPOILER_HIDDEN = "[spoiler hidden]"
_SPOILER = re.compile(r"\|\|(.+?)\|\|", re.DOTALL)
# Code blocks and inline code are literal in Discord: no spoilers, no mentions inside them. An escape (a backslash
# before any character but a letter, digit or space) is literal too; whichever starts first wins, as in Discord.
# Set-aside literals stand in the text as characters of a private-use plane while the markup rules run (any such
# character already in the text is set aside as itself).
_HELD_BASE = 0xF0000
_HELD = re.compile("[\U000f0000-\U000ffffd]")
_LITERAL = re.compile(r"\\([^0-9A-Za-z\s])|(```.*?```|`[^`\n]+`|[\U000F0000-\U000FFFFD])", re.DOTALL)
_TIMESTAMP = re.compile(r"<t:(-?\d{1,13})(?::([tTdDfFR]))?>")
_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>")

_TIME_FORMATS = {
    "t": "%H:%M",
    "T": "%H:%M:%S",
    "d": "%Y-%m-%d",
    "D": "%d %B %Y",
    "f": "%d %B %Y %H:%M",
    "F": "%A, %d %B %Y %H:%M",
    "R": "%Y-%m-%d %H:%M",
}
_BUTTON_STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link", 6: "premium"}


def render_timestamp(match: re.Match[str]) -> str:
    """``<t:UNIX:STYLE>`` as a fixed UTC time (a viewer's client would use their own zone)."""
    moment = datetime.fromtimestamp(int(match.group(1)), tz=UTC)
    return moment.strftime(_TIME_FORMATS.get(match.group(2) or "f", "%d %B %Y %H:%M")) + " UTC"


def render_text(text: str, *, reveal_spoilers: bool = False, names: Mapping[str, str] | None = None) -> str:
    """Markdown text as seen: spoilers hidden (or revealed), timestamps and known mentions spelled out.

    Read left to right as Discord's parser reads it: a backslash before a character that is not a letter, digit or
    space shows that character as itself (and the backslash not at all), and code is literal. Both are set aside
    first, so an escaped ``|`` or backtick can neither open nor close a spoiler or a code span.
    """
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(match.group(1) if match.group(1) is not None else match.group(2))
        return chr(_HELD_BASE + len(held) - 1)

    part = _LITERAL.sub(hold, text)
    part = _SPOILER.sub(lambda m: m.group(1) if reveal_spoilers else SPOILER_HIDDEN, part)
    part = _TIMESTAMP.sub(render_timestamp, part)
    if names:
        part = _MENTION.sub(lambda m: names.get(m.group(0).replace("<@!", "<@"), m.group(0)), part)
    return _HELD.sub(lambda m: held[ord(m.group()) - _HELD_BASE], part)


def _plain(text: Any) -> str:
    # Discord does not apply markdown (spoilers included) in embed titles, field names, footers or author names.
    return str(text) if text is not None else ""


def render_embed(embed: JSON, *, reveal_spoilers: bool = False, names: Mapping[str, str] | None = None) -> list[str]:
    lines: list[str] = []

    def rich(text: Any) -> str:
        return render_text(str(text), reveal_spoilers=reveal_spoilers, names=names)

    author = (embed.get("author") or {}).get("name")
    if author:
        lines.append(f"{_plain(author)}")
    title = embed.get("title")
    if title:
        url = embed.get("url")
        lines.append(f"** {_plain(title)} **" + (f" <{url}>" if url else ""))
    description = embed.get("description")
    if description:
        lines.extend(rich(description).splitlines())
    for fld in embed.get("fields") or []:
        marker = " (inline)" if fld.get("inline") else ""
        lines.append(f"- {_plain(fld.get('name'))}{marker}:")
        lines.extend("    " + line for line in rich(fld.get("value", "")).splitlines())
    image = (embed.get("image") or {}).get("url")
    if image:
        lines.append(f"[image {image}]")
    thumbnail = (embed.get("thumbnail") or {}).get("url")
    if thumbnail:
        lines.append(f"[thumbnail {thumbnail}]")
    footer = (embed.get("footer") or {}).get("text")
    if footer:
        lines.append(f"-- {_plain(footer)}")
    if embed.get("timestamp"):
        lines.append(f"-- {embed['timestamp']}")
    return ["| " + line if line else "|" for line in lines] or ["| (empty embed)"]


def render_button(button: JSON) -> str:
    emoji = (button.get("emoji") or {}).get("name")
    label = " ".join(x for x in (emoji, button.get("label")) if x) or button.get("custom_id") or "button"
    notes = []
    if button.get("style") == ButtonStyle.LINK:
        notes.append(f"-> {button.get('url')}")
    elif button.get("style") in (ButtonStyle.PRIMARY, ButtonStyle.SUCCESS, ButtonStyle.DANGER):
        notes.append(_BUTTON_STYLES[button["style"]])
    if button.get("disabled"):
        notes.append("disabled")
    return f"[ {label} ]" + (f" ({', '.join(notes)})" if notes else "")


def render_select(select: JSON) -> str:
    placeholder = select.get("placeholder") or "Make a selection"
    kind = {5: "user", 6: "role", 7: "mentionable", 8: "channel"}.get(select.get("type", 3))
    disabled = " (disabled)" if select.get("disabled") else ""
    if kind:
        return f"< {placeholder} > ({kind} select{', disabled' if disabled else ''})"
    options = " | ".join(str(o.get("label")) + (" *" if o.get("default") else "") for o in select.get("options") or [])
    return f"< {placeholder}: {options} >{disabled}"


def render_components(
    components: Any, *, reveal_spoilers: bool = False, names: Mapping[str, str] | None = None, indent: str = ""
) -> list[str]:
    lines: list[str] = []
    for component in components or []:
        kind = component.get("type")
        if kind == ComponentType.ACTION_ROW:
            parts = []
            for child in component.get("components") or []:
                if child.get("type") == ComponentType.BUTTON:
                    parts.append(render_button(child))
                else:
                    parts.append(render_select(child))
            lines.append(indent + " ".join(parts))
        elif kind == ComponentType.BUTTON:
            lines.append(indent + render_button(component))
        elif kind in SELECTS:
            lines.append(indent + render_select(component))
        elif kind == ComponentType.TEXT_DISPLAY:
            text = render_text(component.get("content", ""), reveal_spoilers=reveal_spoilers, names=names)
            lines.extend(indent + line for line in text.splitlines())
        elif kind == ComponentType.SECTION:
            lines.extend(
                render_components(
                    component.get("components"), reveal_spoilers=reveal_spoilers, names=names, indent=indent
                )
            )
            accessory = component.get("accessory")
            if accessory:
                lines.extend(
                    render_components([accessory], reveal_spoilers=reveal_spoilers, names=names, indent=indent)
                )
        elif kind == ComponentType.SEPARATOR:
            lines.append(indent + "-" * 20)
        elif kind == ComponentType.CONTAINER:
            hidden = component.get("spoiler") and not reveal_spoilers
            if hidden:
                lines.append(indent + "[ " + SPOILER_HIDDEN + " ]")
            else:
                lines.extend(
                    render_components(
                        component.get("components"), reveal_spoilers=reveal_spoilers, names=names, indent=indent + "> "
                    )
                )
        elif kind in (ComponentType.THUMBNAIL, ComponentType.MEDIA_GALLERY, ComponentType.FILE):
            lines.append(indent + "[media]")
    return lines


def render_message(message: JSON, *, reveal_spoilers: bool = False, names: Mapping[str, str] | None = None) -> str:
    """A message payload (as Discord's JSON) as readable text."""
    lines: list[str] = []
    flags = int(message.get("flags") or 0)
    if flags & (1 << 6):
        lines.append("(only you can see this)")
    if flags & (1 << 7):
        lines.append("(the bot is thinking...)")
    content = message.get("content")
    if content:
        lines.extend(render_text(content, reveal_spoilers=reveal_spoilers, names=names).splitlines())
    for embed in message.get("embeds") or []:
        lines.extend(render_embed(embed, reveal_spoilers=reveal_spoilers, names=names))
    for attachment in message.get("attachments") or []:
        prefix = "SPOILER_"
        filename = str(attachment.get("filename", "file"))
        hidden = filename.startswith(prefix) and not reveal_spoilers
        lines.append(f"[file {SPOILER_HIDDEN if hidden else filename}]")
    lines.extend(render_components(message.get("components"), reveal_spoilers=reveal_spoilers, names=names))
    return "\n".join(lines)


def render_modal(modal: JSON) -> str:
    """A modal (callback type 9 data) as a form outline."""
    lines = [f"== {modal.get('title', '')} =="]
    for component in modal.get("components") or []:
        if component.get("type") == ComponentType.ACTION_ROW:
            for child in component.get("components") or []:
                lines.append(_render_input(child.get("label"), child))
        elif component.get("type") == ComponentType.LABEL:
            lines.append(_render_input(component.get("label"), component.get("component") or {}))
        elif component.get("type") == ComponentType.TEXT_DISPLAY:
            lines.append(str(component.get("content", "")))
    return "\n".join(lines)


def _render_input(label: Any, component: JSON) -> str:
    required = "" if component.get("required", True) is False else " *"
    style = "paragraph" if component.get("style") == 2 else "short"
    if component.get("type") != ComponentType.TEXT_INPUT:
        style = "select"
    limit = f", max {component['max_length']}" if component.get("max_length") else ""
    return f"{label or component.get('custom_id')}{required} ({style}{limit})"
