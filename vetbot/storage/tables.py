"""Table definitions. Every schema change also gets an Alembic revision in ``migrations/versions``.

Columns hold ids, scores and JSON documents; identifiers are stored already normalised
(and payout accounts only as keyed hashes) so reuse lookups are exact, indexed equality.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, **kw))


class Candidate(SQLModel, table=True):
    """One person as vetbot knows them; ``key`` is internal, ``external_id`` the ATS id."""

    __tablename__ = "candidate"
    key: str = Field(primary_key=True, max_length=32)
    external_id: str | None = Field(default=None, index=True, max_length=300)
    name: str = Field(max_length=300)
    profile: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Vetting(SQLModel, table=True):
    __tablename__ = "vetting"
    id: str = Field(primary_key=True, max_length=32)
    candidate_key: str = Field(foreign_key="candidate.key", index=True, max_length=32)
    score: int
    band: str = Field(max_length=10, index=True)
    settings_version: int = Field(default=0)
    requester: str | None = Field(default=None, max_length=200)
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts(index=True)


class FindingRow(SQLModel, table=True):
    __tablename__ = "finding"
    id: int | None = Field(default=None, primary_key=True)
    vetting_id: str = Field(foreign_key="vetting.id", index=True, max_length=32)
    check_id: str = Field(max_length=100, index=True)
    rule: str | None = Field(default=None, max_length=100)
    points: int
    severity: str = Field(max_length=10)
    summary: str


class SettingsVersion(SQLModel, table=True):
    """Append-only: each change is a new version with who and why; the newest is in force."""

    __tablename__ = "settings_version"
    version: int = Field(primary_key=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    actor: str = Field(max_length=200)
    change: str = Field(default="", max_length=2000)
    created_at: datetime = _ts()


class Identifier(SQLModel, table=True):
    """Normalised identifiers of each candidate, for exact, indexed reuse lookups."""

    __tablename__ = "identifier"
    __table_args__ = (
        Index("ix_identifier_kind_value", "kind", "value"),
        UniqueConstraint("candidate_key", "kind", "value", name="uq_identifier_candidate_kind_value"),
    )
    id: int | None = Field(default=None, primary_key=True)
    # no index of its own: the unique (candidate_key, kind, value) leads with it (0007)
    candidate_key: str = Field(foreign_key="candidate.key", max_length=32)
    vetting_id: str = Field(max_length=32)
    kind: str = Field(max_length=30)
    value: str = Field(max_length=400)
    created_at: datetime = _ts()


class IntelList(SQLModel, table=True):
    """An admin-imported list of network indicators; re-import replaces it atomically."""

    __tablename__ = "intel_list"
    name: str = Field(primary_key=True, max_length=100)
    kind: str = Field(max_length=20)
    source: str = Field(max_length=500)
    entries: int = 0
    imported_by: str = Field(default="cli", max_length=200)
    imported_at: datetime = _ts()


class IntelEntryRow(SQLModel, table=True):
    __tablename__ = "intel_entry"
    id: int | None = Field(default=None, primary_key=True)
    list_name: str = Field(foreign_key="intel_list.name", index=True, max_length=100)
    kind: str = Field(max_length=20)
    value: str = Field(max_length=100)
