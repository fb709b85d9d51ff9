"""The checks' read-only ``StoreView`` over one session (see ``vetbot.checks.context``)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.checks.context import IntelEntry, PriorMatch
from vetbot.storage import repository
from vetbot.storage.batch_writer import BatchWriter


class SqlStoreView:
    """Implements ``StoreView``. Reads inside the caller's transaction and, through the batch
    writer's overlay, rows not yet flushed, so a batch sees its own earlier lines; intel lists
    are read once per view (they change only on import)."""

    def __init__(self, session: AsyncSession, writer: BatchWriter | None = None) -> None:
        self._session = session
        self._writer = writer
        self._intel: list[IntelEntry] | None = None
        self._lock = asyncio.Lock()  # checks run concurrently; one AsyncSession must not

    async def prior_matches(
        self, keys: Sequence[tuple[str, str]], exclude_candidate: str
    ) -> list[PriorMatch]:
        async with self._lock:
            return await repository.prior_matches(
                self._session, keys=keys, exclude_candidate=exclude_candidate
            )

    async def intel_entries(self) -> Sequence[IntelEntry]:
        async with self._lock:
            if self._intel is None:
                self._intel = await repository.intel_entries(self._session)
            return self._intel
