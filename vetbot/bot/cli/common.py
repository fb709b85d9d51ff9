"""Shared CLI plumbing: options, exit codes, the service factory and input loading."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers.vetting import VettingService
from vetbot.models.parsing import Record, iter_records, records_from_bytes
from vetbot.storage.database import Database, DatabaseURLError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url", envvar="VETBOT_DATABASE_URL", help="sqlite:///path.db or postgresql://user@host/db"
    ),
]


class BadInput(Exception):
    """Reported as one line and exit code 2."""


def err_console() -> Console:
    return Console(stderr=True, soft_wrap=True)


def out_console() -> Console:
    return Console()


@asynccontextmanager
async def open_service(database_url: str | None) -> AsyncIterator[VettingService]:
    try:
        config = Config.from_env(database_url=database_url)
        db = Database(config.database_url)
    except (DatabaseURLError, ValueError) as exc:
        raise BadInput(str(exc)) from None
    try:
        await db.migrate()
        # network providers only when the environment turns them on (offline by default)
        yield VettingService(db, config, Registry.default(providers=config.providers))
    finally:
        await db.dispose()


def read_records(path: str) -> list[Record]:
    """Records of a file, or of stdin for ``-`` (one JSON document, or JSON lines)."""
    records, _ = stream_records(path)
    return list(records)


def stream_records(path: str) -> tuple[Iterable[Record], int | None]:
    """Records and how many to expect (for a progress bar; ``None`` when unknown).

    A ``.jsonl`` file is read lazily, line by line, so a batch of any size holds only its
    current chunk in memory; stdin and the other formats are read whole."""
    if path == "-":
        records = list(records_from_bytes(sys.stdin.buffer.read()))
        return records, len(records)
    file = Path(path)
    if not file.is_file():
        raise BadInput(f"{path}: no such file")
    if file.suffix.lower() not in {".json", ".jsonl", ".yaml", ".yml", ".csv"}:
        raise BadInput(f"{path}: unsupported file type (use .json, .jsonl, .yaml, .yml or .csv)")
    if file.suffix.lower() == ".jsonl":
        return iter_records(file), _count_lines(file)
    records = list(iter_records(file))
    return records, len(records)


def _count_lines(file: Path) -> int:
    """Lines of a file, counted in 1 MiB blocks (a blank line counts too: close enough for a
    progress bar, and no line is ever held whole)."""
    count, last = 0, b"\n"
    with file.open("rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")
