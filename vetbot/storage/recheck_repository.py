"""Repository of re-check rounds (``recheck_tables``): schedule, claim, finish, read.

Same shape as ``chat_repository``: keyword-only functions on the caller's session, claims as
one ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING …`` (replicas skip each
other's rows on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises), ``due_at`` doubling as
the lease of a running round, and ``attempts`` as the fencing token of its final write.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vetbot.checks.settings import ScoringSettings
from vetbot.storage.chat_repository import insert_ignore
from vetbot.storage.recheck_tables import RecheckRow, RecheckStatus
from vetbot.storage.tables import SettingsVersion, utcnow


@dataclass(frozen=True, slots=True)
class ClaimedRecheck:
    id: int
    vetting_id: str
    job_id: str | None
    round_no: int
    check_ids: list[str]
    inputs: dict[str, Any] | None
    token: int


@dataclass(frozen=True, slots=True)
class RecheckHistory:
    """What a card needs: the newest amended result, and which checks are still to be retried."""

    result: dict[str, Any] | None = None  # newest round's result, None when no round changed any
    amended_round: int | None = None
    amended_at: datetime | None = None
    pending: frozenset[str] = frozenset()  # checks a pending or running round will retry
    rounds: dict[str, int] = field(default_factory=dict)  # check id → finished rounds that ran it


async def schedule(
    session: AsyncSession,
    *,
    vetting_id: str,
    job_id: str | None,
    round_no: int,
    check_ids: list[str],
    inputs: dict[str, Any],
    delay: float,
) -> bool:
    """Record round ``round_no`` once; False when that round already exists."""
    now = utcnow()
    return None is not await insert_ignore(
        session,
        RecheckRow,
        conflict=["vetting_id", "round_no"],
        values={
            "vetting_id": vetting_id,
            "job_id": job_id,
            "round_no": round_no,
            "check_ids": check_ids,
            "inputs": inputs,
            "status": RecheckStatus.PENDING.value,
            "attempts": 0,
            "due_at": now + timedelta(seconds=max(0.0, delay)),
            "created_at": now,
        },
    )


async def claim(session: AsyncSession, *, lease_seconds: float) -> ClaimedRecheck | None:
    """Take the oldest due round (pending and due, or running with a dead lease) and lease it."""
    now = utcnow()
    oldest = (
        select(col(RecheckRow.id))
        .where(_due(now))
        .order_by(col(RecheckRow.due_at))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            update(RecheckRow)
            .where(col(RecheckRow.id) == oldest)
            .values(
                status=RecheckStatus.RUNNING.value,
                attempts=col(RecheckRow.attempts) + 1,
                due_at=now + timedelta(seconds=lease_seconds),
            )
            .returning(
                col(RecheckRow.id),
                col(RecheckRow.vetting_id),
                col(RecheckRow.job_id),
                col(RecheckRow.round_no),
                col(RecheckRow.check_ids),
                col(RecheckRow.inputs),
                col(RecheckRow.attempts),
            )
        )
    ).first()
    if row is None:
        return None
    recheck_id, vetting_id, job_id, round_no, check_ids, inputs, token = row
    return ClaimedRecheck(recheck_id, vetting_id, job_id, round_no, list(check_ids), inputs, token)


async def finish(
    session: AsyncSession,
    *,
    recheck_id: int,
    token: int,
    status: RecheckStatus,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> bool:
    """Close a round if this worker still holds it; the inputs go with it. False: lease lost."""
    done = await session.execute(
        update(RecheckRow)
        .where(
            col(RecheckRow.id) == recheck_id,
            col(RecheckRow.attempts) == token,
            col(RecheckRow.status) == RecheckStatus.RUNNING.value,
        )
        .values(status=status.value, result=result, error=error, inputs=None, finished_at=utcnow())
        .returning(col(RecheckRow.id))
    )
    return done.first() is not None


async def history(session: AsyncSession, *, vetting_id: str) -> RecheckHistory:
    rows = (
        await session.execute(
            select(
                col(RecheckRow.round_no),
                col(RecheckRow.status),
                col(RecheckRow.check_ids),
                col(RecheckRow.result),
                col(RecheckRow.finished_at),
            )
            .where(col(RecheckRow.vetting_id) == vetting_id)
            .order_by(col(RecheckRow.round_no))
        )
    ).all()
    if not rows:
        return RecheckHistory()
    amended = [r for r in rows if r.result is not None]
    pending = frozenset(
        c
        for r in rows
        if r.status in (RecheckStatus.PENDING.value, RecheckStatus.RUNNING.value)
        for c in r.check_ids
    )
    rounds = dict(
        Counter(
            c
            for r in rows
            if r.status in (RecheckStatus.DONE.value, RecheckStatus.FAILED.value)
            for c in r.check_ids
        )
    )
    if not amended:
        return RecheckHistory(pending=pending, rounds=rounds)
    last = amended[-1]
    return RecheckHistory(last.result, last.round_no, last.finished_at, pending, rounds)


async def any_due(session: AsyncSession) -> bool:
    """Whether ``claim`` would find a round (a read, so idle polling takes no write lock)."""
    row = await session.execute(select(col(RecheckRow.id)).where(_due(utcnow())).limit(1))
    return row.first() is not None


def _due(now: datetime) -> Any:
    """Pending and due, or running with a dead lease."""
    return or_(
        and_(col(RecheckRow.status) == RecheckStatus.PENDING.value, col(RecheckRow.due_at) <= now),
        and_(col(RecheckRow.status) == RecheckStatus.RUNNING.value, col(RecheckRow.due_at) < now),
    )


async def unfinished_due(session: AsyncSession) -> int:
    """Rounds due now or running: what ``BotCore.drain`` waits for (later rounds are not)."""
    now = utcnow()
    count = await session.execute(
        select(func.count())
        .select_from(RecheckRow)
        .where(
            or_(
                and_(col(RecheckRow.status) == RecheckStatus.PENDING.value, col(RecheckRow.due_at) <= now),
                col(RecheckRow.status) == RecheckStatus.RUNNING.value,
            )
        )
    )
    return int(count.scalar_one())


async def settings_at(session: AsyncSession, *, version: int) -> ScoringSettings:
    """The settings a vetting used (version 0: the defaults, before any change)."""
    row = await session.get(SettingsVersion, version) if version else None
    return ScoringSettings() if row is None else ScoringSettings.from_json(row.data, version=row.version)
