"""admin: roles, append-only audit log, erasure requests

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-26

Hand-written to match ``vetbot/storage/admin_tables.py``. Branches from 0001 beside the
other feature revisions (0002-0004); the runner upgrades every head.

``audit_log`` is append-only: besides the code having no update/delete path, a trigger
refuses UPDATE and DELETE on both SQLite (``RAISE(ABORT)``) and PostgreSQL (a PL/pgSQL
function raising an exception). TRUNCATE is not blocked, so test fixtures can still reset
a shared PostgreSQL database; a production role should not hold TRUNCATE on it.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION vetbot_audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END
$$
"""
_PG_TRIGGER = (
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION vetbot_audit_log_append_only()"
)
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_log_no_{op_name.lower()} BEFORE {op_name} ON audit_log"
    f" BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    for op_name in ("UPDATE", "DELETE")
]


def _str(length: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", _str(200), nullable=False),
        sa.Column("role", _str(20), nullable=False),
        sa.Column("granted_by", _str(200), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("actor", "role", name="uq_role_actor_role"),
    )
    op.create_index("ix_role_actor", "role", ["actor"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", _str(200), nullable=False),
        sa.Column("action", _str(50), nullable=False),
        sa.Column("case_id", _str(64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_action", "audit_log", ["action"], unique=False)
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"], unique=False)

    op.create_table(
        "erase_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_key", _str(32), nullable=False),
        sa.Column("requested_by", _str(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", _str(200), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", _str(10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_erase_request_candidate_key", "erase_request", ["candidate_key"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    elif dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS vetbot_audit_log_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    op.drop_index("ix_erase_request_candidate_key", table_name="erase_request")
    op.drop_table("erase_request")
    op.drop_index("ix_audit_log_case_id", table_name="audit_log")
    op.drop_index("ix_audit_log_action", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_role_actor", table_name="role")
    op.drop_table("role")
