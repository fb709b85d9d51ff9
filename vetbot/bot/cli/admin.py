"""``vetbot admin …`` (the ``/vet-admin`` commands) and ``vetbot audit export``.

The CLI acts as ``cli:<OS user>`` and is treated as an admin: whoever runs it holds the
database credentials anyway, and it is how a deployment recovers when no chat admin is left.
Its actions are audited under that id like any other.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer

from vetbot.bot.cli import app
from vetbot.bot.cli.common import BadInput, DatabaseOpt, open_service
from vetbot.handlers.admin import AdminHandler
from vetbot.handlers.api import ErrorReply, Platform
from vetbot.handlers.roles import admins_from_env
from vetbot.storage import admin_repository

audit_app = typer.Typer(name="audit", help="The append-only audit log.", no_args_is_help=True)
app.add_typer(audit_app)


def cli_actor() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        user = "unknown"
    return f"{Platform.CLI.value}:{user}"


@app.command(
    "admin",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def admin(
    words: Annotated[
        list[str] | None, typer.Argument(help="A /vet-admin command, e.g. threshold high 55")
    ] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Run a /vet-admin command (show, threshold, weight, role, export, erase …; `admin help`)."""
    text = " ".join(shlex.quote(w) for w in words or [])
    actor = cli_actor()

    async def run() -> str | ErrorReply:
        async with open_service(database_url) as service:
            handler = AdminHandler(service, admins=admins_from_env() | {actor})
            reply = await handler.handle(actor, text)
        return reply if isinstance(reply, ErrorReply) else reply.text

    result = asyncio.run(run())
    if isinstance(result, ErrorReply):
        raise BadInput(result.message)
    sys.stdout.write(result + "\n")


def parse_since(value: str) -> datetime:
    """``2026-11-01`` or an ISO timestamp; without a zone it is UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"--since: not a date: {value[:40]!r} (use YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@audit_app.command("export")
def audit_export(
    since: Annotated[str, typer.Option("--since", help="First day (YYYY-MM-DD or ISO timestamp, UTC)")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSONL file (default: stdout)")
    ] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Write audit records since DATE as JSON lines (ids only, no candidate PII)."""
    start = parse_since(since)
    actor = cli_actor()

    async def run(stream: TextIO) -> int:
        async with open_service(database_url) as service:
            async with service.db.session() as session:
                rows = await admin_repository.audit_since(session, since=start)
                for record in admin_repository.audit_json(rows):
                    stream.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                await admin_repository.append_audit(
                    session,
                    actor=actor,
                    action="audit.export",
                    detail={"since": start.isoformat(), "rows": len(rows)},
                )
            return len(rows)

    if output is None:
        asyncio.run(run(sys.stdout))
        return
    with output.open("w", encoding="utf-8") as stream:
        count = asyncio.run(run(stream))
    sys.stderr.write(f"{count} audit records written to {output}\n")
