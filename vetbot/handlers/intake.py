"""Group commit for intake: commands arriving together are checked and stored in one transaction.

SQLite has one writer. Storing each ``/vet`` in its own transaction makes a burst of 100
commands queue behind each other (and behind the worker), so the last acks are late and,
past the busy timeout, lost. Here concurrent callers join one batch: the first arrival
starts a flush task, everyone who arrives before it runs rides along, and each caller gets
its own result (or the batch's exception) back. Nothing is acknowledged before it commits.

The role guard and the privacy-notice policy are read in that same transaction, once per
batch, rather than in a read transaction per command: measured on a burst of 100 signed
``/vet`` (benchmarks/bench_chat.py, SQLite), the per-command reads took ~100 ms of the ack
time by themselves, queueing for pooled connections ahead of the batch's write. It is also
the stricter order — the permission is checked in the transaction that stores the job — and
a refusal is audited there too (``roles.authorize``), so it is never silently dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.checks.settings import ScoringSettings
from vetbot.handlers import roles
from vetbot.storage import chat_repository, repository
from vetbot.storage.database import Database

MAX_BATCH = 32  # small batches: the first acks need not wait for the last arrivals


@dataclass(frozen=True, slots=True)
class Stored:
    """A job that is now in the database (``created`` False: its key was stored before)."""

    job_id: str
    created: bool
    held: bool  # waiting for the privacy-notice confirmation


@dataclass(frozen=True, slots=True)
class Refused:
    """The actor may not vet; the refusal is already audited. ``message`` is for the user."""

    message: str


Outcome = Stored | Refused


class Inbound:
    """How many requests the edges are answering right now; vetting steps aside for them.

    Acks, vettings and card deliveries share one event loop, which runs ready callbacks
    first come, first served: a vetting (~5 ms of CPU in many small steps) or a delivery
    started in the middle of a burst of commands delays every ack queued behind it. So the
    worker and the dispatcher wait for a moment without requests in flight before they
    *start* the next vetting or delivery — at most ``MAX_DEFER`` seconds, so that under
    unbroken traffic they still proceed. Measured with a burst of 100 signed ``/vet`` landing
    while the previous burst's 100 jobs are being vetted and delivered (SQLite, 2 cores,
    8 runs each; ``benchmarks/bench_chat.py --backlog``): p99 ack median 111 ms with the
    deferral, 222 ms without (worst 167 vs 902 ms)."""

    MAX_DEFER = 0.5

    def __init__(self) -> None:
        self._count = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def busy(self) -> int:
        return self._count

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        """Around the handling of one inbound request (the web app's middleware)."""
        self._count += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self._count -= 1
            if self._count == 0:
                self._quiet.set()

    async def quiet(self, timeout: float = MAX_DEFER) -> None:  # noqa: ASYNC109 - a bound, not a deadline
        """Return once no request is in flight, or after ``timeout`` seconds."""
        if self._count:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), timeout)


class IntakeBatcher:
    def __init__(self, db: Database, *, admins: frozenset[str] = frozenset()) -> None:
        self.db = db
        self.admins = admins
        self._queue: list[tuple[dict[str, Any], asyncio.Future[Outcome]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.inbound = Inbound()

    async def enqueue(self, **job: Any) -> Outcome:
        """Check that ``job["actor"]`` may vet, then store the job (``chat_repository.enqueue_job``
        fields; ``held`` is decided here from the notice policy in force)."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.append((job, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="vetbot-intake")
        return await future

    async def _flush(self) -> None:
        while self._queue:
            batch: list[tuple[dict[str, Any], asyncio.Future[Outcome]]] = []
            try:
                async with self.db.session() as session:
                    settings = await repository.current_settings(session)
                    # the batch is taken only now, with the write lock held: whoever arrived
                    # while the transaction was being opened rides along instead of waiting
                    # for the next one (measured: the first batch of a burst grows from 1 to
                    # most of it)
                    batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                    outcomes = await self._store(session, settings, [job for job, _ in batch])
            except Exception as exc:  # noqa: BLE001 - handed to every waiting caller, never lost
                if not batch:  # failed before taking it (e.g. no connection): fail the next one
                    batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)

    async def _store(
        self, session: AsyncSession, settings: ScoringSettings, jobs: list[dict[str, Any]]
    ) -> list[Outcome]:
        held = roles.policy(settings, roles.Policy.NOTICE) == "required"
        outcomes: list[Outcome | None] = []
        # under "requesters all" (the default) every member is a requester, and requesters may
        # vet: nobody's grants need reading. Otherwise each actor's once per batch.
        everyone = (
            roles.policy(settings, roles.Policy.REQUESTERS) == "all"
            and roles.Role.REQUESTER in roles.PERMISSIONS["vet"]
        )
        allowed: set[str] = set()  # actors seen allowed in this batch
        for job in jobs:
            actor = job["actor"]
            if not everyone and actor not in allowed:
                denied = await roles.authorize(session, actor, "vet", settings=settings, admins=self.admins)
                if denied is not None:
                    outcomes.append(Refused(denied.message))
                    continue
                allowed.add(actor)
            outcomes.append(None)
        accepted = [job | {"held": held} for job, out in zip(jobs, outcomes, strict=True) if out is None]
        stored = iter(await chat_repository.enqueue_jobs(session, accepted))
        return [out if out is not None else Stored(*next(stored), held=held) for out in outcomes]
