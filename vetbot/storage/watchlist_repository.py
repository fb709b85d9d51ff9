"""Watchlist storage: keyword-only functions taking the session (the repository's shape).

``replace_watchlist`` runs inside the caller's single transaction, so a failed import rolls
back and the previous list stays in force; readers see the old list or the new, never half.
Exact lookups are one indexed query on ``(kind, value)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vetbot.checks.context import WatchlistHit, WatchlistInfo
from vetbot.storage.tables import utcnow
from vetbot.storage.watchlist_tables import Watchlist, WatchlistEntry
from vetbot.watchlist_formats import WatchEntry

CHUNK = 5_000
LOOKUP_LIMIT = 500


async def replace_watchlist(
    session: AsyncSession,
    *,
    name: str,
    fmt: str,
    source: str,
    entries: Sequence[WatchEntry],
    actor: str,
) -> int:
    """Replace list ``name`` with ``entries`` in the caller's transaction; returns the count."""
    await session.execute(delete(WatchlistEntry).where(col(WatchlistEntry.list_name) == name))
    await session.execute(delete(Watchlist).where(col(Watchlist.name) == name))
    await session.execute(
        insert(Watchlist).values(
            name=name,
            format=fmt,
            source=source,
            imported_at=utcnow(),
            imported_by=actor,
            entries=len(entries),
        )
    )
    for start in range(0, len(entries), CHUNK):
        await session.execute(
            insert(WatchlistEntry),
            [
                {
                    "list_name": name,
                    "entity_id": e.entity_id,
                    "kind": e.kind,
                    "value": e.value,
                    "display": e.display,
                    "programme": e.programme,
                    "note": e.note,
                }
                for e in entries[start : start + CHUNK]
            ],
        )
    return len(entries)


async def watchlists(session: AsyncSession) -> list[WatchlistInfo]:
    rows = await session.execute(select(Watchlist).order_by(col(Watchlist.name)))
    return [
        WatchlistInfo(
            name=w.name,
            format=w.format,
            source=w.source,
            imported_at=_aware(w.imported_at),
            imported_by=w.imported_by,
            entries=w.entries,
        )
        for w in rows.scalars()
    ]


def to_hit(entry: WatchlistEntry, info: WatchlistInfo | None) -> WatchlistHit:
    return WatchlistHit(
        kind=entry.kind,
        value=entry.value,
        display=entry.display,
        list_name=entry.list_name,
        entity_id=entry.entity_id,
        programme=entry.programme,
        note=entry.note,
        source=info.source if info else "",
        imported_at=info.imported_at if info else None,
    )


async def lookup_exact(
    session: AsyncSession, *, keys: Sequence[tuple[str, str]], lists: Sequence[WatchlistInfo]
) -> list[WatchlistHit]:
    """Entries equal to any ``(kind, value)``: one query on ``ix_watchlist_entry_kind_value``."""
    if not keys:
        return []
    by_name = {w.name: w for w in lists}
    condition = _pairs(col(WatchlistEntry.kind), col(WatchlistEntry.value), keys)
    rows = await session.execute(select(WatchlistEntry).where(condition).limit(LOOKUP_LIMIT))
    return [to_hit(e, by_name.get(e.list_name)) for e in rows.scalars()]


async def entity_entries(
    session: AsyncSession, *, entities: Sequence[tuple[str, str]], lists: Sequence[WatchlistInfo]
) -> list[WatchlistHit]:
    """All entries of the given ``(list_name, entity_id)`` pairs (for corroboration)."""
    if not entities:
        return []
    by_name = {w.name: w for w in lists}
    condition = _pairs(col(WatchlistEntry.list_name), col(WatchlistEntry.entity_id), entities)
    rows = await session.execute(select(WatchlistEntry).where(condition).limit(LOOKUP_LIMIT * 4))
    return [to_hit(e, by_name.get(e.list_name)) for e in rows.scalars()]


async def entries_by_id(session: AsyncSession, *, ids: Sequence[int]) -> list[WatchlistEntry]:
    if not ids:
        return []
    rows = await session.execute(select(WatchlistEntry).where(col(WatchlistEntry.id).in_(list(ids))))
    return list(rows.scalars())


async def iter_names(
    session: AsyncSession, *, list_name: str | None = None, chunk: int = 50_000
) -> AsyncIterator[list[tuple[int, str]]]:
    """``(entry id, displayed name)`` of every name entry, in id order, in chunks (keyset
    pagination: a million names never sit in one result set)."""
    last = 0
    while True:
        query = (
            select(col(WatchlistEntry.id), col(WatchlistEntry.display))
            .where(col(WatchlistEntry.kind) == "name", col(WatchlistEntry.id) > last)
            .order_by(col(WatchlistEntry.id))
            .limit(chunk)
        )
        if list_name is not None:
            query = query.where(col(WatchlistEntry.list_name) == list_name)
        rows = [(int(i or 0), str(d)) for i, d in (await session.execute(query)).tuples()]
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _pairs(first: Any, second: Any, pairs: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    """``(a = ? AND b = ?) OR …``: SQLite answers a row-value ``IN`` list with a full table
    scan (EXPLAIN QUERY PLAN: ``SCAN watchlist_entry``), but an OR of equalities with one
    index search per pair; PostgreSQL plans both as index scans."""
    return or_(*(and_(first == a, second == b) for a, b in dict.fromkeys(pairs)))


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
