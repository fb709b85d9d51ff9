"""chat workflow: durable jobs, outbox, escalations, decisions, case status

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Hand-written (checked against autogenerate) to match ``vetbot/storage/chat_tables.py``.
The UNIQUE constraints carry the exactly-once guarantees: ``job.idempotency_key`` (a
redelivered command never starts a second vetting), ``outbox.key`` (each side effect is
recorded once) and ``escalation.vetting_id`` (one escalation per vetting).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _str(length: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", _str(32), nullable=False),
        sa.Column("idempotency_key", _str(300), nullable=False),
        sa.Column("platform", _str(20), nullable=False),
        sa.Column("actor", _str(200), nullable=False),
        sa.Column("command", sa.JSON(), nullable=False),
        sa.Column("conversation", sa.JSON(), nullable=False),
        sa.Column("status", _str(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vetting_id", _str(32), nullable=True),
        sa.Column("error", _str(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_job_status_lease", "job", ["status", "lease_until"], unique=False)
    op.create_index("ix_job_vetting_id", "job", ["vetting_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _str(200), nullable=False),
        sa.Column("kind", _str(20), nullable=False),
        sa.Column("platform", _str(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", _str(10), nullable=False),
        sa.Column("message_id", _str(300), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", _str(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_outbox_status_due", "outbox", ["status", "due_at"], unique=False)

    op.create_table(
        "case_state",
        sa.Column("vetting_id", _str(32), nullable=False),
        sa.Column("job_id", _str(32), nullable=True),
        sa.Column("requester", _str(200), nullable=True),
        sa.Column("status", _str(20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["vetting_id"], ["vetting.id"]),
        sa.PrimaryKeyConstraint("vetting_id"),
    )
    op.create_index("ix_case_state_status", "case_state", ["status"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vetting_id", _str(32), nullable=False),
        sa.Column("actor", _str(200), nullable=False),
        sa.Column("action", _str(50), nullable=False),
        sa.Column("reason", _str(4000), nullable=True),
        sa.Column("idempotency_key", _str(300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["vetting_id"], ["vetting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_decision_vetting_id", "decision", ["vetting_id"], unique=False)

    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vetting_id", _str(32), nullable=False),
        sa.Column("platform", _str(20), nullable=False),
        sa.Column("actor", _str(200), nullable=False),
        sa.Column("outbox_key", _str(200), nullable=False),
        sa.Column("message_id", _str(300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["vetting_id"], ["vetting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vetting_id"),
    )


def downgrade() -> None:
    op.drop_table("escalation")
    op.drop_index("ix_decision_vetting_id", table_name="decision")
    op.drop_table("decision")
    op.drop_index("ix_case_state_status", table_name="case_state")
    op.drop_table("case_state")
    op.drop_index("ix_outbox_status_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_job_vetting_id", table_name="job")
    op.drop_index("ix_job_status_lease", table_name="job")
    op.drop_table("job")
