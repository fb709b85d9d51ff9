"""Alembic environment: uses the connection handed over by ``runner.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import vetbot.storage.admin_tables  # registers roles, audit log, erase requests (revision 0005)
import vetbot.storage.chat_tables  # registers the chat workflow tables (revision 0002)
import vetbot.storage.recheck_tables  # registers re-check rounds (revision 0006)
import vetbot.storage.tables  # registers the tables on SQLModel.metadata
import vetbot.storage.watchlist_tables  # noqa: F401 - registers imported watchlists (revision 0004)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("vetbot migrations run through vetbot.storage.migrations.runner")
context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
