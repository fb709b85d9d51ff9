"""RiskCard → Adaptive Card 1.4 (Action.Submit); FormReply → an Adaptive Card form. Pure data.

Safety: candidate strings go only into ``TextRun``s of ``RichTextBlock``s. A TextRun is never
parsed as markdown (https://adaptivecards.io/explorer/TextRun.html), so ``[click](https://…)``,
``**bold**`` or ``<at>`` in a profile render as typed; ``TextBlock`` (which does parse a
markdown subset) holds only our own text. No candidate string becomes a URL or an action.

Version 1.4 with Action.Submit because 1.5 fails to render on some Teams clients
(shared/design/platform-notes.md §3). Buttons submit ``{"vetbot_action": ActionId value,
"vetting_id": …}``; Teams merges the card's inputs into that data, so the Clear reason
arrives as ``data[CLEAR_REASON_INPUT]``. Long texts are cut with a visible marker, and the
number of findings is capped, keeping the card far below Teams' ~80 KB message limit.
"""

from __future__ import annotations

from typing import Any

from vetbot.handlers.api import ActionId, FormReply, RiskCard
from vetbot.handlers.cards import ACTION_LABELS, unavailable_line

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.4"
MAX_TEXT = 3000
MAX_FINDINGS = 30
MAX_FINDING = 1000  # one summary; evidence stays in the data, the full card is behind Details
FINDINGS_BUDGET = 30_000  # characters of all findings: Teams refuses messages over ~80 KB
TRUNCATED = " …[truncated]"
CLEAR_REASON_INPUT = "vetbot_clear_reason"
FORM_ACTION = "vetbot.vet_form"
_BAND_COLOR = {"low": "Good", "medium": "Warning", "high": "Attention"}


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - len(TRUNCATED)] + TRUNCATED


def _ours(text: str, **style: Any) -> dict[str, Any]:
    """A TextBlock for vetbot's own wording (no candidate data)."""
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _theirs(*runs: tuple[str, dict[str, Any]] | str) -> dict[str, Any]:
    """A RichTextBlock of TextRuns: candidate text shown exactly as given, never as markdown."""
    inlines = []
    for run in runs:
        text, style = (run, {}) if isinstance(run, str) else run
        inlines.append({"type": "TextRun", "text": clip(text), **style})
    return {"type": "RichTextBlock", "inlines": inlines}


def to_adaptive_card(card: RiskCard) -> dict[str, Any]:
    """The card as an ``application/vnd.microsoft.card.adaptive`` attachment's content."""
    medium, high = card.thresholds
    heading = f"{'Escalation: ' if card.escalation else ''}{card.band.upper()} risk · {card.score}/100"
    body: list[dict[str, Any]] = [
        _ours(heading, size="Large", weight="Bolder", color=_BAND_COLOR.get(card.band, "Default")),
        _theirs(
            (card.candidate_name, {"weight": "Bolder"}),
            *([f"  [{card.candidate_id}]"] if card.candidate_id else []),
        ),
        _ours(
            f"Score {card.score}/100 · band {card.band} (medium ≥ {medium}, high ≥ {high})", spacing="None"
        ),
        _theirs(*_status_runs(card)),
    ]
    shown = 0
    budget = FINDINGS_BUDGET
    for f in card.findings[:MAX_FINDINGS]:
        summary = clip(f.summary, MAX_FINDING)
        if len(summary) + len(f.check) + len(f.source) > budget:
            break
        budget -= len(summary) + len(f.check) + len(f.source)
        shown += 1
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    _ours(f"+{f.points} · {f.severity}", weight="Bolder"),
                    _theirs((f.check, {"fontType": "Monospace", "isSubtle": True})),
                    _theirs(summary),
                    _theirs((f"source: {f.source}", {"isSubtle": True, "italic": True})),
                ],
            }
        )
    if not card.findings:
        body.append(_ours("No inconsistencies found.", color="Good"))
    if len(card.findings) > shown:
        body.append(
            _ours(f"…[truncated] {len(card.findings) - shown} more findings: press Details", isSubtle=True)
        )
    if line := unavailable_line(card):
        body.append(_theirs((line, {"color": "Warning"})))
    if card.recheck_note:
        body.append(_theirs((card.recheck_note, {"isSubtle": True})))
    if ActionId.CLEAR in card.actions:
        body.append(
            {
                "type": "Input.Text",
                "id": CLEAR_REASON_INPUT,
                "isMultiline": True,
                "maxLength": 2000,
                "label": "Reason for Clear (at least 20 characters)",
                "placeholder": "What was verified, and how",
            }
        )
    body.append(_ours(card.notice, isSubtle=True, size="Small"))
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "actions": [
            {
                "type": "Action.Submit",
                "title": ACTION_LABELS[a],
                "data": {"vetbot_action": a.value, "vetting_id": card.vetting_id},
            }
            for a in card.actions
        ],
    }


def _status_runs(card: RiskCard) -> list[str | tuple[str, dict[str, Any]]]:
    runs: list[str | tuple[str, dict[str, Any]]] = [
        (f"Case {card.vetting_id} · status {card.status.replace('_', ' ')}", {"isSubtle": True})
    ]
    if card.requester:
        runs.append((f" · requested by {card.requester}", {"isSubtle": True}))
    if card.status_detail:
        runs.append((f"\n{card.status_detail}", {"isSubtle": True}))
    return runs


def to_adaptive_form(form: FormReply) -> dict[str, Any]:
    """Input.Text ids are the spec field names, so the submitted data is ``Command.form`` as is
    (minus the ``vetbot_action`` marker the edge strips)."""
    body: list[dict[str, Any]] = [_ours(form.title, size="Medium", weight="Bolder")]
    for field in form.fields:
        item: dict[str, Any] = {
            "type": "Input.Text",
            "id": field.name,
            "label": field.label,
            "isRequired": field.required,
            "isMultiline": field.multiline,
        }
        if field.placeholder:
            item["placeholder"] = field.placeholder
        if field.required:
            item["errorMessage"] = f"{field.label} is required"
        body.append(item)
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "actions": [
            {"type": "Action.Submit", "title": form.submit_label, "data": {"vetbot_action": FORM_ACTION}}
        ],
    }
