"""``SlackOutbound``: neutral cards and texts → Slack Web API calls (``Outbound`` for Slack).

**Where the requester's card goes: a DM from vetbot to the requester**
(``conversations.open`` + ``chat.postMessage``), not the channel where ``/vet`` was typed and
not an ephemeral message:

* the card holds candidate data and findings; posting it into a shared channel spreads
  that data to every member (and into the channel's retention and exports);
* ``chat.postEphemeral`` keeps it private but cannot be updated (``chat.update`` refuses
  ephemeral messages), is lost when the client reloads, and fails in channels the bot has
  not joined — so decisions could never show on the card;
* a DM is private, persistent, and updatable with ``chat.update`` when a case is claimed,
  cleared or confirmed. It needs ``im:write`` + ``chat:write`` (and ``im:history``, below).

Escalations go to ``VETBOT_SECURITY_CHANNEL`` with ``chat.postMessage`` (the minimal card).

**Exactly once across crashes.** ``chat.postMessage`` has no idempotency key, and the outbox
marks a delivery sent only after Slack answered: a process killed in between would post the
card again on retry. So every post carries its outbox key as message metadata
(``event_type`` ``vetbot_delivery``, invisible to users; ids only), and before a *retried*
delivery the worker calls ``find_posted``, which reads the channel's history since the outbox
row was written (``conversations.history`` with ``include_all_metadata``; ``im:history`` for
the DM, ``channels:history``/``groups:history`` for the security channel). Without those
scopes the lookup is skipped with a warning and the retry posts (at-least-once), because a
lost card is worse than a duplicate.

Nothing is sent with ``link_names`` or ``parse=full``; candidate strings are escaped by the
renderer. 429s are retried by slack_sdk's ``AsyncRateLimitErrorRetryHandler`` honouring
``Retry-After``; when retries run out, ``SlackRateLimited.retry_after`` tells the outbox when
to try again. Logs carry the API method and error code only.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from vetbot.bot.render.blockkit import to_blocks
from vetbot.handlers.api import Conversation, RiskCard

log = logging.getLogger("vetbot.slack")

DELIVERY_EVENT = "vetbot_delivery"  # message metadata event_type carrying the outbox key
CLOCK_SKEW = timedelta(minutes=5)  # our clock vs Slack's, for the history search window
HISTORY_PAGES = 10  # at most 10 × 200 messages are read for one lookup


class SlackDeliveryError(Exception):
    """A Web API call failed; the message is Slack's error code (no payload)."""


class SlackRateLimited(SlackDeliveryError):
    """Still rate limited after the SDK's retries; the outbox waits ``retry_after`` seconds."""

    def __init__(self, code: str, retry_after: float) -> None:
        super().__init__(code)
        self.retry_after = retry_after


class EscalationNotConfigured(SlackDeliveryError):
    """VETBOT_SECURITY_CHANNEL is unset: escalations wait in the outbox until it is set."""


def make_client(token: str, base_url: str, **kwargs: Any) -> AsyncWebClient:
    """The one Web API client: base URL configurable (``SLACK_API_URL``), 429s honoured."""
    client = AsyncWebClient(token=token, base_url=base_url, **kwargs)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    if not any(isinstance(h, AsyncConnectionErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(AsyncConnectionErrorRetryHandler())
    return client


def requester_user_id(conversation: Conversation, card: RiskCard | None = None) -> str | None:
    user = conversation.reference.get("user_id")
    if isinstance(user, str) and user:
        return user
    if card is not None and card.requester and card.requester.startswith("slack:"):
        return card.requester.removeprefix("slack:")
    return None


def message_id(channel: str, ts: str) -> str:
    """The id handed to the outbox: DM channel and ts, because ``chat.update`` needs both."""
    return f"{channel}:{ts}"


class SlackOutbound:
    def __init__(self, client: AsyncWebClient, *, security_channel: str | None) -> None:
        self.client = client
        self.security_channel = security_channel

    async def _call(self, method: str, *, read: bool = False, **params: Any) -> dict[str, Any]:
        try:
            if read:  # read methods take form/query arguments, not JSON bodies
                response = await self.client.api_call(method, http_verb="GET", params=params)
            else:
                response = await self.client.api_call(method, json=params)
        except SlackApiError as exc:
            code = str(exc.response.get("error") or exc.response.status_code)
            log.warning("slack call failed", extra={"method": method, "error": code})
            if exc.response.status_code == 429:
                raw = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
                raise SlackRateLimited(code, float(raw) if raw and str(raw).isdigit() else 30.0) from None
            raise SlackDeliveryError(f"{method}: {code}") from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def _dm_channel(self, user_id: str) -> str:
        """``conversations.open`` is idempotent: the same user always gets the same DM id."""
        opened = await self._call("conversations.open", users=user_id)
        channel = (opened.get("channel") or {}).get("id")
        if not isinstance(channel, str) or not channel:
            raise SlackDeliveryError("conversations.open: no channel id")
        return channel

    async def _post(self, channel: str, payload: dict[str, Any], *, key: str) -> str:
        metadata = {"event_type": DELIVERY_EVENT, "event_payload": {"key": key}}
        posted = await self._call(
            "chat.postMessage", channel=channel, unfurl_links=False, metadata=metadata, **payload
        )
        ts = posted.get("ts")
        if not isinstance(ts, str):
            raise SlackDeliveryError("chat.postMessage: no ts")
        return message_id(posted.get("channel") or channel, ts)

    async def post_card(self, conversation: Conversation, card: RiskCard, *, key: str) -> str | None:
        user = requester_user_id(conversation, card)
        if user is None:
            raise SlackDeliveryError("no requester to deliver the card to")
        return await self._post(await self._dm_channel(user), to_blocks(card), key=key)

    async def update_card(
        self, conversation: Conversation, message_id: str, card: RiskCard, *, key: str
    ) -> None:
        channel, _, ts = message_id.partition(":")
        if not channel or not ts:
            raise SlackDeliveryError("update: malformed message id")
        await self._call("chat.update", channel=channel, ts=ts, **to_blocks(card))

    async def post_escalation(self, card: RiskCard, *, key: str) -> str | None:
        if not self.security_channel:
            raise EscalationNotConfigured("VETBOT_SECURITY_CHANNEL is not set")
        return await self._post(self.security_channel, to_blocks(card), key=key)

    async def post_text(self, conversation: Conversation, text: str, *, key: str) -> str | None:
        """Plain text (job failures): ``mrkdwn: false`` so nothing in it is formatted."""
        user = requester_user_id(conversation)
        if user is None:
            raise SlackDeliveryError("no requester to deliver the text to")
        return await self._post(await self._dm_channel(user), {"text": text, "mrkdwn": False}, key=key)

    async def find_posted(
        self, *, key: str, conversation: Conversation | None, card: RiskCard | None, since: datetime
    ) -> str | None:
        """The message an earlier attempt of delivery ``key`` posted, if Slack has it (``Reconciling``).

        Escalations are looked for in the security channel, everything else in the requester's
        DM. Rate limits propagate (the outbox retries later); any other failure — typically a
        missing history scope — skips the lookup, so the retry posts rather than stalls."""
        if conversation is None:
            channel = self.security_channel
        else:
            user = requester_user_id(conversation, card)
            channel = await self._dm_channel(user) if user else None
        if not channel:
            return None
        oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
        cursor: str | None = None
        try:
            for _ in range(HISTORY_PAGES):
                params: dict[str, Any] = {
                    "channel": channel,
                    "oldest": oldest,
                    "limit": 200,
                    "include_all_metadata": "true",
                }
                if cursor:
                    params["cursor"] = cursor
                page = await self._call("conversations.history", read=True, **params)
                for message in page.get("messages") or []:
                    meta = message.get("metadata") if isinstance(message, dict) else None
                    if (
                        isinstance(meta, dict)
                        and meta.get("event_type") == DELIVERY_EVENT
                        and (meta.get("event_payload") or {}).get("key") == key
                        and isinstance(message.get("ts"), str)
                    ):
                        return message_id(channel, message["ts"])
                cursor = ((page.get("response_metadata") or {}).get("next_cursor")) or None
                if not cursor:
                    return None
        except SlackRateLimited:
            raise
        except SlackDeliveryError:
            log.warning(
                "delivery lookup unavailable; posting again", extra={"method": "conversations.history"}
            )
        return None
