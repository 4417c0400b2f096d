"""Mutation testing of bot/domain, run by hand (not in CI): runs mutmut, then prints the score per module.

    .venv/bin/pip install -e '.[test,mutation]'      # once
    .venv/bin/python scripts/mutation.py             # fresh run of every domain module, then the table
    .venv/bin/python scripts/mutation.py paging search.typo --survivors   # re-test two modules, list what survived
    .venv/bin/python scripts/mutation.py search --unkilled   # after adding tests: re-test what was not killed
    .venv/bin/python scripts/mutation.py --report    # the table from the last run, without running
    .venv/bin/mutmut show NAME                       # the diff of one surviving mutant

Configuration is [tool.mutmut] in pyproject.toml (domain tests only). A module's score is the share of its mutants
that some test kills (a timeout counts as killed, as mutmut's own badge counts it); a mutant that no test reaches
counts against the score. The figure to quote is a fresh full run: mutmut keeps a survivor's verdict until its
function changes, so after editing tests re-test the modules by name (names force a re-test) or run without names.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOMAIN = Path("bot/domain")
MUTANTS = REPO / "mutants"
LOG = MUTANTS / "mutmut-run.log"

# mutmut's exit codes per mutant (mutmut/stats.py); anything else is "suspicious".
KILLED = {1, 3, 36, 37, -24, 24, 152, 255}  # a failing test, a pytest error, a timeout, the type checker
SURVIVED = {0}
NO_TESTS = {5, 33}
SKIPPED = {34}
NOT_TESTED_YET = {None}  # generated, but this run (or an interrupted one) did not get to it


@dataclass
class Score:
    module: str
    killed: int = 0
    survived: int = 0
    no_tests: int = 0
    other: int = 0  # suspicious, interrupted, crashed: counted against the score
    untested: int = 0  # not in the score; a module with any is marked as incomplete
    survivors: tuple[str, ...] = ()

    @property
    def tested(self) -> int:
        return self.killed + self.survived + self.no_tests + self.other

    @property
    def shown(self) -> str:
        if not self.tested:
            return "   -"
        mark = "*" if self.untested else " "
        return f"{100.0 * self.killed / self.tested:>5.1f}%{mark}"

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.tested if self.tested else 0.0


def domain_modules() -> list[Path]:
    """Every Python file under bot/domain as it is now (a module that moved leaves no stale row)."""
    return sorted(p.relative_to(REPO) for p in (REPO / DOMAIN).rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path) -> str:
    return ".".join(path.with_suffix("").parts).removesuffix(".__init__")


def score(path: Path) -> Score | None:
    meta = MUTANTS / (str(path) + ".meta")
    if not meta.exists():
        return None
    exit_codes: dict[str, int | None] = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    result = Score(module_name(path))
    tally: Counter[str] = Counter()
    survivors = []
    for name, code in exit_codes.items():
        if code in SKIPPED:
            continue
        if code in NOT_TESTED_YET:
            tally["untested"] += 1
        elif code in KILLED:
            tally["killed"] += 1
        elif code in SURVIVED or code in NO_TESTS:
            tally["survived" if code in SURVIVED else "no_tests"] += 1
            survivors.append(name)
        else:
            tally["other"] += 1
    result.killed, result.survived, result.no_tests = tally["killed"], tally["survived"], tally["no_tests"]
    result.other, result.untested = tally["other"], tally["untested"]
    result.survivors = tuple(sorted(survivors, key=_natural))
    return result


def named_path(name: str) -> Path:
    """bot/domain's module as named on the command line: ``paging``, ``paging.py``, ``search/typo`` or ``search.typo``
    (a dotted name must not lose its last part to ``with_suffix``, or ``search.typo`` re-tests all of search)."""
    return DOMAIN / name.removesuffix(".py").replace(".", "/")


def _natural(name: str) -> tuple[str, int]:
    stem, _, number = name.rpartition("_")
    return (stem, int(number)) if number.isdigit() else (name, 0)


def run_mutmut(patterns: list[str], children: int) -> int:
    """Run mutmut from the repository root on the mutants ``patterns`` name (every one when empty, afresh);
    named mutants are re-tested even where a verdict is cached."""
    mutmut = Path(sys.executable).parent / "mutmut"
    if not mutmut.exists():
        print("mutmut is not installed: .venv/bin/pip install -e '.[test,mutation]'", file=sys.stderr)
        return 2
    if not patterns and MUTANTS.exists():
        shutil.rmtree(MUTANTS)  # a full run starts clean, so no verdict predates the current tests
    MUTANTS.mkdir(exist_ok=True)
    shown = " ".join(patterns) if len(patterns) <= 8 else f"{len(patterns)} patterns"
    print(f"mutmut run {shown or '(all of bot/domain)'}: progress in {LOG.relative_to(REPO)}")
    with LOG.open("w") as log:
        done = subprocess.run(
            [str(mutmut), "run", "--max-children", str(children), *patterns],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        print(f"mutmut failed (exit {done.returncode}); the end of its log:", file=sys.stderr)
        print(LOG.read_text("utf-8", errors="replace")[-3000:], file=sys.stderr)
    return done.returncode


def module_patterns(modules: list[str]) -> list[str]:
    return [f"{module_name(named_path(name))}.*" for name in modules]


def unkilled_patterns(modules: list[str]) -> list[str]:
    """The mutants of the named modules (all when none are named) that no test has killed yet, survived or
    not tested; a module never run is named whole. A function changed since is numbered afresh by mutmut, so
    its new mutants show as not tested in the table: run again to reach them."""
    named = {module_name(named_path(name)) for name in modules}
    patterns: set[str] = set()
    for path in domain_modules():
        module = module_name(path)
        if named and module not in named and not module.startswith(tuple(n + "." for n in named)):
            continue
        meta = MUTANTS / (str(path) + ".meta")
        if not meta.exists():
            patterns.add(f"{module}.*")
            continue
        exit_codes: dict[str, int | None] = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        for name, code in exit_codes.items():
            if code not in KILLED and code not in SKIPPED:
                patterns.add(name)
    return sorted(patterns)


def report(show_survivors: bool, only: list[str]) -> list[Score]:
    scores = [s for s in (score(p) for p in domain_modules()) if s is not None and (s.tested or s.untested)]
    if not scores:
        print("no mutation results yet: run this script without --report first")
        return []
    width = max(len(s.module) for s in scores)
    fields = ("killed", "survived", "no_tests", "other", "untested")
    total = Score("total", *(sum(getattr(s, f) for s in scores) for f in fields))
    print(f"{'module':<{width}}  tested  killed  survived  no test  other  score")
    for s in [*scores, total]:
        counts = f"{s.tested:>6}  {s.killed:>6}  {s.survived:>8}  {s.no_tests:>7}  {s.other:>5}"
        print(f"{s.module:<{width}}  {counts}  {s.shown}")
    if total.untested:
        print(f"* incomplete: {total.untested} mutants not tested yet (run again to go on, or name the modules)")
    if show_survivors:
        named = {module_name(named_path(name)) for name in only}
        for s in scores:
            if s.survivors and (not named or s.module in named or s.module.startswith(tuple(n + "." for n in named))):
                print(f"\n{s.module}: {len(s.survivors)} not killed (mutmut show NAME for the diff)")
                for name in s.survivors:
                    print(f"  {name}")
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="modules to re-test, e.g. paging markup (default: all, fresh)")
    parser.add_argument("--report", action="store_true", help="print the last results without running mutmut")
    parser.add_argument("--survivors", action="store_true", help="list mutants no test killed (named modules only)")
    parser.add_argument(
        "--unkilled",
        action="store_true",
        help="re-test only the mutants not killed yet (after adding tests; the figure to quote is a fresh run)",
    )
    parser.add_argument("--children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--fail-under", type=float, metavar="PERCENT", help="exit 1 if any module scores less")
    args = parser.parse_args()

    if not args.report:
        patterns = unkilled_patterns(args.modules) if args.unkilled else module_patterns(args.modules)
        if args.unkilled and not patterns:
            print("every mutant of these modules is killed already")
        elif (code := run_mutmut(patterns, args.children)) != 0:
            return code
    scores = report(args.survivors, args.modules)
    if args.fail_under is not None and any(s.untested or s.percent < args.fail_under for s in scores):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
