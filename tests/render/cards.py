"""Risk cards for renderer tests, with hostile candidate strings in every candidate field."""

from __future__ import annotations

from dataclasses import replace

from vetbot.handlers.api import ActionId, CardFinding, RiskCard, UnavailableCheck

INJECTIONS = (
    "<!channel>",
    "<@U123>",
    "<https://evil.example|click>",
    "[click](https://evil.example)",
    "<at>x</at>",
)
HOSTILE = " ".join(INJECTIONS) + " & **bold** _it_"


def hostile_card(findings: int = 3, summary: str = HOSTILE, **changes: object) -> RiskCard:
    card = RiskCard(
        vetting_id="3f2a9c1e" * 4,
        candidate_name=f"Jan {HOSTILE}",
        candidate_id=f"ats-{HOSTILE}",
        score=82,
        band="high",
        thresholds=(40, 70),
        findings=tuple(
            CardFinding(
                check="contact.phone",
                points=30 - i % 30,
                severity="high",
                summary=summary,
                source=f"src {HOSTILE}",
            )
            for i in range(findings)
        ),
        unavailable_checks=(
            UnavailableCheck("network.ip", "timeout", "no answer within 5 s", retrying=True),
        ),
        status="escalated",
        status_detail=f"claimed by slack:U9: {HOSTILE}",
        requester="slack:U1",
        actions=(ActionId.ESCALATE, ActionId.CLEAR, ActionId.DETAILS, ActionId.CANDIDATE_INFORMED),
    )
    return replace(card, **changes)  # type: ignore[arg-type]
