"""recheck: later rounds of checks that were unavailable (network providers)

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-27

Hand-written to match ``vetbot/storage/recheck_tables.py``. Branches from 0002 (the chat
workflow whose cards it updates); the runner upgrades every head. ``uq_recheck_vetting_round``
makes each round — and the card update and escalation it causes — happen once;
``ix_recheck_status_due`` serves the claim of the next due round.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def _str(length: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "recheck",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vetting_id", _str(32), nullable=False),
        sa.Column("job_id", _str(32), nullable=True),
        sa.Column("round_no", sa.Integer(), nullable=False),
        sa.Column("check_ids", sa.JSON(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=True),
        sa.Column("status", _str(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", _str(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["vetting_id"], ["vetting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vetting_id", "round_no", name="uq_recheck_vetting_round"),
    )
    op.create_index("ix_recheck_vetting_id", "recheck", ["vetting_id"], unique=False)
    op.create_index("ix_recheck_status_due", "recheck", ["status", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_recheck_status_due", table_name="recheck")
    op.drop_index("ix_recheck_vetting_id", table_name="recheck")
    op.drop_table("recheck")
