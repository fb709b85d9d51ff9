"""Every renderer says which checks were unavailable, whether vetbot will try them again, and
when a card was amended by a re-check — in the same words (``cards.unavailable_line``)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from rich.console import Console

from tests.render.cards import hostile_card
from vetbot.bot.render.adaptive import to_adaptive_card
from vetbot.bot.render.blockkit import to_blocks
from vetbot.bot.render.terminal import render_card
from vetbot.handlers.api import RiskCard, UnavailableCheck
from vetbot.handlers.cards import unavailable_line

GITHUB = UnavailableCheck("footprint.github_api", "timeout", "no answer within 5 s", retrying=True)
IP = UnavailableCheck("network.ip", "error", "check failed (KeyError)")
NOTE = "Updated by re-check 1 at 2026-11-27 12:04 UTC (checks that were unavailable have run)"


@pytest.mark.parametrize(
    ("items", "line"),
    [
        ((), None),
        (
            (GITHUB,),
            "1 check unavailable: footprint.github_api (no answer within 5 s) — will be retried",
        ),
        (
            (GITHUB, IP),
            "2 checks unavailable: footprint.github_api (no answer within 5 s), "
            "network.ip (check failed (KeyError)) — will retry footprint.github_api",
        ),
        (
            (replace(GITHUB, retrying=False, retried=3),),
            "1 check unavailable: footprint.github_api (no answer within 5 s)"
            " — still unavailable after 3 re-checks",
        ),
        ((IP,), "1 check unavailable: network.ip (check failed (KeyError))"),
        ((UnavailableCheck("x.y", "timeout"),), "1 check unavailable: x.y (timeout)"),
    ],
)
def test_the_line(items: tuple[UnavailableCheck, ...], line: str | None) -> None:
    assert unavailable_line(hostile_card(unavailable_checks=items)) == line


def _card() -> RiskCard:
    return hostile_card(unavailable_checks=(GITHUB, IP), recheck_note=NOTE)


def test_block_kit() -> None:
    text = json.dumps(to_blocks(_card())["blocks"], ensure_ascii=False)
    assert ":warning: 2 checks unavailable: footprint.github_api (no answer within 5 s)" in text
    assert "will retry footprint.github_api" in text
    assert f":arrows_counterclockwise: {NOTE}" in text


def test_adaptive_card() -> None:
    body = to_adaptive_card(_card())["body"]
    runs = [i for b in body if b["type"] == "RichTextBlock" for i in b["inlines"]]
    [warning] = [r for r in runs if r["text"].startswith("2 checks unavailable")]
    assert warning["color"] == "Warning" and "will retry footprint.github_api" in warning["text"]
    assert any(r["text"] == NOTE for r in runs)


def test_terminal() -> None:
    console = Console(width=300, record=True, color_system=None)
    console.print(render_card(_card()))
    text = console.export_text()
    assert "2 checks unavailable: footprint.github_api (no answer within 5 s)" in text
    assert NOTE in text


def test_escalation_cards_stay_minimal() -> None:
    from vetbot.handlers.cards import to_risk_card
    from vetbot.models.result import CandidateRef, CheckRun, CheckStatus, Thresholds, VettingResult

    result = VettingResult(
        vetting_id="v1",
        candidate=CandidateRef(name="Jan"),
        score=0,
        band="low",  # type: ignore[arg-type]
        thresholds=Thresholds(),
        findings=[],
        checks=[
            CheckRun(id="footprint.github_api", status=CheckStatus.TIMEOUT, detail="no answer within 5 s")
        ],
        duration_ms=1,
    )
    requester = to_risk_card(result, retrying=frozenset({"footprint.github_api"}), recheck_note=NOTE)
    assert requester.unavailable_checks == (GITHUB,) and requester.recheck_note == NOTE
    escalation = to_risk_card(result, escalation=True, recheck_note=NOTE)
    assert escalation.unavailable_checks == () and escalation.recheck_note is None
