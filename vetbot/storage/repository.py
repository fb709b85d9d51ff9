"""Repository functions: keyword-only, each takes the session it works in (Dispatch's shape).

Bulk writes go through Core ``insert`` with executemany, because a batch of 10,000
profiles must stay above 500 profiles/s on one core.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, desc, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vetbot.checks.context import IntelEntry, PriorMatch
from vetbot.checks.settings import ScoringSettings
from vetbot.models.result import VettingResult
from vetbot.storage.tables import (
    Candidate,
    FindingRow,
    Identifier,
    IntelEntryRow,
    IntelList,
    SettingsVersion,
    Vetting,
    utcnow,
)


def new_key() -> str:
    return uuid.uuid4().hex


# --- settings -------------------------------------------------------------------------------


async def current_settings(session: AsyncSession) -> ScoringSettings:
    row = (
        await session.execute(select(SettingsVersion).order_by(desc(col(SettingsVersion.version))).limit(1))
    ).scalar_one_or_none()
    if row is None:
        return ScoringSettings()
    return ScoringSettings.from_json(row.data, version=row.version)


async def save_settings(session: AsyncSession, *, settings: ScoringSettings, actor: str, change: str) -> int:
    latest = (await session.execute(select(func.max(col(SettingsVersion.version))))).scalar_one_or_none() or 0
    version = latest + 1
    session.add(SettingsVersion(version=version, data=settings.to_json(), actor=actor, change=change))
    await session.flush()
    return version


async def settings_history(session: AsyncSession, *, limit: int = 50) -> list[SettingsVersion]:
    rows = await session.execute(
        select(SettingsVersion).order_by(desc(col(SettingsVersion.version))).limit(limit)
    )
    return list(rows.scalars())


# --- candidates and vettings ----------------------------------------------------------------


async def upsert_candidate(
    session: AsyncSession, *, external_id: str | None, name: str, profile: dict[str, Any]
) -> str:
    """Same ATS id → same candidate (a re-vet, not a new persona); otherwise a new key."""
    if external_id:
        key = (
            await session.execute(
                select(col(Candidate.key)).where(col(Candidate.external_id) == external_id).limit(1)
            )
        ).scalar_one_or_none()
        if key is not None:
            await session.execute(
                update(Candidate)
                .where(col(Candidate.key) == key)
                .values(name=name, profile=profile, updated_at=utcnow())
            )
            return key
    key = new_key()
    now = utcnow()
    await session.execute(
        insert(Candidate).values(
            key=key, external_id=external_id, name=name, profile=profile, created_at=now, updated_at=now
        )
    )
    return key


async def save_vetting(
    session: AsyncSession,
    *,
    candidate_key: str,
    result: VettingResult,
    settings_version: int,
    requester: str | None,
    identifiers: Sequence[tuple[str, str]],
) -> None:
    now = utcnow()
    await session.execute(
        insert(Vetting).values(
            id=result.vetting_id,
            candidate_key=candidate_key,
            score=result.score,
            band=result.band.value,
            settings_version=settings_version,
            requester=requester,
            result=result.model_dump(mode="json"),
            created_at=now,
        )
    )
    if result.findings:
        await session.execute(
            insert(FindingRow),
            [
                {
                    "vetting_id": result.vetting_id,
                    "check_id": f.check,
                    "rule": f.evidence.get("rule"),
                    "points": f.points,
                    "severity": f.severity.value,
                    "summary": f.summary,
                }
                for f in result.findings
            ],
        )
    if identifiers:
        known = set(
            (
                await session.execute(
                    select(col(Identifier.kind), col(Identifier.value)).where(
                        col(Identifier.candidate_key) == candidate_key
                    )
                )
            ).tuples()
        )
        fresh = [(k, v) for k, v in identifiers if (k, v) not in known]
        if fresh:
            await session.execute(
                insert(Identifier),
                [
                    {
                        "candidate_key": candidate_key,
                        "vetting_id": result.vetting_id,
                        "kind": k,
                        "value": v,
                        "created_at": now,
                    }
                    for k, v in fresh
                ],
            )


async def get_vetting(session: AsyncSession, *, vetting_id: str) -> Vetting | None:
    return await session.get(Vetting, vetting_id)


async def latest_vettings(session: AsyncSession, *, limit: int = 100) -> list[Vetting]:
    rows = await session.execute(select(Vetting).order_by(desc(col(Vetting.created_at))).limit(limit))
    return list(rows.scalars())


# --- identifiers (reuse) --------------------------------------------------------------------


async def prior_matches(
    session: AsyncSession, *, keys: Sequence[tuple[str, str]], exclude_candidate: str
) -> list[PriorMatch]:
    """Other candidates holding any of ``keys``: one indexed query on (kind, value)."""
    if not keys:
        return []
    latest_band = (
        select(col(Vetting.band))
        .where(col(Vetting.candidate_key) == col(Candidate.key))
        .order_by(desc(col(Vetting.created_at)))
        .limit(1)
        .scalar_subquery()
    )
    # an OR of (kind = ? AND value = ?) pairs: SQLite plans it as MULTI-INDEX OR on
    # ix_identifier_kind_value; a row-value IN (kind, value) list would scan the table
    condition = or_(*(and_(col(Identifier.kind) == k, col(Identifier.value) == v) for k, v in keys))
    rows = await session.execute(
        select(
            col(Identifier.kind),
            col(Identifier.value),
            col(Identifier.candidate_key),
            col(Identifier.created_at),
            col(Candidate.external_id),
            col(Candidate.name),
            latest_band,
        )
        .join(Candidate, col(Candidate.key) == col(Identifier.candidate_key))
        .where(condition, col(Identifier.candidate_key) != exclude_candidate)
        .order_by(col(Identifier.created_at))
        .limit(200)
    )
    return [
        PriorMatch(
            kind=kind,
            value=value,
            candidate_key=ckey,
            candidate_id=external_id,
            name=name,
            band=band,
            decision=None,
            seen_at=created,
        )
        for kind, value, ckey, created, external_id, name, band in rows.tuples()
    ]


# --- network intel --------------------------------------------------------------------------


async def replace_intel_list(
    session: AsyncSession, *, name: str, kind: str, source: str, values: Sequence[str], actor: str
) -> int:
    """Replace a list in one transaction: readers see the old list or the new, never half."""
    await session.execute(delete(IntelEntryRow).where(col(IntelEntryRow.list_name) == name))
    await session.execute(delete(IntelList).where(col(IntelList.name) == name))
    await session.execute(
        insert(IntelList).values(
            name=name, kind=kind, source=source, entries=len(values), imported_by=actor, imported_at=utcnow()
        )
    )
    if values:
        await session.execute(
            insert(IntelEntryRow), [{"list_name": name, "kind": kind, "value": v} for v in values]
        )
    return len(values)


async def intel_lists(session: AsyncSession) -> list[IntelList]:
    return list((await session.execute(select(IntelList).order_by(col(IntelList.name)))).scalars())


async def intel_entries(session: AsyncSession) -> list[IntelEntry]:
    rows = await session.execute(
        select(
            col(IntelEntryRow.kind),
            col(IntelEntryRow.value),
            col(IntelList.name),
            col(IntelList.source),
            col(IntelList.imported_at),
        ).join(IntelList, col(IntelList.name) == col(IntelEntryRow.list_name))
    )
    return [
        IntelEntry(kind=kind, value=value, list_name=name, source=source, imported_at=_aware(at))
        for kind, value, name, source, at in rows.tuples()
    ]


def _aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
