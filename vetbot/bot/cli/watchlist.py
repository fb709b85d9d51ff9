"""``vetbot watchlist import|list``: sanctions and indicator lists, kept with their provenance."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vetbot.bot.cli import app
from vetbot.bot.cli.common import BadInput, DatabaseOpt, open_service, out_console
from vetbot.checks.context import WatchlistInfo
from vetbot.storage import watchlist_repository
from vetbot.watchlist_formats import FORMATS, FormatError, WatchEntry, parse_file

watchlist_app = typer.Typer(
    help="Sanctions and indicator watchlists (OFAC, UN, OpenSanctions, indicator CSV).", no_args_is_help=True
)
app.add_typer(watchlist_app, name="watchlist")

_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


def read_entries(file: Path, fmt: str) -> list[WatchEntry]:
    """Parse before touching the database: a malformed file is refused with its line and
    reason (exit 2) and the list in force stays as it was."""
    if fmt not in FORMATS:
        raise BadInput(f"--format: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    try:
        entries = parse_file(file, fmt)
    except FormatError as exc:
        raise BadInput(f"{file.name}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{file.name}: cannot read ({type(exc).__name__})") from None
    if not entries:
        raise BadInput(f"{file.name}: no usable entries")
    return entries


@watchlist_app.command("import")
def import_list(
    file: Annotated[Path, typer.Argument(help="SDN.CSV, targets.simple.csv, *.ftm.json, UN XML or CSV")],
    fmt: Annotated[str, typer.Option("--format", help="ofac-sdn, opensanctions, un or csv")],
    name: Annotated[str, typer.Option("--name", help="List name; re-import replaces it atomically")],
    source: Annotated[str | None, typer.Option("--source", help="Where the file came from (URL)")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Import (or replace) a watchlist."""
    if not _NAME.fullmatch(name):
        raise BadInput("--name: use 1–100 letters, digits, '.', '_' or '-'")
    entries = read_entries(file, fmt)

    async def run() -> int:
        async with open_service(database_url) as service, service.db.session() as session:
            return await watchlist_repository.replace_watchlist(
                session, name=name, fmt=fmt, source=source or file.name, entries=entries, actor="cli"
            )

    count = asyncio.run(run())
    kinds: dict[str, int] = {}
    for entry in entries:
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    out_console().print(f"imported {count} entries as watchlist {name!r} ({summary})", markup=False)


@watchlist_app.command("list")
def list_lists(database_url: DatabaseOpt = None) -> None:
    """Show imported watchlists with their format, source and import date."""

    async def run() -> list[WatchlistInfo]:
        async with open_service(database_url) as service, service.db.session() as session:
            return await watchlist_repository.watchlists(session)

    table = Table(title="watchlists")
    for column in ("name", "format", "entries", "source", "imported", "by"):
        table.add_column(column)
    for row in asyncio.run(run()):
        imported = row.imported_at.isoformat(timespec="seconds") if row.imported_at else "-"
        table.add_row(row.name, row.format, str(row.entries), row.source, imported, row.imported_by)
    out_console().print(table)
