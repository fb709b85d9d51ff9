"""Group commit for intake: commands arriving together are stored in one transaction.

SQLite has one writer. Storing each ``/vet`` in its own transaction makes a burst of 100
commands queue behind each other (and behind the worker), so the last acks are late and,
past the busy timeout, lost. Here concurrent callers join one batch: the first arrival
starts a flush task, everyone who arrives before it runs rides along, and each caller gets
its own result (or the batch's exception) back. Nothing is acknowledged before it commits.
"""

from __future__ import annotations

import asyncio
from typing import Any

from vetbot.storage import chat_repository
from vetbot.storage.database import Database

MAX_BATCH = 32  # small batches: the first acks need not wait for the last arrivals


class IntakeBatcher:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: list[tuple[dict[str, Any], asyncio.Future[tuple[str, bool]]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def enqueue(self, **job: Any) -> tuple[str, bool]:
        """Store one job (see ``chat_repository.enqueue_job``); returns (job id, created now)."""
        future: asyncio.Future[tuple[str, bool]] = asyncio.get_running_loop().create_future()
        self._queue.append((job, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="vetbot-intake")
        return await future

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                async with self.db.session() as session:
                    results = await chat_repository.enqueue_jobs(session, [job for job, _ in batch])
            except Exception as exc:  # noqa: BLE001 - handed to every waiting caller, never lost
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
