"""Opening the database: URL forms, async drivers, SQLite pragmas, migrations on start.

SQLite runs in WAL mode and every transaction starts with ``BEGIN IMMEDIATE``: a deferred
transaction that reads then writes gets ``SQLITE_BUSY`` at once, ignoring busy_timeout
(shared/design/platform-notes.md §4, measured 959/1,000 failures).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

ENV_URL = "VETBOT_DATABASE_URL"
READ_ONLY = "vetbot_read_only"
MIGRATION_LOCK = 0x7665_7462_6F74_0001  # pg_advisory_xact_lock key: one migrating replica at a time


class DatabaseURLError(ValueError):
    pass


def default_url() -> str:
    path = Path(user_data_dir("vetbot", appauthor=False)) / "vetbot.db"
    return f"sqlite:///{path}"


def resolve_url(url: str | None = None) -> URL:
    """Accept ``sqlite:///x.db``, ``postgresql://u@h/db`` (or with a driver) and pick the async one."""
    raw = url or os.environ.get(ENV_URL) or default_url()
    try:
        parsed = make_url(raw)
    except Exception as exc:  # noqa: BLE001 - sqlalchemy raises several types for bad URLs
        raise DatabaseURLError(f"database URL: cannot parse ({type(exc).__name__})") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise DatabaseURLError(f"database URL: unsupported backend {backend!r} (use sqlite or postgresql)")


_PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000", "foreign_keys=ON")
# Page cache per connection, in KiB (negative: SQLite's unit), taken as pages are used. The
# default 2 MiB misses on nearly every insert into the identifier indexes once a few thousand
# candidates are stored (keys are hashes, so inserts land on random pages): measured with
# 9,000 stored, inserting 1,000 vettings' identifiers took 0.42 ms per vetting with 2 MiB
# and 0.24 ms with 64 MiB.
SQLITE_CACHE_KIB = -65_536


def _sqlite_events(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let us issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        for pragma in (*_PRAGMAS, f"cache_size={SQLITE_CACHE_KIB}"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        # read-only sessions take no write lock (WAL readers never block the writer)
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


class Database:
    """The async engine and its session factory, shared by the CLI, the web app and tests."""

    def __init__(self, url: str | None = None, *, echo: bool = False) -> None:
        self.url = resolve_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite and self.url.database not in (None, "", ":memory:"):
            Path(self.url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: SQL errors must never carry candidate values into logs or replies
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if not self.is_sqlite:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
        self.engine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _sqlite_events(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction: on SQLite a deferred ``BEGIN`` that never takes the write
        lock, so long reads (a vetting's checks) do not hold up intake. Always rolled back."""
        async with self.sessions() as session:
            await session.connection(execution_options={READ_ONLY: True})
            try:
                yield session
            finally:
                await session.rollback()

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent, safe on every start).

        On PostgreSQL, replicas starting together would race to create the same tables (one
        wins, the others die on a duplicate ``pg_type`` key); a transaction-scoped advisory
        lock makes them migrate one after the other, and the later ones find nothing to do."""
        from vetbot.storage.migrations.runner import upgrade

        async with self.engine.connect() as conn:
            if not self.is_sqlite:  # SQLite: BEGIN IMMEDIATE already serialises writers
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            await conn.run_sync(upgrade)
            await conn.commit()

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(3), self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - readiness reports any failure as "not ready"
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
