"""Adaptive Card 1.4: candidate strings only in TextRuns (never markdown), Submit data = ids."""

from __future__ import annotations

import json
from typing import Any

from tests.render.cards import INJECTIONS, hostile_card
from vetbot.bot.render.adaptive import (
    CLEAR_REASON_INPUT,
    FORM_ACTION,
    MAX_TEXT,
    TRUNCATED,
    to_adaptive_card,
    to_adaptive_form,
)
from vetbot.handlers.api import ActionId
from vetbot.handlers.commands import VET_FORM


def elements(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "type" in node:
            found.append(node)
        for value in node.values():
            found.extend(elements(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(elements(item))
    return found


def test_card_shape() -> None:
    card = to_adaptive_card(hostile_card())
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert all(a["type"] == "Action.Submit" for a in card["actions"])
    assert "Decision support only" in json.dumps(card)


def test_candidate_strings_never_reach_markdown() -> None:
    card = to_adaptive_card(hostile_card())
    for element in elements(card):
        if element["type"] == "TextBlock":  # parses a markdown subset: our words only
            assert not any(s in element["text"] for s in INJECTIONS), element["text"]
        assert element["type"] not in ("Action.OpenUrl", "Image")
    runs = [e["text"] for e in elements(card) if e["type"] == "TextRun"]
    assert any("[click](https://evil.example)" in r for r in runs)
    assert "msteams" not in card  # no mention entities


def test_buttons_submit_only_ids_and_clear_has_a_reason_input() -> None:
    source = hostile_card()
    card = to_adaptive_card(source)
    assert [a["data"] for a in card["actions"]] == [
        {"vetbot_action": a.value, "vetting_id": source.vetting_id} for a in source.actions
    ]
    inputs = [e for e in elements(card["body"]) if e["type"] == "Input.Text"]
    assert [i["id"] for i in inputs] == [CLEAR_REASON_INPUT]
    closed = to_adaptive_card(hostile_card(actions=(ActionId.DETAILS,)))
    assert not [e for e in elements(closed["body"]) if e["type"] == "Input.Text"]


def test_long_cards_are_cut_visibly() -> None:
    card = to_adaptive_card(hostile_card(findings=200, summary="x" * 10_000))
    runs = [e["text"] for e in elements(card) if e["type"] == "TextRun"]
    assert all(len(r) <= MAX_TEXT for r in runs) and any(r.endswith(TRUNCATED) for r in runs)
    assert "more findings" in json.dumps(card)
    assert len(json.dumps(card).encode()) < 80_000


def test_form_inputs_are_spec_field_names() -> None:
    form = to_adaptive_form(VET_FORM)
    inputs = [e for e in form["body"] if e["type"] == "Input.Text"]
    assert [i["id"] for i in inputs] == [f.name for f in VET_FORM.fields]
    assert inputs[0]["isRequired"] is True
    assert form["actions"] == [
        {"type": "Action.Submit", "title": VET_FORM.submit_label, "data": {"vetbot_action": FORM_ACTION}}
    ]
