"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
``VETBOT_TEST_DATABASE_URL`` says so), the vetting service, and a guard that fails any test
trying to leave the loopback interface."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from vetbot.config import Config
from vetbot.handlers.vetting import VettingService
from vetbot.storage.database import Database

TEST_URL_ENV = "VETBOT_TEST_DATABASE_URL"
TEST_SECRET = "test-secret-key-not-for-production"


def test_database_url(tmp_path: Path) -> str:
    return os.environ.get(TEST_URL_ENV) or f"sqlite:///{tmp_path / 'vetbot-test.db'}"


async def _truncate_all(db: Database) -> None:
    """PostgreSQL is shared between tests: empty every table (schema stays migrated)."""
    async with db.engine.begin() as conn:
        rows = await conn.execute(
            text(
                "SELECT tablename FROM pg_tables"
                " WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"
            )
        )
        names = [r[0] for r in rows]
        if names:
            await conn.execute(
                text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE")
            )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(test_database_url(tmp_path))
    await database.migrate()
    if not database.is_sqlite:
        await _truncate_all(database)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def config(db: Database) -> Config:
    from pydantic import SecretStr

    return Config(database_url=str(db.url), secret_key=SecretStr(TEST_SECRET), check_timeout=5.0)


@pytest.fixture
def service(db: Database, config: Config) -> VettingService:
    return VettingService(db, config)


_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        if (ip is None and host != "localhost") or (ip is not None and not ip.is_loopback):
            raise OSError(f"test tried to reach {host!r}: tests never leave loopback")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    yield
