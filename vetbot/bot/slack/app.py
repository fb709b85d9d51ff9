"""``SlackEdge``: the Slack side of the web app — bolt ``AsyncApp``, its HTTP route, Socket Mode
and the ``SlackOutbound``. slack-bolt and slack_sdk are imported in ``bot/slack/`` only.

Every request passes ``signature.verify`` first (see that module for why). Then:

* **Our slash commands** (``/vet``, ``/vet-admin``; ``inbound.slash_form`` decides) take a
  fast path: the form goes straight to the same ``on_command`` listener, which stores the
  job (``BotCore.handle_command``) and acks, without bolt's dispatch. Measured on 100
  concurrent signed ``/vet`` (benchmarks/bench_chat.py), bolt's request parsing, middleware
  chain and 10 ms ack polling cost ~0.4 ms of the event loop per command, and acks queue
  behind each other's CPU: that was a third of the time to the last ack. The ack body is
  built by bolt's own ``AsyncAck`` and ``respond`` is bolt's ``AsyncRespond``, so Slack sees
  the same answers (tests/bot/test_slash_fast_path.py compares both paths);
  ``fast_commands=False`` keeps the old path for that comparison and the benchmark baseline.
* **Everything else** — clicks, modal submissions, events, other apps' commands — goes to
  bolt, whose own verification stays on as a second lock. A request signed with the
  *previous* secret during rotation is re-signed with the current one after our check,
  since bolt knows one secret only.

``slack_bolt.RequestVerification`` is set to WARNING after every ``AsyncApp`` construction:
bolt logs rejected raw bodies at INFO, and constructing an app resets that logger
(shared/design/platform-notes.md §2).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence

from aiohttp import ClientSession, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from vetbot.bot.settings import SlackSettings
from vetbot.bot.slack.inbound import slash_form
from vetbot.bot.slack.listeners import Listeners
from vetbot.bot.slack.outbound import SlackOutbound, make_client
from vetbot.bot.slack.signature import sign, verify
from vetbot.handlers.core import BotCore

log = logging.getLogger("vetbot.slack")
EVENTS_PATH = "/slack/events"


def quiet_bolt_verification_logger() -> None:
    """Call after *every* ``AsyncApp(...)``: it resets this logger, which logs rejected bodies."""
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)


def sdk_logger() -> logging.Logger:
    """The logger handed to bolt, slack_sdk and Socket Mode, capped at INFO: at DEBUG they log
    request and response bodies (candidate data) and ack texts."""
    logger = logging.getLogger("vetbot.slack.sdk")
    logger.setLevel(logging.INFO)
    return logger


class SlackEdge:
    """Built from settings; ``start``/``close`` run in the web app's cleanup context."""

    def __init__(
        self,
        settings: SlackSettings,
        core: BotCore,
        *,
        clock: Callable[[], float] = time.time,
        fast_commands: bool = True,
    ) -> None:
        self.settings = settings
        self.core = core
        self.clock = clock
        self.fast_commands = fast_commands  # False: every request through bolt (benchmark baseline)
        self.listeners = Listeners(core)
        self._session: ClientSession | None = None
        self._client: AsyncWebClient | None = None
        self._bolt: AsyncApp | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self.outbound: SlackOutbound | None = None

    @property
    def http_enabled(self) -> bool:
        return bool(self.settings.signing_secrets)

    async def start(self) -> SlackOutbound:
        """Open the HTTP session and the Web API client; build the bolt app; connect Socket Mode."""
        self._session = ClientSession()
        token = self.settings.bot_token.get_secret_value()
        self._client = make_client(token, self.settings.api_url, session=self._session, logger=sdk_logger())
        secrets = self.settings.signing_secrets
        self._bolt = AsyncApp(
            client=self._client,
            signing_secret=secrets[0].get_secret_value() if secrets else None,
            request_verification_enabled=bool(secrets),
            name="vetbot",
            logger=sdk_logger(),
        )
        quiet_bolt_verification_logger()
        self.listeners.register(self._bolt)
        self.outbound = SlackOutbound(self._client, security_channel=self.settings.security_channel)
        if self.settings.app_token is not None:
            self._socket = AsyncSocketModeHandler(
                self._bolt, self.settings.app_token.get_secret_value(), logger=sdk_logger()
            )
            await self._socket.connect_async()
        return self.outbound

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a grace period
        """Wait for listener tasks still running after their ack. bolt acks Events API requests
        before the listener runs, so tests await this before ``BotCore.drain``."""
        await self.listeners.settle(timeout)

    async def close(self) -> None:
        """Let listeners finish their post-ack replies, then close Socket Mode and the session."""
        await self.settle()
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close_async()
        if self._session is not None:
            await self._session.close()

    def ready(self) -> bool:
        """False while Socket Mode (when used) is not connected; HTTP mode is always ready."""
        if self._socket is None:
            return self._bolt is not None
        try:
            return bool(self._socket.client.is_connected())
        except Exception:  # noqa: BLE001 - readiness reports any failure as "not ready"
            return False

    def add_routes(self, app: web.Application) -> None:
        if self.http_enabled:
            app.router.add_post(EVENTS_PATH, self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """POST /slack/events: pre-check the signature; our slash commands on the fast path,
        the rest dispatched to bolt."""
        body = await request.read()  # client_max_size: larger bodies raise 413 here
        secrets = [s.get_secret_value() for s in self.settings.signing_secrets]
        verdict = verify(request.headers, body, secrets, now=self.clock())
        if not verdict.ok:
            # reason code, path and size only: never the body, never the headers' values
            log.warning(
                "slack request refused",
                extra={
                    "reason": verdict.reason.value if verdict.reason else "unknown",
                    "bytes": len(body),
                    "retry": request.headers.get("X-Slack-Retry-Num", "")[:3],
                },
            )
            return web.json_response({"error": "invalid request signature"}, status=401)
        if self._bolt is None or self._client is None:
            return web.json_response({"error": "starting"}, status=503)
        if self.fast_commands and (form := slash_form(body, request.content_type)) is not None:
            return await to_aiohttp_response(await self.listeners.answer_command(form, self._client))
        if verdict.secret_index:
            bolt_request = self._resigned(request, body, secrets[0], verdict.timestamp or "")
        else:
            bolt_request = await to_bolt_request(request)
        bolt_response: BoltResponse | None = None
        try:
            bolt_response = await self._bolt.async_dispatch(bolt_request)
        finally:
            self.listeners.dispatched(bolt_request.context, bolt_response)
        return await to_aiohttp_response(bolt_response)

    @staticmethod
    def _resigned(request: web.Request, body: bytes, secret: str, timestamp: str) -> AsyncBoltRequest:
        headers: dict[str, str | Sequence[str]] = {k.lower(): v for k, v in request.headers.items()}
        headers["x-slack-signature"] = sign(secret, timestamp, body)
        return AsyncBoltRequest(
            body=body.decode("utf-8", errors="replace"), query=request.query_string, headers=headers
        )
