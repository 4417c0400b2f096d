"""The bundled catalogue as a ShowProvider: the shipped file, episodes known only by their count."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.domain.models import Episode, Show
from bot.domain.text import normalize
from bot.providers.base import Details
from bot.providers.catalog import default_catalog_path, load_catalog


class BundledCatalog:
    name = "catalog"

    def __init__(self, shows: list[Show], digest: str) -> None:
        self.shows = shows
        self.digest = digest

    @classmethod
    def load(cls, path: Path | None = None) -> BundledCatalog:
        source = path or default_catalog_path()
        raw = source.read_bytes()
        return cls(load_catalog(source), hashlib.sha256(raw).hexdigest())

    async def search(self, query: str, limit: int = 10) -> list[Show]:
        wanted = normalize(query)
        if not wanted:
            return []
        found = [s for s in self.shows if any(wanted in normalize(name) for _, name in s.search_names())]
        return found[:limit]

    async def details(self, show: Show) -> Details | None:
        return None  # a bundled record is complete as shipped

    async def episodes(self, show: Show) -> list[Episode]:
        return [
            Episode(season=season.number, number=n)
            for season in show.seasons
            for n in range(1, (season.episode_count or 0) + 1)
        ]
