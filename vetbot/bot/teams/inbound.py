"""Teams activities → neutral ``Command``/``Action``. Pure functions over a botbuilder ``Activity``.

* Typed text, after ``TurnContext.remove_recipient_mention`` (done by the caller, because it
  needs the SDK): ``vet name=…``, ``/vet name=…``, ``help``, ``status ID``. In channels the
  bot only receives messages that @mention it.
* Action.Submit arrives as a ``message`` whose ``value`` is the button's data merged with
  the card's inputs (shared/design/platform-notes.md §3): ``{"vetbot_action": …}``.

The idempotency key is the activity id (the Bot Connector redelivers with the same id).
The requester is identified by the AAD object id when present (stable across clients),
else the channel account id. The serialised ``ConversationReference`` goes into
``Conversation.reference``: the card is posted later, proactively, from it.
"""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from vetbot.bot.render.adaptive import CLEAR_REASON_INPUT, FORM_ACTION
from vetbot.handlers.api import Action, ActionId, Actor, Command, Conversation, Platform

_ACTION_IDS = {a.value: a for a in ActionId}
_COMMAND = re.compile(r"^/?(vet-admin|vet)(?=\s|$)", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]{0,200}>")
_AT = re.compile(r"<at>.{0,200}?</at>", re.IGNORECASE | re.DOTALL)  # mentions left by the SDK
_MARKERS = frozenset({"vetbot_action", "msteams", CLEAR_REASON_INPUT})


def actor_of(activity: Activity) -> Actor:
    who = activity.from_property
    user_id = (
        (getattr(who, "aad_object_id", None) or getattr(who, "id", None) or "unknown") if who else "unknown"
    )
    return Actor(Platform.TEAMS, str(user_id), getattr(who, "name", None) if who else None)


def conversation_of(activity: Activity) -> Conversation:
    reference = TurnContext.get_conversation_reference(activity).serialize()
    conversation = activity.conversation
    tenant = getattr(conversation, "tenant_id", None) if conversation else None
    return Conversation(
        platform=Platform.TEAMS,
        channel_id=getattr(conversation, "id", None) if conversation else None,
        team_id=tenant,
        reference=reference,
    )


def clean_text(text: str | None) -> str:
    """Text as typed: Teams may wrap it in HTML (``<p>``), entities and ``&nbsp;``."""
    if not text:
        return ""
    if "<" in text:
        text = _TAGS.sub("", _AT.sub("", text))
    return html.unescape(text).replace("\xa0", " ").strip()


def key_of(activity: Activity) -> str:
    """The activity id; an activity without one (never from the connector) cannot be deduplicated."""
    return f"teams:{activity.id}" if activity.id else f"teams:noid:{uuid.uuid4().hex}"


def command_from_text(activity: Activity, text: str) -> Command:
    """``text`` is the activity text with the bot's mention already removed."""
    cleaned = clean_text(text)
    match = _COMMAND.match(cleaned)
    name = match.group(1).lower() if match else "vet"
    rest = cleaned[match.end() :].strip() if match else cleaned
    return Command(
        actor=actor_of(activity),
        conversation=conversation_of(activity),
        name=name,
        text=rest,
        idempotency_key=key_of(activity),
    )


def submitted(activity: Activity) -> dict[str, Any] | None:
    """The Action.Submit data of a message activity, if it is one of ours."""
    value = activity.value
    if isinstance(value, dict) and isinstance(value.get("vetbot_action"), str):
        return value
    return None


def from_submit(activity: Activity, data: dict[str, Any]) -> Command | Action | None:
    """A card button (→ ``Action``) or the vet form (→ ``Command`` with ``form``); None if unknown."""
    marker = data.get("vetbot_action")
    key = key_of(activity)
    if marker == FORM_ACTION:
        form = {str(k): v for k, v in data.items() if k not in _MARKERS and isinstance(v, str | list)}
        return Command(
            actor=actor_of(activity),
            conversation=conversation_of(activity),
            name="vet",
            text="",
            idempotency_key=key,
            form=form,
        )
    action = _ACTION_IDS.get(str(marker))
    vetting_id = data.get("vetting_id")
    if action is None or not isinstance(vetting_id, str) or not vetting_id:
        return None
    reason = data.get(CLEAR_REASON_INPUT)
    return Action(
        actor=actor_of(activity),
        conversation=conversation_of(activity),
        action=action,
        vetting_id=vetting_id[:64],
        idempotency_key=key,
        reason=reason.strip() if isinstance(reason, str) and reason.strip() else None,
    )
