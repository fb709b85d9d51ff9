"""``TeamsEdge``: ``POST /api/messages`` around ``CloudAdapter.process_activity``, plus the outbound.

botbuilder-python is archived (4.17.1 is final), so it stays inside ``bot/teams/``: this edge
offers the web app the same four methods as ``SlackEdge``, and a Microsoft 365 Agents SDK
edge can replace it without touching anything else.

Why our own handler instead of ``CloudAdapter.process``: in 4.17.x ``process`` answers 500
for every invoke response (upstream PR #2226), and it lets malformed input surface as 5xx.
Here: not JSON → 415, unparseable → 400, missing or bad JWT → 401, unknown fields are ignored
by the deserialiser, and the invoke response body is returned as JSON
(shared/design/platform-notes.md §3).

A bad JWT surfaces from botbuilder's token validation as ``PermissionError`` or
``jwt.InvalidTokenError`` — but a forged token with a plausible issuer fails deeper, as a
bare ``Exception`` ("signing algorithm not in allowed list") or an ``IndexError`` (unknown
key id), which used to become a 500. Anything raised inside ``botframework.connector.auth``
is therefore an authentication failure: 401, except when Microsoft's signing keys could not
be fetched (a network error), which is 503 so the Bot Framework retries the delivery
instead of dropping the message.
"""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from jwt.exceptions import InvalidTokenError
from requests import RequestException

from vetbot.bot.settings import TeamsSettings
from vetbot.bot.teams.bot import VetbotTeamsBot, on_turn_error
from vetbot.bot.teams.outbound import TeamsOutbound
from vetbot.handlers.core import BotCore

log = logging.getLogger("vetbot.teams")
_AUTH_MODULE = "botframework.connector.auth"
MESSAGES_PATH = "/api/messages"


def auth_configuration(settings: TeamsSettings) -> SimpleNamespace:
    """The attribute names ``ConfigurationBotFrameworkAuthentication`` reads."""
    return SimpleNamespace(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password.get_secret_value(),
        APP_TYPE=settings.app_type,
        APP_TENANTID=settings.tenant_id,
    )


class TeamsEdge:
    def __init__(self, settings: TeamsSettings, core: BotCore) -> None:
        if not settings.app_id and not settings.insecure_dev:
            # settings refuse this already; a hand-built TeamsSettings must not bypass it
            raise ValueError("Teams: an empty app id turns authentication off; refused outside dev")
        self.settings = settings
        self.core = core
        self.learnt_service_url: str | None = None
        self.adapter: CloudAdapter | None = None
        self.bot = VetbotTeamsBot(core, on_service_url=self._learn)
        self.outbound: TeamsOutbound | None = None

    def _learn(self, url: str) -> None:
        self.learnt_service_url = url

    async def start(self) -> TeamsOutbound:
        if not self.settings.auth_enabled:
            log.warning("Teams authentication is OFF (empty app id, VETBOT_INSECURE_DEV=1): local tests only")
        auth = ConfigurationBotFrameworkAuthentication(auth_configuration(self.settings), logger=log)
        self.adapter = CloudAdapter(auth)
        self.adapter.on_turn_error = on_turn_error
        self.outbound = TeamsOutbound(self.adapter, self.settings, lambda: self.learnt_service_url)
        return self.outbound

    async def close(self) -> None:
        """Nothing held open: botbuilder opens a connector client per turn."""

    def ready(self) -> bool:
        return self.adapter is not None

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(MESSAGES_PATH, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return web.json_response({"error": "expected application/json"}, status=415)
        body = await request.read()  # client_max_size: larger bodies raise 413 here
        try:
            data = json.loads(body)
        except ValueError:
            return web.json_response({"error": "malformed JSON"}, status=400)
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return web.json_response({"error": "expected an activity object"}, status=400)
        try:
            activity = Activity().deserialize(data)
        except Exception as exc:  # noqa: BLE001 - msrest raises several types for bad shapes
            log.info("teams activity refused", extra={"reason": type(exc).__name__})
            return web.json_response({"error": "malformed activity"}, status=400)
        if self.adapter is None:
            return web.json_response({"error": "starting"}, status=503)
        try:
            response = await self.adapter.process_activity(
                request.headers.get("Authorization", ""), activity, self.bot.on_turn
            )
        except (PermissionError, InvalidTokenError) as exc:
            log.warning("teams request refused", extra={"reason": type(exc).__name__})
            return web.json_response({"error": "unauthorized"}, status=401)
        except Exception as exc:
            if not _raised_in_auth(exc):
                raise
            if isinstance(exc, OSError | RequestException):
                log.warning("teams signing keys unavailable", extra={"reason": type(exc).__name__})
                return web.json_response({"error": "authentication unavailable"}, status=503)
            log.warning("teams request refused", extra={"reason": type(exc).__name__})
            return web.json_response({"error": "unauthorized"}, status=401)
        if response is None:
            return web.Response(status=201)
        if response.status == 501:  # botbuilder's answer to an invoke vetbot does not handle
            return web.json_response({"error": "unsupported invoke"}, status=400)
        return web.json_response(response.body, status=response.status or 200)


def _raised_in_auth(exc: BaseException) -> bool:
    """Did ``exc`` come out of botbuilder's authentication (token, keys, endorsements)?"""
    trace = exc.__traceback__
    while trace is not None:
        if str(trace.tb_frame.f_globals.get("__name__", "")).startswith(_AUTH_MODULE):
            return True
        trace = trace.tb_next
    return False
