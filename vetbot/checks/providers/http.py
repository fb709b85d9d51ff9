"""The HTTP client every network provider uses: timeouts, retries, Retry-After, a breaker.

One ``get`` is a small state machine over a *deadline* (the check's time budget):

- each attempt has its own timeout, never longer than what is left of the deadline;
- connection errors, timeouts, 5xx and 429 are retried, at most ``retries`` times, after an
  exponential backoff with jitter (so replicas that failed together do not retry together);
- ``Retry-After`` (delta-seconds or an HTTP date) and exhausted rate-limit headers
  (``x-ratelimit-remaining: 0`` with ``x-ratelimit-reset``) are honoured exactly: the wait
  replaces the backoff, and later calls wait too until it has passed. A wait that would end
  after the deadline means giving up *now* with ``retry_in`` set, so the re-check comes back
  at the right time instead of the check sleeping past its own cut;
- every attempt goes through the provider's ``CircuitBreaker``; an open breaker fails fast.

Any other answer (2xx, 404, other 4xx) is returned to the check, which gives it meaning: to
GitHub a 404 means "no such account", a finding, not an outage.

Secrets and candidate data never reach logs: the token only travels in the request header,
and log records carry the provider's name, status codes, attempt numbers and seconds — not
URLs (they hold logins) and not bodies. Redirects are not followed, so the token is never
replayed to another host.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
from pydantic import SecretStr

from vetbot.checks.providers.breaker import BreakerSnapshot, BreakerState, CircuitBreaker
from vetbot.checks.providers.clock import SYSTEM_CLOCK, Clock
from vetbot.checks.providers.errors import (
    CircuitOpen,
    ProviderDown,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from vetbot.checks.providers.settings import ClientSettings

log = logging.getLogger("vetbot.providers")

MAX_RETRY_AFTER = 24 * 3600.0  # a header asking for more is treated as a day


class ProviderObserver(Protocol):
    """What a provider client tells the outside world (``VetbotMetrics`` implements it)."""

    def on_provider_request(self, provider: str, outcome: str, seconds: float) -> None:
        """One attempt (or a call refused without a request: ``circuit_open``, ``held``)."""

    def on_breaker_change(self, provider: str, state: str) -> None:
        """The breaker moved to ``state`` (closed, open, half_open)."""


class Outcome(StrEnum):
    """How one attempt ended; the label of ``vetbot_provider_requests_total``."""

    OK = "ok"  # the provider answered (any status the check interprets: 2xx, 404, …)
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    CONNECTION_ERROR = "connection_error"
    REJECTED = "rejected"
    BAD_ANSWER = "bad_answer"
    CIRCUIT_OPEN = "circuit_open"  # not sent
    HELD = "held"  # not sent: a Retry-After outlasts the deadline


RETRYABLE = frozenset({Outcome.RATE_LIMITED, Outcome.SERVER_ERROR, Outcome.TIMEOUT, Outcome.CONNECTION_ERROR})


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    data: Any  # decoded JSON, or None when the body was empty or not JSON
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names


@dataclass(frozen=True, slots=True)
class _Attempt:
    outcome: Outcome
    answer: Answer | None = None
    wait: float | None = None  # what the provider asked for (Retry-After, rate-limit reset)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from ``Retry-After``: delta-seconds or an HTTP date (RFC 9110 §10.2.3).

    ``None`` when absent or unreadable; a date in the past is 0; capped at a day."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER)


def rate_limit_wait(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds until an exhausted quota resets (``x-ratelimit-remaining: 0`` + reset epoch)."""
    if headers.get("x-ratelimit-remaining", "").strip() != "0":
        return None
    reset = headers.get("x-ratelimit-reset", "").strip()
    if not reset.isdigit():
        return None
    return min(max(0.0, int(reset) - now.timestamp()), MAX_RETRY_AFTER)


class ProviderClient:
    """JSON over HTTP GET to one provider, with the resilience described above."""

    def __init__(
        self,
        provider: str,
        base_url: str,
        *,
        settings: ClientSettings | None = None,
        token: SecretStr | None = None,
        headers: Mapping[str, str] | None = None,
        clock: Clock = SYSTEM_CLOCK,
        rng: random.Random | None = None,
        observer: ProviderObserver | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.settings = settings or ClientSettings()
        self.clock = clock
        self.observer = observer
        self._token = token
        self._headers = {"User-Agent": "vetbot", **(headers or {})}
        self._rng = rng or random.Random()
        self._not_before = 0.0  # monotonic time before which the provider asked not to be called
        self.breaker = CircuitBreaker(
            provider,
            failures=self.settings.breaker_failures,
            cooldown=self.settings.breaker_cooldown,
            clock=clock,
            on_change=self._breaker_changed,
        )

    # --- state, for the re-check scheduler, doctor and /metrics ---------------------------

    def retry_in(self) -> float:
        """Seconds until a call could reach the provider (breaker cooldown, Retry-After)."""
        held = max(0.0, self._not_before - self.clock.monotonic())
        return max(held, self.breaker.retry_in())

    def snapshot(self) -> BreakerSnapshot:
        snap = self.breaker.snapshot()
        held = max(0.0, self._not_before - self.clock.monotonic())
        return BreakerSnapshot(snap.provider, snap.state, snap.consecutive_failures, max(held, snap.retry_in))

    # --- the call ---------------------------------------------------------------------------

    async def get(
        self, *segments: str, params: Mapping[str, str] | None = None, budget: float | None = None
    ) -> Answer:
        """GET ``base_url/segment/…`` (each segment percent-encoded) within ``budget`` seconds
        (default: the settings' deadline). Raises a ``ProviderUnavailable`` subclass when the
        provider cannot answer in time; returns every answer it did give."""
        url = self.base_url + "".join("/" + quote(s, safe="") for s in segments)
        deadline = self.clock.monotonic() + (self.settings.deadline if budget is None else budget)
        attempt = 0
        while True:
            attempt += 1
            await self._respect_hold(deadline)
            try:
                self.breaker.acquire()
            except CircuitOpen:
                self._observe(Outcome.CIRCUIT_OPEN, 0.0)
                raise
            result = await self._attempt(url, params, deadline)
            if result.wait is not None:
                self._not_before = max(self._not_before, self.clock.monotonic() + result.wait)
            if result.outcome is Outcome.OK:
                assert result.answer is not None
                return result.answer
            if result.outcome not in RETRYABLE:
                raise (ProviderRejected if result.outcome is Outcome.REJECTED else ProviderDown)(
                    self.provider, result.outcome.value, retry_in=result.wait
                )
            wait = result.wait if result.wait is not None else self._backoff(attempt)
            remaining = deadline - self.clock.monotonic()
            if attempt > self.settings.retries or wait >= remaining:
                log.info(
                    "provider gave up",
                    extra={
                        "provider": self.provider,
                        "reason": result.outcome.value,
                        "attempt": attempt,
                        "retry_after": round(wait, 3),
                    },
                )
                raise self._unavailable(result, wait)
            log.info(
                "provider retry",
                extra={"provider": self.provider, "reason": result.outcome.value, "attempt": attempt},
            )
            await self.clock.sleep(wait)

    def _unavailable(self, result: _Attempt, wait: float) -> ProviderUnavailable:
        retry_in = max(wait, self.retry_in())
        if result.outcome is Outcome.TIMEOUT:
            return ProviderTimeout(self.provider, "no answer in time", retry_in=retry_in)
        if result.outcome is Outcome.RATE_LIMITED:
            return RateLimited(self.provider, "rate limited", retry_in=retry_in)
        return ProviderDown(self.provider, result.outcome.value, retry_in=retry_in)

    async def _respect_hold(self, deadline: float) -> None:
        """Wait out an earlier Retry-After if it ends before the deadline, else give up now."""
        wait = self._not_before - self.clock.monotonic()
        if wait <= 0:
            return
        if wait >= deadline - self.clock.monotonic():
            self._observe(Outcome.HELD, 0.0)
            raise RateLimited(self.provider, "asked to retry later", retry_in=wait)
        await self.clock.sleep(wait)

    async def _attempt(self, url: str, params: Mapping[str, str] | None, deadline: float) -> _Attempt:
        """One request through the breaker (already acquired): success or failure is recorded
        whatever happens, cancellation included."""
        started = time.perf_counter()
        recorded = False
        try:
            result = await self._request(url, params, deadline)
            if result.outcome is Outcome.OK:
                self.breaker.success()
            else:
                self.breaker.failure()
            recorded = True
        finally:
            if not recorded:  # cancelled (the engine's timeout) or an unexpected error
                self.breaker.failure()
                self._observe(Outcome.TIMEOUT, time.perf_counter() - started)
        self._observe(result.outcome, time.perf_counter() - started)
        return result

    async def _request(self, url: str, params: Mapping[str, str] | None, deadline: float) -> _Attempt:
        left = deadline - self.clock.monotonic()
        if left <= 0:
            return _Attempt(Outcome.TIMEOUT)
        timeout = aiohttp.ClientTimeout(total=min(self.settings.request_timeout, left))
        headers = dict(self._headers)
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout, trust_env=True) as session,
                session.get(url, params=params, headers=headers, allow_redirects=False) as response,
            ):
                body = await response.content.read(self.settings.max_body + 1)
                answer = Answer(
                    status=response.status,
                    data=None,
                    headers={k.lower(): v for k, v in response.headers.items()},
                )
        except TimeoutError:
            return _Attempt(Outcome.TIMEOUT)
        except aiohttp.ClientError:
            return _Attempt(Outcome.CONNECTION_ERROR)
        return self._classify(answer, body)

    def _classify(self, answer: Answer, body: bytes) -> _Attempt:
        status, headers = answer.status, answer.headers
        now = self.clock.wall()
        wait = parse_retry_after(headers.get("retry-after"), now)
        quota = rate_limit_wait(headers, now)
        if status == 429 or (status == 403 and (wait is not None or quota is not None)):
            return _Attempt(Outcome.RATE_LIMITED, answer, wait if wait is not None else quota)
        if status >= 500 or status == 408:
            return _Attempt(Outcome.SERVER_ERROR, answer, wait)
        if status in (401, 403) or 300 <= status < 400:
            return _Attempt(Outcome.REJECTED, answer)
        if len(body) > self.settings.max_body:
            return _Attempt(Outcome.BAD_ANSWER, answer)
        data: Any = None
        if body:
            try:
                data = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                if 200 <= status < 300:
                    return _Attempt(Outcome.BAD_ANSWER, answer)
        # a successful answer that exhausts the quota: later calls wait for the reset
        return _Attempt(Outcome.OK, Answer(status, data, headers), quota)

    def _backoff(self, attempt: int) -> float:
        """Exponential with "equal jitter": half fixed, half random, capped."""
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** (attempt - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _observe(self, outcome: Outcome, seconds: float) -> None:
        if self.observer is None:
            return
        try:
            self.observer.on_provider_request(self.provider, outcome.value, seconds)
        except Exception as exc:  # noqa: BLE001 - metrics must never fail a check
            log.warning("provider observer failed", extra={"error_type": type(exc).__name__})

    def _breaker_changed(self, provider: str, state: BreakerState) -> None:
        log.warning("provider breaker " + state.value, extra={"provider": provider, "status": state.value})
        if self.observer is None:
            return
        try:
            self.observer.on_breaker_change(provider, state.value)
        except Exception as exc:  # noqa: BLE001
            log.warning("provider observer failed", extra={"error_type": type(exc).__name__})
