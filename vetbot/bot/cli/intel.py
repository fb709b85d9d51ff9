"""``vetbot intel import|list``: admin-imported VPN/proxy CIDR and ASN lists, kept with provenance."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vetbot.bot.cli import app
from vetbot.bot.cli.common import BadInput, DatabaseOpt, open_service, out_console
from vetbot.storage import repository

intel_app = typer.Typer(
    help="Network intelligence lists (VPN/proxy CIDRs, hosting ASNs).", no_args_is_help=True
)
app.add_typer(intel_app, name="intel")

_ASN = re.compile(r"^(?:AS)?(\d{1,10})$", re.IGNORECASE)
KINDS = ("vpn-cidr", "asn")


def parse_intel(text: str, kind: str) -> list[str]:
    """One value per line (first CSV column); ``#`` comments and blanks ignored.

    Raises ``BadInput`` naming the first bad line, so a malformed file never replaces a list.
    """
    values: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].split(",", 1)[0].strip()
        if not value or (number == 1 and value.lower() in {"cidr", "asn", "network", "value"}):
            continue
        if kind == "vpn-cidr":
            try:
                values.append(str(ipaddress.ip_network(value, strict=False)))
            except ValueError:
                raise BadInput(f"line {number}: not a CIDR network: {value!r}") from None
        else:
            match = _ASN.match(value)
            if not match:
                raise BadInput(f"line {number}: not an ASN (AS12345 or 12345): {value!r}")
            values.append(f"AS{int(match.group(1))}")
    if not values:
        raise BadInput("file holds no entries")
    return sorted(set(values))


@intel_app.command("import")
def import_list(
    file: Annotated[Path, typer.Argument(help="Text or CSV file, one CIDR or ASN per line")],
    kind: Annotated[str, typer.Option("--kind", help="vpn-cidr or asn")],
    name: Annotated[str, typer.Option("--name", help="List name; re-import replaces it atomically")],
    source: Annotated[str | None, typer.Option("--source", help="Where the list came from (URL)")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Import (or replace) a network indicator list."""
    if kind not in KINDS:
        raise BadInput(f"--kind: must be one of {', '.join(KINDS)}, got {kind!r}")
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", name):
        raise BadInput("--name: use 1–100 letters, digits, '.', '_' or '-'")
    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    try:
        text = file.read_text("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{file}: not valid UTF-8") from None
    values = parse_intel(text, kind)

    async def run() -> int:
        async with open_service(database_url) as service, service.db.session() as session:
            return await repository.replace_intel_list(
                session, name=name, kind=kind, source=source or str(file.name), values=values, actor="cli"
            )

    count = asyncio.run(run())
    out_console().print(f"imported {count} {kind} entries as list {name!r}", markup=False)


@intel_app.command("list")
def list_lists(database_url: DatabaseOpt = None) -> None:
    """Show imported lists with their source and import date."""

    async def run() -> list[repository.IntelList]:
        async with open_service(database_url) as service, service.db.session() as session:
            return await repository.intel_lists(session)

    table = Table(title="network intel lists")
    for column in ("name", "kind", "entries", "source", "imported"):
        table.add_column(column)
    for row in asyncio.run(run()):
        table.add_row(
            row.name, row.kind, str(row.entries), row.source, row.imported_at.isoformat(timespec="seconds")
        )
    out_console().print(table)
