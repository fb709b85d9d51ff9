"""Tables of the chat workflow: durable intake (``job``), side effects (``outbox``), cases.

Kept apart from ``tables.py`` so chat work and engine work migrate independently (revision
0002). Designed for issue 7 (nothing lost, nothing twice):

* a ``/vet`` is a ``job`` row before it is acknowledged; ``idempotency_key`` is UNIQUE, so a
  redelivered command finds its job instead of starting a second vetting;
* workers claim jobs with a lease (``lease_until``); ``attempts`` doubles as the fencing
  token, so a worker whose lease was taken over cannot commit its late result;
* every message to a platform is an ``outbox`` row with a UNIQUE ``key`` (``card:{job_id}``,
  ``escalation:{vetting_id}``), written in the same transaction as the state that caused it;
* ``escalation.vetting_id`` is UNIQUE: one escalation per vetting, enforced by the database.

Payloads hold ids and conversation references, never a copy of the candidate's data: cards
are built from the stored vetting when they are delivered.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index
from sqlmodel import Field, SQLModel

from vetbot.storage.tables import utcnow


class JobStatus(StrEnum):
    HELD = "held"  # waits for the requester to confirm the candidate's privacy notice
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxKind(StrEnum):
    CARD = "card"
    ESCALATION = "escalation"
    UPDATE = "update"
    TEXT = "text"


class CaseStatus(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    CLAIMED = "claimed"
    CHECKS_REQUESTED = "checks_requested"
    CLEARED = "cleared"
    CONFIRMED_FAKE = "confirmed_fake"

    @property
    def closed(self) -> bool:
        return self in (CaseStatus.CLEARED, CaseStatus.CONFIRMED_FAKE)


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    column = Column(DateTime(timezone=True), nullable=nullable, index=index)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


class ChatJob(SQLModel, table=True):
    """One vetting request as received; ``command`` holds the validated profile to vet."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_status_lease", "status", "lease_until"),)
    id: str = Field(primary_key=True, max_length=32)
    idempotency_key: str = Field(max_length=300, unique=True)
    platform: str = Field(max_length=20)
    actor: str = Field(max_length=200)
    command: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    conversation: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default=JobStatus.QUEUED.value, max_length=10)
    attempts: int = 0
    lease_until: datetime | None = _ts(nullable=True)
    vetting_id: str | None = Field(default=None, max_length=32, index=True)
    error: str | None = Field(default=None, max_length=200)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class OutboxRow(SQLModel, table=True):
    """A side effect to perform once; ``due_at`` is both the retry time and the claim lease."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20)
    platform: str = Field(max_length=20)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=10)
    message_id: str | None = Field(default=None, max_length=300)
    attempts: int = 0
    due_at: datetime = _ts()
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True)


class EscalationRow(SQLModel, table=True):
    """At most one per vetting (UNIQUE): a retry, a replay or two clicks cannot post twice."""

    __tablename__ = "escalation"
    id: int | None = Field(default=None, primary_key=True)
    vetting_id: str = Field(foreign_key="vetting.id", unique=True, max_length=32)
    platform: str = Field(max_length=20)
    actor: str = Field(max_length=200)  # "vetbot" when automatic, else who pressed Escalate
    outbox_key: str = Field(max_length=200)
    message_id: str | None = Field(default=None, max_length=300)
    created_at: datetime = _ts()


class DecisionRow(SQLModel, table=True):
    """A person's decision on a case: who, what, why, when (append-only)."""

    __tablename__ = "decision"
    id: int | None = Field(default=None, primary_key=True)
    vetting_id: str = Field(foreign_key="vetting.id", index=True, max_length=32)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=50)
    reason: str | None = Field(default=None, max_length=4000)
    idempotency_key: str | None = Field(default=None, max_length=300, unique=True)
    created_at: datetime = _ts()


class CaseState(SQLModel, table=True):
    """The current status of a vetting's case; the decision table keeps the history."""

    __tablename__ = "case_state"
    vetting_id: str = Field(primary_key=True, foreign_key="vetting.id", max_length=32)
    job_id: str | None = Field(default=None, max_length=32)
    requester: str | None = Field(default=None, max_length=200)
    status: str = Field(default=CaseStatus.OPEN.value, max_length=20, index=True)
    updated_at: datetime = _ts()
