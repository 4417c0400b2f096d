"""One name, one class: two classes called the same (a sandbox ``World`` and a playground ``World``) make every
import, traceback and search ambiguous."""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_two_classes_in_the_project_share_a_name():
    seen: dict[str, list[str]] = defaultdict(list)
    for folder in ("bot", "cogs", "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    seen[node.name].append(str(path.relative_to(ROOT)))
    assert len(seen) > 50, "the walk found the project's classes"
    assert {name: paths for name, paths in seen.items() if len(paths) > 1} == {}
