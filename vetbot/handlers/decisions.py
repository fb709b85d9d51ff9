"""Card buttons → decisions on a case: who may press what, what it changes, what it sends.

Each action runs in the caller's transaction: the decision row, the case status and the
outbox rows (escalation card, update of the requester's card) commit together. A repeated
delivery of the same click (``Action.idempotency_key``) and a second Escalate are absorbed by
UNIQUE constraints, not by memory, so they hold across replicas and restarts.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.handlers import roles
from vetbot.handlers.api import Action, ActionId, Actor, CardReply, ErrorReply, Reply, Response
from vetbot.handlers.cards import load_card
from vetbot.handlers.worker import enqueue_escalation
from vetbot.storage import admin_repository, case_repository, chat_repository, repository
from vetbot.storage.chat_tables import CaseStatus, ChatJob, OutboxKind

log = logging.getLogger("vetbot.decisions")

MIN_REASON = 20
MAX_REASON = 4000
_ALWAYS_ALLOWED = frozenset({ActionId.DETAILS, ActionId.CANDIDATE_INFORMED})  # also on closed cases
_NEW_STATUS = {
    ActionId.CLAIM: CaseStatus.CLAIMED,
    ActionId.CLEAR: CaseStatus.CLEARED,
    ActionId.CONFIRM_FAKE: CaseStatus.CONFIRMED_FAKE,
    ActionId.REQUEST_CHECKS: CaseStatus.CHECKS_REQUESTED,
}
_DONE_TEXT = {
    ActionId.ESCALATE: "Escalated to the security channel (case {id}).",
    ActionId.CLAIM: "You have claimed case {id}.",
    ActionId.CLEAR: "Case {id} cleared; your reason is recorded.",
    ActionId.CONFIRM_FAKE: "Case {id} marked as a confirmed fake persona.",
    ActionId.REQUEST_CHECKS: "More checks requested on case {id}.",
    ActionId.CANDIDATE_INFORMED: "Recorded: the candidate was informed (case {id}).",
}


async def authorize(
    session: AsyncSession,
    actor: Actor,
    action: ActionId,
    *,
    requester: str | None,
    admins: frozenset[str],
    case_id: str | None = None,
) -> str | None:
    """The one guard every action passes: None to allow, else the refusal to show.

    Delegates to ``roles.authorize`` (roles, policies, four eyes on one's own case), which
    audits a refusal in this session — so the caller commits even when it refuses.
    """
    settings = await repository.current_settings(session)
    denied = await roles.authorize(
        session,
        actor.qualified,
        roles.ACTION_PERMISSIONS[action],
        settings=settings,
        admins=admins,
        case_requester=requester,
        case_id=case_id,
    )
    return denied.message if denied else None


async def apply_action(
    session: AsyncSession, action: Action, *, admins: frozenset[str] = frozenset()
) -> tuple[Response, bool]:
    """Apply one button press; returns the reply and whether the outbox got new work."""
    vetting_id = action.vetting_id
    case = await case_repository.get_case(session, vetting_id=vetting_id)
    if case is None:
        vetting = await repository.get_vetting(session, vetting_id=vetting_id)
        if vetting is None:
            return ErrorReply(f'no vetting with id "{vetting_id[:40]}"', field="vetting_id"), False
        # vetted outside chat (CLI, batch): the case starts on its first decision
        await case_repository.open_case(
            session, vetting_id=vetting_id, job_id=None, requester=vetting.requester, status=CaseStatus.OPEN
        )
        case = await case_repository.get_case(session, vetting_id=vetting_id)
        assert case is not None
    refusal = await authorize(
        session, action.actor, action.action, requester=case.requester, admins=admins, case_id=vetting_id
    )
    if refusal:
        log.info("action refused", extra={"vetting_id": vetting_id, "action": action.action.value})
        return ErrorReply(refusal), False
    if action.action is ActionId.DETAILS:
        await admin_repository.append_audit(
            session, actor=action.actor.qualified, action="case.view", case_id=vetting_id, detail={}
        )
        card = await load_card(session, vetting_id=vetting_id)
        return (CardReply(card) if card else ErrorReply("vetting not found", field="vetting_id")), False
    problem = _check(action, CaseStatus(case.status))
    if problem:
        return problem, False
    job = await chat_repository.get_job(session, job_id=case.job_id) if case.job_id else None
    platform = job.platform if job else action.actor.platform.value
    if action.action is ActionId.ESCALATE:
        if not await case_repository.add_escalation(
            session, vetting_id=vetting_id, platform=platform, actor=action.actor.qualified
        ):
            return Reply(f"Case {vetting_id} is already escalated."), False
        await enqueue_escalation(session, vetting_id=vetting_id, platform=platform)
    reason = (action.reason or "").strip() or None
    decision_id = await case_repository.add_decision(
        session,
        vetting_id=vetting_id,
        actor=action.actor.qualified,
        action=action.action.value,
        reason=reason,
        idempotency_key=action.idempotency_key,
    )
    if decision_id is None:
        return Reply("Already recorded."), False
    await admin_repository.append_audit(
        session,
        actor=action.actor.qualified,
        action=f"decision.{action.action.value.removeprefix('vetbot.')}",
        case_id=vetting_id,
        detail={"decision_id": decision_id},
    )
    new_status = _NEW_STATUS.get(action.action)
    if action.action is ActionId.ESCALATE and case.status == CaseStatus.OPEN:
        new_status = CaseStatus.ESCALATED
    if new_status is not None:
        await case_repository.set_case_status(session, vetting_id=vetting_id, status=new_status)
    if job is not None:
        await _enqueue_update(session, job, vetting_id=vetting_id, decision_id=decision_id)
    log.info("decision recorded", extra={"vetting_id": vetting_id, "action": action.action.value})
    return Reply(_DONE_TEXT[action.action].format(id=vetting_id)), True


def _check(action: Action, status: CaseStatus) -> ErrorReply | None:
    if action.action is ActionId.CLEAR:
        reason = (action.reason or "").strip()
        if len(reason) < MIN_REASON:
            return ErrorReply(
                f"Clear needs a reason of at least {MIN_REASON} characters: what was verified, and how.",
                field="reason",
            )
    if action.reason and len(action.reason) > MAX_REASON:
        return ErrorReply(f"reason too long (at most {MAX_REASON} characters)", field="reason")
    if status.closed and action.action not in _ALWAYS_ALLOWED:
        return ErrorReply(f"Case {action.vetting_id} is already closed ({status.value}).")
    return None


async def _enqueue_update(session: AsyncSession, job: ChatJob, *, vetting_id: str, decision_id: int) -> None:
    """Refresh the requester's card so they see the case status (built when delivered)."""
    await chat_repository.enqueue(
        session,
        key=f"update:{vetting_id}:{decision_id}",
        kind=OutboxKind.UPDATE,
        platform=job.platform,
        payload={"vetting_id": vetting_id, "conversation": job.conversation, "target_key": f"card:{job.id}"},
    )
