"""Ranking policy that does not depend on the query: how much a show's source counts, and how a show is labelled."""

from __future__ import annotations

from typing import Final

from bot.domain.models import ShowSource

# Bundled shows are the curated, well-known ones: they rank above imports and search results fetched on demand.
POPULARITY: Final[dict[ShowSource, float]] = {
    ShowSource.BUNDLED: 1.0,
    ShowSource.IMPORTED: 0.5,
    ShowSource.TVMAZE: 0.25,
}


def popularity(source: str) -> float:
    """The ranking weight of a show from ``source``; 0 for a source this build does not know."""
    try:
        return POPULARITY[ShowSource(source)]
    except ValueError:
        return 0.0


def show_label(title: str, year: int | None) -> str:
    """How a show is named in search results and autocomplete: its title, and its year when known."""
    return f"{title} ({year})" if year else title
