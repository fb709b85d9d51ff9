"""A circuit breaker per provider: stop calling a service that keeps failing.

Why: a provider that is down makes every vetting wait out its timeout and retries, and each
of those requests adds to the provider's trouble. After ``failures`` consecutive failed
requests the breaker *opens*: calls fail at once (the check is "unavailable" and its
re-check comes later) for ``cooldown`` seconds. Then it is *half-open*: exactly one probe
goes through while every other call still fails fast; the probe's success closes the
breaker, its failure opens it for another cooldown.

Every HTTP attempt counts, retries included, and so does an attempt cut short by
cancellation (the engine's timeout): a provider that hangs must open the breaker too, and a
half-open probe that never finished must not leave the breaker waiting for it forever.

State is per process (each replica judges the provider from its own calls) and visible:
``snapshot()`` for ``vetbot doctor`` and ``/metrics``; ``on_change`` hears every transition.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from vetbot.checks.providers.clock import SYSTEM_CLOCK, Clock
from vetbot.checks.providers.errors import CircuitOpen


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    @property
    def gauge(self) -> int:
        """0 closed, 1 half-open, 2 open: the value exported to Prometheus."""
        return {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}[self]


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    provider: str
    state: BreakerState
    consecutive_failures: int
    retry_in: float  # seconds until a call is let through again (0 when it would be now)


class CircuitBreaker:
    def __init__(
        self,
        provider: str,
        *,
        failures: int = 5,
        cooldown: float = 60.0,
        clock: Clock = SYSTEM_CLOCK,
        on_change: Callable[[str, BreakerState], None] | None = None,
    ) -> None:
        if failures < 1 or cooldown <= 0:
            raise ValueError("breaker: failures ≥ 1 and cooldown > 0")
        self.provider = provider
        self.failures = failures
        self.cooldown = cooldown
        self.clock = clock
        self.on_change = on_change
        self._state = BreakerState.CLOSED
        self._count = 0
        self._opened_at = 0.0
        self._probing = False
        self._lock = threading.Lock()  # the event loop is single-threaded; doctor may not be

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._effective()

    def _effective(self) -> BreakerState:
        """OPEN reads as HALF_OPEN once the cooldown has passed (the probe is then allowed)."""
        if self._state is BreakerState.OPEN and self._elapsed() >= self.cooldown:
            return BreakerState.HALF_OPEN
        return self._state

    def _elapsed(self) -> float:
        return self.clock.monotonic() - self._opened_at

    def acquire(self) -> None:
        """Let one request through, or raise ``CircuitOpen``. Every acquire that returns must
        be followed by ``success`` or ``failure``."""
        with self._lock:
            state = self._effective()
            if state is BreakerState.CLOSED:
                return
            if state is BreakerState.OPEN:
                raise CircuitOpen(self.provider, "circuit open", retry_in=self.cooldown - self._elapsed())
            if self._probing:
                raise CircuitOpen(self.provider, "circuit half-open, probe in flight", retry_in=0.0)
            self._probing = True
            changed = self._set(BreakerState.HALF_OPEN)
        self._notify(changed)

    def success(self) -> None:
        with self._lock:
            self._count = 0
            self._probing = False
            changed = self._set(BreakerState.CLOSED)
        self._notify(changed)

    def failure(self) -> None:
        with self._lock:
            self._count += 1
            was_probe, self._probing = self._probing, False
            changed = None
            if was_probe or (self._state is BreakerState.CLOSED and self._count >= self.failures):
                self._opened_at = self.clock.monotonic()
                changed = self._set(BreakerState.OPEN)
        self._notify(changed)

    def retry_in(self) -> float:
        with self._lock:
            if self._effective() is BreakerState.OPEN:
                return max(0.0, self.cooldown - self._elapsed())
            return 0.0

    def snapshot(self) -> BreakerSnapshot:
        with self._lock:
            state = self._effective()
            wait = max(0.0, self.cooldown - self._elapsed()) if state is BreakerState.OPEN else 0.0
            return BreakerSnapshot(self.provider, state, self._count, wait)

    def _set(self, state: BreakerState) -> BreakerState | None:
        if self._state is state:
            return None
        self._state = state
        return state

    def _notify(self, changed: BreakerState | None) -> None:
        if changed is not None and self.on_change is not None:
            self.on_change(self.provider, changed)
