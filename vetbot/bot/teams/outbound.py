"""``TeamsOutbound``: cards posted proactively through the Bot Connector (``Outbound`` for Teams).

* The requester's card goes back to the conversation the request came from
  (``continue_conversation`` on the stored reference): in a 1:1 chat that is private; in a
  channel it is the thread where the requester @mentioned vetbot — people there already saw
  the request. It is updated in place (``update_activity``) when the case changes.
* Escalations open a new thread in ``VETBOT_TEAMS_SECURITY_CHANNEL`` with
  ``create_conversation`` (``channel_data.channel.id``). The service URL is
  ``VETBOT_TEAMS_SERVICE_URL`` when set (explicit configuration wins, and cannot be steered
  by a request), else the one learnt from the last authenticated incoming activity.
* 429 and 5xx from the connector are retried here with backoff (``Retry-After`` honoured, up
  to ``MAX_WAIT`` s); when attempts run out, ``TeamsDeliveryError.retry_after`` tells the
  outbox when to try again. Other errors (403 not installed, 404) go to the outbox at once.

Exceptions raised inside a proactive callback are captured and re-raised outside it: the
adapter would otherwise hand them to ``on_turn_error``, which swallows them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
    TextFormatTypes,
)

from vetbot.bot.settings import TeamsSettings
from vetbot.bot.teams.bot import card_activity
from vetbot.handlers.api import Conversation, RiskCard

log = logging.getLogger("vetbot.teams")

ATTEMPTS = 3
BACKOFF = 0.5
MAX_WAIT = 30.0
T = TypeVar("T")


class TeamsDeliveryError(Exception):
    """A connector call failed; ``status`` is the HTTP status, the message holds no payload."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def _status_and_wait(exc: Exception) -> tuple[int | None, float | None]:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", None) or {}
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    wait = float(raw) if isinstance(raw, str) and raw.strip().isdigit() else None
    return (int(status) if isinstance(status, int) else None), wait


async def with_retries(operation: Callable[[], Awaitable[T]], *, what: str) -> T:
    """Retry 429/5xx with exponential backoff; anything else fails at once."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await operation()
        except TeamsDeliveryError:
            raise
        except Exception as exc:  # noqa: BLE001 - msrest raises several types; classified by status
            status, wait = _status_and_wait(exc)
            retryable = status is not None and (status == 429 or status >= 500)
            log.warning(
                "teams call failed",
                extra={"call": what, "status": status, "attempt": attempt, "error": type(exc).__name__},
            )
            if not retryable:
                raise TeamsDeliveryError(f"{what}: {type(exc).__name__}", status=status) from None
            if attempt == ATTEMPTS:
                raise TeamsDeliveryError(f"{what}: HTTP {status}", status=status, retry_after=wait) from None
            await asyncio.sleep(min(MAX_WAIT, wait if wait is not None else BACKOFF * 2 ** (attempt - 1)))
    raise AssertionError("unreachable")


class TeamsOutbound:
    def __init__(
        self, adapter: CloudAdapter, settings: TeamsSettings, service_url: Callable[[], str | None]
    ) -> None:
        self.adapter = adapter
        self.settings = settings
        self.service_url = service_url

    async def _in_conversation(
        self, conversation: Conversation, work: Callable[[TurnContext], Awaitable[Any]]
    ) -> Any:
        if not conversation.reference:
            raise TeamsDeliveryError("no conversation reference stored with the request")
        reference = ConversationReference().deserialize(conversation.reference)
        outcome: dict[str, Any] = {}

        async def callback(turn_context: TurnContext) -> None:
            try:
                outcome["value"] = await work(turn_context)
            except Exception as exc:  # noqa: BLE001 - re-raised below, outside the adapter
                outcome["error"] = exc

        async def once() -> Any:
            outcome.clear()
            await self.adapter.continue_conversation(reference, callback, bot_app_id=self.settings.app_id)
            if "error" in outcome:
                raise outcome["error"]
            return outcome.get("value")

        return await with_retries(once, what="continue_conversation")

    async def post_card(self, conversation: Conversation, card: RiskCard, *, key: str) -> str | None:
        async def send(ctx: TurnContext) -> str | None:
            sent = await ctx.send_activity(card_activity(card))
            return sent.id if sent else None

        return await self._in_conversation(conversation, send)

    async def update_card(
        self, conversation: Conversation, message_id: str, card: RiskCard, *, key: str
    ) -> None:
        async def update(ctx: TurnContext) -> None:
            activity = card_activity(card)
            activity.id = message_id
            await ctx.update_activity(activity)

        await self._in_conversation(conversation, update)

    async def post_text(self, conversation: Conversation, text: str, *, key: str) -> str | None:
        async def send(ctx: TurnContext) -> str | None:
            message = MessageFactory.text(text)
            message.text_format = TextFormatTypes.plain
            sent = await ctx.send_activity(message)
            return sent.id if sent else None

        return await self._in_conversation(conversation, send)

    async def post_escalation(self, card: RiskCard, *, key: str) -> str | None:
        channel = self.settings.security_channel
        service_url = self.settings.service_url or self.service_url()
        if not channel:
            raise TeamsDeliveryError("VETBOT_TEAMS_SECURITY_CHANNEL is not set")
        if not service_url:
            raise TeamsDeliveryError(
                "no Teams service URL yet (set VETBOT_TEAMS_SERVICE_URL)", retry_after=60
            )
        activity: Activity = card_activity(card)
        params = ConversationParameters(
            is_group=True,
            bot=ChannelAccount(id=self.settings.app_id or "vetbot"),
            tenant_id=self.settings.tenant_id or None,
            channel_data={"channel": {"id": channel}},
            activity=activity,
        )
        created: dict[str, str | None] = {}

        async def callback(ctx: TurnContext) -> None:
            created["id"] = ctx.activity.conversation.id if ctx.activity.conversation else None

        async def once() -> None:
            await self.adapter.create_conversation(
                self.settings.app_id, callback, params, "msteams", service_url
            )

        await with_retries(once, what="create_conversation")
        return created.get("id")
