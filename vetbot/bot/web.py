"""The one aiohttp application: ``/healthz``, ``/readyz`` and each enabled platform's routes.

``create_app`` is used by ``vetbot serve`` and by the tests alike. Resources open and close in
``cleanup_ctx`` (https://docs.aiohttp.org/en/stable/web_advanced.html#cleanup-context), in this
order, so shutdown runs it backwards: the database (migrated on start), the platform edges
(SDK clients, Socket Mode), then ``BotCore``. On SIGTERM aiohttp stops accepting requests,
``BotCore.stop`` lets the vetting and delivery in progress finish (queued work stays in the
database for the next start), and only then are the SDK clients and the database closed.

Bodies over 1 MiB are refused with 413 (declared length checked up front; ``client_max_size``
for chunked bodies). Unhandled errors become a 500
logged by exception type only: aiohttp's default would log a traceback whose messages can
carry candidate data.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

from aiohttp import web

from vetbot.bot.settings import BotSettings
from vetbot.handlers.api import Outbound, Platform
from vetbot.handlers.core import BotCore
from vetbot.handlers.retention import RetentionScheduler
from vetbot.logs import request_id_middleware
from vetbot.metrics import VetbotMetrics, default_metrics, metrics_handler

log = logging.getLogger("vetbot.web")

MAX_BODY = 1024 * 1024


class Edge(Protocol):
    """What a platform package offers the web app (``SlackEdge``, ``TeamsEdge``)."""

    async def start(self) -> Outbound: ...

    async def close(self) -> None: ...

    def ready(self) -> bool: ...

    def add_routes(self, app: web.Application) -> None: ...


SETTINGS = web.AppKey("settings", BotSettings)
CORE = web.AppKey("core", BotCore)
EDGES = web.AppKey("edges", dict[Platform, Edge])


def build_edges(settings: BotSettings, core: BotCore) -> dict[Platform, Edge]:
    """The edges the settings enable. Imports are local: a disabled platform's SDK never loads."""
    edges: dict[Platform, Edge] = {}
    if settings.slack is not None:
        from vetbot.bot.slack import SlackEdge

        edges[Platform.SLACK] = SlackEdge(settings.slack, core)
    if settings.teams is not None:
        from vetbot.bot.teams import TeamsEdge

        edges[Platform.TEAMS] = TeamsEdge(settings.teams, core)
    return edges


def create_app(
    settings: BotSettings,
    core: BotCore,
    *,
    slack: Edge | None = None,
    teams: Edge | None = None,
    migrate: bool = True,
) -> web.Application:
    """The web app. ``slack``/``teams`` replace the edges the settings would build (tests)."""
    app = web.Application(
        client_max_size=MAX_BODY,
        middlewares=[request_id_middleware(), _errors, _body_limit, _inbound(core)],
    )
    edges = build_edges(settings, core) if slack is None or teams is None else {}
    if slack is not None:
        edges[Platform.SLACK] = slack
    if teams is not None:
        edges[Platform.TEAMS] = teams
    app[SETTINGS] = settings
    app[CORE] = core
    app[EDGES] = edges
    app.cleanup_ctx.append(_database(migrate))
    app.cleanup_ctx.append(_edges)
    app.cleanup_ctx.append(_core)
    app.cleanup_ctx.append(_retention)
    metrics = default_metrics()
    core.service.engine.observer = metrics
    app.router.add_get(
        "/metrics", metrics_handler(metrics, _queue_refresh(core, metrics), token=settings.metrics_token)
    )
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    for edge in edges.values():
        edge.add_routes(app)
    return app


def _database(migrate: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    async def database(app: web.Application) -> AsyncIterator[None]:
        db = app[CORE].db
        if migrate:
            await db.migrate()
        yield
        await db.dispose()

    return database


async def _edges(app: web.Application) -> AsyncIterator[None]:
    started: list[Edge] = []
    try:
        for platform, edge in app[EDGES].items():
            app[CORE].register_outbound(platform, await edge.start())
            started.append(edge)
        yield
    finally:
        for edge in reversed(started):
            await edge.close()


async def _core(app: web.Application) -> AsyncIterator[None]:
    core = app[CORE]
    await core.start()
    yield
    await core.stop()


async def _retention(app: web.Application) -> AsyncIterator[None]:
    """Purge candidate PII N days after a decision (admin-tunable), every few hours."""
    scheduler = RetentionScheduler(app[CORE].db)
    scheduler.start()
    yield
    await scheduler.stop()


def _queue_refresh(core: BotCore, metrics: VetbotMetrics) -> Callable[[], Awaitable[None]]:
    async def refresh() -> None:
        metrics.set_queue(*await core.queue_stats())

    return refresh


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers. Says nothing about dependencies, so it never flaps."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database answers and every edge is connected (Socket Mode) → 200, else 503."""
    checks = {"database": await request.app[CORE].db.ping()}
    for platform, edge in request.app[EDGES].items():
        checks[platform.value] = edge.ready()
    ready = all(checks.values())
    return web.json_response(
        {"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503
    )


@web.middleware
async def _body_limit(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """413 from the declared length, before any handler runs (``client_max_size`` covers
    chunked bodies when a handler reads them)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    return await handler(request)


def _inbound(core: BotCore) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Count the platform requests (POSTs) being answered, so that the core starts no vetting
    while acks are waiting for the event loop (``handlers/intake.py``, ``Inbound``)."""

    @web.middleware
    async def inbound(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.method != "POST":
            return await handler(request)
        with core.intake.inbound.request():
            return await handler(request)

    return inbound


@web.middleware
async def _errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:  # noqa: BLE001 - logged by type only; the client gets a bare 500
        log.error("request failed", extra={"path": request.path, "error": type(exc).__name__})
        return web.json_response({"error": "internal error"}, status=500)
