"""The web app itself: liveness, readiness, body limit, graceful shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, ClassVar

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlmodel import col

from tests.handlers.chat_fixtures import FAST, RecordingOutbound
from vetbot.bot.settings import BotSettings
from vetbot.bot.web import create_app
from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers.api import Accepted, Actor, Command, Conversation, Outbound, Platform
from vetbot.handlers.core import BotCore
from vetbot.handlers.vetting import VettingService
from vetbot.models.profile import Profile
from vetbot.storage.chat_tables import ChatJob, JobStatus
from vetbot.storage.database import Database


class StubEdge:
    """An edge whose readiness the test controls (e.g. Socket Mode disconnected)."""

    def __init__(self, ready: bool = True) -> None:
        self.is_ready = ready
        self.outbound = RecordingOutbound()
        self.closed = False

    async def start(self) -> Outbound:
        return self.outbound

    async def close(self) -> None:
        self.closed = True

    def ready(self) -> bool:
        return self.is_ready

    def add_routes(self, app: web.Application) -> None:
        async def stub(request: web.Request) -> web.Response:
            return web.json_response({"status": "ok"})

        app.router.add_post("/stub", stub)


class GateCheck(Check):
    """Blocks until the test releases it, to hold a vetting in flight."""

    id: ClassVar[str] = "test.gate"
    title: ClassVar[str] = "gate"
    weight: ClassVar[int] = 10
    evidence: ClassVar[Evidence] = Evidence.WEAK
    inputs: ClassVar[tuple[str, ...]] = ("name",)
    source: ClassVar[str] = "test"
    started: ClassVar[asyncio.Event]
    release: ClassVar[asyncio.Event]

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        GateCheck.started.set()
        await GateCheck.release.wait()
        return []


def make_core(db: Database, config: Config, *checks: Check) -> BotCore:
    return BotCore(VettingService(db, config, registry=Registry(list(checks))), tuning=FAST)


async def test_healthz_and_readyz(db: Database, config: Config) -> None:
    edge = StubEdge()
    app = create_app(BotSettings(), make_core(db, config), slack=edge)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert (await (await client.get("/healthz")).json()) == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status == 200 and (await ready.json())["checks"] == {"database": True, "slack": True}
        edge.is_ready = False  # e.g. the Socket Mode connection dropped
        assert (await client.get("/readyz")).status == 503
        assert (await client.get("/healthz")).status == 200  # liveness does not flap with dependencies
    assert edge.closed


async def test_readyz_is_503_when_the_database_is_unreachable(
    db: Database, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with TestClient(
        TestServer(create_app(BotSettings(), make_core(db, config)), host="127.0.0.1")
    ) as client:

        async def down() -> bool:
            return False

        monkeypatch.setattr(db, "ping", down)
        resp = await client.get("/readyz")
        assert resp.status == 503 and (await resp.json())["checks"]["database"] is False


async def test_bodies_over_one_mebibyte_are_413(db: Database, config: Config) -> None:
    app = create_app(BotSettings(), make_core(db, config), slack=StubEdge())
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert (await client.post("/stub", data=b"x" * (1024 * 1024 + 1))).status == 413


async def test_shutdown_lets_the_vetting_in_flight_finish(db: Database, config: Config) -> None:
    GateCheck.started, GateCheck.release = asyncio.Event(), asyncio.Event()
    edge = StubEdge()
    core = make_core(db, config, GateCheck())
    client = TestClient(TestServer(create_app(BotSettings(), core, slack=edge), host="127.0.0.1"))
    await client.start_server()
    actor = Actor(Platform.SLACK, "U1")
    command = Command(actor, Conversation(Platform.SLACK, "C1"), "vet", 'name="Jan Kowalski"', "k1")
    accepted: Any = await core.handle_command(command)
    assert isinstance(accepted, Accepted)
    await GateCheck.started.wait()
    closing = asyncio.create_task(client.close())  # SIGTERM path: aiohttp cleanup → core.stop()
    GateCheck.release.set()
    await closing
    async with db.session() as session:
        job = (await session.execute(select(ChatJob).where(col(ChatJob.id) == accepted.job_id))).scalar_one()
    assert job.status == JobStatus.DONE and edge.closed
