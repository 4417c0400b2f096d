"""Data kept in ../shared beside the project, read from there and never copied here. CI has it; a user's fresh clone
does not, so a test that needs it skips and says so plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED_DIR = SHARED / "seed"
SEED_PATHS = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []

needs_seed = pytest.mark.skipif(
    not SEED_PATHS, reason=f"the seed review is not at {SEED_DIR} (../shared beside the project): skipped"
)


def seed_review() -> str:
    """The seed review's text; call it only from a test marked ``needs_seed``."""
    return SEED_PATHS[0].read_text(encoding="utf-8")
