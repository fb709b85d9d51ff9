"""The checks' read-only ``StoreView`` over one session (see ``vetbot.checks.context``)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

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

    async def prior_matches(
        self, keys: Sequence[tuple[str, str]], exclude_candidate: str
    ) -> list[PriorMatch]:
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
