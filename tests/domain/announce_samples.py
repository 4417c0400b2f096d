"""Snapshots for the announcement tests, parsed from the fixtures in tests/fixtures/announce."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from bot.domain.announcements import ShowSnapshot, snapshot_from_tvmaze

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "announce"


def record(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def snap(raw: dict[str, Any], fetched: str = "2026-06-01T00:00:00+00:00") -> ShowSnapshot:
    return snapshot_from_tvmaze(raw, at(fetched))


def with_season(raw: dict[str, Any], number: int, premiere: str | None = None, order: int | None = None) -> dict:
    changed = copy.deepcopy(raw)
    changed["_embedded"]["seasons"].append(
        {
            "id": 9009000 + number,
            "number": number,
            "name": "",
            "episodeOrder": order,
            "premiereDate": premiere,
            "endDate": None,
            "network": None,
            "webChannel": None,
        }
    )
    changed["updated"] += 1000
    return changed


def with_premiere(raw: dict[str, Any], number: int, premiere: str | None) -> dict:
    changed = copy.deepcopy(raw)
    for season in changed["_embedded"]["seasons"]:
        if season["number"] == number:
            season["premiereDate"] = premiere
    changed["updated"] += 1000
    return changed


def with_status(raw: dict[str, Any], status: str) -> dict:
    changed = copy.deepcopy(raw)
    changed["status"] = status
    changed["updated"] += 1000
    return changed


def with_drop(raw: dict[str, Any], season: int, day: str, count: int) -> dict:
    """Every episode of ``season`` released on ``day`` with no time known, as TVmaze lists a streaming drop."""
    changed = copy.deepcopy(raw)
    changed["_embedded"]["episodes"] += [
        {
            "id": 9100000 + season * 100 + n,
            "name": f"Episode {n}",
            "season": season,
            "number": n,
            "type": "regular",
            "airdate": day,
            "airtime": "",
            "airstamp": f"{day}T12:00:00+00:00",
            "runtime": 60,
        }
        for n in range(1, count + 1)
    ]
    changed["updated"] += 1000
    return changed
