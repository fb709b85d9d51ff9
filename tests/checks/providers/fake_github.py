"""A local fake of GitHub's REST API (``/users/{login}``, ``/rate_limit``) as an aiohttp app.

Each request to ``/users/…`` takes the next scripted ``Reply`` (then ``default``): a status,
headers and a JSON body as GitHub sends them, or ``hang`` — wait until ``release`` is set,
as a provider that accepted the connection and never answers. Every request is recorded
(path and headers) so tests can count what reached the server.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


def user(login: str, created: datetime, **extra: Any) -> Reply:
    """A ``GET /users/{login}`` answer as GitHub gives it (fields vetbot reads, and a few more)."""
    return Reply(
        200,
        {
            "login": login,
            "id": 583231,
            "type": "User",
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": "2026-11-01T10:00:00Z",
            "public_repos": extra.get("public_repos", 8),
            "followers": extra.get("followers", 20),
        },
        {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999"},
    )


def years_ago(years: float, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=365.25 * years)


NOT_FOUND = Reply(
    404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest/users/users#get-a-user"}
)
HANG = Reply(hang=True)


@dataclass
class FakeGitHub:
    script: list[Reply] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: NOT_FOUND)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    _arrival: asyncio.Condition = field(default_factory=asyncio.Condition)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/users/{login}", self._user)
        app.router.add_get("/rate_limit", self._rate_limit)
        return app

    @property
    def user_requests(self) -> int:
        return sum(path.startswith("/users/") for path, _ in self.requests)

    async def arrived(self, count: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``count`` account requests have reached the server."""
        async with asyncio.timeout(timeout), self._arrival:
            await self._arrival.wait_for(lambda: self.user_requests >= count)

    async def _user(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.headers)))
        async with self._arrival:
            self._arrival.notify_all()
        reply = self.script.pop(0) if self.script else self.default
        if reply.hang:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), 30)
            return web.json_response({"message": "too late"}, status=504)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    async def _rate_limit(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.headers)))
        core = {"limit": 5000, "remaining": 4990, "reset": 1_900_000_000, "used": 10}
        return web.json_response({"resources": {"core": core}, "rate": core})


@asynccontextmanager
async def serve(fake: FakeGitHub) -> AsyncIterator[str]:
    """Run ``fake`` on 127.0.0.1 (an ephemeral port); yields its base URL."""
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        fake.release.set()
        await server.close()
