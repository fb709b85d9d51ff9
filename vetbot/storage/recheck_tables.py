"""Re-checks of checks that were unavailable when a vetting ran (revision 0006).

One row per *round* of one vetting: round 1 is written with the vetting itself, in the
worker's transaction, when a network provider could not answer; each later round is written
by the round before it while checks stay unavailable, up to the configured number of rounds.

Why rows per round, beside an untouched ``vetting`` row: the vetting keeps what was computed
and shown first (its result, score, band and settings version are never rewritten), and each
round that changed anything stores the *whole* result as it then stood in ``result`` — the
same vetting id, re-run checks merged in, scored under the vetting's own settings version.
The card shows the newest such result; the audit log has one entry per round. So every state
a requester saw can be explained later, and the UNIQUE ``(vetting_id, round_no)`` makes a
round — and the card update and escalation it causes — happen once, even across replicas.

``inputs`` holds the few profile fields the re-run checks need (the raw request is dropped
once vetted, and the stored profile may belong to a later re-vet of the same person); it is
cleared when the round ends, so only a pending round holds any.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from vetbot.storage.tables import utcnow


class RecheckStatus(StrEnum):
    PENDING = "pending"  # waiting for due_at (or for its lease to expire)
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # could not run (vetting gone, inputs unreadable, too many attempts)


def _ts(*, nullable: bool = False) -> Any:
    column = Column(DateTime(timezone=True), nullable=nullable)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


class RecheckRow(SQLModel, table=True):
    __tablename__ = "recheck"
    __table_args__ = (
        UniqueConstraint("vetting_id", "round_no", name="uq_recheck_vetting_round"),
        Index("ix_recheck_status_due", "status", "due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    vetting_id: str = Field(foreign_key="vetting.id", index=True, max_length=32)
    job_id: str | None = Field(default=None, max_length=32)  # the chat job whose card to update
    round_no: int
    check_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    inputs: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    status: str = Field(default=RecheckStatus.PENDING.value, max_length=10)
    attempts: int = 0  # fencing token, as for jobs
    due_at: datetime = _ts()
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str | None = Field(default=None, max_length=200)
    created_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)
