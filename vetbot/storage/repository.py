"""Repository functions: keyword-only, each takes the session it works in (Dispatch's shape).

Bulk writes go through Core ``insert`` with executemany, because a batch of 10,000
profiles must stay above 500 profiles/s on one core.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, desc, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vetbot.checks.context import IntelEntry
from vetbot.checks.settings import ScoringSettings
from vetbot.ids import sortable_id
from vetbot.storage.tables import (
    IntelEntryRow,
    IntelList,
    SettingsVersion,
    Vetting,
    utcnow,
)


def new_key() -> str:
    return sortable_id()


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


async def get_vetting(session: AsyncSession, *, vetting_id: str) -> Vetting | None:
    return await session.get(Vetting, vetting_id)


async def latest_vettings(session: AsyncSession, *, limit: int = 100) -> list[Vetting]:
    rows = await session.execute(select(Vetting).order_by(desc(col(Vetting.created_at))).limit(limit))
    return list(rows.scalars())


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
