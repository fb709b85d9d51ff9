"""RiskCard → Slack Block Kit; FormReply → a Slack modal view. Pure functions, no SDK.

Safety: every candidate-supplied string goes through ``escape`` (``&`` first, then ``<``,
``>``: https://api.slack.com/reference/surfaces/formatting#escaping) inside mrkdwn objects
marked ``verbatim`` (no auto-linking of bare URLs, channel names or mentions), so
``<!channel>``, ``<@U123>`` and ``<https://evil|click>`` in a profile render as text.
Buttons carry ``action_id`` = ``ActionId`` value and ``value`` = the vetting id only.

Limits (https://api.slack.com/reference/block-kit/blocks): at most 50 blocks per message,
3,000 characters per text object, 150 per header — and about 13k characters in all, where
``msg_blocks_too_long`` starts, hence a budget for the findings. Anything cut says so; the
full card is one Details click away.

Clear needs a reason: the card carries an ``input`` block (``CLEAR_REASON_BLOCK``) with a
plain-text box, read by the edge from ``state.values`` of the Clear click. Chosen over a
modal because it needs no ``trigger_id`` (single-use, ~3 s) and no second round trip.
"""

from __future__ import annotations

from typing import Any

from vetbot.handlers.api import ActionId, FormReply, RiskCard
from vetbot.handlers.cards import ACTION_LABELS, unavailable_line

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_HEADER = 150
MAX_FINDINGS = 30  # leaves room for the fixed blocks well under 50
MAX_FINDING = 1000  # one finding's text; summaries are one-liners, evidence stays in the data
FINDINGS_BUDGET = 10_000  # all findings together: chat.postMessage fails (msg_blocks_too_long) near 13k
TRUNCATED = " …[truncated]"
CLEAR_REASON_BLOCK = "vetbot.clear_reason"  # block_id and action_id of the reason input
FORM_CALLBACK = "vetbot.vet_form"
_BAND_EMOJI = {"low": ":large_green_circle:", "medium": ":large_yellow_circle:", "high": ":red_circle:"}
_DANGER = {ActionId.ESCALATE, ActionId.CONFIRM_FAKE}


def escape(text: str) -> str:
    """Make untrusted text inert in mrkdwn: ``&`` first, so entities are not double-escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Cut ``text`` (already escaped) to ``limit`` with a visible marker, never inside an entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(TRUNCATED)]
    amp = cut.rfind("&", max(0, len(cut) - 5))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + TRUNCATED


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text), "verbatim": True}


def _plain(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    return {
        "type": "plain_text",
        "text": text if len(text) <= limit else text[: limit - 1] + "…",
        "emoji": True,
    }


def to_blocks(card: RiskCard) -> dict[str, Any]:
    """``{"text": fallback, "blocks": [...]}`` ready for ``chat.postMessage``/``chat.update``."""
    name = escape(card.candidate_name)
    ident = f" `{escape(card.candidate_id)}`" if card.candidate_id else ""
    title = "Escalation: " if card.escalation else ""
    medium, high = card.thresholds
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(f"{title}{card.band.upper()} risk · {card.score}/100", MAX_HEADER)},
        {
            "type": "section",
            "text": _mrkdwn(
                f"{_BAND_EMOJI.get(card.band, '')} *{name}*{ident}\n"
                f"Score *{card.score}*/100 · band *{card.band}* (medium ≥ {medium}, high ≥ {high})"
            ),
        },
        {"type": "context", "elements": [_mrkdwn(_status_line(card))]},
        {"type": "divider"},
    ]
    shown = 0
    budget = FINDINGS_BUDGET
    for f in card.findings[:MAX_FINDINGS]:
        head = f"`+{f.points}` *{f.severity}* · `{escape(f.check)}`"
        text = clip(f"{head}\n{escape(f.summary)}\n_source: {escape(f.source)}_", MAX_FINDING)
        if len(text) > budget:
            break
        budget -= len(text)
        shown += 1
        blocks.append({"type": "section", "text": _mrkdwn(text)})
    if not card.findings:
        blocks.append({"type": "section", "text": _mrkdwn("No inconsistencies found.")})
    if len(card.findings) > shown:
        more = len(card.findings) - shown
        blocks.append(
            {"type": "context", "elements": [_mrkdwn(f"…[truncated] {more} more findings: press Details")]}
        )
    if line := unavailable_line(card):
        blocks.append({"type": "context", "elements": [_mrkdwn(f":warning: {escape(line)}")]})
    if card.recheck_note:
        note = f":arrows_counterclockwise: {escape(card.recheck_note)}"
        blocks.append({"type": "context", "elements": [_mrkdwn(note)]})
    if ActionId.CLEAR in card.actions:
        blocks.append(_clear_reason_input())
    if card.actions:
        blocks.append({"type": "actions", "block_id": "vetbot.actions", "elements": _buttons(card)})
    blocks.append({"type": "context", "elements": [_mrkdwn(escape(card.notice))]})
    assert len(blocks) <= MAX_BLOCKS
    return {"text": clip(fallback_text(card)), "blocks": blocks}


def fallback_text(card: RiskCard) -> str:
    """Notification text (also mrkdwn-parsed by Slack, hence escaped)."""
    kind = "Escalation" if card.escalation else "Risk card"
    return f"{kind}: {escape(card.candidate_name)} · {card.band.upper()} risk · {card.score}/100"


def _status_line(card: RiskCard) -> str:
    parts = [f"Case `{card.vetting_id}` · status *{card.status.replace('_', ' ')}*"]
    if card.requester:
        parts.append(f"requested by {escape(card.requester)}")
    line = " · ".join(parts)
    return f"{line}\n{escape(card.status_detail)}" if card.status_detail else line


def _clear_reason_input() -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": CLEAR_REASON_BLOCK,
        "optional": True,
        "label": _plain("Reason for Clear (at least 20 characters)"),
        "element": {
            "type": "plain_text_input",
            "action_id": CLEAR_REASON_BLOCK,
            "multiline": True,
            "max_length": 2000,
            "placeholder": _plain("What was verified, and how"),
        },
    }


def _buttons(card: RiskCard) -> list[dict[str, Any]]:
    buttons = []
    for action in card.actions:
        button: dict[str, Any] = {
            "type": "button",
            "action_id": action.value,
            "value": card.vetting_id,
            "text": _plain(ACTION_LABELS[action], 75),
        }
        if action in _DANGER:
            button["style"] = "danger"
        buttons.append(button)
    return buttons


def to_modal(form: FormReply, *, private_metadata: str = "") -> dict[str, Any]:
    """A ``views.open`` modal; each input's ``block_id`` and ``action_id`` is the spec field name,
    so the edge maps ``view.state.values[f][f].value`` straight into ``Command.form``.
    ``private_metadata`` carries the edge's conversation (view_submission has no channel)."""
    blocks = []
    for field in form.fields[:100]:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": field.name,
            "multiline": field.multiline,
        }
        if field.placeholder:
            element["placeholder"] = _plain(field.placeholder, 150)
        blocks.append(
            {
                "type": "input",
                "block_id": field.name,
                "optional": not field.required,
                "label": _plain(field.label, 2000),
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(form.title, 24),
        "submit": _plain(form.submit_label, 24),
        "close": _plain("Cancel", 24),
        "private_metadata": private_metadata[:3000],
        "blocks": blocks,
    }
