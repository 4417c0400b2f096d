"""Request bodies checked against Discord's official OpenAPI description (``discord/discord-api-spec``).

The description is read from ``../shared/discord-api-spec/openapi.json`` beside the project (never copied into
it); when it is absent the check is skipped and ``OpenApiCheck.load`` says so. Bodies are validated with
jsonschema-rs (JSON Schema 2020-12, as the description is written); each operation's validator is compiled on
first use.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs

from bot.sandbox.protocol import JSON

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC = PROJECT_ROOT.parent / "shared" / "discord-api-spec" / "openapi.json"
MESSAGE_MAX = 300
_METHODS = ("post", "put", "patch")

Location = tuple[str | int, ...]
# JSON Schema keywords and the codes Discord answers the same mistake with.
DISCORD_CODES = {
    "maxLength": "BASE_TYPE_MAX_LENGTH",
    "minLength": "BASE_TYPE_MIN_LENGTH",
    "maxItems": "BASE_TYPE_MAX_LENGTH",
    "minItems": "BASE_TYPE_MIN_LENGTH",
    "required": "BASE_TYPE_REQUIRED",
    "enum": "BASE_TYPE_CHOICES",
    "const": "BASE_TYPE_CHOICES",
    "maximum": "NUMBER_TYPE_MAX",
    "minimum": "NUMBER_TYPE_MIN",
    "type": "BASE_TYPE_BAD",
}


@dataclass(frozen=True)
class Mismatch:
    """Where a body departs from the description, and how."""

    operation: str
    path: Location
    message: str
    keyword: str = ""

    @property
    def code(self) -> str:
        """The code Discord gives the same mistake in a 50035 answer."""
        return DISCORD_CODES.get(self.keyword, "BASE_TYPE_BAD")

    def describe(self) -> str:
        where = ".".join(str(p) for p in self.path) or "(body)"
        return f"{self.operation}: {where}: {self.message}"


@dataclass
class _Operation:
    operation_id: str
    pattern: re.Pattern[str]
    literal: int  # characters of the template that are not parameters: the more, the more specific
    schema: JSON
    validator: Any = None
    branches: list[tuple[frozenset[Any], Any]] | None = None


class OpenApiCheck:
    """Validates request bodies by method and path (``/channels/1/messages``, without ``/api/v10``)."""

    def __init__(self, spec: JSON, source: Path) -> None:
        self.source = source
        self._components = _as_discord_reads(spec.get("components") or {})
        self._operations: dict[str, list[_Operation]] = {m.upper(): [] for m in _METHODS}
        for template, item in (spec.get("paths") or {}).items():
            for method in _METHODS:
                schema = _json_schema(item.get(method))
                if schema is None:
                    continue
                regex = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
                literal = len(re.sub(r"\{[^}]+\}", "", template))
                self._operations[method.upper()].append(
                    _Operation(item[method].get("operationId", template), re.compile(regex + "$"), literal, schema)
                )
        for operations in self._operations.values():
            operations.sort(key=lambda op: -op.literal)
        self._by_path: dict[tuple[str, str], _Operation | None] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> OpenApiCheck | None:
        """The check, or None (logged once, plainly) when the description is not there."""
        source = path or DEFAULT_SPEC
        try:
            spec = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            reason = "not found" if isinstance(exc, FileNotFoundError) else exc.__class__.__name__
            log.warning(
                "Discord's OpenAPI description could not be read at %s (%s): skipped, request bodies are not"
                " checked against it",
                source,
                reason,
            )
            return None
        return cls(spec, source)

    def operation(self, method: str, path: str) -> str | None:
        """The operationId of the description that ``method path`` is, if it takes a body."""
        found = self._find(method, path)
        return found.operation_id if found else None

    def check(self, method: str, path: str, body: Any) -> list[Mismatch]:
        """Every mismatch between ``body`` and the description of ``method path`` (none for unknown routes)."""
        operation = self._find(method, path)
        if operation is None:
            return []
        validator = self._validator_for(operation, body)
        try:
            errors = list(validator.iter_errors(body))
        except UnicodeEncodeError:
            # A lone surrogate (which JSON allows as an escape) cannot cross into the validator: check the body
            # with a replacement character in its place (lengths and types are unchanged).
            body = _without_surrogates(body)
            errors = list(validator.iter_errors(body))
        return [Mismatch(operation.operation_id, *leaf) for leaf in _leaves(errors)]

    def _find(self, method: str, path: str) -> _Operation | None:
        key = (method, path)
        if key not in self._by_path:
            if len(self._by_path) > 10_000:
                self._by_path.clear()  # ids make paths unique; keep the cache bounded
            self._by_path[key] = next((op for op in self._operations.get(method, []) if op.pattern.match(path)), None)
        return self._by_path[key]

    def _compile(self, schema: JSON) -> Any:
        root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": self._components, **schema}
        return jsonschema_rs.Draft202012Validator(root)

    def _validator_for(self, operation: _Operation, body: Any) -> Any:
        """The schema of the union member whose ``type`` the body names (Discord's unions are tagged by it),
        so that a mismatch is reported inside that member rather than as "matches none of seven"."""
        if operation.validator is None:
            operation.validator = self._compile(operation.schema)
            operation.branches = self._tagged_branches(operation.schema)
        if operation.branches and isinstance(body, dict):
            matching = [validator for tags, validator in operation.branches if body.get("type") in tags]
            if len(matching) == 1:
                return matching[0]
        return operation.validator

    def _tagged_branches(self, schema: JSON) -> list[tuple[frozenset[Any], Any]]:
        members = schema.get("anyOf") or schema.get("oneOf") or []
        branches: list[tuple[frozenset[Any], Any]] = []
        for member in members:
            resolved = self._resolve(member)
            tag = ((resolved or {}).get("properties") or {}).get("type") or {}
            if not isinstance(tag.get("enum"), list):
                return []
            branches.append((frozenset(tag["enum"]), self._compile(member)))
        return branches

    def _resolve(self, schema: JSON) -> JSON | None:
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            return schema
        prefix = "#/components/schemas/"
        if not ref.startswith(prefix):
            return None
        found = (self._components.get("schemas") or {}).get(ref.removeprefix(prefix))
        return found if isinstance(found, dict) else None


def _as_discord_reads(components: JSON) -> JSON:
    """The description's components, with a snowflake also taken as a JSON integer.

    The description types snowflakes as decimal strings, but Discord reads an integer in a request body the
    same way, and discord.py (like most libraries) sends ids as integers: ``recipient_id``, attachment ids,
    ``allowed_mentions.users``. Only this one leniency is added; everything else is checked as written.
    """
    schemas = dict(components.get("schemas") or {})
    snowflake = schemas.get("SnowflakeType")
    if isinstance(snowflake, dict):
        schemas["SnowflakeType"] = {"anyOf": [snowflake, {"type": "integer", "minimum": 0}]}
    return {**components, "schemas": schemas}


def _json_schema(operation: Any) -> JSON | None:
    if not isinstance(operation, dict):
        return None
    content = (operation.get("requestBody") or {}).get("content") or {}
    schema = (content.get("application/json") or {}).get("schema")
    return schema if isinstance(schema, dict) else None


def _leaves(errors: list[Any]) -> Iterator[tuple[Location, str, str]]:
    """The specific failures under each error: for a union, those of the member the body came closest to."""
    for error in errors:
        context = getattr(error.kind, "context", None)
        if context:
            closest = min((list(branch) for branch in context), key=_distance(tuple(error.instance_path)))
            if closest:
                yield from _leaves(closest)
                continue
        yield tuple(error.instance_path), _short(error.message), str(getattr(error.kind, "name", ""))


def _distance(at: Location) -> Any:
    """How far a union member is from the body: a member of another type entirely is farthest (``null`` in
    ``oneOf [null, Embed]``), then the one with more errors; of equals, the one whose errors lie deeper."""

    def key(branch: list[Any]) -> tuple[bool, int, int]:
        other_type = all(str(getattr(e.kind, "name", "")) == "type" and tuple(e.instance_path) == at for e in branch)
        depth = max((len(list(e.instance_path)) for e in branch), default=0)
        return other_type, len(branch), -depth

    return key


def _short(message: str) -> str:
    return message if len(message) <= MESSAGE_MAX else message[:MESSAGE_MAX] + "…"


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value
