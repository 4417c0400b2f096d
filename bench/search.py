"""Search benchmark: a synthetic catalogue of 100,000 shows through the start-up path, then autocomplete
latency, the naive rapidfuzz baseline, typo accuracy, memory and ready time. A report, not a test:
it prints every figure with PASS/FAIL against its target and always exits 0.

    .venv/bin/python bench/search.py [--shows 100000] [--queries 1000] [--seed 7]

The shows behind the queries of issue 7 (tests/domain/test_search_resolves.py) are stored with the synthetic ones,
and each of those queries must find its show first among the 100,000.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rapidfuzz import process  # noqa: E402

from bot.domain.models import Show  # noqa: E402
from bot.domain.search import SearchIndex  # noqa: E402
from tests.domain.test_search_resolves import CATALOGUE as RESOLVE_SHOWS  # noqa: E402
from tests.domain.test_search_resolves import RESOLVES  # noqa: E402

# Targets (see the brief in DESIGN.md section 4 and the search module docstring).
P99_TARGET_MS = 5.0
SPEEDUP_TARGET = 100.0
TYPO_TARGET = 0.95
MEMORY_TARGET_MB = 100.0
READY_TARGET_S = 2.0
CHANGED_SHOWS = 1000


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ADJECTIVES = _words("""
silent golden hidden broken secret lonely brave little crazy lovely strange dark bright last first
second final eternal endless wild gentle cruel sweet bitter warm cold frozen burning quiet noisy
royal noble humble wicked innocent perfect fake true false lucky cursed blessed fragile mighty
tender fierce lost found forgotten distant near hungry sleepy bold shy proud red blue green black
white grey crimson silver scarlet violet young old ancient modern sudden rainy sunny stormy cloudy
midnight morning evening summer winter spring autumn northern southern eastern western tiny giant
deep shallow empty full heavy light rich poor happy sad angry calm dangerous safe mysterious
beautiful ugly glorious splendid divine mortal immortal invisible familiar foreign
""")

NOUNS = _words("""
code heart love doctor hospital city river mountain sea ocean sky star moon sun garden house
palace kingdom king queen prince princess knight soldier detective lawyer judge teacher student
chef kitchen restaurant cafe school office company family father mother brother sister son
daughter friend enemy stranger neighbor village island forest road bridge train station airport
letter diary song dance game war peace dream memory promise secret lie truth justice crime
mystery ghost spirit angel devil god monster dragon tiger wolf fox bird flower rose tree
rain snow wind storm fire water stone sword crown throne empire republic hero villain
rookie legend trauma surgeon nurse patient emergency night day week year season moment time
hour life death marriage wedding divorce contract revenge mission agent spy thief boss chairman
heir heiress manager idol singer actor director writer artist painter poet reporter pilot captain
sailor fisherman farmer hunter healer witch wizard goblin mermaid vampire zombie robot alien
universe planet world country town street alley market bakery library museum theater stadium
court prison castle tower temple church shrine lake valley desert field meadow harbor coast
""")

TEMPLATES = (
    "the {a} {n}",
    "{a} {n}",
    "{n} of the {n}",
    "{n} of {n}",
    "my {a} {n}",
    "the {n} {n}",
    "{a} {n} {n}",
    "the {a} {n} of {n}",
    "{n} and {n}",
    "when the {n} {n}",
    "a {a} {n}",
    "the {n} who loved {n}",
    "{n} in the {n}",
    "{a} {a} {n}",
    "our {a} {n}",
    "{n} {n}",
)

# Common initial and final consonants carry more weight, as in real Korean titles.
INITIAL_WEIGHTS = [9, 1, 7, 6, 1, 4, 6, 5, 1, 8, 1, 10, 7, 1, 4, 2, 2, 2, 6]
FINAL_WEIGHTS = [24] + [1] * 27


def _title_case(text: str) -> str:
    return " ".join(w.capitalize() for w in text.split())


def english_title(rng: random.Random) -> str:
    template = rng.choice(TEMPLATES)
    out = []
    for part in template.split():
        if part == "{a}":
            out.append(rng.choice(ADJECTIVES))
        elif part == "{n}":
            out.append(rng.choice(NOUNS))
        else:
            out.append(part)
    text = _title_case(" ".join(out))
    if rng.random() < 0.08:
        text += f" {rng.randint(2, 4)}"
    elif rng.random() < 0.05:
        text += ": " + _title_case(f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}")
    return text


def hangul_word(rng: random.Random, syllables: int) -> str:
    chars = []
    for _ in range(syllables):
        lead = rng.choices(range(19), INITIAL_WEIGHTS)[0]
        vowel = rng.randrange(21)
        tail = rng.choices(range(28), FINAL_WEIGHTS)[0]
        chars.append(chr(0xAC00 + (lead * 21 + vowel) * 28 + tail))
    return "".join(chars)


def hangul_title(rng: random.Random) -> str:
    total = rng.randint(2, 8)
    if total >= 4 and rng.random() < 0.3:
        cut = rng.randint(2, total - 2)
        return hangul_word(rng, cut) + " " + hangul_word(rng, total - cut)
    return hangul_word(rng, total)


def catalogue(count: int, seed: int) -> list[Show]:
    """``count`` shows with unique English titles, Hangul titles, and an alias for about a third."""
    rng = random.Random(seed)
    used: set[str] = set()

    def fresh(make: object) -> str:
        assert callable(make)
        while True:
            text = make(rng)
            key = text.casefold()
            if key not in used:
                used.add(key)
                return str(text)

    shows = []
    for i in range(count):
        title = fresh(english_title)
        native = fresh(hangul_title)
        aliases = (fresh(english_title),) if rng.random() < 1 / 3 else ()
        shows.append(
            Show(
                title=title,
                native_title=native,
                aliases=aliases,
                year=rng.randint(1995, 2025),
                source="import",
                catalog_key=f"bench-{i}",
            )
        )
    return shows


def swap_neighbours(rng: random.Random, text: str) -> str | None:
    """``text`` with two different neighbouring letters of one word swapped, or None if no word allows it."""
    spots = [
        i
        for i in range(len(text) - 1)
        if text[i].isalpha() and text[i + 1].isalpha() and text[i].casefold() != text[i + 1].casefold()
    ]
    if not spots:
        return None
    i = rng.choice(spots)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def queries(shows: list[Show], count: int, rng: random.Random) -> list[str]:
    """Partial queries as people type them: title prefixes, inner words, Hangul prefixes, alias prefixes;
    one in five has two neighbouring letters swapped."""
    with_alias = [s for s in shows if s.aliases]
    out = []
    while len(out) < count:
        roll = rng.random()
        show = rng.choice(shows)
        if roll < 0.45:
            q = show.title[: rng.randint(2, 12)]
        elif roll < 0.70:
            words = show.title.split()
            word = rng.choice(words[1:] or words)
            q = word[: rng.randint(3, max(3, len(word)))]
        elif roll < 0.90:
            native = show.native_title or ""
            q = native[: rng.randint(1, min(4, len(native)))]
        else:
            alias = rng.choice(with_alias).aliases[0] if with_alias else show.title
            q = alias[: rng.randint(2, 12)]
        q = q.strip()
        if not q:
            continue
        if rng.random() < 0.2:
            swapped = swap_neighbours(rng, q)
            if swapped is None:
                continue
            q = swapped
        out.append(q)
    return out


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


async def store_catalogue(path: str, shows: list[Show]) -> list[int]:
    """Store ``shows`` as the bot would (ShowStore.add_many), then start the bot's lookup once, as a first start
    does (it stores the bundled catalogue); returns the shows' database ids."""
    from bot.db.database import Database
    from bot.db.meta import MetaStore
    from bot.db.shows import ShowStore
    from bot.lookup import ShowLookup
    from bot.providers.bundled import BundledCatalog

    db = await Database.open(path)
    ids: list[int] = []
    try:
        store = ShowStore(db)
        for start in range(0, len(shows), 5000):
            ids.extend(await store.add_many(shows[start : start + 5000]))
        lookup = ShowLookup(store, MetaStore(db), BundledCatalog.load())
        await lookup.start()
        await lookup.close()
    finally:
        await db.close()
    return ids


async def change_shows(path: str, shows: list[Show]) -> None:
    """Write ``shows`` again with a new alias each, as a bot storing fresh TVmaze data would."""

    from bot.db.database import Database
    from bot.db.shows import ShowStore

    db = await Database.open(path)
    try:
        changed = [dataclasses.replace(s, aliases=(*s.aliases, f"{s.title} Revisited")) for s in shows]
        await ShowStore(db).add_many(changed)
    finally:
        await db.close()


async def ready(path: str) -> tuple[SearchIndex, float, float, int, float]:
    """Start-up exactly as the bot does it before connecting: open the database, build the bot, run its
    ``setup_hook`` (catalogue checked, index loaded, every extension loaded, commands registered; syncing with
    Discord is left out). Returns the index, the whole time, the index load alone, the commands registered, and
    the wall-clock moment it was ready."""
    from bot.app import WatchCompanion
    from bot.db.database import Database
    from bot.db.meta import MetaStore
    from bot.db.shows import ShowStore
    from bot.lookup import ShowLookup
    from bot.providers.bundled import BundledCatalog
    from bot.settings import Settings

    started = time.perf_counter()
    db = await Database.open(path)
    try:
        lookup = ShowLookup(ShowStore(db), MetaStore(db), BundledCatalog.load())
        bot = WatchCompanion(Settings.from_env({"OFFLINE": "1"}), db, lookup, sync_commands=False)
        await bot.setup_hook()
        done = time.perf_counter()
        ready_at = time.time()
        commands = len(bot.tree.get_commands())
        await bot.close()
    finally:
        await db.close()
    return lookup.index, done - started, lookup.ready_seconds, commands, ready_at


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def start_up_child(path: str) -> None:
    """Run in a fresh interpreter, as the bot starts: ready time, then RSS once the rows are dropped."""
    index, ready_s, build_s, commands, ready_at = asyncio.run(ready(path))
    import psutil

    # From the moment the interpreter was created: imports (discord.py's included) count too.
    since_process_start = ready_at - psutil.Process().create_time()
    gc.collect()
    print(
        json.dumps(
            {
                "rss_mb": rss_mb(),
                "shows": len(index),
                "ready_s": ready_s,
                "build_s": build_s,
                "commands": commands,
                "process_s": since_process_start,
            }
        )
    )


def start_up(path: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--start-up-child", path], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-sample", type=int, default=100)
    parser.add_argument("--typos", type=int, default=200)
    parser.add_argument("--start-up-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.start_up_child:
        start_up_child(args.start_up_child)
        return

    rng = random.Random(args.seed)
    started = time.perf_counter()
    shows = catalogue(args.shows, args.seed)
    real = [
        dataclasses.replace(s, id=0, source="import", catalog_key=f"resolve-{i}") for i, s in enumerate(RESOLVE_SHOWS)
    ]
    names = sum(len(s.search_names()) for s in shows)
    print(f"catalogue: {len(shows)} shows, {names} names ({time.perf_counter() - started:.1f}s to generate)")

    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        full_db = os.path.join(tmp, "full.sqlite3")
        empty_db = os.path.join(tmp, "empty.sqlite3")
        started = time.perf_counter()
        ids = asyncio.run(store_catalogue(full_db, shows + real))
        asyncio.run(store_catalogue(empty_db, []))
        print(f"stored through ShowStore.add_many in {time.perf_counter() - started:.1f}s")

        # The index the queries below run against, built in this process like the bot builds it.
        index, *_ = asyncio.run(ready(full_db))
        print(f"index: {len(index)} shows")

        # Start-up time and memory: a fresh interpreter per measurement, as the bot starts, so that
        # nothing of this process (the generated catalogue, its garbage) counts. Twice for the full
        # catalogue, since one cold run on a small box wobbles by a tenth of a second.
        fulls = [start_up(full_db), start_up(full_db)]
        empty = start_up(empty_db)
        # A start after 1,000 shows changed (TVmaze results stored, an import): the saved index plus a replay.
        changed_db = os.path.join(tmp, "changed.sqlite3")
        shutil.copyfile(full_db, changed_db)
        asyncio.run(change_shows(changed_db, shows[:CHANGED_SHOWS]))
        changed = start_up(changed_db)
        # The very first start of a large database (or after a format change): no saved index, a full build.
        cold_db = os.path.join(tmp, "cold.sqlite3")
        shutil.copyfile(full_db, cold_db)
        with sqlite3.connect(cold_db) as conn:
            conn.execute("DELETE FROM search_snapshot")
        cold = start_up(cold_db)
    full = min(fulls, key=lambda f: f["ready_s"])
    ready_s, build_s = full["ready_s"], full["build_s"]

    qs = queries(shows, args.queries, rng)
    index.autocomplete("warm up")
    timings = []
    for q in qs:
        t0 = time.perf_counter_ns()
        choices = index.autocomplete(q)
        timings.append((time.perf_counter_ns() - t0) / 1e6)
        assert len(choices) <= 25
        assert all(1 <= len(name) <= 100 for name, _ in choices)
    ordered = sorted(timings)
    p50, p90, p99, worst = (percentile(ordered, f) for f in (0.5, 0.9, 0.99, 1.0))
    slowest = sorted(zip(timings, qs, strict=True), reverse=True)[:5]

    all_titles = [name for s in shows for name in (s.title, s.native_title, *s.aliases) if name]
    sample = qs[: args.baseline_sample]
    base_timings = []
    for q in sample:
        t0 = time.perf_counter_ns()
        process.extract(q, all_titles, limit=25)
        base_timings.append((time.perf_counter_ns() - t0) / 1e6)
    base_p50 = percentile(sorted(base_timings), 0.5)
    index_sample_p50 = percentile(sorted(timings[: len(sample)]), 0.5)
    ratio = base_p50 / p50 if p50 else float("inf")

    hits = 0
    tried = 0
    misses = []
    while tried < args.typos:
        pick = rng.randrange(len(shows))
        show = shows[pick]
        typo = swap_neighbours(rng, show.title)
        if typo is None:
            continue
        tried += 1
        found = index.search(typo, limit=5)
        if found and found[0].show_id == ids[pick]:
            hits += 1
        elif len(misses) < 5:
            misses.append((typo, show.title, found[0].matched if found else None))
    accuracy = hits / tried

    memory = full["rss_mb"] - empty["rss_mb"]

    resolved = []
    for q, title in RESOLVES.items():
        t0 = time.perf_counter_ns()
        found = index.search(q, 25)
        elapsed = (time.perf_counter_ns() - t0) / 1e6
        first = found[0].label if found else None
        resolved.append((q, title, first, elapsed, bool(first) and first.split(" (")[0] == title))

    t0 = time.perf_counter()
    saved = index.snapshot()
    save_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    SearchIndex.from_snapshot(saved)
    load_ms = (time.perf_counter() - t0) * 1000

    print()
    print(
        f"autocomplete over {len(qs)} queries: p50 {p50:.3f} ms, p90 {p90:.3f} ms, p99 {p99:.3f} ms, max {worst:.3f} ms"
    )
    print(f"  p99 <= {P99_TARGET_MS} ms: {verdict(p99 <= P99_TARGET_MS)}")
    print("  slowest:", ", ".join(f"{q!r} {ms:.2f} ms" for ms, q in slowest))
    print(
        f"baseline rapidfuzz.process.extract over {len(all_titles)} titles, {len(sample)} queries:"
        f" p50 {base_p50:.1f} ms (index p50 on the same queries {index_sample_p50:.3f} ms)"
    )
    print(
        f"  speed-up baseline p50 / index p50 = {ratio:.0f}x, target >= {SPEEDUP_TARGET:.0f}x: {verdict(ratio >= 100)}"
    )
    print(f"typo accuracy ({tried} whole titles, two neighbouring letters swapped): {accuracy:.1%}")
    print(f"  intended show first >= {TYPO_TARGET:.0%}: {verdict(accuracy >= TYPO_TARGET)}")
    for typo, title, got in misses:
        print(f"  miss: {typo!r} (meant {title!r}) -> {got!r}")
    good = sum(ok for *_, ok in resolved)
    slowest_resolve = max(ms for _, _, _, ms, _ in resolved)
    print(
        f"issue 7 queries among {len(index)} shows: {good}/{len(resolved)} find their show first"
        f" (slowest {slowest_resolve:.2f} ms): {verdict(good == len(resolved))}"
    )
    for q, title, first, ms, ok in resolved:
        if not ok:
            print(f"  miss: {q!r} (meant {title!r}) -> {first!r} in {ms:.2f} ms")
    print(
        f"snapshot (msgspec MessagePack): {len(saved) / 2**20:.1f} MiB, save {save_ms:.0f} ms,"
        f" load {load_ms:.0f} ms (decode, checks and typo filters)"
    )
    print(
        f"memory: {full['rss_mb']:.1f} MB with {full['shows']:.0f} shows, {empty['rss_mb']:.1f} MB empty,"
        f" index {memory:.1f} MB"
    )
    print(f"  <= {MEMORY_TARGET_MB:.0f} MB: {verdict(memory <= MEMORY_TARGET_MB)}")
    runs = ", ".join(f"{f['ready_s']:.2f} s" for f in fulls)
    print(
        f"ready in a fresh process (open database, setup_hook: index loaded and {full['commands']:.0f} commands"
        f" registered), best of {runs}: {ready_s:.2f} s (index load {build_s:.2f} s);"
        f" counted from interpreter start, imports included: {full['process_s']:.2f} s"
    )
    print(f"  <= {READY_TARGET_S} s: {verdict(ready_s <= READY_TARGET_S)}")
    print(
        f"ready after {CHANGED_SHOWS} shows changed since the index was saved (replayed on top):"
        f" {changed['ready_s']:.2f} s; from interpreter start {changed['process_s']:.2f} s"
    )
    print(f"  <= {READY_TARGET_S} s: {verdict(changed['ready_s'] <= READY_TARGET_S)}")
    print(
        f"ready with no saved index at all (first start of a large database; full build, saved afterwards):"
        f" {cold['ready_s']:.2f} s (index {cold['build_s']:.2f} s); from interpreter start {cold['process_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
