"""``vetbot vet``, ``vetbot batch`` and ``vetbot checks``."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from vetbot.bot.cli import app
from vetbot.bot.cli.common import (
    BadInput,
    DatabaseOpt,
    err_console,
    open_service,
    out_console,
    read_records,
    stream_records,
)
from vetbot.bot.render.terminal import risk_card
from vetbot.checks.base import Check
from vetbot.checks.providers.base import ProviderCheck
from vetbot.checks.registry import Registry
from vetbot.gc_tuning import batch_gc
from vetbot.handlers.vetting import Vetted
from vetbot.models.parsing import ParsedProfile, ProfileError, parse_profile


@app.command()
def vet(
    profile: Annotated[str, typer.Argument(help="Profile file (.json, .yaml, .csv) or - for stdin")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the spec's result format")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Vet one candidate and print a risk card (or the JSON result)."""
    records = read_records(profile)
    if not records:
        raise BadInput(f"{profile}: no profile found")
    if len(records) > 1:
        raise BadInput(f"{profile}: holds {len(records)} profiles; use `vetbot batch`")
    record = records[0]
    if record.error or record.data is None:
        raise BadInput(record.error or "no profile")
    try:
        parsed = parse_profile(record.data)
    except ProfileError as exc:
        raise BadInput(str(exc)) from None

    async def run() -> Vetted:
        async with open_service(database_url) as service:
            return await service.vet(parsed, requester="cli")

    vetted = asyncio.run(run())
    if as_json:
        sys.stdout.write(vetted.result.model_dump_json() + "\n")
    else:
        out_console().print(risk_card(vetted.result, show_checks=True))


# Profiles per transaction. Each commit rewrites the index pages the chunk touched, and with
# hashed identifiers that is most of them: measured on 10,000 profiles, 1,000 per commit ran
# ~15 % faster than 200. A crash loses at most the uncommitted chunk: results are printed
# only after their chunk commits, so whatever was printed is stored.
BATCH_CHUNK = 1_000


@app.command()
def batch(
    input: Annotated[str, typer.Argument(help="JSON, JSONL, YAML or CSV file of profiles, or - for stdin")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSONL results (default: stdout)")
    ] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Vet many profiles in input order; bad records are reported by line and skipped."""
    records, expected = stream_records(input)
    stream: TextIO = output.open("w", encoding="utf-8") if output else sys.stdout
    errors = err_console()
    counts = {"vetted": 0, "skipped": 0}

    def items() -> Any:
        for record in records:
            if record.error or record.data is None:
                yield (record.line, record.error or "no profile")
                continue
            try:
                yield parse_profile(record.data)
            except ProfileError as exc:
                yield (record.line, str(exc))

    async def run() -> None:
        progress = Progress(
            TextColumn("vetting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=errors,
            disable=not errors.is_terminal,
            transient=True,
        )
        with progress:
            task = progress.add_task("vet", total=expected)
            async with open_service(database_url) as service:
                await service.engine.warm_up()  # bundled data loaded before batch_gc freezes it
                with batch_gc() as collector:
                    async for item in service.vet_many(items(), requester="cli-batch", chunk=BATCH_CHUNK):
                        report(item)
                        progress.advance(task)
                        collector.tick()

    def report(item: Vetted | tuple[int, str]) -> None:
        if isinstance(item, Vetted):
            stream.write(item.result.model_dump_json() + "\n")
            counts["vetted"] += 1
        else:
            line, problem = item
            errors.print(f"line {line}: {problem}", markup=False, highlight=False)
            counts["skipped"] += 1

    try:
        asyncio.run(run())
    finally:
        if output:
            stream.close()
    errors.print(f"{counts['vetted']} vetted, {counts['skipped']} skipped", markup=False, highlight=False)


@app.command("checks")
def list_checks(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the docs/checks.md catalogue")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """List checks: id, title, weight in force, enabled, evidence strength and source."""
    if markdown:
        from vetbot.bot.render.markdown import checks_markdown

        sys.stdout.write(checks_markdown(Registry.default(plugins=False)))
        return

    async def configured() -> tuple[Any, Registry]:
        async with open_service(database_url) as service:  # the registry the environment configures
            return await service.settings(), service.registry

    current, registry = asyncio.run(configured())
    rows = [
        {
            "id": c.id,
            "title": c.title,
            "weight": current.weights.get(c.id, c.weight),
            "default_weight": c.weight,
            "enabled": c.id not in current.disabled and _provider_on(c),
            "off_because": _off_because(c, current.disabled),
            "evidence": c.evidence.value,
            "source": c.source,
        }
        for c in registry
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="vetbot checks")
    for column in ("id", "title", "weight", "enabled", "evidence", "source"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["id"],
            row["title"],
            str(row["weight"]),
            "yes" if row["enabled"] else f"no ({row['off_because']})",
            row["evidence"],
            row["source"],
        )
    out_console().print(table)


def _provider_on(check: Check) -> bool:
    """A network provider's check runs only when its provider is configured (offline default)."""
    return not isinstance(check, ProviderCheck) or check.configured


def _off_because(check: Check, disabled: Collection[str]) -> str | None:
    if check.id in disabled:
        return "disabled by an admin"
    if not _provider_on(check):
        assert isinstance(check, ProviderCheck)
        return f"{check.provider} provider off; VETBOT_PROVIDERS={check.provider} enables it"
    return None


__all__ = ["ParsedProfile", "batch", "list_checks", "vet"]
