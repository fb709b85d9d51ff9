"""VettingResult + case status → the neutral ``RiskCard`` every renderer draws.

Cards are built when they are delivered, from the stored vetting and the case as it is
then, so a late or retried delivery always shows the current status and the outbox never
holds a second copy of the candidate's data. The escalation variant is minimal on purpose
(name, score, band, top three findings, requester, case id): the security channel must not
become a second copy of the candidate's file.

A vetting whose unavailable checks were re-checked later (``recheck.py``) is shown as its
newest amended result, with a note saying so; checks still unavailable say whether another
round will try them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.handlers.api import ActionId, CardFinding, RiskCard, UnavailableCheck
from vetbot.models.result import VettingResult
from vetbot.storage import case_repository, recheck_repository, repository
from vetbot.storage.chat_tables import CaseStatus, DecisionRow

ESCALATION_FINDINGS = 3

# Requester card: escalate while nobody has yet; decisions by others; the privacy reminder.
_REQUESTER_OPEN = (ActionId.ESCALATE, ActionId.CLEAR, ActionId.DETAILS, ActionId.CANDIDATE_INFORMED)
_REQUESTER_ACTIVE = (ActionId.CLEAR, ActionId.CONFIRM_FAKE, ActionId.DETAILS, ActionId.CANDIDATE_INFORMED)
_REQUESTER_CLOSED = (ActionId.DETAILS, ActionId.CANDIDATE_INFORMED)
# Security channel: take the case, decide it, or ask for more before deciding.
_ESCALATION_OPEN = (
    ActionId.CLAIM,
    ActionId.CONFIRM_FAKE,
    ActionId.CLEAR,
    ActionId.REQUEST_CHECKS,
    ActionId.DETAILS,
)
_ESCALATION_CLOSED = (ActionId.DETAILS,)

ACTION_LABELS: dict[ActionId, str] = {
    ActionId.ESCALATE: "Escalate",
    ActionId.CLEAR: "Clear",
    ActionId.DETAILS: "Details",
    ActionId.CLAIM: "Claim",
    ActionId.CONFIRM_FAKE: "Confirm fake",
    ActionId.REQUEST_CHECKS: "Request more checks",
    ActionId.CANDIDATE_INFORMED: "Candidate informed",
}


def card_actions(status: CaseStatus, *, escalation: bool) -> tuple[ActionId, ...]:
    """Buttons that make sense for this status; closed cases only offer Details (and the
    privacy acknowledgement, which the requester owes whatever the outcome)."""
    if escalation:
        return _ESCALATION_CLOSED if status.closed else _ESCALATION_OPEN
    if status.closed:
        return _REQUESTER_CLOSED
    return _REQUESTER_OPEN if status is CaseStatus.OPEN else _REQUESTER_ACTIVE


def to_risk_card(
    result: VettingResult,
    *,
    status: CaseStatus = CaseStatus.OPEN,
    status_detail: str | None = None,
    requester: str | None = None,
    escalation: bool = False,
    retrying: frozenset[str] = frozenset(),
    retried: Mapping[str, int] | None = None,
    recheck_note: str | None = None,
) -> RiskCard:
    """Findings sorted by points (highest first, then check id for a stable order).

    ``retrying``: checks a scheduled re-check will run again; ``retried``: re-check rounds
    already run, per check."""
    findings = sorted(result.findings, key=lambda f: (-f.points, f.check))
    if escalation:
        findings = findings[:ESCALATION_FINDINGS]
    return RiskCard(
        vetting_id=result.vetting_id,
        candidate_name=result.candidate.name,
        candidate_id=result.candidate.id,
        score=result.score,
        band=result.band.value,
        thresholds=(result.thresholds.medium, result.thresholds.high),
        findings=tuple(
            CardFinding(
                check=f.check, points=f.points, severity=f.severity.value, summary=f.summary, source=f.source
            )
            for f in findings
        ),
        unavailable_checks=()
        if escalation
        else tuple(
            UnavailableCheck(
                check=c.id,
                status=c.status.value,
                detail=c.detail,
                retrying=c.id in retrying,
                retried=(retried or {}).get(c.id, 0),
            )
            for c in result.unavailable_checks()
        ),
        recheck_note=None if escalation else recheck_note,
        status=status.value,
        status_detail=status_detail,
        requester=requester,
        actions=card_actions(status, escalation=escalation),
        escalation=escalation,
    )


def unavailable_line(card: RiskCard) -> str | None:
    """``2 checks unavailable: a (no answer within 5 s), b (…) — will be retried``.

    vetbot's own words only (check ids, the engine's details), shared by every renderer so
    Slack, Teams and the terminal say the same thing."""
    items = card.unavailable_checks
    if not items:
        return None
    listed = ", ".join(f"{u.check} ({u.detail or u.status})" for u in items)
    line = f"{len(items)} check{'s' if len(items) != 1 else ''} unavailable: {listed}"
    retrying = [u.check for u in items if u.retrying]
    if retrying:
        return line + (
            " — will be retried" if len(retrying) == len(items) else f" — will retry {', '.join(retrying)}"
        )
    rounds = max(u.retried for u in items)
    if rounds:
        return line + f" — still unavailable after {rounds} re-check{'s' if rounds != 1 else ''}"
    return line


def describe_decision(decision: DecisionRow) -> str:
    """``cleared by slack:U1 at 2026-11-25 10:04 UTC: reason`` — who, when and why."""
    label = (
        ACTION_LABELS.get(ActionId(decision.action), decision.action) if _is_action(decision.action) else ""
    )
    when = decision.created_at.strftime("%Y-%m-%d %H:%M UTC")
    text = f"{label or decision.action} by {decision.actor} at {when}"
    return f"{text}: {decision.reason}" if decision.reason else text


def _is_action(value: str) -> bool:
    return value in ActionId._value2member_map_


async def load_card(session: AsyncSession, *, vetting_id: str, escalation: bool = False) -> RiskCard | None:
    """The card of a stored vetting with its case status as of now (None: no such vetting)."""
    vetting = await repository.get_vetting(session, vetting_id=vetting_id)
    if vetting is None:
        return None
    rechecks = await recheck_repository.history(session, vetting_id=vetting_id)
    result = VettingResult.model_validate(rechecks.result or vetting.result)
    case = await case_repository.get_case(session, vetting_id=vetting_id)
    status = CaseStatus(case.status) if case else CaseStatus.OPEN
    history = await case_repository.decisions(session, vetting_id=vetting_id)
    detail = describe_decision(history[-1]) if history else None
    requester = case.requester if case and case.requester else vetting.requester
    return to_risk_card(
        result,
        status=status,
        status_detail=detail,
        requester=requester,
        escalation=escalation,
        retrying=rechecks.pending,
        retried=rechecks.rounds,
        recheck_note=_recheck_note(rechecks),
    )


def _recheck_note(rechecks: recheck_repository.RecheckHistory) -> str | None:
    if rechecks.amended_round is None:
        return None
    at = rechecks.amended_at or datetime.now(UTC)
    when = (at if at.tzinfo else at.replace(tzinfo=UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return f"Updated by re-check {rechecks.amended_round} at {when} (checks that were unavailable have run)"
