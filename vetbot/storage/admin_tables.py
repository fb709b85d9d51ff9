"""Tables of the admin feature: roles, the append-only audit log and erasure requests.

Kept apart from ``tables.py`` so the admin work migrates on its own (revision 0005).

* ``role``: one row per (actor, role) grant, with who granted it and when. Bootstrap admins
  come from ``VETBOT_ADMINS`` and are not stored: the environment stays the root of trust.
* ``audit_log``: append-only. The code has no update or delete function for it, and the
  migration adds a trigger refusing UPDATE and DELETE on SQLite and PostgreSQL, so even an
  erasure cannot rewrite history. Rows carry ids only (actor ids, vetting ids, candidate
  keys) and a ``detail`` JSON of ids and counts — never a candidate's name or contact.
* ``erase_request``: the four-eyes erasure workflow; one admin requests, another approves.

Policies (``requesters: all|granted``, ``notice: reminder|required``) live in
``ScoringSettings.extra`` so they are versioned with the rest of the settings.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from vetbot.storage.tables import utcnow


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    column = Column(DateTime(timezone=True), nullable=nullable, index=index)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


class EraseStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"


class RoleGrant(SQLModel, table=True):
    """A role granted to a platform-qualified actor id (``slack:U123``)."""

    __tablename__ = "role"
    __table_args__ = (UniqueConstraint("actor", "role", name="uq_role_actor_role"),)
    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=200, index=True)
    role: str = Field(max_length=20)
    granted_by: str = Field(max_length=200)
    granted_at: datetime = _ts()


class AuditRow(SQLModel, table=True):
    """One traced action: who, when, what, on which case. Ids only, never PII."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=50, index=True)
    case_id: str | None = Field(default=None, max_length=64, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EraseRequest(SQLModel, table=True):
    """An erasure waiting for (or done after) a second admin's approval."""

    __tablename__ = "erase_request"
    id: int | None = Field(default=None, primary_key=True)
    candidate_key: str = Field(max_length=32, index=True)
    requested_by: str = Field(max_length=200)
    requested_at: datetime = _ts()
    approved_by: str | None = Field(default=None, max_length=200)
    approved_at: datetime | None = _ts(nullable=True)
    status: str = Field(default=EraseStatus.PENDING.value, max_length=10)
