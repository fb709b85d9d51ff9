"""Replicas starting together migrate one fresh PostgreSQL database without tripping on each other.

Found by ``benchmarks/bench_replicas.py``: of three ``vetbot serve`` started at once, two died
at start-up (``duplicate key value violates unique constraint "pg_type_typname_nsp_index"``
from the concurrent ``CREATE TABLE alembic_version``). ``Database.migrate`` now holds a
transaction-scoped advisory lock on PostgreSQL. Runs only against PostgreSQL (CI), on a
database of its own that it creates and drops.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import TEST_URL_ENV
from vetbot.storage.database import Database, resolve_url
from vetbot.storage.migrations.runner import script_heads

URL = os.environ.get(TEST_URL_ENV, "")
pytestmark = pytest.mark.skipif(
    not URL.startswith("postgres"), reason="PostgreSQL only (set VETBOT_TEST_DATABASE_URL)"
)


async def test_three_replicas_migrate_a_fresh_database_at_once() -> None:
    name = f"vetbot_migrate_race_{os.getpid()}"
    server = create_async_engine(resolve_url(URL), isolation_level="AUTOCOMMIT")
    fresh = str(make_url(URL).set(database=name))
    try:
        async with server.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        replicas = [Database(fresh) for _ in range(3)]
        try:
            async with asyncio.timeout(60):
                results = await asyncio.gather(*(db.migrate() for db in replicas), return_exceptions=True)
            assert [type(r).__name__ for r in results if r is not None] == []
            async with replicas[0].read_session() as session:
                heads = {r[0] for r in await session.execute(text("SELECT version_num FROM alembic_version"))}
            assert heads == script_heads()
        finally:
            for db in replicas:
                await db.dispose()
    finally:
        async with server.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await server.dispose()
