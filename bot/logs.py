"""Logging set-up: one stderr handler, and a filter that blanks secrets out of every record: the bot token,
and the interaction tokens discord.py's DEBUG logs carry (in gateway payloads and in followup URLs)."""

from __future__ import annotations

import logging
import re
import sys

REDACTED = "[redacted-token]"
# An interaction token lets anyone answer as the bot for 15 minutes. discord.py logs it at DEBUG in the
# INTERACTION_CREATE payload ('token': '...') and in the URLs of callbacks, followups and @original edits.
INTERACTION_TOKENS = (
    re.compile(r"(/interactions/\d+/)([^/\s'\"?]+)"),
    re.compile(r"(/webhooks/\d+/)([^/\s'\"?]+)"),
    re.compile(r"""(['"]token['"]\s*:\s*['"])([^'"]+)"""),
)


def redact(text: str, secrets: list[str]) -> str:
    """``text`` without ``secrets`` and without interaction tokens."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    for pattern in INTERACTION_TOKENS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactFilter(logging.Filter):
    """Replaces secrets in the fully formatted message, so args, exceptions and extras are covered too."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        text = redact(message, self.secrets)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
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
