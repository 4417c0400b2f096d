"""Settings read from the environment (``__main__`` loads ``.env`` into it first); bad values name the variable."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yarl

DEFAULT_DATABASE_URL = "sqlite:///watch-companion.db"
MEMORY_DATABASE = ":memory:"
DEFAULT_TVMAZE_BASE_URL = "https://api.tvmaze.com"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable and what it expects."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str | None
    database_path: Path
    dev_guild_id: int | None
    tvmaze_base_url: str
    offline: bool
    poll_interval_minutes: float
    discord_api_base: str | None
    log_level: str
    catalog_refresh_seconds: float = 30.0

    @property
    def database_in_memory(self) -> bool:
        """``sqlite:///:memory:``: a database that vanishes with the process (fine for a look, not for work)."""
        return str(self.database_path) == MEMORY_DATABASE

    def __repr__(self) -> str:
        # The token must never reach a log line or a traceback through repr().
        token = "set" if self.token else "unset"
        return (
            f"Settings(token=<{token}>, database_path={str(self.database_path)!r}, dev_guild_id={self.dev_guild_id},"
            f" tvmaze_base_url={self.tvmaze_base_url!r}, offline={self.offline},"
            f" poll_interval_minutes={self.poll_interval_minutes}, discord_api_base={self.discord_api_base!r},"
            f" log_level={self.log_level!r}, catalog_refresh_seconds={self.catalog_refresh_seconds})"
        )

    __str__ = __repr__

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        def get(name: str) -> str:
            return env.get(name, "").strip()

        token = get("DISCORD_TOKEN") or None
        if token is not None and (any(c.isspace() for c in token) or len(token) < 20):
            raise SettingsError("DISCORD_TOKEN does not look like a bot token (expected one word of 20+ characters)")
        return cls(
            token=token,
            database_path=_database_path(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            dev_guild_id=_snowflake("DEV_GUILD_ID", get("DEV_GUILD_ID")),
            tvmaze_base_url=_http_url("TVMAZE_BASE_URL", get("TVMAZE_BASE_URL") or DEFAULT_TVMAZE_BASE_URL),
            offline=_bool("OFFLINE", get("OFFLINE")),
            poll_interval_minutes=_minutes("POLL_INTERVAL_MINUTES", get("POLL_INTERVAL_MINUTES") or "60"),
            discord_api_base=_http_url("DISCORD_API_BASE", get("DISCORD_API_BASE"))
            if get("DISCORD_API_BASE")
            else None,
            log_level=_log_level(get("LOG_LEVEL") or "INFO"),
            catalog_refresh_seconds=_seconds("CATALOG_REFRESH_SECONDS", get("CATALOG_REFRESH_SECONDS") or "30"),
        )


def _database_path(value: str) -> Path:
    if value.startswith("sqlite:///"):
        value = value.removeprefix("sqlite:///")
    elif "://" in value:
        scheme = value.split("://", 1)[0]
        raise SettingsError(
            f"DATABASE_URL expects sqlite:///path/to/file.db (or a plain file path); the {scheme!r} driver is not"
            " installed in this build"
        )
    if not value:
        raise SettingsError("DATABASE_URL expects sqlite:///path/to/file.db (or a plain file path)")
    if "?" in value or "#" in value:
        # SQLite would take "x.db?mode=ro" as a file name, not as options: refuse rather than surprise.
        raise SettingsError(
            f"DATABASE_URL expects sqlite:///path/to/file.db without options (?...); got {value[:80]!r}"
        )
    return Path(value)


def _snowflake(name: str, value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 17 <= len(value) <= 20:
        raise SettingsError(f"{name} expects a Discord server id (17 to 20 digits), got {value[:40]!r}")
    return int(value)


def _http_url(name: str, value: str) -> str:
    url = yarl.URL(value) if "://" in value else None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise SettingsError(f"{name} expects an http:// or https:// URL, got {value[:80]!r}")
    return value.rstrip("/")


def _bool(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingsError(f"{name} expects true or false (1/0, yes/no), got {value[:40]!r}")


def _minutes(name: str, value: str) -> float:
    try:
        minutes = float(value)
    except ValueError:
        minutes = math.nan
    if not math.isfinite(minutes) or minutes <= 0:
        raise SettingsError(f"{name} expects a positive number of minutes (fractions allowed), got {value[:40]!r}")
    return minutes


def _seconds(name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise SettingsError(f"{name} expects a positive number of seconds (fractions allowed), got {value[:40]!r}")
    return seconds


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL expects one of {', '.join(LOG_LEVELS)}, got {value[:40]!r}")
    return level
