"""identifier: drop the index on candidate_key alone

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-24

``uq_identifier_candidate_kind_value`` (candidate_key, kind, value) already serves every
lookup by candidate (its leading column), on SQLite and PostgreSQL alike, so the separate
``ix_identifier_candidate_key`` only cost a third B-tree insert per identifier row — and a
vetting writes ~45 of them (32 résumé bands). Branches from 0001 beside the other feature
revisions; the runner upgrades every head.
"""

from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_identifier_candidate_key", table_name="identifier")


def downgrade() -> None:
    op.create_index("ix_identifier_candidate_key", "identifier", ["candidate_key"], unique=False)
