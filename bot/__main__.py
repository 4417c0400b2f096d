"""Command line: ``watch-companion run|try|sync|catalog``. The only place that reads ``.env``."""

from __future__ import annotations

import argparse
import asyncio
import errno
import gc
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dotenv import load_dotenv

from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from bot.db.merge import MergeCounts
    from bot.domain.models import Show

log = logging.getLogger("bot")

EXIT_USAGE = 2
EXIT_UNAVAILABLE = 1
EXIT_STORAGE = 1
MEMORY_REFUSED = (
    "DATABASE_URL is sqlite:///:memory:, which keeps nothing once this command ends; point it at a file"
    " (for example sqlite:///watch-companion.db)"
)
SETUP_HINT = (
    "DISCORD_TOKEN is not set: put your bot's token in the environment or in a .env file (see .env.example),"
    " or run `watch-companion try` for the offline playground."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="watch-companion", description="Watch Companion, a Discord bot for dramas.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="connect to Discord and serve (default)")
    play = sub.add_parser("try", help="the offline playground: a sandbox Discord in your terminal, no token needed")
    play.add_argument("--script", type=Path, help="run the lines of FILE instead of prompting; exit 1 on a failure")
    sub.add_parser("sync", help="push the slash commands to Discord now")
    catalog = sub.add_parser("catalog", help="manage the show catalogue in the database")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    imp = catalog_sub.add_parser("import", help="load extra shows from a CSV or JSON file")
    imp.add_argument("file", type=Path)
    catalog_sub.add_parser("stats", help="count the shows stored, by source")
    link = catalog_sub.add_parser("link", help="set or correct which TVmaze record a stored show is")
    link.add_argument("title", help="the show's title (English or Hangul) or #id")
    link.add_argument("tvmaze", help="the TVmaze show id (1234) or its link (https://www.tvmaze.com/shows/1234/...)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    load_dotenv(dotenv_path=Path.cwd() / ".env", override=False)
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        print(f"watch-companion: {exc}", file=sys.stderr)
        return EXIT_USAGE
    command = args.command or "run"
    if command == "try":
        from bot.playground.cli import run_playground

        return run_playground(settings, script=args.script)
    if command == "catalog":
        return _catalog(settings, args)
    if not settings.token:
        print(f"watch-companion: {SETUP_HINT}", file=sys.stderr)
        return EXIT_USAGE
    if command == "run" and settings.database_in_memory:
        print(f"watch-companion: {MEMORY_REFUSED}", file=sys.stderr)
        return EXIT_USAGE
    from bot.logs import setup_logging

    setup_logging(settings.log_level, [settings.token])
    return _serve(settings, command)


def _serve(settings: Settings, command: str) -> int:
    """``run`` or ``sync``; a Discord that cannot be reached or refuses the token is one line, not a traceback."""
    import aiohttp
    import discord

    from bot.db.database import StorageError
    from bot.runner import run_bot

    where = settings.discord_api_base or "Discord (discord.com)"
    try:
        asyncio.run(_sync(settings) if command == "sync" else run_bot(settings))
    except StorageError as exc:
        print(f"watch-companion: {exc}", file=sys.stderr)
        return EXIT_STORAGE
    except KeyboardInterrupt:
        log.info("interrupted; closed cleanly")
    except discord.LoginFailure:
        print(
            "watch-companion: Discord rejected DISCORD_TOKEN; copy it again from the developer portal", file=sys.stderr
        )
        return EXIT_USAGE
    except (aiohttp.ClientError, TimeoutError, discord.GatewayNotFound, discord.DiscordServerError) as exc:
        hint = "check DISCORD_API_BASE" if settings.discord_api_base else "check the network connection"
        print(f"watch-companion: could not reach {where} ({_reason(exc)}); {hint}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except discord.HTTPException as exc:
        print(f"watch-companion: {where} refused the request: {exc.status} {_short(exc.text)}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return 0


def _reason(exc: BaseException) -> str:
    """Why a connection failed, in a few words."""
    import aiohttp
    import discord

    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return "connection refused: nothing listens there"
        return _short(exc.os_error.strerror or str(exc.os_error))
    if isinstance(exc, aiohttp.ServerDisconnectedError | ConnectionResetError) or (
        isinstance(exc, aiohttp.ClientOSError) and exc.errno == errno.ECONNRESET
    ):
        return "it closed the connection without answering"
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return "no answer in time"
    if isinstance(exc, discord.DiscordServerError):
        return f"it answered {exc.status}, a server error"
    if isinstance(exc, discord.GatewayNotFound):
        return "its gateway could not be found"
    return _short(str(exc) or type(exc).__name__)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


async def _sync(settings: Settings) -> None:
    from bot.runner import sync_now

    print(f"commands synced ({await sync_now(settings)})")


def _catalog(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db.database import StorageError
    from bot.providers.catalog import parse_import

    try:
        if args.catalog_command == "stats":
            return asyncio.run(_catalog_stats(settings))
        if settings.database_in_memory:
            print(f"watch-companion: {MEMORY_REFUSED}", file=sys.stderr)
            return EXIT_USAGE
        if args.catalog_command == "link":
            return asyncio.run(_catalog_link(settings, args.title, args.tvmaze))
        path: Path = args.file
        if not path.is_file():
            print(f"watch-companion: no such file: {path}", file=sys.stderr)
            return EXIT_USAGE
        # A short batch that allocates millions of objects and frees none until it ends: the cycle collector's
        # passes over them cost a quarter of the time and would find nothing.
        gc.disable()
        result = parse_import(path)
        for problem in result.errors:
            print(f"{path}:{problem.position}: {problem.message}", file=sys.stderr)
        counts = asyncio.run(_catalog_store(settings, result.shows)) if result.shows else None
    except StorageError as exc:
        print(f"watch-companion: {exc}", file=sys.stderr)
        return EXIT_STORAGE
    stored = counts.stored if counts else 0
    detail = f" ({counts.added} new, {counts.updated} updated)" if counts else ""
    print(f"imported {stored} shows; {result.rejected} rows rejected{detail}")
    return 1 if result.errors else 0


async def _catalog_stats(settings: Settings) -> int:
    from bot.db.database import Database
    from bot.db.shows import ShowStore
    from bot.domain.models import ShowSource
    from bot.providers.bundled import BundledCatalog

    async with await Database.open(settings.database_path) as db:
        counts = await ShowStore(db).count_by_source()
    print(f"bundled catalogue file: {len(BundledCatalog.load().shows)} shows (stored when the bot starts)")
    print(f"shows stored: {sum(counts.values())}")
    for source in ShowSource:
        print(f"  {source.value}: {counts.get(source, 0)}")
    return 0


async def _catalog_link(settings: Settings, title: str, reference: str) -> int:
    """Link a stored show to a TVmaze record by hand (checked against TVmaze unless OFFLINE)."""
    from bot.db.database import Database
    from bot.db.meta import MetaStore
    from bot.db.shows import ShowStore
    from bot.domain.errors import UserFacingError
    from bot.domain.linking import parse_tvmaze_ref
    from bot.lookup import ShowLookup
    from bot.providers.base import SourceError
    from bot.providers.bundled import BundledCatalog
    from bot.providers.tvmaze import TvmazeSource

    async with await Database.open(settings.database_path) as db:
        store = ShowStore(db)
        lookup = ShowLookup(store, MetaStore(db), BundledCatalog.load(), refresh_seconds=None)
        await lookup.start()
        try:
            tvmaze_id = parse_tvmaze_ref(reference)
            show = await lookup.resolve_local(title)
            if show is None:
                raise UserFacingError(f"no stored show is called {title!r}")
            checked = "not checked: OFFLINE is set"
            if not settings.offline:
                async with TvmazeSource(settings.tvmaze_base_url, retries=1, backoff_base=1.0) as source:
                    record = await source.show(tvmaze_id)
                if record is None:
                    raise UserFacingError(f"TVmaze has no show {tvmaze_id}")
                checked = f"TVmaze calls it {record.title!r} ({record.year or 'year unknown'})"
            await store.link_tvmaze(show.id, tvmaze_id, "manual", "set with `watch-companion catalog link`")
        except UserFacingError as exc:
            print(f"watch-companion: {exc.message}", file=sys.stderr)
            return EXIT_USAGE
        except SourceError as exc:
            print(f"watch-companion: could not reach TVmaze to check the id ({exc})", file=sys.stderr)
            return EXIT_UNAVAILABLE
        finally:
            await lookup.close()
    print(f"linked {show.title!r} (#{show.id}) to TVmaze show {tvmaze_id}; {checked}")
    return 0


async def _catalog_store(settings: Settings, shows: list[Show]) -> MergeCounts:
    from bot.db.database import Database
    from bot.db.meta import MetaStore
    from bot.db.shows import ShowStore
    from bot.lookup import ShowLookup
    from bot.providers.bundled import BundledCatalog

    async with await Database.open(settings.database_path) as db:
        store = ShowStore(db)
        lookup = ShowLookup(store, MetaStore(db), BundledCatalog.load(), refresh_seconds=None)
        # The bundled shows first (on a fresh database), then the import in chunks, each its own transaction, so a
        # bot running on the same database keeps answering meanwhile; the search index is prepared alongside and
        # saved, so the bot's next start need not build it.
        counts = await lookup.import_shows(shows)
        await lookup.close()
        return counts


if __name__ == "__main__":
    sys.exit(main())
