"""Repository of chat cases: status, the one escalation per vetting, and people's decisions.

Split from ``chat_repository`` (jobs and outbox) to keep each module small; same shape:
keyword-only functions taking the caller's session, UNIQUE constraints deciding races.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vetbot.storage.chat_repository import insert_ignore
from vetbot.storage.chat_tables import CaseState, DecisionRow, EscalationRow
from vetbot.storage.tables import utcnow


async def open_case(
    session: AsyncSession, *, vetting_id: str, job_id: str | None, requester: str | None, status: str
) -> None:
    await insert_ignore(
        session,
        CaseState,
        conflict=["vetting_id"],
        values={
            "vetting_id": vetting_id,
            "job_id": job_id,
            "requester": requester,
            "status": status,
            "updated_at": utcnow(),
        },
    )


async def get_case(session: AsyncSession, *, vetting_id: str) -> CaseState | None:
    return await session.get(CaseState, vetting_id)


async def set_case_status(session: AsyncSession, *, vetting_id: str, status: str) -> None:
    await session.execute(
        update(CaseState)
        .where(col(CaseState.vetting_id) == vetting_id)
        .values(status=status, updated_at=utcnow())
    )


async def add_escalation(session: AsyncSession, *, vetting_id: str, platform: str, actor: str) -> bool:
    """True when this call created the vetting's one escalation (the UNIQUE constraint decides)."""
    return None is not await insert_ignore(
        session,
        EscalationRow,
        conflict=["vetting_id"],
        values={
            "vetting_id": vetting_id,
            "platform": platform,
            "actor": actor,
            "outbox_key": f"escalation:{vetting_id}",
            "created_at": utcnow(),
        },
    )


async def set_escalation_message(session: AsyncSession, *, vetting_id: str, message_id: str | None) -> None:
    await session.execute(
        update(EscalationRow).where(col(EscalationRow.vetting_id) == vetting_id).values(message_id=message_id)
    )


async def add_decision(
    session: AsyncSession,
    *,
    vetting_id: str,
    actor: str,
    action: str,
    reason: str | None,
    idempotency_key: str | None,
) -> int | None:
    """Append a decision; None when this delivery (``idempotency_key``) was already recorded."""
    values = {
        "vetting_id": vetting_id,
        "actor": actor,
        "action": action,
        "reason": reason,
        "idempotency_key": idempotency_key,
        "created_at": utcnow(),
    }
    decision_id = await insert_ignore(session, DecisionRow, values=values, conflict=["idempotency_key"])
    return None if decision_id is None else int(decision_id)


async def decisions(session: AsyncSession, *, vetting_id: str) -> list[DecisionRow]:
    rows = await session.execute(
        select(DecisionRow).where(col(DecisionRow.vetting_id) == vetting_id).order_by(col(DecisionRow.id))
    )
    return list(rows.scalars())
