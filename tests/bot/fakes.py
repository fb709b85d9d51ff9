"""Recording fakes of Slack's Web API and the Bot Framework connector, as aiohttp apps.

Run them with ``aiohttp.test_utils.TestServer`` on 127.0.0.1, port 0, and point the real SDK
clients at them (``SLACK_API_URL``, the activity's ``serviceUrl``). They record every call
for asserts and answer what the SDKs expect; the connector always answers JSON (a text 404
makes msrest raise ``DeserializationError``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web


@dataclass
class Call:
    method: str
    data: dict[str, Any]
    path: str = ""


def _decode(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        value = json.loads(raw)
        return value if isinstance(value, dict) else {"_": value}
    data: dict[str, Any] = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    for key in ("blocks", "view", "attachments"):
        if isinstance(data.get(key), str):
            data[key] = json.loads(data[key])
    return data


@dataclass
class FakeSlack:
    """``POST /api/{method}`` (Web API) and ``POST /response/{id}`` (response_url).

    Posted messages are kept per channel (with their ``metadata``) and served back, newest
    first, by ``conversations.history`` (GET or POST), as Slack does."""

    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> posted
    rate_limit_next: dict[str, int] = field(default_factory=dict)  # method -> Retry-After seconds, once
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        return app

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.data for c in self.calls if c.method == method]

    async def _response_url(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", _decode(await request.read(), request.content_type)))
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data = _decode(await request.read(), request.content_type) or dict(request.query)
        if method in self.rate_limit_next:
            retry_after = self.rate_limit_next.pop(method)
            self.calls.append(Call(f"{method}:429", data))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        self.calls.append(Call(method, data))
        return web.json_response({"ok": True, **self._answer(method, data)})

    def _answer(self, method: str, data: Mapping[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "user_id": "UVETBOT",
                "team_id": "T0001",
                "bot_id": "BVETBOT",
                "user": "vetbot",
                "team": "t",
            }
        if method == "conversations.open":
            return {"channel": {"id": f"D{data.get('users', 'X')}"}}
        if method in ("chat.postMessage", "chat.update"):
            ts = data.get("ts") or f"1700000000.{next(self._ts):06d}"
            if method == "chat.postMessage":
                message = {"type": "message", "ts": ts, "text": data.get("text", "")}
                if isinstance(data.get("metadata"), dict):
                    message["metadata"] = data["metadata"]
                self.messages.setdefault(str(data.get("channel")), []).append(message)
            return {"channel": data.get("channel"), "ts": ts}
        if method == "conversations.history":
            newest_first = list(reversed(self.messages.get(str(data.get("channel")), [])))
            return {"messages": newest_first, "has_more": False, "response_metadata": {"next_cursor": ""}}
        if method == "chat.postEphemeral":
            return {"message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "views.open":
            return {"view": {"id": "V0001"}}
        return {}


@dataclass
class FakeConnector:
    """The Bot Connector REST API under ``/v3/conversations``; ``fail_next`` answers that many
    requests with ``fail_status`` first (429/5xx retry tests)."""

    calls: list[Call] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 503
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        base = "/v3/conversations"
        app.router.add_post(base, self._create)
        app.router.add_post(base + "/{cid}/activities", self._send)
        app.router.add_post(base + "/{cid}/activities/{aid}", self._send)
        app.router.add_put(base + "/{cid}/activities/{aid}", self._update)
        app.router.add_delete(base + "/{cid}/activities/{aid}", self._delete)
        app.router.add_get(base + "/{cid}/members", self._members)
        app.router.add_route("*", "/{tail:.*}", self._missing)
        return app

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def _record(self, method: str, request: web.Request) -> web.Response | None:
        raw = await request.read()
        data = json.loads(raw) if raw else {}
        if self.fail_next > 0:
            self.fail_next -= 1
            self.calls.append(Call(f"{method}:{self.fail_status}", data, request.path))
            return web.json_response(
                {"error": {"code": "Throttled", "message": "try later"}},
                status=self.fail_status,
                headers={"Retry-After": "0"},
            )
        self.calls.append(Call(method, data, request.path))
        return None

    async def _create(self, request: web.Request) -> web.Response:
        if failed := await self._record("create", request):
            return failed
        n = next(self._ids)
        return web.json_response({"id": f"19:thread{n}@thread.tacv2;messageid={n}", "activityId": str(n)})

    async def _send(self, request: web.Request) -> web.Response:
        method = "reply" if "aid" in request.match_info else "send"
        if failed := await self._record(method, request):
            return failed
        return web.json_response({"id": f"act-{next(self._ids)}"})

    async def _update(self, request: web.Request) -> web.Response:
        if failed := await self._record("update", request):
            return failed
        return web.json_response({"id": request.match_info["aid"]})

    async def _delete(self, request: web.Request) -> web.Response:
        await self._record("delete", request)
        return web.json_response({})

    async def _members(self, request: web.Request) -> web.Response:
        return web.json_response([])

    async def _missing(self, request: web.Request) -> web.Response:
        return web.json_response({"error": {"code": "NotFound", "message": request.path}}, status=404)
