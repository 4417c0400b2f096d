"""Show lookup for the commands: the local search index over the database, the bundled catalogue, TVmaze."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from enum import StrEnum

from bot.db.merge import MergeCounts
from bot.db.meta import MetaStore
from bot.db.shows import ShowStore
from bot.domain.errors import (
    AmbiguousTitleError,
    InvalidInputError,
    RemoteUnavailableError,
    Searched,
    TvmazeLinkTakenError,
    UnknownTitleError,
)
from bot.domain.linking import LinkMatch, match_tvmaze
from bot.domain.models import Episode, Show, ShowSource
from bot.domain.ranking import popularity, show_label
from bot.domain.search import (
    AUTOCOMPLETE_LIMIT,
    SNAPSHOT_FORMAT,
    NameKind,
    SearchHit,
    SearchIndex,
    Tier,
    confident_match,
    match_settled,
)
from bot.domain.text import normalize
from bot.index_worker import IndexWorker
from bot.providers.base import Errand, ShowProvider, SourceBusyError, SourceError, current_errand, errand
from bot.providers.bundled import BundledCatalog

log = logging.getLogger(__name__)

_ID_VALUE = re.compile(r"#(\d{1,12})")
CATALOG_DIGEST_KEY = "catalog_digest"
RECENT_SHOWS = 512
# Below this many shows the index builds in well under a tenth of a second: saving it would cost more than it saves.
SNAPSHOT_MIN_SHOWS = 5000
# What one member's lookup may spend on TVmaze's network and back-off, so a hang or an outage is answered well
# within 15 s of the deferral. Waiting for a turn under the rate limit is not counted (see providers.base.Errand).
REMOTE_SECONDS = 10.0
# A title TVmaze has and the database has not: one search, then the show with seasons, cast and episodes.
NEW_TITLE_REQUESTS = 2
# How often a running bot looks for shows another process (``catalog import``) wrote; one cheap query each time.
REFRESH_SECONDS = 30.0
# Past this many changed shows a refresh builds a new index off the event loop instead of folding them in on it.
REBUILD_AT = 500
# Names from which ``import_shows`` builds the index in a worker process: below, starting one (about a tenth of a
# second) costs more than building the index here.
WORKER_MIN_NAMES = 50_000


# The names that are a show's own (not its cast's or characters'): what a namesake shares with a TVmaze record.
_OWN_NAMES = frozenset({NameKind.TITLE, NameKind.NATIVE, NameKind.ALIAS})


class IndexStart(StrEnum):
    """How ``start`` got its search index."""

    BUILT = "built"
    LOADED = "loaded"
    REPLAYED = "loaded with changes replayed"
    BUILT_ALONGSIDE = "built in a worker process while the imported shows were written"


class ShowLookup:
    """Finds shows by what members type, and keeps the in-memory index in step with the database."""

    def __init__(
        self,
        store: ShowStore,
        meta: MetaStore,
        catalog: BundledCatalog,
        remote: ShowProvider | None = None,
        *,
        snapshot_min_shows: int = SNAPSHOT_MIN_SHOWS,
        worker_min_names: int = WORKER_MIN_NAMES,
        remote_seconds: float = REMOTE_SECONDS,
        refresh_seconds: float | None = REFRESH_SECONDS,
    ) -> None:
        self.store = store
        self.meta = meta
        self.catalog = catalog
        self.remote = remote
        self.snapshot_min_shows = snapshot_min_shows
        self.worker_min_names = worker_min_names
        self.remote_seconds = remote_seconds
        self._saving: asyncio.Task[None] | None = None
        self.index = SearchIndex.build([], {})
        self.ready_seconds = 0.0
        self.started_by: IndexStart | None = None
        self.refreshed_by: IndexStart | None = None  # how the last refresh that changed anything took the changes in
        self.replayed = 0
        # The generation of shows the index reflects: a refresh folds in what was written after it.
        self.generation = 0
        self.refresh_seconds = refresh_seconds
        self._refresher: asyncio.Task[None] | None = None
        # Recently used shows, so a busy /drama info does not queue behind the database thread each time.
        self._recent: OrderedDict[int, Show] = OrderedDict()

    async def start(self) -> None:
        """Store the bundled catalogue when it changed since the last start, then load or build the index.

        The bundled file only adds its shows and updates the ones that came from it: an imported or TVmaze record
        of the same show is kept as it is (``ShowStore.merge``).
        """
        started = time.perf_counter()
        await self.store_bundled()
        generation = await self.store.generation()
        index, how = await self._saved_index(generation)
        if index is None:
            rows, labels, weights = await self.store.index_rows()
            index = SearchIndex.build(rows, labels, weights)
            how = IndexStart.BUILT
        self._ready(index, generation, how, started)

    async def import_shows(self, shows: Sequence[Show]) -> MergeCounts:
        """Store imported shows (``catalog import``) by the rules of ``ShowStore.merge``, and have the search index
        ready over all stored shows, as ``start`` would (``close()`` waits for its snapshot to be saved).

        The merge is worked out first; from that plan the index is built in a worker process while the chunks are
        written, when there are enough names for that to pay (``bot.index_worker``). When another process stored
        shows meanwhile, the plan no longer tells what is stored, and the index is built from the database instead.
        """
        started = time.perf_counter()
        await self.store_bundled()
        plan = await self.store.plan_merge(shows)
        rows, labels, weights = plan.index_rows(*await self.store.index_rows())
        worker = await IndexWorker.start(rows, labels, weights) if len(rows) >= self.worker_min_names else None
        try:
            counts = await self.store.write_merge(plan)
            built = await worker.result() if worker is not None and plan.held else None
        finally:
            if worker is not None:
                await worker.stop()  # when its index is not wanted (or the import failed); else it has ended
        if not plan.held:
            await self.start()
            return counts
        if built is None:
            self._ready(SearchIndex.build(rows, labels, weights), plan.generation, IndexStart.BUILT, started)
        else:
            index, snapshot = built
            self._ready(index, plan.generation, IndexStart.BUILT_ALONGSIDE, started, snapshot)
        return counts

    def _ready(
        self, index: SearchIndex, generation: int, how: IndexStart, started: float, snapshot: bytes | None = None
    ) -> None:
        """Serve ``index`` (as of shows generation ``generation``) from now on; save it when it is worth saving."""
        if index.compact and how is not IndexStart.LOADED and len(index) >= self.snapshot_min_shows:
            # Saved after start-up, so the bot is ready as soon as the index is; close() waits for it.
            self._saving = asyncio.create_task(self._save(index, generation, snapshot))
        self.index = index
        self.generation = generation
        self.started_by = how
        self.ready_seconds = time.perf_counter() - started
        self._recent.clear()
        log.info("search index: %d shows %s in %.2fs", len(self.index), how, self.ready_seconds)
        if self.refresh_seconds is not None and self._refresher is None:
            self._refresher = asyncio.create_task(self._refresh_every(self.refresh_seconds))

    async def store_bundled(self) -> None:
        """Store the bundled catalogue when the file changed since it was last stored (by its digest)."""
        if await self.meta.get(CATALOG_DIGEST_KEY) == self.catalog.digest:
            return
        counts = await self.store.merge(self.catalog.shows)
        await self.meta.set(CATALOG_DIGEST_KEY, self.catalog.digest)
        log.info(
            "bundled catalogue: %d shows added, %d updated, %d kept as imported or fetched",
            counts.added,
            counts.updated,
            counts.kept,
        )

    async def _saved_index(self, generation: int) -> tuple[SearchIndex | None, IndexStart]:
        """The saved index with the shows written since replayed on top, or None when there is none to use."""
        saved = await self.store.load_snapshot(SNAPSHOT_FORMAT)
        if saved is None or saved[0] > generation:
            return None, IndexStart.BUILT
        saved_generation, data = saved
        try:
            index = SearchIndex.from_snapshot(data)
        except ValueError:
            log.warning("the saved search index is unreadable; building it again", exc_info=True)
            return None, IndexStart.BUILT
        if saved_generation == generation:
            return index, IndexStart.LOADED
        self.replayed = await self._replay(index, saved_generation)
        log.info("%d shows written since the saved index replayed", self.replayed)
        return index, IndexStart.REPLAYED

    async def _replay(self, index: SearchIndex, since: int) -> int:
        """Fold the shows written after generation ``since`` into ``index``; returns how many."""
        rows, labels, weights = await self.store.index_rows(changed_since=since)
        names: dict[int, list[tuple[str, str]]] = {show_id: [] for show_id in labels}
        for show_id, kind, name, _ in rows:
            names.setdefault(show_id, []).append((kind, name))
        # The index folds the changes in; past a tenth of its size it merges them into a fresh build.
        index.add_shows(
            (show_id, labels.get(show_id, ""), shown, weights.get(show_id, 0.0)) for show_id, shown in names.items()
        )
        for show_id in names:
            self._recent.pop(show_id, None)
        return len(names)

    async def refresh(self) -> int:
        """Take in shows another process wrote (a ``catalog import`` while the bot runs); returns how many changed.

        A few are folded into the live index; many (an import) mean a new index, off the event loop so members are
        answered meanwhile: the one the import saved when it is up to date (loading it takes a tenth of a build),
        else one built in a worker thread. It replaces the old one when ready (``refreshed_by`` says which it was).
        """
        generation = await self.store.generation()
        if generation <= self.generation:
            return 0
        changed = await self.store.count_changed(self.generation)
        if changed <= REBUILD_AT:
            changed = await self._replay(self.index, self.generation)
            self.refreshed_by = IndexStart.REPLAYED
        else:
            self.index, generation, self.refreshed_by = await self._fresh_index(generation)
            self._recent.clear()
        # Shows written while this ran carry a later generation than the one read first: the next refresh has them.
        self.generation = generation
        log.info("search index refreshed: %d shows changed, %d shows in all", changed, len(self.index))
        return changed

    async def _fresh_index(self, generation: int) -> tuple[SearchIndex, int, IndexStart]:
        """A whole new index, made off the event loop, and the generation it reflects (at least ``generation``)."""
        saved = await self.store.load_snapshot(SNAPSHOT_FORMAT)
        if saved is not None and saved[0] >= generation:
            try:
                return await asyncio.to_thread(SearchIndex.from_snapshot, saved[1]), saved[0], IndexStart.LOADED
            except ValueError:
                log.warning("the saved search index is unreadable; building it again", exc_info=True)
        rows, labels, weights = await self.store.index_rows()
        return await asyncio.to_thread(SearchIndex.build, rows, labels, weights), generation, IndexStart.BUILT

    async def _refresh_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.refresh()
            except Exception:  # one failed tick must not end the loop for good
                log.warning("refreshing the search index failed; trying again later", exc_info=True)

    async def _save(self, index: SearchIndex, generation: int, data: bytes | None = None) -> None:
        try:
            if data is None:
                data = await asyncio.to_thread(index.snapshot)
            # Saved under the generation read before the build: any change since makes it stale, never wrong.
            await self.store.save_snapshot(generation, SNAPSHOT_FORMAT, data)
        except Exception:
            log.warning("could not save the search index; the next start builds it again", exc_info=True)

    async def close(self) -> None:
        """Stop refreshing and finish saving the index (if a save is under way) before the database closes."""
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
            self._refresher = None
        if self._saving is not None:
            await self._saving
            self._saving = None

    async def count_by_source(self) -> dict[str, int]:
        """How many shows are stored, by where they came from."""
        return await self.store.count_by_source()

    # -- local, fast --------------------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        return self.index.search(query, limit=limit)

    def autocomplete(self, query: str) -> list[tuple[str, str]]:
        return self.index.autocomplete(query)

    async def get(self, show_id: int) -> Show | None:
        show = self._recent.get(show_id)
        if show is None:
            show = await self.store.get(show_id)
            if show is None:
                return None
        self._remember(show)
        return show

    def _remember(self, show: Show) -> None:
        self._recent[show.id] = show
        self._recent.move_to_end(show.id)
        while len(self._recent) > RECENT_SHOWS:
            self._recent.popitem(last=False)

    # -- resolution (may reach TVmaze when online) ---------------------------------------------------------------

    async def resolve_local(self, text: str) -> Show | None:
        """The show a title option names, from local data only; None when only TVmaze could tell.

        Raises for input that no source could answer (blank, an unknown ``#id``, no match while offline).
        """
        show = await self._local(text)
        return None if show is None or self._incomplete(show) else show

    async def resolve(self, text: str) -> Show:
        """Like ``resolve_local``, then TVmaze when online: slow, so callers defer before calling it."""
        show = await self._local(text)
        if show is not None:
            return await self.complete(show)
        raw = text.strip()
        with self._errand(NEW_TITLE_REQUESTS):
            hits = await self._search_remote(raw)
            best = confident_match(hits)
            show = await self.get(best.show_id) if best else None
            if show is None and hits:
                listed = self.candidates(raw)
                shown = {show_id for _, show_id in listed}
                extra = [(hit.label, hit.show_id) for hit in hits if hit.show_id not in shown]
                raise AmbiguousTitleError(raw, [*listed, *extra][:25])
            if show is None:
                raise UnknownTitleError(raw, searched=Searched.LOCAL_AND_TVMAZE)
            return await self.complete(show)

    async def _local(self, text: str) -> Show | None:
        """The stored show ``text`` names (maybe still to be completed from TVmaze), or None to ask TVmaze."""
        raw = (text or "").strip()
        match = _ID_VALUE.fullmatch(raw)
        if match:
            show = await self.get(int(match.group(1)))
            if show is None:
                raise UnknownTitleError(raw)
            return show
        if not normalize(raw):
            raise InvalidInputError("Type part of a title (English or Hangul), an alias, or an actor's name.")
        # Whether the best hit is clearly best takes the runner-up to know, as far as it can change that.
        hits = self.index.search(raw, limit=2, settled=match_settled)
        best = confident_match(hits)
        show = await self.get(best.show_id) if best else None
        if show is not None:
            return show
        if hits:
            # Several shows fit about equally: the member picks from what autocomplete would offer.
            raise AmbiguousTitleError(raw, self.candidates(raw))
        if self.remote is None:
            raise UnknownTitleError(raw, searched=Searched.LOCAL_ONLY)
        return None

    def candidates(self, text: str) -> list[tuple[str, int]]:
        """The shows ``text`` may mean, best first, labelled as autocomplete labels them (at most 25)."""
        return [(name, int(value.lstrip("#"))) for name, value in self.index.autocomplete(text)]

    def _incomplete(self, show: Show) -> bool:
        """A TVmaze show found by search has no seasons or cast until its full record is fetched."""
        return (
            self.remote is not None
            and show.source == ShowSource.TVMAZE
            and not show.seasons
            and show.tvmaze_id is not None
        )

    async def complete(self, show: Show) -> Show:
        """A show found by TVmaze search lacks seasons and cast: fetch the full record (and episodes) once, store it."""
        if self.remote is None or not self._incomplete(show):
            return show
        try:
            with self._errand(1):
                details = await self.remote.details(show)
        except SourceError as exc:
            log.warning("fetching details of %s failed (%s); showing what is stored", show.title, exc)
            return show
        if details is None:
            return show
        full = dataclasses.replace(details.show, id=show.id)
        await self.add_shows([full])
        if details.episodes:
            await self.store.save_episodes(show.id, details.episodes)
        return full

    @contextlib.contextmanager
    def _errand(self, requests: int) -> Iterator[Errand]:
        """The member's remote work: joined when one is under way (its time and kept places are shared)."""
        ongoing = current_errand()
        if ongoing is not None:
            yield ongoing
            return
        with errand(self.remote_seconds, requests) as work:
            yield work

    async def _search_remote(self, query: str) -> list[SearchHit]:
        """TVmaze's matches joined to the index, then the index's best; says so when TVmaze could not be asked."""
        assert self.remote is not None  # noqa: S101 - only called when set
        try:
            found = await self.remote.search(query, limit=10)
        except SourceError as exc:
            log.warning("remote search for %r failed: %s", query[:80], exc)
            close = [h.label for h in self.index.search(query, limit=5)]
            raise RemoteUnavailableError(
                query, close, exc.retry_after, queued=isinstance(exc, SourceBusyError)
            ) from exc
        # A record already stored under its TVmaze id (a linked catalogue or imported show, or one fetched before) is
        # never overwritten by a bare search result: that would replace its titles, cast and seasons with less.
        # A record TVmaze lists twice is taken once: the second would be stored over what the first was linked to.
        once: dict[object, Show] = {}
        for number, show in enumerate(found):
            once.setdefault(show.tvmaze_id if show.tvmaze_id is not None else f"unnumbered {number}", show)
        found = list(once.values())
        linked = await self.store.by_tvmaze_ids([show.tvmaze_id for show in found if show.tvmaze_id is not None])
        stored: list[Show | None] = []
        for show in found:
            known = None if show.tvmaze_id is None else linked.get(show.tvmaze_id)
            stored.append(known if known is not None else await self._link_namesake(show))
        fresh = [show for show, known in zip(found, stored, strict=True) if known is None]
        new_ids = iter(await self.add_shows(fresh) if fresh else [])
        # Each in TVmaze's order, named as TVmaze names it: TVmaze matched the query's words in that name (which no
        # stored name may carry), or forgave a misspelling the index does not.
        remote = [
            SearchHit(next(new_ids), show_label(show.title, show.year), show.title, NameKind.TITLE, Tier.WORDS, 0.0)
            if known is None
            else SearchHit(known.id, show_label(known.title, known.year), show.title, NameKind.ALIAS, Tier.WORDS, 0.0)
            for show, known in zip(found, stored, strict=True)
        ]
        hits = self.index.search(query, limit=5)
        listed = {hit.show_id for hit in hits}
        extra: list[SearchHit] = []
        for hit in remote:
            if hit.show_id not in listed:
                listed.add(hit.show_id)
                extra.append(hit)
        return sorted([*hits, *extra], key=lambda hit: hit.tier)[:5] if extra else hits

    async def _link_namesake(self, found: Show) -> Show | None:
        """The stored show a TVmaze search result surely is, linked to it now; None when there is none.

        A show stored without a TVmaze link (bundled or imported) with the result's title, which the matcher is sure
        of (``bot.domain.linking``: the year and another fact agree), and no other such show. Storing the result
        instead would list the show twice, once under each record.
        """
        if found.tvmaze_id is None:
            return None
        title = normalize(found.title)
        namesakes = {
            hit.show_id
            for hit in self.index.search(found.title, limit=AUTOCOMPLETE_LIMIT)
            if hit.kind in _OWN_NAMES and normalize(hit.matched) == title
        }
        sure: list[tuple[Show, LinkMatch]] = []
        for show_id in namesakes:
            stored = await self.get(show_id)
            if stored is None or stored.tvmaze_id is not None:
                continue
            decided = match_tvmaze(stored, [found])
            if isinstance(decided, LinkMatch):
                sure.append((stored, decided))
        if len(sure) != 1:
            return None  # none, or several shows it could be: no guess
        stored, decided = sure[0]
        try:
            linked = await self.store.link_tvmaze(
                stored.id, found.tvmaze_id, "matched", f"found by a member's search; {decided.explain()}"
            )
        except TvmazeLinkTakenError:  # another lookup stored or linked that record meanwhile
            return await self.store.by_tvmaze_id(found.tvmaze_id)
        self._recent.pop(stored.id, None)
        log.info("linked %s (#%d) to TVmaze record %d found by search", stored.title, stored.id, found.tvmaze_id)
        return linked

    async def add_shows(self, shows: list[Show]) -> list[int]:
        ids = await self.store.add_many(shows)
        for show_id in ids:
            self._recent.pop(show_id, None)
        self.index.add_shows(
            (show_id, show_label(show.title, show.year), show.search_names(), popularity(show.source))
            for show_id, show in zip(ids, shows, strict=True)
        )
        return ids

    async def episodes(self, show: Show, season: int | None = None) -> list[Episode]:
        """Stored episodes (from TVmaze); else fetched once when online; else numbered from the catalogue's counts."""
        stored = await self.store.episodes(show.id, season)
        if stored:
            return stored
        if self.remote is not None and show.tvmaze_id is not None:
            try:
                with self._errand(1):
                    fetched = await self.remote.episodes(show)
            except SourceError as exc:
                log.warning("fetching episodes of %s failed (%s); numbering them from the counts", show.title, exc)
                fetched = []
            if fetched:
                await self.store.save_episodes(show.id, fetched)
                return [e for e in fetched if season is None or e.season == season]
        listed = await self.catalog.episodes(show)
        return [e for e in listed if season is None or e.season == season]
