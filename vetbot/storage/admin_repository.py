"""Repository functions of the admin feature: roles, audit log, erasure, export, retention.

Keyword-only, each taking the session it works in (the shape of ``repository``). The audit
log has ``append_audit`` and readers only — no update or delete exists here by design, and
the database refuses them too (revision 0005). Export and erasure find the person's rows in
every table, including ones added by other features (``person_data``), without importing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vetbot.storage import erasure, person_data
from vetbot.storage.admin_tables import AuditRow, EraseRequest, EraseStatus, RoleGrant
from vetbot.storage.tables import Candidate, utcnow

MAX_DETAIL_STRING = 200
PURGE_BATCH = 200

# --- roles ------------------------------------------------------------------------------------


async def grant_role(session: AsyncSession, *, actor: str, role: str, granted_by: str) -> bool:
    """Grant ``role`` to ``actor``; False when it was already held (nothing changes)."""
    if role in await roles_of(session, actor=actor):
        return False
    session.add(RoleGrant(actor=actor, role=role, granted_by=granted_by))
    await session.flush()
    return True


async def revoke_role(session: AsyncSession, *, actor: str, role: str) -> bool:
    result = await session.execute(
        delete(RoleGrant).where(col(RoleGrant.actor) == actor, col(RoleGrant.role) == role)
    )
    return bool(getattr(result, "rowcount", 0))


async def roles_of(session: AsyncSession, *, actor: str) -> set[str]:
    """Roles granted in the database (bootstrap admins and policies are added by ``roles``)."""
    rows = await session.execute(select(col(RoleGrant.role)).where(col(RoleGrant.actor) == actor))
    return set(rows.scalars())


async def list_roles(session: AsyncSession) -> list[RoleGrant]:
    rows = await session.execute(select(RoleGrant).order_by(col(RoleGrant.actor), col(RoleGrant.role)))
    return list(rows.scalars())


# --- audit ------------------------------------------------------------------------------------


async def append_audit(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    case_id: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Record one action. ``detail`` holds ids, counts and setting values — never PII: values
    must be scalars, lists or dicts of them, and strings are capped, so free text cannot slip in."""
    clean = {str(k)[:50]: _scalar(v) for k, v in (detail or {}).items()}
    await session.execute(
        insert(AuditRow).values(
            at=at or utcnow(), actor=actor[:200], action=action[:50], case_id=case_id, detail=clean
        )
    )


def _scalar(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k)[:50]: _scalar(v) for k, v in list(value.items())[:100]}
    if isinstance(value, list | tuple | set | frozenset):
        return [_scalar(v) for v in value][:100]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:MAX_DETAIL_STRING]


async def audit_since(
    session: AsyncSession, *, since: datetime, action: str | None = None, limit: int | None = None
) -> list[AuditRow]:
    query = select(AuditRow).where(col(AuditRow.at) >= since).order_by(col(AuditRow.id))
    if action is not None:
        query = query.where(col(AuditRow.action) == action)
    if limit is not None:
        query = query.limit(limit)
    return list((await session.execute(query)).scalars())


def audit_json(rows: Iterable[AuditRow]) -> Iterator[dict[str, Any]]:
    """Rows as JSON-ready dicts (one JSONL line each for ``vetbot audit export``)."""
    for row in rows:
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
        yield {
            "id": row.id,
            "at": at.isoformat(),
            "actor": row.actor,
            "action": row.action,
            "case_id": row.case_id,
            "detail": row.detail,
        }


# --- candidates, export and erasure -----------------------------------------------------------


async def resolve_candidate(session: AsyncSession, *, ref: str) -> str | None:
    """The internal key of a candidate given its key or its ATS id (``external_id``)."""
    row = await session.execute(
        select(col(Candidate.key))
        .where(or_(col(Candidate.key) == ref, col(Candidate.external_id) == ref))
        .order_by(col(Candidate.key) == ref)  # an exact key match wins over an ATS id
        .limit(2)
    )
    keys = list(row.scalars())
    return keys[-1] if keys else None


async def export_candidate(session: AsyncSession, key_or_ats_id: str) -> dict[str, Any]:
    """Everything held about one person, per table, as JSON-ready data ({} if unknown)."""
    key = await resolve_candidate(session, ref=key_or_ats_id)
    if key is None:
        return {}
    conn = await session.connection()
    rows = await conn.run_sync(lambda sync: person_data.export_rows(sync, key))
    return {"candidate_key": key, "exported_at": utcnow().isoformat(), "tables": rows}


async def erase_candidate(session: AsyncSession, key: str) -> dict[str, int]:
    """Remove the person's PII from every table (audit log excepted); rows changed per table."""
    conn = await session.connection()
    return await conn.run_sync(lambda sync: erasure.erase(sync, key))


async def pending_erase(session: AsyncSession, *, candidate_key: str) -> EraseRequest | None:
    rows = await session.execute(
        select(EraseRequest)
        .where(
            col(EraseRequest.candidate_key) == candidate_key,
            col(EraseRequest.status) == EraseStatus.PENDING.value,
        )
        .order_by(col(EraseRequest.id))
        .limit(1)
    )
    return rows.scalar_one_or_none()


async def request_erase(session: AsyncSession, *, candidate_key: str, requested_by: str) -> EraseRequest:
    request = EraseRequest(candidate_key=candidate_key, requested_by=requested_by)
    session.add(request)
    await session.flush()
    return request


async def complete_erase(session: AsyncSession, request: EraseRequest, *, approved_by: str) -> dict[str, int]:
    """Approve (by a different admin — the caller checks) and erase, in the caller's transaction."""
    counts = await erase_candidate(session, request.candidate_key)
    request.approved_by = approved_by
    request.approved_at = utcnow()
    request.status = EraseStatus.DONE.value
    session.add(request)
    await session.flush()
    return counts


# --- retention --------------------------------------------------------------------------------


async def purge_expired(
    session: AsyncSession, now: datetime, days: int, *, limit: int = PURGE_BATCH
) -> list[str]:
    """Erase candidates whose case went quiet ``days`` ago; returns their keys (at most ``limit``).

    A candidate expires when their last vetting is older than the cutoff and no decision on
    any of their vettings is newer (a decided case counts from its last decision; an
    undecided one from its last vetting). Already erased candidates are skipped, so the
    purge is idempotent and safe to run on several replicas.
    """
    cutoff = now.astimezone(UTC) - timedelta(days=days)
    conn = await session.connection()
    keys = await conn.run_sync(lambda sync: _expired(sync, cutoff, limit))
    for key in keys:
        await erase_candidate(session, key)
    return keys


def _expired(conn: Connection, cutoff: datetime, limit: int) -> list[str]:
    all_tables = person_data.tables(conn)
    candidate, vetting = all_tables["candidate"], all_tables["vetting"]
    last_vetting = func.coalesce(func.max(vetting.c.created_at), candidate.c.updated_at)
    query = (
        select(candidate.c.key)
        .select_from(candidate.outerjoin(vetting, vetting.c.candidate_key == candidate.c.key))
        .where(~candidate.c.name.startswith(person_data.PSEUDONYM_PREFIX, autoescape=True))
        .group_by(candidate.c.key, candidate.c.updated_at)
        .having(last_vetting < cutoff)
        .order_by(candidate.c.key)
    )
    decision = all_tables.get("decision")
    keys: list[str] = []
    for (key,) in conn.execute(query):
        keys.append(key)
    if decision is not None and keys:
        recent: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = conn.execute(
                select(vetting.c.candidate_key)
                .join(decision, decision.c.vetting_id == vetting.c.id)
                .where(vetting.c.candidate_key.in_(chunk), decision.c.created_at >= cutoff)
            )
            recent.update(r[0] for r in rows)
        keys = [k for k in keys if k not in recent]
    return keys[:limit]
