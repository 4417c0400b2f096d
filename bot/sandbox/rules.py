"""Discord's payload rules as the sandbox enforces them: length and count limits, and who a message pings.

Each ``check_*`` function returns a list of ``Problem``; ``form_errors`` turns them into the nested ``errors``
object of Discord's 50035 "Invalid Form Body" answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.protocol import JSON, SELECTS, ButtonStyle, ComponentType, walk_components

Path = tuple[str | int, ...]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBEDS_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_PLACEHOLDER_MAX = 150
V2_COMPONENTS_MAX = 40
AUTOCOMPLETE_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_LENGTH_MAX = 4000
TEXT_INPUT_PLACEHOLDER_MAX = 100

IS_COMPONENTS_V2 = 1 << 15

USER_MENTION = re.compile(r"<@!?(\d{1,20})>")
ROLE_MENTION = re.compile(r"<@&(\d{1,20})>")


@dataclass(frozen=True)
class Problem:
    path: Path
    code: str
    message: str

    def describe(self) -> str:
        where = ".".join(str(p) for p in self.path) or "(body)"
        return f"{where}: {self.message}"


def _too_long(path: Path, value: Any, limit: int) -> list[Problem]:
    if isinstance(value, str) and len(value) > limit:
        return [Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def _length_between(path: Path, value: Any, low: int, high: int) -> list[Problem]:
    if not isinstance(value, str) or not low <= len(value) <= high:
        return [Problem(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")]
    return []


def _too_many(path: Path, items: Sequence[Any], limit: int) -> list[Problem]:
    if len(items) > limit:
        return [Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def embed_text_length(embed: JSON) -> int:
    """The characters of one embed that count towards the 6000 per-message total."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for fld in embed.get("fields") or []:
        total += len(fld.get("name") or "") + len(fld.get("value") or "")
    return total


# Discord takes only web links in an embed, and for its pictures also a file uploaded with the message.
WEB_SCHEMES = frozenset({"http", "https"})
PICTURE_SCHEMES = WEB_SCHEMES | {"attachment"}
# Where an embed holds a URL, and the schemes Discord accepts there.
EMBED_URLS: tuple[tuple[Path, frozenset[str]], ...] = (
    (("url",), WEB_SCHEMES),
    (("author", "url"), WEB_SCHEMES),
    (("author", "icon_url"), PICTURE_SCHEMES),
    (("footer", "icon_url"), PICTURE_SCHEMES),
    (("thumbnail", "url"), PICTURE_SCHEMES),
    (("image", "url"), PICTURE_SCHEMES),
)


def well_formed_url(value: str, schemes: frozenset[str]) -> bool:
    """An absolute URL with one of ``schemes`` and something after ``scheme://``."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in schemes and bool(parts.netloc) and not any(c.isspace() for c in value)


def _check_url(path: Path, value: Any, schemes: frozenset[str]) -> list[Problem]:
    if value is None or (isinstance(value, str) and well_formed_url(value, schemes)):
        return []
    return [Problem(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")]


def _embed_urls(at: Path, embed: JSON) -> list[Problem]:
    problems: list[Problem] = []
    for path, schemes in EMBED_URLS:
        node: Any = embed
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        problems += _check_url((*at, *path), node, schemes)
    return problems


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def check_embeds(embeds: Sequence[JSON]) -> list[Problem]:
    problems = _too_many(("embeds",), embeds, EMBEDS_MAX)
    for i, embed in enumerate(embeds):
        at: Path = ("embeds", i)
        problems += _embed_urls(at, embed)
        problems += _too_long((*at, "title"), embed.get("title"), EMBED_TITLE_MAX)
        problems += _too_long((*at, "description"), embed.get("description"), EMBED_DESCRIPTION_MAX)
        problems += _too_long((*at, "footer", "text"), (embed.get("footer") or {}).get("text"), EMBED_FOOTER_MAX)
        problems += _too_long((*at, "author", "name"), (embed.get("author") or {}).get("name"), EMBED_AUTHOR_MAX)
        fields = embed.get("fields") or []
        problems += _too_many((*at, "fields"), fields, EMBED_FIELDS_MAX)
        for j, fld in enumerate(fields):
            for key, limit in (("name", EMBED_FIELD_NAME_MAX), ("value", EMBED_FIELD_VALUE_MAX)):
                value = fld.get(key)
                if not value:
                    problems.append(Problem((*at, "fields", j, key), "BASE_TYPE_REQUIRED", "This field is required"))
                else:
                    problems += _too_long((*at, "fields", j, key), value, limit)
    total = sum(embed_text_length(e) for e in embeds)
    if total > EMBEDS_TOTAL_MAX:
        problems.append(
            Problem(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBEDS_TOTAL_MAX}")
        )
    return problems


def _check_interactive(path: Path, component: JSON) -> list[Problem]:
    """Buttons and selects: custom ids, labels, options."""
    problems: list[Problem] = []
    kind = component.get("type")
    if kind == ComponentType.BUTTON:
        if component.get("style") == ButtonStyle.LINK:
            if not component.get("url"):
                problems.append(Problem((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required"))
            else:
                problems += _check_url((*path, "url"), component.get("url"), WEB_SCHEMES | {"discord"})
        elif component.get("style") != ButtonStyle.PREMIUM:
            problems += _length_between((*path, "custom_id"), component.get("custom_id"), 1, CUSTOM_ID_MAX)
        problems += _too_long((*path, "label"), component.get("label"), BUTTON_LABEL_MAX)
    elif kind in SELECTS:
        problems += _length_between((*path, "custom_id"), component.get("custom_id"), 1, CUSTOM_ID_MAX)
        problems += _too_long((*path, "placeholder"), component.get("placeholder"), SELECT_PLACEHOLDER_MAX)
        if kind == ComponentType.STRING_SELECT:
            options = component.get("options") or []
            if not options:
                problems.append(Problem((*path, "options"), "BASE_TYPE_REQUIRED", "This field is required"))
            problems += _too_many((*path, "options"), options, SELECT_OPTIONS_MAX)
            for k, option in enumerate(options):
                problems += _length_between((*path, "options", k, "label"), option.get("label"), 1, 100)
                problems += _length_between((*path, "options", k, "value"), option.get("value"), 1, 100)
    return problems


def _check_row(path: Path, row: JSON) -> list[Problem]:
    children = row.get("components") or []
    problems: list[Problem] = []
    if not children:
        problems.append(Problem((*path, "components"), "BASE_TYPE_REQUIRED", "This field is required"))
    buttons = [c for c in children if c.get("type") == ComponentType.BUTTON]
    selects = [c for c in children if c.get("type") in SELECTS]
    problems += _too_many((*path, "components"), buttons, ROW_BUTTONS_MAX)
    if selects and len(children) > 1:
        problems.append(
            Problem((*path, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select menu must be alone in its row")
        )
    for k, child in enumerate(children):
        problems += _check_interactive((*path, "components", k), child)
    return problems


def check_components(components: Sequence[JSON], flags: int = 0) -> list[Problem]:
    problems: list[Problem] = []
    ids: list[str] = []
    if flags & IS_COMPONENTS_V2:
        count = sum(1 for _ in walk_components(components))
        if count > V2_COMPONENTS_MAX:
            problems.append(
                Problem(("components",), "BASE_TYPE_MAX_LENGTH", f"Must be {V2_COMPONENTS_MAX} or fewer in total.")
            )
    else:
        problems += _too_many(("components",), components, ACTION_ROWS_MAX)
    for i, component in enumerate(components):
        if component.get("type") == ComponentType.ACTION_ROW:
            problems += _check_row(("components", i), component)
        elif not flags & IS_COMPONENTS_V2:
            problems.append(
                Problem(("components", i, "type"), "UNION_TYPE_CHOICES", "Top-level components must be action rows")
            )
        else:
            problems += _check_v2(("components", i), component)
    for component in walk_components(components):
        cid = component.get("custom_id")
        if isinstance(cid, str):
            ids.append(cid)
    duplicates = sorted({cid for cid in ids if ids.count(cid) > 1})
    if duplicates:
        problems.append(
            Problem(("components",), "COMPONENT_CUSTOM_ID_DUPLICATED", f"Duplicate custom_id: {', '.join(duplicates)}")
        )
    return problems


def _check_v2(path: Path, component: JSON) -> list[Problem]:
    problems: list[Problem] = []
    if component.get("type") == ComponentType.ACTION_ROW:
        return _check_row(path, component)
    for k, child in enumerate(component.get("components") or []):
        problems += _check_v2((*path, "components", k), child)
    accessory = component.get("accessory")
    if isinstance(accessory, dict):
        problems += _check_interactive((*path, "accessory"), accessory)
    return problems


def check_message(payload: JSON, *, creating: bool, has_files: bool = False) -> list[Problem]:
    """Rules for a message body (channel message, interaction response data, followup or edit)."""
    problems: list[Problem] = []
    content = payload.get("content")
    if content is not None and not isinstance(content, str):
        problems.append(Problem(("content",), "BASE_TYPE_STRING", "Must be a string."))
    problems += _too_long(("content",), content, CONTENT_MAX)
    embeds = payload.get("embeds") or []
    if payload.get("embed"):
        embeds = [*embeds, payload["embed"]]
    problems += check_embeds(embeds)
    flags = int(payload.get("flags") or 0)
    problems += check_components(payload.get("components") or [], flags)
    if flags & IS_COMPONENTS_V2 and (content or embeds):
        problems.append(
            Problem(
                ("content",), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2", "Not allowed with V2 components"
            )
        )
    empty = not content and not embeds and not payload.get("components") and not has_files
    if creating and empty and not payload.get("sticker_ids") and not payload.get("poll"):
        problems.append(Problem((), "EMPTY_MESSAGE", "Cannot send an empty message"))
    problems += check_allowed_mentions(payload.get("allowed_mentions"))
    return problems


def check_allowed_mentions(allowed: Any) -> list[Problem]:
    if not isinstance(allowed, dict):
        return []
    problems: list[Problem] = []
    parse = allowed.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            problems.append(
                Problem(
                    ("allowed_mentions", kind),
                    "ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )
            )
        problems += _too_many(("allowed_mentions", kind), allowed.get(kind) or [], 100)
    return problems


def check_autocomplete(data: JSON) -> list[Problem]:
    choices = data.get("choices")
    if not isinstance(choices, list):
        return [Problem(("data", "choices"), "BASE_TYPE_REQUIRED", "This field is required")]
    problems = _too_many(("data", "choices"), choices, AUTOCOMPLETE_CHOICES_MAX)
    for i, choice in enumerate(choices):
        problems += _length_between(("data", "choices", i, "name"), choice.get("name"), 1, CHOICE_NAME_MAX)
        value = choice.get("value")
        if isinstance(value, str):
            problems += _too_long(("data", "choices", i, "value"), value, CHOICE_VALUE_MAX)
        elif not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(Problem(("data", "choices", i, "value"), "BASE_TYPE_REQUIRED", "This field is required"))
    return problems


def _check_text_input(path: Path, component: JSON, label: Any) -> list[Problem]:
    problems = _length_between((*path, "custom_id"), component.get("custom_id"), 1, CUSTOM_ID_MAX)
    if label is not None:
        problems += _length_between((*path, "label"), label, 1, TEXT_INPUT_LABEL_MAX)
    for key, low in (("min_length", 0), ("max_length", 1)):
        value = component.get(key)
        if value is not None and int(value) < low:
            problems.append(
                Problem((*path, key), "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {low}.")
            )
        elif value is not None and int(value) > TEXT_INPUT_LENGTH_MAX:
            problems.append(
                Problem(
                    (*path, key),
                    "NUMBER_TYPE_MAX",
                    f"int value should be less than or equal to {TEXT_INPUT_LENGTH_MAX}.",
                )
            )
    problems += _too_long((*path, "value"), component.get("value"), TEXT_INPUT_LENGTH_MAX)
    problems += _too_long((*path, "placeholder"), component.get("placeholder"), TEXT_INPUT_PLACEHOLDER_MAX)
    return problems


def check_modal(data: JSON) -> list[Problem]:
    problems = _length_between(("data", "title"), data.get("title"), 1, MODAL_TITLE_MAX)
    problems += _length_between(("data", "custom_id"), data.get("custom_id"), 1, CUSTOM_ID_MAX)
    components = data.get("components") or []
    if not 1 <= len(components) <= MODAL_COMPONENTS_MAX:
        problems.append(
            Problem(("data", "components"), "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MODAL_COMPONENTS_MAX}.")
        )
    for i, component in enumerate(components):
        at: Path = ("data", "components", i)
        kind = component.get("type")
        if kind == ComponentType.ACTION_ROW:
            children = component.get("components") or []
            if len(children) != 1:
                problems.append(Problem((*at, "components"), "BASE_TYPE_BAD_LENGTH", "Must be 1 in length."))
            for k, child in enumerate(children):
                if child.get("type") == ComponentType.TEXT_INPUT:
                    problems += _check_text_input((*at, "components", k), child, child.get("label"))
                else:
                    problems += _check_interactive((*at, "components", k), child)
        elif kind == ComponentType.LABEL:
            problems += _length_between((*at, "label"), component.get("label"), 1, TEXT_INPUT_LABEL_MAX)
            problems += _too_long((*at, "description"), component.get("description"), 100)
            inner = component.get("component") or {}
            if inner.get("type") == ComponentType.TEXT_INPUT:
                if inner.get("label") is not None:
                    problems.append(
                        Problem((*at, "component", "label"), "BASE_TYPE_BAD", "A text input in a label has no label")
                    )
                problems += _check_text_input((*at, "component"), inner, None)
            else:
                problems += _check_interactive((*at, "component"), inner)
        elif kind != ComponentType.TEXT_DISPLAY:
            problems.append(Problem((*at, "type"), "UNION_TYPE_CHOICES", "Not a modal component"))
    # A submission names each input by its custom id, so Discord refuses a modal where two share one.
    ids: list[str] = [str(c["custom_id"]) for c in walk_components(components) if isinstance(c.get("custom_id"), str)]
    duplicates = sorted({cid for cid in ids if ids.count(cid) > 1})
    if duplicates:
        problems.append(
            Problem(
                ("data", "components"),
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                f"Duplicate custom_id: {', '.join(duplicates)}",
            )
        )
    return problems


# The message fields the sandbox's own rules read, with the JSON type each must have. Discord refuses a body whose
# fields have the wrong type before anything else; without the OpenAPI description at hand this is what checks it.
_MESSAGE_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "content": (str,),
    "embeds": (list,),
    "components": (list,),
    "allowed_mentions": (dict,),
    "attachments": (list,),
    "flags": (int,),
    "tts": (bool,),
}
_EMBED_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "description": (str,),
    "url": (str,),
    "fields": (list,),
    "footer": (dict,),
    "author": (dict,),
    "thumbnail": (dict,),
    "image": (dict,),
    "color": (int,),
}


def shape_problems(body: JSON) -> list[Problem]:
    """Fields of a message body (or an interaction callback's ``data``) whose JSON type is wrong."""
    found: list[Problem] = []

    def typed(path: Path, value: Any, allowed: tuple[type, ...]) -> bool:
        if value is None or (isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)):
            return True
        expected = "array" if list in allowed else "object" if dict in allowed else allowed[0].__name__
        found.append(Problem(path, "BASE_TYPE_BAD", f"Must be of type {expected}."))
        return False

    def message(prefix: Path, fields: JSON) -> None:
        for name, allowed in _MESSAGE_FIELD_TYPES.items():
            typed((*prefix, name), fields.get(name), allowed)
        embeds = fields.get("embeds")
        for i, embed in enumerate(embeds if isinstance(embeds, list) else []):
            where: Path = (*prefix, "embeds", i)
            if not typed(where, embed, (dict,)):
                continue
            for name, allowed in _EMBED_FIELD_TYPES.items():
                typed((*where, name), embed.get(name), allowed)
            listed = embed.get("fields")
            for j, field in enumerate(listed if isinstance(listed, list) else []):
                typed((*where, "fields", j), field, (dict,))

    message((), body)
    data = body.get("data")
    if isinstance(data, dict):
        message(("data",), data)
    return found


def form_errors(problems: Iterable[Problem]) -> JSON:
    """Discord's nested error tree: ``{"embeds": {"0": {"title": {"_errors": [...]}}}}``."""
    tree: JSON = {}
    for problem in problems:
        node = tree
        for part in problem.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return tree


@dataclass(frozen=True)
class Mentions:
    """What a message's content would notify."""

    user_ids: tuple[int, ...]
    role_ids: tuple[int, ...]
    everyone: bool
    here: bool

    @property
    def any(self) -> bool:
        return bool(self.user_ids or self.role_ids or self.everyone or self.here)


def _unique(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(ids))


def resolve_mentions(content: str, allowed: Any) -> Mentions:
    """Apply Discord's ``allowed_mentions`` semantics to what ``content`` mentions.

    Absent ``allowed_mentions`` means everything parsed pings. Present, only what ``parse`` lists or the
    ``users``/``roles`` id lists name pings; ``@everyone``/``@here`` need ``parse`` to contain "everyone".
    Embeds never ping, so only content is read.
    """
    users = _unique(int(m) for m in USER_MENTION.findall(content))
    roles = _unique(int(m) for m in ROLE_MENTION.findall(content))
    everyone = "@everyone" in content
    here = "@here" in content
    if not isinstance(allowed, dict):
        return Mentions(users, roles, everyone, here)
    parse = set(allowed.get("parse") or [])
    allowed_users = {int(u) for u in allowed.get("users") or []}
    allowed_roles = {int(r) for r in allowed.get("roles") or []}
    return Mentions(
        users if "users" in parse else tuple(u for u in users if u in allowed_users),
        roles if "roles" in parse else tuple(r for r in roles if r in allowed_roles),
        everyone and "everyone" in parse,
        here and "everyone" in parse,
    )
