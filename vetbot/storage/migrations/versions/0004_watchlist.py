"""watchlist: imported sanctions and indicator lists with their entries

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-26

Hand-written to match ``vetbot/storage/watchlist_tables.py``. Branches from 0001 beside the
other feature revisions (0002, 0003, 0005); the runner upgrades every head.
``ix_watchlist_entry_kind_value`` serves exact identifier hits; ``ix_watchlist_entry_list_entity``
finds the other entries of a listed entity (corroboration) and a list's rows on re-import.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def _str(length: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "watchlist",
        sa.Column("name", _str(100), nullable=False),
        sa.Column("format", _str(20), nullable=False),
        sa.Column("source", _str(500), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", _str(200), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "watchlist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_name", _str(100), nullable=False),
        sa.Column("entity_id", _str(100), nullable=False),
        sa.Column("kind", _str(20), nullable=False),
        sa.Column("value", _str(500), nullable=False),
        sa.Column("display", _str(500), nullable=False),
        sa.Column("programme", _str(300), nullable=True),
        sa.Column("note", _str(1000), nullable=True),
        sa.ForeignKeyConstraint(["list_name"], ["watchlist.name"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("watchlist_entry", schema=None) as batch_op:
        batch_op.create_index("ix_watchlist_entry_kind_value", ["kind", "value"], unique=False)
        batch_op.create_index("ix_watchlist_entry_list_entity", ["list_name", "entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("watchlist_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_watchlist_entry_list_entity")
        batch_op.drop_index("ix_watchlist_entry_kind_value")
    op.drop_table("watchlist_entry")
    op.drop_table("watchlist")
