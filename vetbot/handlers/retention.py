"""Retention: candidate PII is erased automatically N days after the case went quiet.

``run_retention(db, now)`` erases, in batches of one transaction each, every candidate whose
last decision (or, undecided, last vetting) is older than the retention period in force
(``/vet-admin retention DAYS``, default 30), and leaves one pseudonymous audit row per
candidate (actor ``vetbot``, action ``retention.erase``, the candidate key). It is
idempotent — erased candidates are skipped — so several replicas may run it.

``RetentionScheduler`` runs it every ``every_hours`` as a tracked asyncio task; the web
server starts and stops it. Its clock and its sleep are injectable, so tests drive it with a
frozen ``now`` and no real waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from vetbot.storage import admin_repository, repository
from vetbot.storage.database import Database

log = logging.getLogger("vetbot.retention")

SYSTEM_ACTOR = "vetbot"
DEFAULT_EVERY_HOURS = 6.0
MAX_BATCHES = 1000  # a bound, so one run always ends (200 candidates per batch)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def run_retention(db: Database, now: datetime) -> int:
    """Erase every expired candidate as of ``now``; returns how many were erased."""
    total = 0
    for _ in range(MAX_BATCHES):
        async with db.session() as session:
            settings = await repository.current_settings(session)
            keys = await admin_repository.purge_expired(session, now, settings.retention_days)
            for key in keys:
                await admin_repository.append_audit(
                    session,
                    actor=SYSTEM_ACTOR,
                    action="retention.erase",
                    case_id=key,
                    detail={"retention_days": settings.retention_days},
                    at=now,
                )
        total += len(keys)
        if len(keys) < admin_repository.PURGE_BATCH:
            break
    if total:
        log.info("retention purge", extra={"erased": total})
    return total


class RetentionScheduler:
    """Runs ``run_retention`` at start and then every ``every_hours``, until ``stop``.

    A failing run (database briefly unreachable) is logged by type and retried at the next
    tick; it never ends the loop.
    """

    def __init__(
        self,
        db: Database,
        *,
        every_hours: float = DEFAULT_EVERY_HOURS,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        if every_hours <= 0:
            raise ValueError("every_hours must be positive")
        self.db = db
        self.interval = every_hours * 3600.0
        self.clock = clock
        self._sleep = sleep
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.runs = 0  # completed runs, for tests and /metrics

    async def run_once(self) -> int:
        erased = await run_retention(self.db, self.clock())
        self.runs += 1
        return erased

    def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._loop(), name="vetbot-retention")

    async def stop(self, grace: float = 30.0) -> None:
        """Let a run in progress finish (up to ``grace`` seconds), then end the loop."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is None:
            return
        await asyncio.wait({task}, timeout=grace)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.run_once()
            except Exception as exc:  # noqa: BLE001 - retried at the next tick
                log.error("retention purge failed", extra={"error": type(exc).__name__})
            await self._wait()

    async def _wait(self) -> None:
        if self._sleep is not None:
            await self._sleep(self.interval)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self.interval)
