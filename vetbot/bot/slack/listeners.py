"""bolt listeners: ack, translate, hand over to ``BotCore`` — a few lines each.

Order in every listener: translate the payload, let the core *store* the request
(``handle_command`` / ``handle_action`` return in milliseconds), then ``ack`` with the
answer. With bolt's default ``process_before_response=False`` the HTTP reply leaves at
``ack`` (https://api.slack.com/interactivity/slash-commands#responding_basic_receipt), and the
vetting itself runs in BotCore's worker, never here. ``on_command`` also runs without bolt's
dispatch, on the slash-command fast path (``answer_command``; ``app.py`` says why).

Every text the user sees is escaped for mrkdwn: error messages may quote the user's input,
and ``<!channel>`` typed into ``/vet`` must stay inert even in an ephemeral reply.
Listener failures are logged by exception type only (bolt would log the traceback, whose
message could hold candidate data).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from vetbot.bot.render.blockkit import FORM_CALLBACK, clip, escape, to_blocks, to_modal
from vetbot.bot.slack.inbound import (
    COMMANDS,
    action_from_block_actions,
    command_from_mention,
    command_from_slash,
    command_from_view,
    form_metadata,
)
from vetbot.handlers.api import Accepted, CardReply, ErrorReply, FormReply, Reply, Response
from vetbot.handlers.core import BotCore

log = logging.getLogger("vetbot.slack")

FORM_UNAVAILABLE = "The form could not be opened (the request expired); type /vet again, or /vet help."
ACK_BUDGET = 2.0  # seconds; Slack shows "operation_timeout" without an answer in 3 s
SLOW_ACK = "Received; vetbot is busy, so the answer follows in a moment."
MENTION_NO_FORM = "Type /vet to open the form, or @vetbot vet name=… with the fields."
NOT_ANSWERED = "vetbot could not handle that command right now; please try again in a minute."


def to_message(response: Response) -> dict[str, Any]:
    """A response as Slack message arguments (ack, respond or chat.postEphemeral)."""
    if isinstance(response, CardReply):
        return to_blocks(response.card)
    if isinstance(response, ErrorReply):
        return {"text": clip(escape(f":warning: {response.message}"))}
    if isinstance(response, Accepted | Reply):
        return {"text": clip(escape(response.text))}
    return {"text": escape(MENTION_NO_FORM)}  # a FormReply where no modal can be opened


def _done(ticket: asyncio.Future[None]) -> None:
    if not ticket.done():
        ticket.set_result(None)


def _response_type(response: Response) -> str:
    return "in_channel" if isinstance(response, Reply) and not response.private else "ephemeral"


def _form_errors(response: ErrorReply, blocks: list[str]) -> dict[str, str]:
    """``response_action: errors`` must name a block of the modal; otherwise the first one."""
    block = response.field if response.field in blocks else (blocks[0] if blocks else "name")
    return {block: clip(response.message, 2000)}


class Listeners:
    """Registers the listeners on an ``AsyncApp`` and tracks the work they do after ``ack``.

    bolt acks Events API requests *before* the listener task has even started, so a task set
    filled by the listener itself could miss it. A global middleware takes a ticket during the
    request instead; the listener settles it when done (or ``dispatched`` does, when bolt
    answered without running one), and ``settle`` waits for every ticket.
    """

    def __init__(self, core: BotCore) -> None:
        self.core = core
        self.pending: set[asyncio.Future[None]] = set()
        self._tasks: set[asyncio.Task[None]] = set()  # fast-path listeners: strong references

    def register(self, app: AsyncApp) -> None:
        app.use(self._ticket)
        for name in COMMANDS:
            app.command(name)(self._guard(self.on_command))
        app.action(re.compile(r"^vetbot\."))(self._guard(self.on_action))
        app.view(FORM_CALLBACK)(self._guard(self.on_form))
        app.event("app_mention")(self._guard(self.on_mention))

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a grace period
        if self.pending:
            await asyncio.wait(list(self.pending), timeout=timeout)

    def _new_ticket(self) -> asyncio.Future[None]:
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.add(ticket)
        ticket.add_done_callback(self.pending.discard)
        return ticket

    async def _ticket(self, context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        """Global middleware: runs for every verified request, before any listener is chosen."""
        context["vetbot_ticket"] = self._new_ticket()
        await next()

    async def answer_command(self, form: dict[str, str], client: AsyncWebClient) -> BoltResponse:
        """The slash-command fast path (``app.py`` says why): ``on_command`` without bolt's
        dispatch. The listener runs as a tracked task, exactly as under bolt, and the HTTP
        answer is whatever it passes to ``ack`` — built by bolt's own ``AsyncAck``, so both
        paths answer byte for byte alike; work after the ack (the slow-intake ``respond``)
        carries on in the task. Unlike bolt, this waits on the ack itself instead of polling
        for it every 10 ms."""
        loop = asyncio.get_running_loop()
        acked: asyncio.Future[BoltResponse] = loop.create_future()
        holder = AsyncAck()

        async def ack(*args: Any, **kwargs: Any) -> BoltResponse:
            response = await holder(*args, **kwargs)
            if not acked.done():
                acked.set_result(response)
            return response

        context = AsyncBoltContext(vetbot_ticket=self._new_ticket())
        respond = AsyncRespond(response_url=form.get("response_url") or None)
        listener = self._guard(self.on_command)
        task = loop.create_task(
            listener(ack=ack, body=form, client=client, respond=respond, context=context),
            name="vetbot-slash",
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await asyncio.wait((acked, task), return_when=asyncio.FIRST_COMPLETED)
        if acked.done():
            return acked.result()
        # the listener failed before acknowledging (already logged by type): say so, not 5xx
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": escape(NOT_ANSWERED)})

    @staticmethod
    def dispatched(context: AsyncBoltContext, response: BoltResponse | None) -> None:
        """Called by the HTTP handler with bolt's answer: anything but 200 means no listener runs."""
        ticket = context.get("vetbot_ticket")
        if isinstance(ticket, asyncio.Future) and (response is None or response.status != 200):
            _done(ticket)

    def _guard(self, listener: Callable[..., Awaitable[None]]) -> Callable[..., Coroutine[Any, Any, None]]:
        """Settle the request's ticket when done, and log failures by type only."""

        async def guarded(
            ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any, context: AsyncBoltContext
        ) -> None:
            try:
                await listener(ack=ack, body=body, client=client, respond=respond)
            except Exception as exc:  # noqa: BLE001 - never a traceback with payload data in the log
                log.error(
                    "slack listener failed",
                    extra={"listener": listener.__name__, "error": type(exc).__name__},
                )
            finally:
                ticket = context.get("vetbot_ticket")
                if isinstance(ticket, asyncio.Future):
                    _done(ticket)

        guarded.__name__ = listener.__name__
        return guarded

    async def on_command(
        self, *, ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        command = command_from_slash(body)
        if command is None:
            await ack()
            return
        store = asyncio.ensure_future(self.core.handle_command(command))
        try:
            response = await asyncio.wait_for(asyncio.shield(store), ACK_BUDGET)
        except TimeoutError:
            # storage is slow (e.g. a write lock held): ack within Slack's 3 s anyway, then
            # report the outcome through response_url once it is known
            log.warning("slow intake; acked before the store finished", extra={"budget": ACK_BUDGET})
            await ack(response_type="ephemeral", text=escape(SLOW_ACK))
            response = await store
            if not isinstance(response, Accepted) and body.get("response_url"):
                await respond(response_type="ephemeral", **to_message(response))
            return
        if isinstance(response, FormReply):
            meta = form_metadata(command.conversation.channel_id, command.conversation.team_id)
            try:
                await client.views_open(
                    trigger_id=body["trigger_id"], view=to_modal(response, private_metadata=meta)
                )
            except Exception as exc:  # noqa: BLE001 - expired trigger, API error: say so, do not crash
                log.warning("views.open failed", extra={"error": type(exc).__name__})
                await ack(text=escape(FORM_UNAVAILABLE), response_type="ephemeral")
                return
            await ack()
            return
        await ack(response_type=_response_type(response), **to_message(response))

    async def on_action(
        self, *, ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        action = action_from_block_actions(body)
        if action is None:
            await ack()
            return
        response = await self.core.handle_action(action)
        await ack()
        if body.get("response_url"):
            await respond(replace_original=False, response_type="ephemeral", **to_message(response))

    async def on_form(self, *, ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        command = command_from_view(body, FORM_CALLBACK)
        if command is None:
            await ack()
            return
        response = await self.core.handle_command(command)
        if isinstance(response, ErrorReply):
            blocks = list((body.get("view") or {}).get("state", {}).get("values", {}).keys())
            await ack(response_action="errors", errors=_form_errors(response, blocks))
            return
        done = {
            "type": "modal",
            "title": {"type": "plain_text", "text": "vetbot"},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": [
                {"type": "section", "text": {"type": "plain_text", "text": to_message(response)["text"]}}
            ],
        }
        await ack(response_action="update", view=done)

    async def on_mention(
        self, *, ack: Any, body: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        command = command_from_mention(body)
        if command is None or command.conversation.channel_id is None:
            await ack()
            return
        response = await self.core.handle_command(command)  # stored first; a retry's event_id dedupes
        await ack()
        await client.chat_postEphemeral(
            channel=command.conversation.channel_id, user=command.actor.user_id, **to_message(response)
        )
