"""One step of the job worker and of the outbox dispatcher; ``BotCore`` runs them in loops.

A vetting commits in one transaction with everything it causes: the vetting rows, the job
marked done (only if this worker still holds its lease), the case, and the outbox rows for
the requester's card and — when the band calls for it — the one escalation. A crash before
that commit leaves the job to be retaken; after it, nothing is lost and nothing repeats.

Deliveries run outside any transaction (no lock is held across a network call) and are
marked sent only after the ``Outbound`` returns. A worker dying between the two re-delivers
after the lease; before re-posting, a retried delivery asks an edge that can look
(``Reconciling``: Slack tags each post with its outbox key) whether the earlier attempt
landed, and if so records that message instead of posting a second one.
Logs carry ids, kinds and statuses only — never candidate data or exception text.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.handlers import recheck_plan
from vetbot.handlers.api import Conversation, Outbound, Platform, Reconciling, RiskCard
from vetbot.handlers.cards import load_card
from vetbot.handlers.vetting import VettingService
from vetbot.metrics import default_metrics
from vetbot.models.parsing import ProfileError, parse_profile
from vetbot.storage import admin_repository, case_repository, chat_repository
from vetbot.storage.chat_repository import ClaimedDelivery, ClaimedJob
from vetbot.storage.chat_tables import CaseStatus, JobStatus, OutboxKind, OutboxStatus
from vetbot.storage.database import Database

log = logging.getLogger("vetbot.worker")

BAND_RANK = {"low": 0, "medium": 1, "high": 2}
FAILED_TEXT = "The vetting could not be completed (job {job_id}). Please try again or tell an admin."


@dataclass(frozen=True, slots=True)
class Tuning:
    """Timings of the loops; tests shrink them, production keeps the defaults."""

    lease_seconds: float = 60.0  # > per-check timeout × a margin: a vetting never outlives it
    poll_interval: float = 1.0  # how often idle loops look for other replicas' and retried work
    retry_base: float = 1.0
    retry_cap: float = 300.0
    max_job_attempts: int = 3
    max_deliveries: int = 12  # ~30 min of capped backoff before a delivery is marked failed
    # re-check rounds of unavailable provider checks: round n waits delays[n-1] (or longer, when
    # the provider asked for more); empty: never re-check
    recheck_delays: tuple[float, ...] = (60.0, 300.0, 1800.0)

    def backoff(self, attempt: int) -> float:
        return min(self.retry_cap, self.retry_base * 2 ** max(0, attempt - 1))


class LeaseLostError(Exception):
    """Another worker took the job over; this worker's transaction must roll back."""


def conversation_to_json(conversation: Conversation) -> dict[str, Any]:
    data = asdict(conversation)
    data["platform"] = conversation.platform.value
    return data


def conversation_from_json(data: dict[str, Any]) -> Conversation:
    return Conversation(
        platform=Platform(data["platform"]),
        channel_id=data.get("channel_id"),
        thread_id=data.get("thread_id"),
        team_id=data.get("team_id"),
        reference=dict(data.get("reference") or {}),
    )


async def run_one_job(db: Database, service: VettingService, tuning: Tuning, escalate_band: str) -> bool:
    """Claim and vet one job; False when none was due."""
    async with db.session() as session:
        job = await chat_repository.claim_job(session, lease_seconds=tuning.lease_seconds)
    if job is None:
        return False
    log.info("job claimed", extra={"job_id": job.id, "attempt": job.token})
    if job.token > tuning.max_job_attempts:
        await _fail(db, job, "too many attempts")
        return True
    try:
        parsed = parse_profile(job.command["profile"])
    except (ProfileError, KeyError, TypeError):
        await _fail(db, job, "stored profile invalid")
        return True
    try:
        # checks read in a read-only transaction; only the short write phase takes the lock
        async with db.read_session() as reading:
            vetted, writer = await service.prepare(reading, parsed, requester=job.actor)
        result = vetted.result
        async with db.session() as session:
            await writer.flush(into=session)
            # the raw request held the profile as typed (payout id, addresses in clear): once the
            # vetting is stored, only its keyed/stored form remains
            scrubbed = {k: v for k, v in job.command.items() if k != "profile"} | {"profile": None}
            done = await chat_repository.finish_job(
                session,
                job_id=job.id,
                token=job.token,
                status=JobStatus.DONE,
                vetting_id=result.vetting_id,
                command=scrubbed,
            )
            if not done:
                raise LeaseLostError
            escalate = BAND_RANK[result.band.value] >= BAND_RANK[escalate_band]
            status = CaseStatus.ESCALATED if escalate else CaseStatus.OPEN
            await case_repository.open_case(
                session, vetting_id=result.vetting_id, job_id=job.id, requester=job.actor, status=status
            )
            await chat_repository.enqueue(
                session,
                key=f"card:{job.id}",
                kind=OutboxKind.CARD,
                platform=job.platform,
                payload={"vetting_id": result.vetting_id, "conversation": job.conversation},
            )
            # a network provider that could not answer: its re-check commits with the card
            await recheck_plan.schedule_first(
                session,
                result=result,
                profile=parsed.profile,
                registry=service.registry,
                job_id=job.id,
                delays=tuning.recheck_delays,
            )
            await admin_repository.append_audit(
                session,
                actor=job.actor,
                action="vetting",
                case_id=result.vetting_id,
                detail={"job_id": job.id, "band": result.band.value, "score": result.score},
            )
            if escalate and await case_repository.add_escalation(
                session, vetting_id=result.vetting_id, platform=job.platform, actor="vetbot"
            ):
                await enqueue_escalation(session, vetting_id=result.vetting_id, platform=job.platform)
    except LeaseLostError:
        log.warning("job lease lost; result discarded", extra={"job_id": job.id})
        return True
    except Exception as exc:  # noqa: BLE001 - any failure is retried or recorded, never raised
        await _retry_or_fail(db, job, tuning, type(exc).__name__)
        return True
    metrics = default_metrics()
    metrics.record_result(result)
    if escalate:
        metrics.record_escalation()
    log.info("job done", extra={"job_id": job.id, "vetting_id": result.vetting_id, "band": result.band.value})
    return True


async def enqueue_escalation(session: AsyncSession, *, vetting_id: str, platform: str) -> None:
    await chat_repository.enqueue(
        session,
        key=f"escalation:{vetting_id}",
        kind=OutboxKind.ESCALATION,
        platform=platform,
        payload={"vetting_id": vetting_id},
    )


async def _retry_or_fail(db: Database, job: ClaimedJob, tuning: Tuning, error: str) -> None:
    if job.token >= tuning.max_job_attempts:
        await _fail(db, job, error)
        return
    log.warning("job attempt failed; will retry", extra={"job_id": job.id, "error": error})
    async with db.session() as session:
        await chat_repository.finish_job(
            session,
            job_id=job.id,
            token=job.token,
            status=JobStatus.QUEUED,
            error=error,
            retry_in=tuning.backoff(job.token),
        )


async def _fail(db: Database, job: ClaimedJob, error: str) -> None:
    """Give up, and tell the requester so a request never vanishes silently."""
    log.error("job failed", extra={"job_id": job.id, "error": error})
    async with db.session() as session:
        if await chat_repository.finish_job(
            session, job_id=job.id, token=job.token, status=JobStatus.FAILED, error=error
        ):
            await chat_repository.enqueue(
                session,
                key=f"failed:{job.id}",
                kind=OutboxKind.TEXT,
                platform=job.platform,
                payload={"conversation": job.conversation, "text": FAILED_TEXT.format(job_id=job.id)},
            )


class _Defer(Exception):
    """An update whose card is not delivered yet: try again soon, without counting an attempt."""


class _Gone(Exception):
    """The vetting no longer exists (erased): nothing to deliver, ever."""


async def deliver_one(db: Database, outbounds: dict[Platform, Outbound], tuning: Tuning) -> bool:
    """Claim and perform one due delivery; False when none was due."""
    async with db.session() as session:
        item = await chat_repository.claim_delivery(
            session, platforms=[p.value for p in outbounds], lease_seconds=tuning.lease_seconds
        )
    if item is None:
        return False
    try:
        message_id = await _perform(db, outbounds[Platform(item.platform)], item)
    except _Defer:
        async with db.session() as session:
            await chat_repository.reschedule(
                session, delivery_id=item.id, delay=tuning.poll_interval, error=None, count_attempt=False
            )
        return True
    except Exception as exc:  # noqa: BLE001 - a failed delivery is retried, never lost
        give_up = isinstance(exc, _Gone) or item.attempts >= tuning.max_deliveries
        if not isinstance(exc, _Gone):
            default_metrics().record_platform_error(item.platform, item.kind)
        retry_after = getattr(exc, "retry_after", None)  # e.g. Slack 429 Retry-After, if the edge says
        delay = float(retry_after) if isinstance(retry_after, int | float) else tuning.backoff(item.attempts)
        log.warning(
            "delivery failed",
            extra={
                "key": item.key,
                "kind": item.kind,
                "attempt": item.attempts,
                "error": type(exc).__name__,
                "final": give_up,
            },
        )
        async with db.session() as session:
            await chat_repository.reschedule(
                session, delivery_id=item.id, delay=delay, error=type(exc).__name__, give_up=give_up
            )
        return True
    async with db.session() as session:
        await chat_repository.mark_sent(session, delivery_id=item.id, message_id=message_id)
        if item.kind == OutboxKind.ESCALATION:
            await case_repository.set_escalation_message(
                session, vetting_id=item.payload["vetting_id"], message_id=message_id
            )
    log.info("delivered", extra={"key": item.key, "kind": item.kind})
    return True


async def _perform(db: Database, outbound: Outbound, item: ClaimedDelivery) -> str | None:
    payload = item.payload
    if item.kind == OutboxKind.TEXT:
        conversation = conversation_from_json(payload["conversation"])
        if found := await _posted_before(outbound, item, conversation, None):
            return found
        return await outbound.post_text(conversation, payload["text"], key=item.key)
    escalation = item.kind == OutboxKind.ESCALATION
    async with db.session() as session:
        card = await load_card(session, vetting_id=payload["vetting_id"], escalation=escalation)
        target = (
            await chat_repository.delivery(session, key=payload["target_key"])
            if item.kind == OutboxKind.UPDATE
            else None
        )
    if card is None:
        raise _Gone
    if escalation:
        if found := await _posted_before(outbound, item, None, card):
            return found
        return await outbound.post_escalation(card, key=item.key)
    conversation = conversation_from_json(payload["conversation"])
    if item.kind == OutboxKind.UPDATE:
        if target is None or target.status == OutboxStatus.PENDING:
            raise _Defer
        if target.status == OutboxStatus.SENT and target.message_id:
            await outbound.update_card(conversation, target.message_id, card, key=item.key)
            return target.message_id
        # the original card never arrived (or cannot be edited): post the current one instead
    if found := await _posted_before(outbound, item, conversation, card):
        return found
    return await outbound.post_card(conversation, card, key=item.key)


async def _posted_before(
    outbound: Outbound, item: ClaimedDelivery, conversation: Conversation | None, card: RiskCard | None
) -> str | None:
    """On a retry, the message id of an earlier attempt that did reach the platform, if any."""
    if item.attempts <= 1 or not isinstance(outbound, Reconciling):
        return None
    found = await outbound.find_posted(
        key=item.key, conversation=conversation, card=card, since=item.created_at
    )
    if found is not None:
        log.info("already delivered by an earlier attempt", extra={"key": item.key, "kind": item.kind})
    return found
