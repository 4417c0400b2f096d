"""Logging set-up: one stderr handler, and a filter that blanks the bot token out of every record."""

from __future__ import annotations

import logging
import sys

REDACTED = "[redacted-token]"


class RedactFilter(logging.Filter):
    """Replaces secrets in the fully formatted message, so args, exceptions and extras are covered too."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        text = message
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        exc_text = record.exc_text
        if exc_text:
            for secret in self.secrets:
                exc_text = exc_text.replace(secret, REDACTED)
            record.exc_text = exc_text
        if text != message:
            record.msg, record.args = text, None
        return True


def setup_logging(level: str, secrets: list[str], stream: object = None) -> logging.Handler:
    """Route all logging (discord.py's included) through one handler that redacts ``secrets``."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # aiosqlite logs every statement at DEBUG; that is noise, not insight.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLevelName(level)))
    return handler
