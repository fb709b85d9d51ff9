"""The provider HTTP client against a real local server: timeouts, retries with backoff,
``Retry-After`` (delta-seconds and HTTP date, within and beyond the deadline), rate-limit
headers, the circuit breaker, and what it logs (never the token, never the login).

Waits go through an injected clock: a test of ``Retry-After: 7`` records a 7-second sleep
and takes milliseconds. Only the hanging-server test spends real time (a fraction of a second).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from email.utils import format_datetime

import pytest
from pydantic import SecretStr

from tests.checks.providers.fake_clock import FakeClock
from tests.checks.providers.fake_github import HANG, FakeGitHub, Reply, serve, user, years_ago
from vetbot.checks.providers.breaker import BreakerState
from vetbot.checks.providers.errors import (
    CircuitOpen,
    ProviderDown,
    ProviderRejected,
    ProviderTimeout,
    RateLimited,
)
from vetbot.checks.providers.http import ProviderClient, parse_retry_after
from vetbot.checks.providers.settings import ClientSettings
from vetbot.metrics import VetbotMetrics

LOGIN = "jan-kowalski-dev"
TOKEN = "ghp_s3cr3tTokenThatMustNeverBeLogged000"
UNAVAILABLE = Reply(503, {"message": "Service Unavailable"})


def client(url: str, clock: FakeClock | None = None, **settings: float) -> ProviderClient:
    values = {"deadline": 30.0, "request_timeout": 2.0, "backoff_base": 0.2, **settings}
    return ProviderClient(
        "github",
        url,
        settings=ClientSettings(**values),  # type: ignore[arg-type]
        token=SecretStr(TOKEN),
        clock=clock or FakeClock(),
    )


async def test_an_answer_is_returned_with_the_token_sent() -> None:
    fake = FakeGitHub(script=[user(LOGIN, years_ago(9))])
    async with serve(fake) as url:
        answer = await client(url).get("users", LOGIN)
    assert answer.status == 200 and answer.data["login"] == LOGIN
    path, headers = fake.requests[0]
    assert path == f"/users/{LOGIN}"
    assert headers["Authorization"] == f"Bearer {TOKEN}"


async def test_retry_after_seconds_is_honoured_before_retrying() -> None:
    clock = FakeClock()
    fake = FakeGitHub(script=[Reply(429, {"message": "slow down"}, {"Retry-After": "7"}), NOT_LATE])
    async with serve(fake) as url:
        answer = await client(url, clock).get("users", LOGIN)
    assert answer.status == 200
    assert clock.sleeps == [7.0]  # exactly what the server asked, no jitter on top
    assert fake.user_requests == 2


async def test_retry_after_http_date_is_honoured() -> None:
    clock = FakeClock()
    when = format_datetime(clock.wall().replace(microsecond=0) + (NINE := _seconds(9)), usegmt=True)
    fake = FakeGitHub(script=[Reply(503, {"message": "maintenance"}, {"Retry-After": when}), NOT_LATE])
    async with serve(fake) as url:
        answer = await client(url, clock).get("users", LOGIN)
    assert answer.status == 200
    assert clock.sleeps == [NINE.total_seconds()]


async def test_a_retry_after_beyond_the_deadline_gives_up_now_and_holds_later_calls() -> None:
    clock = FakeClock()
    fake = FakeGitHub(script=[Reply(503, {"message": "down"}, {"Retry-After": "120"})], default=NOT_LATE)
    async with serve(fake) as url:
        provider = client(url, clock, deadline=5.0)
        with pytest.raises(ProviderDown) as failed:
            await provider.get("users", LOGIN)
        assert clock.sleeps == []  # did not sleep past its own deadline
        assert failed.value.retry_in is not None and failed.value.retry_in >= 120
        assert provider.retry_in() == pytest.approx(120)
        # another vetting a minute later: still inside the Retry-After, so it does not call
        clock.advance(60)
        with pytest.raises(RateLimited):
            await provider.get("users", LOGIN)
        assert fake.user_requests == 1
        # once the time has passed the provider is asked again
        clock.advance(61)
        assert (await provider.get("users", LOGIN)).status == 200
    assert fake.user_requests == 2


async def test_5xx_is_retried_with_jittered_exponential_backoff_then_given_up() -> None:
    clock = FakeClock()
    fake = FakeGitHub(default=UNAVAILABLE)
    async with serve(fake) as url:
        with pytest.raises(ProviderDown):
            await client(url, clock, retries=3, backoff_base=0.4, backoff_cap=10).get("users", LOGIN)
    assert fake.user_requests == 4  # the first attempt and three retries, no more
    ceilings = [0.4, 0.8, 1.6]
    assert len(clock.sleeps) == 3
    for slept, ceiling in zip(clock.sleeps, ceilings, strict=True):
        assert ceiling / 2 <= slept <= ceiling  # half fixed, half random


async def test_connection_errors_are_retried_then_unavailable() -> None:
    clock = FakeClock()
    async with serve(FakeGitHub()) as url:
        pass  # the server is gone: its port now refuses connections
    with pytest.raises(ProviderDown) as failed:
        await client(url, clock, retries=2).get("users", LOGIN)
    assert failed.value.reason == "connection_error"
    assert len(clock.sleeps) == 2


async def test_a_rate_limit_403_is_unavailable_not_an_answer() -> None:
    clock = FakeClock()
    reset = int(clock.wall().timestamp()) + 1800
    limited = Reply(
        403,
        {"message": "API rate limit exceeded for 203.0.113.7."},
        {"x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    fake = FakeGitHub(script=[limited])
    async with serve(fake) as url:
        provider = client(url, clock, deadline=5.0)
        with pytest.raises(RateLimited) as failed:
            await provider.get("users", LOGIN)
    assert failed.value.retry_in == pytest.approx(1800)
    assert clock.sleeps == [] and fake.user_requests == 1


async def test_an_answer_that_exhausts_the_quota_holds_the_next_call_until_the_reset() -> None:
    clock = FakeClock()
    reset = int(clock.wall().timestamp()) + 600
    last = user(LOGIN, years_ago(9))
    last = Reply(last.status, last.body, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})
    fake = FakeGitHub(script=[last], default=NOT_LATE)
    async with serve(fake) as url:
        provider = client(url, clock, deadline=5.0)
        assert (await provider.get("users", LOGIN)).status == 200
        with pytest.raises(RateLimited):
            await provider.get("users", LOGIN)
    assert fake.user_requests == 1


async def test_bad_credentials_are_not_retried() -> None:
    clock = FakeClock()
    fake = FakeGitHub(default=Reply(401, {"message": "Bad credentials"}))
    async with serve(fake) as url:
        with pytest.raises(ProviderRejected):
            await client(url, clock).get("users", LOGIN)
    assert fake.user_requests == 1 and clock.sleeps == []


async def test_redirects_are_not_followed() -> None:
    fake = FakeGitHub(default=Reply(301, {"message": "Moved"}, {"Location": "http://127.0.0.1:9/elsewhere"}))
    async with serve(fake) as url:
        with pytest.raises(ProviderRejected):
            await client(url).get("users", LOGIN)
    assert fake.user_requests == 1


async def test_five_consecutive_failures_open_the_breaker_and_the_sixth_call_never_reaches_the_server() -> (
    None
):
    clock = FakeClock()
    fake = FakeGitHub(default=UNAVAILABLE)
    async with serve(fake) as url:
        provider = client(url, clock, retries=0, breaker_failures=5, breaker_cooldown=60)
        for n in range(1, 6):
            assert provider.breaker.state is BreakerState.CLOSED
            with pytest.raises(ProviderDown):
                await provider.get("users", LOGIN)
            assert fake.user_requests == n
        assert provider.breaker.state is BreakerState.OPEN
        with pytest.raises(CircuitOpen) as refused:
            await provider.get("users", LOGIN)
        assert fake.user_requests == 5
        assert refused.value.retry_in == pytest.approx(60)
        snapshot = provider.snapshot()
        assert (snapshot.state, snapshot.consecutive_failures) == (BreakerState.OPEN, 5)


async def test_a_success_in_between_resets_the_count() -> None:
    clock = FakeClock()
    ok = user(LOGIN, years_ago(9))
    fake = FakeGitHub(script=[UNAVAILABLE] * 4 + [ok] + [UNAVAILABLE] * 4)
    async with serve(fake) as url:
        provider = client(url, clock, retries=0)
        for _ in range(9):
            with contextlib.suppress(ProviderDown):
                await provider.get("users", LOGIN)
    assert provider.breaker.state is BreakerState.CLOSED
    assert fake.user_requests == 9


async def test_after_the_cooldown_one_probe_goes_through_and_its_success_closes_the_breaker() -> None:
    clock = FakeClock()
    fake = FakeGitHub(script=[UNAVAILABLE] * 5, default=NOT_LATE)
    async with serve(fake) as url:
        provider = client(url, clock, retries=0, breaker_cooldown=60)
        for _ in range(5):
            with pytest.raises(ProviderDown):
                await provider.get("users", LOGIN)
        clock.advance(59)
        with pytest.raises(CircuitOpen):
            await provider.get("users", LOGIN)
        clock.advance(1)
        assert provider.breaker.state is BreakerState.HALF_OPEN
        assert (await provider.get("users", LOGIN)).status == 200
        assert provider.breaker.state is BreakerState.CLOSED
        assert (await provider.get("users", LOGIN)).status == 200
    assert fake.user_requests == 7


async def test_only_one_probe_while_half_open_and_its_failure_reopens() -> None:
    clock = FakeClock()
    fake = FakeGitHub(script=[UNAVAILABLE] * 5 + [HANG])
    async with serve(fake) as url:
        provider = client(url, clock, retries=0, breaker_cooldown=60)
        for _ in range(5):
            with pytest.raises(ProviderDown):
                await provider.get("users", LOGIN)
        clock.advance(60)
        probe = asyncio.create_task(provider.get("users", LOGIN))
        await fake.arrived(6)  # the probe is in flight at the server
        with pytest.raises(CircuitOpen):
            await provider.get("users", LOGIN)  # a second caller fails fast meanwhile
        probe.cancel()  # the engine's timeout cuts the probe: that is a failure
        with pytest.raises(asyncio.CancelledError):
            await probe
        assert provider.breaker.state is BreakerState.OPEN
        with pytest.raises(CircuitOpen):
            await provider.get("users", LOGIN)
    assert fake.user_requests == 6


async def test_a_hanging_server_is_cut_at_the_request_timeout_and_counts_as_a_failure() -> None:
    fake = FakeGitHub(default=HANG)
    async with serve(fake) as url:
        provider = ProviderClient(
            "github", url, settings=ClientSettings(request_timeout=0.2, retries=0, deadline=5.0)
        )
        started = time.perf_counter()
        with pytest.raises(ProviderTimeout) as failed:
            await provider.get("users", LOGIN)
        elapsed = time.perf_counter() - started
    assert isinstance(failed.value, TimeoutError)  # the engine reports it as "timeout"
    assert 0.15 < elapsed < 1.5
    assert provider.breaker.snapshot().consecutive_failures == 1


async def test_the_deadline_bounds_the_whole_call_retries_included() -> None:
    fake = FakeGitHub(default=HANG)
    async with serve(fake) as url:
        provider = ProviderClient(
            "github", url, settings=ClientSettings(request_timeout=5.0, retries=5, deadline=0.3)
        )
        started = time.perf_counter()
        with pytest.raises(ProviderTimeout):
            await provider.get("users", LOGIN)
    assert time.perf_counter() - started < 1.5


async def test_neither_token_nor_login_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    from vetbot.logs import JsonFormatter

    caplog.set_level(logging.DEBUG)
    clock = FakeClock()
    fake = FakeGitHub(default=UNAVAILABLE)
    async with serve(fake) as url:
        provider = client(url, clock, retries=2, breaker_failures=3)
        with pytest.raises(ProviderDown):
            await provider.get("users", LOGIN)
        with pytest.raises(CircuitOpen):
            await provider.get("users", LOGIN)
    formatter = JsonFormatter(scrub=False)  # our code must be clean before the last line of defence
    ours = [r for r in caplog.records if r.name != "aiohttp.access"]  # the fake server's own log
    lines = [formatter.format(r) for r in ours]
    assert any('"provider": "github"' in line for line in lines)
    text = "\n".join(lines) + "\n".join(r.getMessage() for r in ours)
    assert TOKEN not in text
    assert LOGIN not in text


async def test_metrics_count_outcomes_and_show_the_breaker() -> None:
    clock = FakeClock()
    metrics = VetbotMetrics()
    fake = FakeGitHub(default=UNAVAILABLE)
    async with serve(fake) as url:
        provider = client(url, clock, retries=0)
        provider.observer = metrics
        metrics.watch_breaker("github", lambda: provider.breaker.state.gauge)
        for _ in range(5):
            with pytest.raises(ProviderDown):
                await provider.get("users", LOGIN)
        with pytest.raises(CircuitOpen):
            await provider.get("users", LOGIN)
        text = metrics.render()
        assert 'vetbot_provider_requests_total{provider="github",outcome="server_error"} 5' in text
        assert 'vetbot_provider_requests_total{provider="github",outcome="circuit_open"} 1' in text
        assert 'vetbot_provider_breaker_state{provider="github"} 2' in text
        assert 'vetbot_provider_breaker_transitions_total{provider="github",state="open"} 1' in text
        clock.advance(60)  # the cooldown passes with no event: the scrape still reads half-open
        assert 'vetbot_provider_breaker_state{provider="github"} 1' in metrics.render()


def test_retry_after_parsing() -> None:
    now = FakeClock().wall()
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(" 0 ", now) == 0.0
    assert parse_retry_after(format_datetime(now + _seconds(30), usegmt=True), now) == 30.0
    assert parse_retry_after(format_datetime(now - _seconds(30), usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("99999999", now) == 86400.0


def _seconds(n: float):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    return timedelta(seconds=n)


NOT_LATE = user(LOGIN, years_ago(9))
