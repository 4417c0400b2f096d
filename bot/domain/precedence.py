"""Which stored record an incoming show is, and whether the incoming one may replace it.

An admin's import and TVmaze's answer are facts someone chose; the bundled file only fills in what nobody has.
"""

from __future__ import annotations

from bot.domain.models import Show, ShowSource
from bot.domain.text import normalize

IdentityKey = tuple[str, str, int | None]

# Keys an import makes up from a title start so; a key a person wrote names a record on purpose.
DERIVED_KEY_PREFIX = "import-"


def is_derived_key(key: str) -> bool:
    """Whether ``key`` was made up from a title by an import, so it says nothing about which show it is."""
    return key.startswith(DERIVED_KEY_PREFIX)


def identity_keys(title: str, native_title: str | None, year: int | None) -> list[IdentityKey]:
    """The keys under which two records are the same show: same title, or same native title, and same year.

    A native title alone is shared by remakes (the same Hangul title on several productions), so it identifies a
    show only together with a known year; a title with no year matches the same title with no year.
    """
    return folded_identity_keys(normalize(title), normalize(native_title) if native_title else "", year)


def folded_identity_keys(title: str, native_title: str, year: int | None) -> list[IdentityKey]:
    """``identity_keys`` of titles already folded by ``normalize`` (an empty native title: none)."""
    keys: list[IdentityKey] = []
    if title:
        keys.append(("title", title, year))
    if native_title and year is not None:
        keys.append(("native", native_title, year))
    return keys


def show_identity(show: Show) -> list[IdentityKey]:
    return identity_keys(show.title, show.native_title, show.year)


def may_replace(stored: ShowSource | str, incoming: ShowSource | str) -> bool:
    """Whether a record from ``incoming`` may overwrite one stored from ``stored``.

    The bundled file updates only what came from it; an import or TVmaze updates anything (the newest word of a
    person or of TVmaze wins over the shipped file).
    """
    if incoming == ShowSource.BUNDLED:
        return stored == ShowSource.BUNDLED
    return True
