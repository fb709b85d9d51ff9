"""The checks' read-only ``StoreView`` over one session (see ``vetbot.checks.context``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.checks.context import (
    IntelEntry,
    PriorMatch,
    WatchlistHit,
    WatchlistInfo,
    WatchlistNameHit,
)
from vetbot.storage import repository, reuse_repository
from vetbot.storage.batch_writer import BatchWriter
from vetbot.storage.watchlist_view import WatchlistView

PRELOAD_CAP = 20_000  # rows per chunk preload; past it, per-profile queries keep their limit
_NEVER = datetime.min.replace(tzinfo=UTC)


def _seen_order(match: PriorMatch) -> datetime:
    return match.seen_at or _NEVER


class SqlStoreView:
    """Implements ``StoreView``. Reads inside the caller's transaction and, through the batch
    writer's overlay, rows not yet flushed, so a batch sees its own earlier lines; intel lists
    are read once per view (they change only on import)."""

    def __init__(self, session: AsyncSession, writer: BatchWriter | None = None) -> None:
        self._session = session
        self._writer = writer
        self._intel: list[IntelEntry] | None = None
        self._lock = asyncio.Lock()  # checks run concurrently; one AsyncSession must not
        self._watchlist = WatchlistView(session, self._lock)
        self._preloaded: dict[tuple[str, str], list[PriorMatch]] | None = None

    async def preload(self, keys: Iterable[tuple[str, str]], *, cap: int = PRELOAD_CAP) -> bool:
        """Fetch the stored holders of every key a chunk of profiles will look up, in a few
        statements instead of one per profile (each costs a thread hop and ~0.5 ms through
        aiosqlite). Later ``prior_matches`` for preloaded keys are answered from memory with
        the same result as the query. Over ``cap`` rows (a crowd behind some identifier),
        nothing is kept and lookups query as before. Valid until the writer flushes."""
        wanted = list(dict.fromkeys(keys))
        async with self._lock:
            rows = await reuse_repository.holders_of(self._session, keys=wanted, cap=cap)
        if rows is None:
            self._preloaded = None
            return False
        index: dict[tuple[str, str], list[PriorMatch]] = {key: [] for key in wanted}
        for match in rows:
            index[(match.kind, match.value)].append(match)
        self._preloaded = index
        return True

    async def prior_matches(
        self, keys: Sequence[tuple[str, str]], exclude_candidate: str
    ) -> list[PriorMatch]:
        stored = self._from_preload(keys, exclude_candidate)
        if stored is None:
            async with self._lock:
                stored = await reuse_repository.prior_matches(
                    self._session, keys=keys, exclude_candidate=exclude_candidate
                )
        if self._writer is None:
            return stored
        # rows of this chunk not flushed yet: without them a batch would miss its own earlier lines
        seen = {(m.kind, m.value, m.candidate_key) for m in stored}
        buffered = self._writer.overlay(keys, exclude_candidate)
        return stored + [m for m in buffered if (m.kind, m.value, m.candidate_key) not in seen]

    def _from_preload(
        self, keys: Sequence[tuple[str, str]], exclude_candidate: str
    ) -> list[PriorMatch] | None:
        """The query's answer from preloaded rows (same filter, order and limit), or ``None``
        when some key was not preloaded."""
        preloaded = self._preloaded
        if preloaded is None:
            return None
        found: list[PriorMatch] = []
        for key in dict.fromkeys(keys):
            rows = preloaded.get(key)
            if rows is None:
                return None
            if rows:  # most keys have no holder: skip the filter
                found += [m for m in rows if m.candidate_key != exclude_candidate]
        found.sort(key=_seen_order)
        return found[: reuse_repository.MATCH_LIMIT]

    async def intel_entries(self) -> Sequence[IntelEntry]:
        async with self._lock:
            if self._intel is None:
                self._intel = await repository.intel_entries(self._session)
            return self._intel

    async def watchlists(self) -> Sequence[WatchlistInfo]:
        return await self._watchlist.watchlists()

    async def watchlist_exact(self, keys: Sequence[tuple[str, str]]) -> list[WatchlistHit]:
        return await self._watchlist.watchlist_exact(keys)

    async def watchlist_names(self, names: Sequence[str]) -> list[WatchlistNameHit]:
        return await self._watchlist.watchlist_names(names)
