"""Alembic migrations, run programmatically on an existing connection (no alembic.ini needed)."""
