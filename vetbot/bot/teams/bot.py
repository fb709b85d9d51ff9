"""The Teams activity handler: translate, hand over to ``BotCore``, answer inside the turn.

The turn must finish quickly (the connector gives up after ~15 s), so a ``/vet`` is only
stored here and answered "Checking…"; the card is posted proactively later by
``TeamsOutbound`` from the conversation reference stored with the job. Replies that may
quote user input are sent as plain text (``textFormat: plain``), so markdown in a profile
is shown as typed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, TextFormatTypes

from vetbot.bot.render.adaptive import to_adaptive_card, to_adaptive_form
from vetbot.bot.teams.inbound import command_from_text, from_submit, submitted
from vetbot.handlers.api import Accepted, Action, CardReply, ErrorReply, FormReply, Reply, Response, RiskCard
from vetbot.handlers.core import BotCore

log = logging.getLogger("vetbot.teams")

UNKNOWN_SUBMIT = "That button is not recognised (the card may be outdated); try /vet status ID."
TURN_FAILED = "Sorry, vetbot could not handle that message. Please try again."


def card_activity(card: RiskCard) -> Activity:
    return MessageFactory.attachment(CardFactory.adaptive_card(to_adaptive_card(card)))


def to_activity(response: Response) -> Activity:
    """A neutral response as a Teams message."""
    if isinstance(response, CardReply):
        return card_activity(response.card)
    if isinstance(response, FormReply):
        return MessageFactory.attachment(CardFactory.adaptive_card(to_adaptive_form(response)))
    if isinstance(response, ErrorReply):
        text = f"⚠️ {response.message}"
    elif isinstance(response, Accepted | Reply):
        text = response.text
    else:  # pragma: no cover - Response is a closed union
        text = TURN_FAILED
    message = MessageFactory.text(text[:4000])
    message.text_format = TextFormatTypes.plain
    return message


class VetbotTeamsBot(TeamsActivityHandler):
    def __init__(self, core: BotCore, *, on_service_url: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.core = core
        self.on_service_url = on_service_url

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Learn the service URL from every authenticated activity (install, message, …): the
        escalation to the security channel needs it and has no incoming activity of its own."""
        url = turn_context.activity.service_url
        if self.on_service_url is not None and isinstance(url, str) and url:
            self.on_service_url(url)
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        data = submitted(activity)
        if data is not None:
            request = from_submit(activity, data)
            if request is None:
                await turn_context.send_activity(to_activity(ErrorReply(UNKNOWN_SUBMIT)))
                return
        else:
            request = command_from_text(activity, _without_mention(activity))
        if isinstance(request, Action):
            response = await self.core.handle_action(request)
        else:
            response = await self.core.handle_command(request)
        await turn_context.send_activity(to_activity(response))


def _without_mention(activity: Activity) -> str:
    """The text after the bot's @mention; a malformed mention entity must not fail the turn."""
    if activity.entities:
        try:
            return str(TurnContext.remove_recipient_mention(activity) or "")
        except (KeyError, TypeError, AttributeError):
            pass  # clean_text strips <at>…</at> itself
    return str(activity.text or "")


async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    """The adapter's last resort: log the type (never the message: it may hold candidate data)."""
    log.error("teams turn failed", extra={"error": type(error).__name__})
    try:
        await turn_context.send_activity(to_activity(ErrorReply(TURN_FAILED)))
    except Exception as exc:  # noqa: BLE001 - the connector may be the thing that failed
        log.warning("teams error reply failed", extra={"error": type(exc).__name__})
