"""Slack payloads → neutral ``Command``/``Action``. Pure functions over bolt's parsed ``body``.

Nothing here calls Slack or the handlers, so each function is tested with recorded payloads.
Idempotency keys name the delivery, not the content (issue 7 adds semantic keys):
``trigger_id`` for slash commands and modal submissions (never reused by Slack), ``event_id``
for Events API callbacks (Slack retries those with the same id), and
(message ts or view id, action_id, action_ts) for button clicks.

The requester's user id travels in ``Conversation.reference`` because the card is posted
later, to a DM with that user (see ``outbound.py``). The ``response_url`` is deliberately not
stored: it is a bearer URL, and the card does not need it.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from typing import Any

from yarl import URL

from vetbot.bot.render.blockkit import CLEAR_REASON_BLOCK
from vetbot.handlers.api import Action, ActionId, Actor, Command, Conversation, Platform

COMMANDS = {"/vet": "vet", "/vet-admin": "vet-admin"}
_ACTION_IDS = {a.value: a for a in ActionId}
_LINK = re.compile(r"<(?:mailto:|tel:|https?://)[^|>]*\|([^>]*)>")
_BARE_LINK = re.compile(r"<((?:mailto:|tel:|https?://)[^|>]*)>")
_MENTION = re.compile(r"^\s*(?:<@[A-Z0-9]+(?:\|[^>]*)?>\s*)+")
_LEADING_VET = re.compile(r"^/?vet(?=\s|$)", re.IGNORECASE)


def unformat(text: str) -> str:
    """Slack's wire formatting back to what the user typed: ``<mailto:a@b|a@b>`` → ``a@b``,
    ``<https://x>`` → ``https://x``, then ``&lt;``/``&gt;``/``&amp;`` → ``<``/``>``/``&``
    (https://api.slack.com/reference/surfaces/formatting#escaping). Renderers escape again."""
    text = _LINK.sub(r"\1", text)
    text = _BARE_LINK.sub(lambda m: m.group(1).removeprefix("mailto:").removeprefix("tel:"), text)
    return html.unescape(text) if "&" in text else text


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _conversation(*, user_id: str, team_id: str, channel_id: str | None) -> Conversation:
    return Conversation(
        platform=Platform.SLACK,
        channel_id=channel_id or None,
        team_id=team_id or None,
        reference={"user_id": user_id, "team_id": team_id},
    )


def command_from_slash(body: dict[str, Any]) -> Command | None:
    """A slash command (form fields as bolt parsed them); None for a command we do not own."""
    name = COMMANDS.get(_str(body.get("command")))
    user_id = _str(body.get("user_id"))
    if name is None or not user_id:
        return None
    team_id = _str(body.get("team_id"))
    return Command(
        actor=Actor(Platform.SLACK, user_id, _str(body.get("user_name")) or None),
        conversation=_conversation(user_id=user_id, team_id=team_id, channel_id=_str(body.get("channel_id"))),
        name=name,
        text=unformat(_str(body.get("text"))),
        idempotency_key=f"slack:trigger:{_str(body.get('trigger_id')) or uuid.uuid4().hex}",
    )


def slash_form(body: bytes, content_type: str) -> dict[str, str] | None:
    """The form fields of a slash command we own (``/vet``, ``/vet-admin``), else None.

    Decides which requests take the fast path in front of bolt (``app.py``): a form-encoded
    body with one of our ``command`` names and without ``payload`` (interactivity) or
    ``ssl_check``. Everything else — events (JSON), clicks, modals, other commands — is None
    and goes to bolt. Unlike bolt, which tests for the *substring* ``payload`` anywhere in the
    raw body, a command whose text contains that word is still a command.

    Fields decode as bolt decodes them (``urllib.parse.parse_qsl``, blanks kept, the last of
    a repeated name wins), but through yarl's C unquoter (yarl comes with aiohttp): on the
    ~5 kB form of a pasted profile ``parse_qsl`` costs ~120 µs of the event loop per
    command, yarl ~20 µs; tests/bot/test_slash_fast_path.py checks that both agree."""
    if content_type != "application/x-www-form-urlencoded" or body[:1] == b"{":
        return None
    query = body.decode("utf-8", errors="replace")
    form = dict(URL.build(query_string=query, encoded=True).query.items())
    if "payload" in form or "ssl_check" in form or form.get("command") not in COMMANDS:
        return None
    return form


def command_from_mention(body: dict[str, Any]) -> Command | None:
    """``@vetbot vet name=…`` (or ``@vetbot help``) as an ``app_mention`` event."""
    event = body.get("event")
    if not isinstance(event, dict) or event.get("type") != "app_mention" or event.get("bot_id"):
        return None
    user_id = _str(event.get("user"))
    event_id = _str(body.get("event_id"))
    if not user_id or not event_id:
        return None
    text = _LEADING_VET.sub("", _MENTION.sub("", _str(event.get("text"))).strip(), count=1)
    team_id = _str(body.get("team_id")) or _str(event.get("team"))
    conversation = _conversation(user_id=user_id, team_id=team_id, channel_id=_str(event.get("channel")))
    return Command(
        actor=Actor(Platform.SLACK, user_id),
        conversation=conversation,
        name="vet",
        text=unformat(text.strip()),
        idempotency_key=f"slack:event:{event_id}",
    )


def _user(body: dict[str, Any]) -> tuple[str, str, str | None]:
    user, team = _dict(body.get("user")), _dict(body.get("team"))
    name = _str(user.get("username")) or _str(user.get("name")) or None
    return _str(user.get("id")), _str(team.get("id")) or _str(user.get("team_id")), name


def _state_value(state: Any, block_id: str) -> str | None:
    """``state.values[block_id][block_id].value`` (our inputs use one id for both)."""
    try:
        value = state["values"][block_id][block_id]["value"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def action_from_block_actions(body: dict[str, Any]) -> Action | None:
    """A card button; None for anything that is not one of ours (e.g. a typed reason)."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return None
    pressed = actions[0]
    action_id = _ACTION_IDS.get(_str(pressed.get("action_id")))
    vetting_id = _str(pressed.get("value"))
    user_id, team_id, name = _user(body)
    if action_id is None or not vetting_id or not user_id:
        return None
    container, view = _dict(body.get("container")), _dict(body.get("view"))
    where = _str(container.get("message_ts")) or _str(container.get("view_id")) or _str(view.get("id"))
    channel = _dict(body.get("channel"))
    state = body.get("state") or view.get("state")
    reason = _state_value(state, CLEAR_REASON_BLOCK)
    return Action(
        actor=Actor(Platform.SLACK, user_id, name),
        conversation=_conversation(
            user_id=user_id,
            team_id=team_id,
            channel_id=_str(container.get("channel_id")) or _str(channel.get("id")),
        ),
        action=action_id,
        vetting_id=vetting_id[:64],
        idempotency_key=f"slack:click:{where}:{action_id.value}:{_str(pressed.get('action_ts'))}",
        reason=reason.strip() if reason and reason.strip() else None,
    )


def form_metadata(channel_id: str | None, team_id: str | None) -> str:
    """What the modal carries in ``private_metadata``: view_submission has no channel."""
    return json.dumps({"channel_id": channel_id or "", "team_id": team_id or ""})


def command_from_view(body: dict[str, Any], callback_id: str) -> Command | None:
    """The submitted vet form: each input's block_id and action_id is the spec field name."""
    view = body.get("view")
    if not isinstance(view, dict) or view.get("callback_id") != callback_id:
        return None
    user_id, team_id, name = _user(body)
    if not user_id:
        return None
    try:
        meta = json.loads(_str(view.get("private_metadata")) or "{}")
    except ValueError:
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    values = (view.get("state") or {}).get("values") or {}
    form = {str(block): _state_value({"values": values}, block) for block in values if isinstance(block, str)}
    key = _str(body.get("trigger_id")) or f"{_str(view.get('id'))}:{_str(view.get('hash'))}"
    return Command(
        actor=Actor(Platform.SLACK, user_id, name),
        conversation=_conversation(
            user_id=user_id,
            team_id=_str(meta.get("team_id")) or team_id,
            channel_id=_str(meta.get("channel_id")),
        ),
        name="vet",
        text="",
        idempotency_key=f"slack:view:{key}",
        form={k: v for k, v in form.items() if v is not None},
    )
