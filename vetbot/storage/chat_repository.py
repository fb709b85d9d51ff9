"""Repository of the chat workflow: jobs, outbox, escalations, decisions and case status.

Keyword-only functions taking the session they work in (the ``repository.py`` shape); the
caller owns the transaction, so a state change and the side effects it causes commit
together. Claims are single statements that work on both backends:
``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING …`` on PostgreSQL, where
replicas skip each other's locked rows; on SQLite ``FOR UPDATE`` compiles away and the
``BEGIN IMMEDIATE`` that ``Database`` issues serialises writers instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from vetbot.storage.chat_tables import (
    ChatJob,
    JobStatus,
    OutboxRow,
    OutboxStatus,
)
from vetbot.storage.tables import utcnow


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this worker holds; ``token`` (the attempt number) fences its final write."""

    id: str
    token: int
    platform: str
    actor: str
    command: dict[str, Any]
    conversation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    id: int
    key: str
    kind: str
    platform: str
    payload: dict[str, Any]
    attempts: int  # this claim's number: > 1 means an earlier attempt may have reached the platform
    created_at: datetime


async def insert_ignore(
    session: AsyncSession, model: type[SQLModel], *, values: dict[str, Any], conflict: list[str]
) -> Any | None:
    """INSERT … ON CONFLICT DO NOTHING: the new row's primary key, or None when it existed.
    The UNIQUE constraint, not a read-then-write, decides, so racing replicas cannot both win."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__  # type: ignore[attr-defined]
    pk = next(iter(table.primary_key.columns))
    stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict).returning(pk)
    row = (await session.execute(stmt)).first()
    return None if row is None else row[0]


# --- jobs -------------------------------------------------------------------------------------


async def enqueue_job(
    session: AsyncSession,
    *,
    job_id: str,
    idempotency_key: str,
    platform: str,
    actor: str,
    command: dict[str, Any],
    conversation: dict[str, Any],
    held: bool = False,
) -> tuple[str, bool]:
    """Store a job once per idempotency key; returns (the job id for that key, created now).

    A ``held`` job is not claimed until ``release_held_job`` (privacy-notice policy)."""
    now = utcnow()
    created = None is not await insert_ignore(
        session,
        ChatJob,
        conflict=["idempotency_key"],
        values={
            "id": job_id,
            "idempotency_key": idempotency_key,
            "platform": platform,
            "actor": actor,
            "command": command,
            "conversation": conversation,
            "status": (JobStatus.HELD if held else JobStatus.QUEUED).value,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        },
    )
    existing = (
        await session.execute(select(col(ChatJob.id)).where(col(ChatJob.idempotency_key) == idempotency_key))
    ).scalar_one()
    return existing, created


async def enqueue_jobs(session: AsyncSession, jobs: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """``enqueue_job`` for many jobs in two statements (group commit of a burst of commands):
    one multi-row INSERT … ON CONFLICT DO NOTHING, one indexed read of the ids per key."""
    if not jobs:
        return []
    now = utcnow()
    rows = [
        {
            "id": job["job_id"],
            "idempotency_key": job["idempotency_key"],
            "platform": job["platform"],
            "actor": job["actor"],
            "command": job["command"],
            "conversation": job["conversation"],
            "status": (JobStatus.HELD if job.get("held") else JobStatus.QUEUED).value,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for job in jobs
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ChatJob.__table__  # type: ignore[attr-defined]
    await session.execute(insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"]), rows)
    keys = [row["idempotency_key"] for row in rows]
    found = await session.execute(
        select(col(ChatJob.idempotency_key), col(ChatJob.id)).where(col(ChatJob.idempotency_key).in_(keys))
    )
    stored = {key: job_id for key, job_id in found.tuples()}
    out: list[tuple[str, bool]] = []
    claimed: set[str] = set()
    for row in rows:
        job_id = stored[row["idempotency_key"]]
        created = job_id == row["id"] and job_id not in claimed  # a key twice in one burst: first wins
        claimed.add(job_id)
        out.append((job_id, created))
    return out


async def release_held_job(session: AsyncSession, *, job_id: str, actor: str) -> bool:
    """Queue a held job; only its requester may release it. False when nothing was held."""
    result = await session.execute(
        update(ChatJob)
        .where(
            col(ChatJob.id) == job_id,
            col(ChatJob.status) == JobStatus.HELD.value,
            col(ChatJob.actor) == actor,
        )
        .values(status=JobStatus.QUEUED.value, updated_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


async def get_job(session: AsyncSession, *, job_id: str) -> ChatJob | None:
    return await session.get(ChatJob, job_id)


async def claim_job(session: AsyncSession, *, lease_seconds: float) -> ClaimedJob | None:
    """Take the oldest due job: queued (and past any retry delay) or running with a dead lease."""
    now = utcnow()
    due = or_(
        and_(
            col(ChatJob.status) == JobStatus.QUEUED.value,
            or_(col(ChatJob.lease_until).is_(None), col(ChatJob.lease_until) <= now),
        ),
        and_(col(ChatJob.status) == JobStatus.RUNNING.value, col(ChatJob.lease_until) < now),
    )
    oldest = (
        select(col(ChatJob.id))
        .where(due)
        .order_by(col(ChatJob.created_at))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            update(ChatJob)
            .where(col(ChatJob.id) == oldest)
            .values(
                status=JobStatus.RUNNING.value,
                attempts=col(ChatJob.attempts) + 1,
                lease_until=now + timedelta(seconds=lease_seconds),
                updated_at=now,
            )
            .returning(
                col(ChatJob.id),
                col(ChatJob.attempts),
                col(ChatJob.platform),
                col(ChatJob.actor),
                col(ChatJob.command),
                col(ChatJob.conversation),
            )
        )
    ).first()
    return ClaimedJob(*row) if row else None


async def finish_job(
    session: AsyncSession,
    *,
    job_id: str,
    token: int,
    status: JobStatus,
    vetting_id: str | None = None,
    error: str | None = None,
    retry_in: float | None = None,
    command: dict[str, Any] | None = None,
) -> bool:
    """Record a job's outcome if this worker still holds it (fencing on ``attempts``).

    False means the lease was lost to another worker: the caller must roll back.
    ``retry_in`` puts a failed attempt back in the queue after that many seconds.
    ``command`` replaces the stored request (the worker drops the raw profile once vetted).
    """
    now = utcnow()
    values: dict[str, Any] = {"status": status.value, "updated_at": now, "error": error}
    if command is not None:
        values["command"] = command
    if vetting_id is not None:
        values["vetting_id"] = vetting_id
    values["lease_until"] = now + timedelta(seconds=retry_in) if retry_in is not None else None
    result = await session.execute(
        update(ChatJob)
        .where(
            col(ChatJob.id) == job_id,
            col(ChatJob.attempts) == token,
            col(ChatJob.status) == JobStatus.RUNNING.value,
        )
        .values(**values)
        .returning(col(ChatJob.id))
    )
    return result.first() is not None


async def requeue_running(session: AsyncSession) -> int:
    """Single-process start-up (SQLite): whatever was running died with the last process."""
    result = await session.execute(
        update(ChatJob)
        .where(col(ChatJob.status) == JobStatus.RUNNING.value)
        .values(status=JobStatus.QUEUED.value, lease_until=None, updated_at=utcnow())
        .returning(col(ChatJob.id))
    )
    return len(result.all())


async def queue_stats(session: AsyncSession, *, now: datetime | None = None) -> tuple[int, float]:
    """(jobs waiting or running, age in seconds of the oldest of them) for /metrics."""
    row = (
        await session.execute(
            select(func.count(), func.min(col(ChatJob.created_at))).where(
                col(ChatJob.status).in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])
            )
        )
    ).one()
    depth, oldest = int(row[0]), row[1]
    if oldest is None:
        return depth, 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return depth, ((now or utcnow()) - oldest).total_seconds()


async def unfinished(session: AsyncSession, *, platforms: list[str]) -> int:
    """Jobs not yet done plus deliveries still pending for ``platforms`` (what drain waits on)."""
    jobs = (
        await session.execute(
            select(func.count())
            .select_from(ChatJob)
            .where(col(ChatJob.status).in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]))
        )
    ).scalar_one()
    pending = (
        await session.execute(
            select(func.count())
            .select_from(OutboxRow)
            .where(
                col(OutboxRow.status) == OutboxStatus.PENDING.value, col(OutboxRow.platform).in_(platforms)
            )
        )
    ).scalar_one()
    return int(jobs) + int(pending)


# --- outbox -----------------------------------------------------------------------------------


async def enqueue(
    session: AsyncSession, *, key: str, kind: str, platform: str, payload: dict[str, Any]
) -> bool:
    """Record a side effect once per key; False when that key was already recorded."""
    now = utcnow()
    return None is not await insert_ignore(
        session,
        OutboxRow,
        conflict=["key"],
        values={
            "key": key,
            "kind": kind,
            "platform": platform,
            "payload": payload,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "due_at": now,
            "created_at": now,
        },
    )


async def claim_delivery(
    session: AsyncSession, *, platforms: list[str], lease_seconds: float
) -> ClaimedDelivery | None:
    """Take the oldest due delivery for a platform this process can reach; lease it."""
    if not platforms:
        return None
    now = utcnow()
    oldest = (
        select(col(OutboxRow.id))
        .where(
            col(OutboxRow.status) == OutboxStatus.PENDING.value,
            col(OutboxRow.due_at) <= now,
            col(OutboxRow.platform).in_(platforms),
        )
        .order_by(col(OutboxRow.id))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.id) == oldest)
            .values(attempts=col(OutboxRow.attempts) + 1, due_at=now + timedelta(seconds=lease_seconds))
            .returning(
                col(OutboxRow.id),
                col(OutboxRow.key),
                col(OutboxRow.kind),
                col(OutboxRow.platform),
                col(OutboxRow.payload),
                col(OutboxRow.attempts),
                col(OutboxRow.created_at),
            )
        )
    ).first()
    if row is None:
        return None
    delivery_id, key, kind, platform, payload, attempts, created = row
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)  # SQLite returns naive UTC
    return ClaimedDelivery(delivery_id, key, kind, platform, payload, attempts, created)


async def mark_sent(session: AsyncSession, *, delivery_id: int, message_id: str | None) -> None:
    await session.execute(
        update(OutboxRow)
        .where(col(OutboxRow.id) == delivery_id)
        .values(status=OutboxStatus.SENT.value, message_id=message_id, sent_at=utcnow(), last_error=None)
    )


async def reschedule(
    session: AsyncSession,
    *,
    delivery_id: int,
    delay: float,
    error: str | None,
    give_up: bool = False,
    count_attempt: bool = True,
) -> None:
    """Retry later (or mark failed: kept, visible, never silently dropped)."""
    values: dict[str, Any] = {"due_at": utcnow() + timedelta(seconds=delay), "last_error": error}
    if give_up:
        values["status"] = OutboxStatus.FAILED.value
    if not count_attempt:
        values["attempts"] = col(OutboxRow.attempts) - 1
    await session.execute(update(OutboxRow).where(col(OutboxRow.id) == delivery_id).values(**values))


async def delivery(session: AsyncSession, *, key: str) -> OutboxRow | None:
    return (await session.execute(select(OutboxRow).where(col(OutboxRow.key) == key))).scalar_one_or_none()
