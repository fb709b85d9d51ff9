"""Runs every enabled check and turns their signals into a scored result.

Checks that wait on remote services run concurrently, each in its own task started before
the others; local checks (``Check.inline``) run in the vetting's own task meanwhile — they
hold the CPU either way, and skipping a task per check is what keeps batches fast. Every
check, inline or not, has its own timeout.

A check that raises or overruns its timeout is reported as ``error``/``timeout`` and never
fails the vetting. Exception messages are not copied into results or logs: they can carry
candidate data. Only the exception's type name is kept.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Coroutine, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from vetbot.checks.base import Check, CheckUnavailable, Signal, SkipCheck
from vetbot.checks.context import CheckContext
from vetbot.checks.observer import CheckObserver
from vetbot.checks.registry import Registry
from vetbot.checks.scoring import combine, finding_points
from vetbot.checks.settings import ScoringSettings
from vetbot.models.profile import Profile
from vetbot.models.result import (
    CandidateRef,
    CheckRun,
    CheckStatus,
    Finding,
    VettingResult,
    severity_for,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
_T = TypeVar("_T")


def _first_step(coro: Coroutine[Any, Any, Any]) -> tuple[bool, Any]:
    """Run an inline check's coroutine to its first suspension, in the current task:
    ``(True, result)`` if it finished instead, else ``(False, what it waits on)``.

    Most local checks finish without ever suspending; an ``asyncio.timeout`` for each of
    them still cost a timer handle pushed onto (and left in) the loop's heap — measured a
    quarter of a millisecond per vetting — and a wrapper coroutine per check another few
    microseconds. So the first step runs directly; a check that does wait (a store read)
    continues in ``_finish`` under a timeout for the time left to it. The task stays the
    caller's throughout, so a check sees the right ``current_task()``.
    """
    try:
        return False, coro.send(None)
    except StopIteration as finished:
        return True, finished.value


async def _finish(coro: Coroutine[Any, Any, _T], waiting_on: Any, deadline: float) -> _T:
    """Continue a suspended check under a timeout ending at ``deadline`` (the loop's clock)."""
    async with asyncio.timeout_at(deadline):
        return await _Resumed(coro, waiting_on)


class _Resumed(Generic[_T]):
    """Awaitable continuing a coroutine that already yielded ``waiting_on`` (a future, or
    ``None`` for a bare yield) — what ``yield from`` would do after the first step."""

    __slots__ = ("_coro", "_waiting_on")

    def __init__(self, coro: Coroutine[Any, Any, _T], waiting_on: Any) -> None:
        self._coro = coro
        self._waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, _T]:
        value = self._waiting_on
        while True:
            try:
                sent = yield value
            except BaseException as exc:  # noqa: BLE001 - cancellation (the timeout) goes into the check
                try:
                    value = self._coro.throw(exc)
                except StopIteration as finished:
                    result: _T = finished.value
                    return result
            else:
                try:
                    value = self._coro.send(sent)
                except StopIteration as finished:
                    result = finished.value
                    return result


_OK_RUNS: dict[str, CheckRun] = {}


def _ok_run(check_id: str) -> CheckRun:
    """The ``ok`` entry of a check: immutable, so one instance per check id serves every vetting."""
    run = _OK_RUNS[check_id] = CheckRun(id=check_id, status=CheckStatus.OK)
    return run


@dataclass(frozen=True, slots=True)
class _Outcome:
    run: CheckRun
    findings: tuple[Finding, ...] = ()
    seconds: float = 0.0


class Engine:
    def __init__(
        self,
        registry: Registry,
        *,
        default_timeout: float = DEFAULT_TIMEOUT,
        observer: CheckObserver | None = None,
    ) -> None:
        self.registry = registry
        self.default_timeout = default_timeout
        self.observer = observer

    async def warm_up(self) -> None:
        """Let every check load what it needs before traffic arrives."""
        await asyncio.gather(*(check.warm_up() for check in self.registry))

    def weight_of(self, check: Check, settings: ScoringSettings) -> int:
        return settings.weights.get(check.id, check.weight)

    async def vet(
        self,
        profile: Profile,
        *,
        settings: ScoringSettings | None = None,
        context: CheckContext | None = None,
        warnings: Sequence[str] = (),
        vetting_id: str | None = None,
    ) -> VettingResult:
        settings = settings or ScoringSettings()
        context = context or CheckContext()
        started = time.perf_counter()
        checks = list(self.registry)
        waiting = {
            i: asyncio.ensure_future(self._run_one(c, profile, context, settings))
            for i, c in enumerate(checks)
            if not c.inline
        }
        done: dict[int, _Outcome] = {}
        try:
            for i, check in enumerate(checks):  # while the waiting ones wait
                if i not in waiting:
                    done[i] = await self._run_one(check, profile, context, settings)
            for i, task in waiting.items():
                done[i] = await task
        finally:  # cancelled mid-vetting: leave no check task behind
            for task in waiting.values():
                task.cancel()
        outcomes = [done[i] for i in range(len(checks))]
        if self.observer is not None:
            self._observe(outcomes)
        findings = sorted(
            (f for o in outcomes for f in o.findings), key=lambda f: (-f.points, f.check, f.summary)
        )
        score = combine(f.points for f in findings)
        return VettingResult(
            vetting_id=vetting_id or uuid.uuid4().hex,
            candidate=CandidateRef(id=profile.id, name=profile.name),
            score=score,
            band=settings.thresholds.band(score),
            thresholds=settings.thresholds,
            findings=findings,
            checks=[o.run for o in outcomes],
            warnings=list(warnings),
            duration_ms=int((time.perf_counter() - started) * 1000),
        )

    async def _run_one(
        self, check: Check, profile: Profile, context: CheckContext, settings: ScoringSettings
    ) -> _Outcome:
        if check.id in settings.disabled:
            return _Outcome(CheckRun(id=check.id, status=CheckStatus.SKIPPED, detail="disabled by an admin"))
        missing = check.missing_inputs(profile)
        if missing:
            return _Outcome(CheckRun(id=check.id, status=CheckStatus.SKIPPED, detail=missing))
        timeout = check.timeout if check.timeout is not None else self.default_timeout
        started = time.perf_counter()
        try:
            if check.inline:
                # the first step without a wrapper coroutine: most checks finish in it
                coro = check.run(profile, context)
                done, value = _first_step(coro)
                if done:
                    signals = value
                else:  # suspended: the rest runs under the time left (the loop's clock)
                    deadline = asyncio.get_running_loop().time() + timeout - (time.perf_counter() - started)
                    signals = await _finish(coro, value, deadline)
            else:
                async with asyncio.timeout(timeout):
                    signals = await check.run(profile, context)
        except SkipCheck as skip:
            return _Outcome(CheckRun(id=check.id, status=CheckStatus.SKIPPED, detail=skip.detail))
        except TimeoutError:
            log.warning("check timed out", extra={"check": check.id, "timeout_s": timeout})
            return _Outcome(
                CheckRun(id=check.id, status=CheckStatus.TIMEOUT, detail=f"no answer within {timeout:g} s"),
                seconds=time.perf_counter() - started,
            )
        except CheckUnavailable as unavailable:
            kind = type(unavailable).__name__
            log.warning("check unavailable", extra={"check": check.id, "error_type": kind})
            return _Outcome(
                CheckRun(id=check.id, status=CheckStatus.ERROR, detail=f"unavailable: {unavailable.detail}"),
                seconds=time.perf_counter() - started,
            )
        except Exception as exc:  # noqa: BLE001 - a failing check must never fail the vetting
            log.error("check failed", extra={"check": check.id, "error_type": type(exc).__name__})
            return _Outcome(
                CheckRun(
                    id=check.id, status=CheckStatus.ERROR, detail=f"check failed ({type(exc).__name__})"
                ),
                seconds=time.perf_counter() - started,
            )
        weight = self.weight_of(check, settings)
        findings = tuple(self._to_finding(check, s, weight) for s in signals)
        return _Outcome(_OK_RUNS.get(check.id) or _ok_run(check.id), findings, time.perf_counter() - started)

    def _observe(self, outcomes: Sequence[_Outcome]) -> None:
        assert self.observer is not None
        for outcome in outcomes:
            if outcome.run.status is CheckStatus.SKIPPED:
                continue
            try:
                self.observer.on_check(outcome.run.id, outcome.run.status.value, outcome.seconds)
            except Exception as exc:  # noqa: BLE001 - metrics must never fail a vetting
                log.warning("check observer failed", extra={"error_type": type(exc).__name__})

    @staticmethod
    def _to_finding(check: Check, signal: Signal, weight: int) -> Finding:
        points = finding_points(weight, signal.strength)
        return Finding(
            check=check.id,
            points=points,
            severity=severity_for(points),
            summary=signal.summary,
            evidence={"rule": signal.rule, **signal.evidence},
            source=signal.source or check.source,
        )
