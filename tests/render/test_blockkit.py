"""Block Kit: Slack's limits hold, truncation is visible, candidate strings are inert."""

from __future__ import annotations

import json
from typing import Any

from tests.render.cards import HOSTILE, INJECTIONS, hostile_card
from vetbot.bot.render.blockkit import (
    CLEAR_REASON_BLOCK,
    FORM_CALLBACK,
    MAX_BLOCKS,
    MAX_HEADER,
    MAX_TEXT,
    TRUNCATED,
    clip,
    escape,
    to_blocks,
    to_modal,
)
from vetbot.handlers.api import ActionId
from vetbot.handlers.commands import VET_FORM


def texts(node: Any) -> list[dict[str, Any]]:
    """Every text object in a block tree."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text"):
            found.append(node)
        for value in node.values():
            found.extend(texts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(texts(item))
    return found


def test_escape_ampersand_first() -> None:
    assert escape("a & b <c> &lt;") == "a &amp; b &lt;c&gt; &amp;lt;"


def test_injections_are_inert() -> None:
    message = to_blocks(hostile_card())
    dumped = json.dumps(message)
    for raw in ("<!channel>", "<@U123>", "<https://evil.example|click>"):
        assert raw not in dumped
    assert "&lt;!channel&gt;" in dumped and "&lt;@U123&gt;" in dumped
    for obj in texts(message["blocks"]):
        if obj["type"] == "mrkdwn":
            assert obj["verbatim"] is True
            assert "<" not in obj["text"] and ">" not in obj["text"]
    assert "<" not in message["text"]
    header = message["blocks"][0]
    assert header["type"] == "header" and not any(s in header["text"]["text"] for s in INJECTIONS)


def test_limits_and_visible_truncation() -> None:
    message = to_blocks(hostile_card(findings=200, summary="<&>" * 5000))
    blocks = message["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) <= MAX_HEADER
    for obj in texts(blocks):
        assert len(obj["text"]) <= MAX_TEXT
    assert any(obj["text"].endswith(TRUNCATED) for obj in texts(blocks))
    assert "more findings" in json.dumps(blocks)
    assert sum(len(obj["text"]) for obj in texts(blocks)) < 13_000  # msg_blocks_too_long beyond ~13k


def test_clip_never_cuts_an_entity() -> None:
    clipped = clip(escape("<" * 5000))
    assert len(clipped) <= MAX_TEXT and clipped.endswith("&lt;" + TRUNCATED)


def test_buttons_carry_only_ids() -> None:
    card = hostile_card()
    blocks = to_blocks(card)["blocks"]
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    assert [b["action_id"] for b in actions["elements"]] == [a.value for a in card.actions]
    assert all(b["value"] == card.vetting_id for b in actions["elements"])
    (reason,) = [b for b in blocks if b["type"] == "input"]
    assert reason["block_id"] == CLEAR_REASON_BLOCK and reason["element"]["type"] == "plain_text_input"


def test_escalation_card_without_clear_has_no_reason_input() -> None:
    card = hostile_card(actions=(ActionId.DETAILS,), escalation=True)
    blocks = to_blocks(card)["blocks"]
    assert not [b for b in blocks if b["type"] == "input"]
    assert blocks[0]["text"]["text"].startswith("Escalation")


def test_every_card_carries_the_notice() -> None:
    card = hostile_card(findings=0)
    dumped = json.dumps(to_blocks(card))
    assert "Decision support only" in dumped and "No inconsistencies found." in dumped


def test_form_is_a_modal_keyed_by_spec_field_names() -> None:
    view = to_modal(VET_FORM, private_metadata='{"channel": "C1"}')
    assert view["type"] == "modal" and view["callback_id"] == FORM_CALLBACK
    assert len(view["title"]["text"]) <= 24
    assert [b["block_id"] for b in view["blocks"]] == [f.name for f in VET_FORM.fields]
    assert all(b["type"] == "input" and b["element"]["action_id"] == b["block_id"] for b in view["blocks"])
    name = view["blocks"][0]
    assert name["block_id"] == "name" and name["optional"] is False
    resume = next(b for b in view["blocks"] if b["block_id"] == "resume_text")
    assert resume["element"]["multiline"] is True


def test_hostile_string_fixture_is_hostile() -> None:
    assert all(s in HOSTILE for s in INJECTIONS)
