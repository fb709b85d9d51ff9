"""Re-check rounds: run again the checks a network provider could not answer, and update the card.

Issue 7: "a card with some checks unavailable says so and is updated when they complete".
The worker schedules round 1 with the vetting (``recheck_plan``); ``BotCore`` runs
``run_one_recheck`` in a loop. One round:

1. claims a due round with a lease (replicas skip each other's rows);
2. re-runs just its checks through an ``Engine`` over a sub-registry — same timeouts, same
   statuses, same observer — under the *vetting's own settings version*, so the weights and
   thresholds behind the amended score are the ones the vetting recorded;
3. merges the re-run into the newest result (same vetting id; findings of the re-run checks
   replaced, score and band recomputed by noisy-OR);
4. commits in one transaction, fenced by the lease token: the round closed with the amended
   result (or none when nothing changed), the next round if checks are still unavailable,
   one ``update`` outbox row for the requester's card (key ``recheck:{vetting}:{round}``),
   the escalation if the band now calls for one and the case has none (the UNIQUE
   escalation per vetting decides, as for the first card), and an audit entry.

Exactly once: a round's outcome and every side effect it causes commit together or not at
all; a worker that lost its lease cannot commit (the fencing token), and a round, an outbox
key and a vetting's escalation are each UNIQUE. A crash mid-round leaves the round to be
retaken after its lease, at most ``max_job_attempts`` times.

A person's decision is never overridden: a closed case (cleared, confirmed fake) gets the
amended card and an audit entry, not a new escalation; vetbot never reopens a decision.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from vetbot.checks.engine import Engine
from vetbot.checks.providers.base import ProviderCheck
from vetbot.checks.providers.breaker import CircuitBreaker
from vetbot.checks.registry import Registry
from vetbot.checks.scoring import combine
from vetbot.handlers.recheck_plan import delay_for, recheckable
from vetbot.handlers.vetting import VettingService
from vetbot.handlers.worker import BAND_RANK, LeaseLostError, Tuning, enqueue_escalation
from vetbot.metrics import VetbotMetrics, default_metrics
from vetbot.models.parsing import ProfileError, parse_profile
from vetbot.models.result import VettingResult
from vetbot.storage import admin_repository, case_repository, chat_repository, recheck_repository, repository
from vetbot.storage.chat_tables import CaseStatus, OutboxKind
from vetbot.storage.database import Database
from vetbot.storage.recheck_repository import ClaimedRecheck
from vetbot.storage.recheck_tables import RecheckStatus

log = logging.getLogger("vetbot.recheck")


class _Gone(Exception):
    """Nothing left to re-run (vetting or inputs erased, provider switched off)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Rerun:
    base: VettingResult
    merged: VettingResult
    settings_version: int

    @property
    def changed(self) -> bool:
        return self.merged.checks != self.base.checks or self.merged.findings != self.base.findings


def merge(base: VettingResult, rerun: VettingResult) -> VettingResult:
    """``base`` with the re-run checks' statuses and findings replaced; score and band anew
    (by ``base``'s thresholds: those of the vetting's settings version)."""
    runs = {c.id: c for c in rerun.checks}
    findings = sorted(
        [f for f in base.findings if f.check not in runs] + list(rerun.findings),
        key=lambda f: (-f.points, f.check, f.summary),
    )
    score = combine(f.points for f in findings)
    return VettingResult.model_validate(
        {
            **base.model_dump(),
            "checks": [runs.get(c.id, c).model_dump() for c in base.checks],
            "findings": [f.model_dump() for f in findings],
            "score": score,
            "band": base.thresholds.band(score),
        }
    )


async def run_one_recheck(db: Database, service: VettingService, tuning: Tuning, escalate_band: str) -> bool:
    """Claim and run one due round; False when none was due."""
    async with db.read_session() as session:  # idle polls must not take SQLite's write lock
        if not await recheck_repository.any_due(session):
            return False
    async with db.session() as session:
        item = await recheck_repository.claim(session, lease_seconds=tuning.lease_seconds)
    if item is None:
        return False
    metrics = default_metrics()
    if item.token > tuning.max_job_attempts:
        await _close(db, item, "too many attempts")
        metrics.record_recheck("failed")
        return True
    try:
        rerun = await _rerun(db, service, item)
        escalated = await _commit(db, service.registry, item, rerun, tuning, escalate_band)
    except _Gone as gone:
        await _close(db, item, gone.reason)
        metrics.record_recheck("failed")
        return True
    except LeaseLostError:
        log.warning("recheck lease lost; result discarded", extra={"vetting_id": item.vetting_id})
        return True
    except Exception as exc:  # noqa: BLE001 - retaken after the lease, up to max attempts
        log.error("recheck failed", extra={"vetting_id": item.vetting_id, "error": type(exc).__name__})
        return True
    metrics.record_recheck("amended" if rerun.changed else "unchanged")
    if escalated:
        metrics.record_escalation()
    log.info(
        "recheck done",
        extra={"vetting_id": item.vetting_id, "attempt": item.round_no, "band": rerun.merged.band.value},
    )
    return True


async def _rerun(db: Database, service: VettingService, item: ClaimedRecheck) -> _Rerun:
    async with db.read_session() as session:  # rolled back at the end: read what is needed inside
        vetting = await repository.get_vetting(session, vetting_id=item.vetting_id)
        if vetting is None:
            raise _Gone("vetting gone")
        version, stored = vetting.settings_version, vetting.result
        history = await recheck_repository.history(session, vetting_id=item.vetting_id)
        settings = await recheck_repository.settings_at(session, version=version)
    checks = recheckable(service.registry, item.check_ids)
    if not checks:
        raise _Gone("provider off")
    if not item.inputs:
        raise _Gone("inputs erased")
    try:
        profile = parse_profile(item.inputs).profile
    except ProfileError:
        raise _Gone("inputs unreadable") from None
    base = VettingResult.model_validate(history.result or stored)
    engine = Engine(
        Registry(checks), default_timeout=service.engine.default_timeout, observer=service.engine.observer
    )
    rerun = await engine.vet(profile, settings=settings, vetting_id=item.vetting_id)
    return _Rerun(base, merge(base, rerun), version)


async def _commit(
    db: Database, registry: Registry, item: ClaimedRecheck, rerun: _Rerun, tuning: Tuning, escalate_band: str
) -> bool:
    """Record the round and its side effects in one transaction; True when it escalated."""
    merged, vetting_id = rerun.merged, item.vetting_id
    still = [c.id for c in merged.unavailable_checks() if c.id in item.check_ids]
    next_round = item.round_no + 1 if still and item.round_no < len(tuning.recheck_delays) else None
    escalated = False
    async with db.session() as session:
        if not await recheck_repository.finish(
            session,
            recheck_id=item.id,
            token=item.token,
            status=RecheckStatus.DONE,
            result=merged.model_dump(mode="json") if rerun.changed else None,
        ):
            raise LeaseLostError
        if next_round is not None and item.inputs:
            again: list[ProviderCheck] = recheckable(registry, still)
            await recheck_repository.schedule(
                session,
                vetting_id=vetting_id,
                job_id=item.job_id,
                round_no=next_round,
                check_ids=still,
                inputs=item.inputs,
                delay=delay_for(next_round, again, tuning.recheck_delays),
            )
        job = await chat_repository.get_job(session, job_id=item.job_id) if item.job_id else None
        case = await case_repository.get_case(session, vetting_id=vetting_id)
        if job is not None and (rerun.changed or next_round is None):
            # the card changes: amended findings, or "will be retried" no longer true
            await chat_repository.enqueue(
                session,
                key=f"recheck:{vetting_id}:{item.round_no}",
                kind=OutboxKind.UPDATE,
                platform=job.platform,
                payload={
                    "vetting_id": vetting_id,
                    "conversation": job.conversation,
                    "target_key": f"card:{job.id}",
                },
            )
        closed = case is not None and CaseStatus(case.status).closed
        if (
            job is not None
            and rerun.changed
            and not closed
            and BAND_RANK[merged.band.value] >= BAND_RANK[escalate_band]
            and await case_repository.add_escalation(
                session, vetting_id=vetting_id, platform=job.platform, actor="vetbot"
            )
        ):
            await enqueue_escalation(session, vetting_id=vetting_id, platform=job.platform)
            if case is not None and case.status == CaseStatus.OPEN:
                await case_repository.set_case_status(
                    session, vetting_id=vetting_id, status=CaseStatus.ESCALATED
                )
            escalated = True
        await admin_repository.append_audit(
            session,
            actor="vetbot",
            action="vetting.recheck",
            case_id=vetting_id,
            detail={
                "round": item.round_no,
                "checks": item.check_ids,
                "changed": rerun.changed,
                "score_before": rerun.base.score,
                "score": merged.score,
                "band_before": rerun.base.band.value,
                "band": merged.band.value,
                "still_unavailable": still,
                "next_round": next_round,
                "settings_version": rerun.settings_version,
                "escalated": escalated,
                "case_closed": closed,
            },
        )
    return escalated


async def _close(db: Database, item: ClaimedRecheck, error: str) -> None:
    """A round that cannot run ends as ``failed`` (kept, visible), its inputs dropped."""
    log.warning("recheck abandoned", extra={"vetting_id": item.vetting_id, "reason": error})
    async with db.session() as session:
        await recheck_repository.finish(
            session, recheck_id=item.id, token=item.token, status=RecheckStatus.FAILED, error=error
        )


def watch_providers(registry: Registry, metrics: VetbotMetrics) -> None:
    """Send provider requests and breaker states of ``registry``'s checks to ``metrics``."""
    for check in registry:
        if isinstance(check, ProviderCheck) and check.client is not None:
            check.watch(metrics)
            metrics.watch_breaker(check.provider, _gauge_of(check.client.breaker))


def _gauge_of(breaker: CircuitBreaker) -> Callable[[], int]:
    return lambda: breaker.state.gauge
