"""The Prometheus exposition is well-formed, and the engine reports checks through ``observer``."""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Sequence

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.builtin import builtin_checks
from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.registry import Registry
from vetbot.metrics import CONTENT_TYPE, VetbotMetrics, metrics_handler
from vetbot.metrics import Registry as MetricsRegistry
from vetbot.models.parsing import parse_profile
from vetbot.models.profile import Profile

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"^({NAME})(\{{{LABEL}(?:,{LABEL})*\}})? (\S+)$")
COMMENT = re.compile(rf"^# (HELP|TYPE) ({NAME}) ?(.*)$")


def parse(text: str) -> dict[str, list[tuple[str, str, float]]]:
    """A strict reader of format 0.0.4: every line is a HELP/TYPE comment or ``name{labels} value``;
    every sample belongs to a family announced by TYPE just before. Returns samples per family."""
    assert text.endswith("\n")
    families: dict[str, list[tuple[str, str, float]]] = {}
    kinds: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        comment = COMMENT.match(line)
        if comment:
            kind, name, rest = comment.groups()
            if kind == "TYPE":
                assert rest in {"counter", "gauge", "histogram"}, line
                kinds[name], current = rest, name
                families[name] = []
            continue
        sample = SAMPLE.match(line)
        assert sample, f"bad line: {line!r}"
        name, labels, value = sample.groups()
        assert current is not None
        suffixes = ("_bucket", "_sum", "_count") if kinds[current] == "histogram" else ("",)
        assert any(name == current + s for s in suffixes), line
        families[current].append((name, labels or "", float(value)))
    return families


def test_render_is_valid_exposition_with_escaped_labels() -> None:
    registry = MetricsRegistry()
    counter = registry.counter("t_total", "A counter\nwith a newline.", ["kind"])
    counter.inc(kind='quote " back \\ slash\nnewline')
    counter.inc(2, kind="plain")
    gauge = registry.gauge("t_gauge", "A gauge.")
    gauge.set(-1.5)
    text = registry.render()
    families = parse(text)
    assert families["t_gauge"] == [("t_gauge", "", -1.5)]
    assert '{kind="quote \\" back \\\\ slash\\nnewline"} 1' in text
    assert "# HELP t_total A counter\\nwith a newline." in text


def test_histogram_buckets_are_cumulative_with_inf_sum_and_count() -> None:
    registry = MetricsRegistry()
    hist = registry.histogram("t_seconds", "Durations.", ["check"], buckets=(0.1, 1.0, 10.0))
    values = [0.05, 0.1, 0.5, 2.0, 99.0]
    for v in values:
        hist.observe(v, check="a.b")
    samples = parse(registry.render())["t_seconds"]
    buckets = [(labels, v) for name, labels, v in samples if name == "t_seconds_bucket"]
    counts = [v for _, v in buckets]
    assert counts == sorted(counts) == [2, 3, 4, 5]
    assert buckets[-1][0].endswith('le="+Inf"}')
    total = {name: v for name, _, v in samples if not name.endswith("_bucket")}
    assert total["t_seconds_count"] == 5 == counts[-1]
    assert math.isclose(total["t_seconds_sum"], sum(values))


def test_misuse_is_refused() -> None:
    registry = MetricsRegistry()
    counter = registry.counter("x_total", "x", ["a"])
    with pytest.raises(ValueError):
        counter.inc(b="1")
    with pytest.raises(ValueError):
        counter.inc(-1, a="1")
    with pytest.raises(ValueError):
        registry.gauge("x_total", "again")


class Boom(Check):
    id = "test.boom"
    title = "always fails"
    weight = 10
    evidence = Evidence.WEAK
    inputs = ()
    source = "test"

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        raise RuntimeError("boom")


class Sleepy(Boom):
    id = "test.sleepy"
    timeout = 0.01

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        await asyncio.sleep(1)
        return []


async def test_engine_observer_feeds_check_metrics_and_results() -> None:
    metrics = VetbotMetrics()
    engine = Engine(Registry([*builtin_checks(), Boom(), Sleepy()]), observer=metrics)
    profile = parse_profile({"name": "Jan Kowalski", "email": "jan@example.com", "phone": "+48601234567"})
    result = await engine.vet(profile.profile)
    metrics.record_result(result)
    ran = [c for c in result.checks if c.status != "skipped"]
    families = parse(metrics.render())
    counts = {
        labels: v for name, labels, v in families["vetbot_check_duration_seconds"] if name.endswith("_count")
    }
    assert sum(counts.values()) == len(ran)
    assert metrics.check_errors.value(check="test.boom", status="error") == 1
    assert metrics.check_errors.value(check="test.sleepy", status="timeout") == 1
    assert metrics.vettings.value(band=str(result.band)) == 1


async def test_a_broken_observer_never_fails_a_vetting() -> None:
    class Broken:
        def on_check(self, check_id: str, status: str, seconds: float) -> None:
            raise RuntimeError("metrics down")

    engine = Engine(Registry(builtin_checks()), observer=Broken())
    result = await engine.vet(parse_profile({"name": "Jan Kowalski", "email": "jan@example.com"}).profile)
    assert 0 <= result.score <= 100


async def test_metrics_endpoint_refreshes_gauges_and_survives_a_failing_refresh() -> None:
    metrics = VetbotMetrics()
    metrics.record_escalation()
    metrics.record_platform_error("slack", "chat.postMessage")

    async def refresh() -> None:
        metrics.set_queue(depth=4, oldest_age_seconds=12.5)

    async def failing() -> None:
        raise ConnectionError("db down")

    app = web.Application()
    app.router.add_get("/metrics", metrics_handler(metrics, refresh))
    app.router.add_get("/stale", metrics_handler(metrics.registry, failing))
    async with TestClient(TestServer(app)) as client:
        ok = await client.get("/metrics")
        body = await ok.text()
        stale = await client.get("/stale")
    assert ok.status == 200 and ok.headers["Content-Type"] == CONTENT_TYPE
    families = parse(body)
    assert families["vetbot_queue_depth"] == [("vetbot_queue_depth", "", 4.0)]
    assert families["vetbot_queue_oldest_age_seconds"][0][2] == 12.5
    assert families["vetbot_escalations_total"][0][2] == 1
    assert 'platform="slack",method="chat.postMessage"' in body
    assert {"vetbot_vettings_total", "vetbot_check_errors_total"} <= set(families)
    assert stale.status == 200


async def test_metrics_with_a_token_refuse_scrapes_without_it() -> None:
    metrics = VetbotMetrics()
    app = web.Application()
    app.router.add_get("/metrics", metrics_handler(metrics, token="s3cret-scrape-token"))
    async with TestClient(TestServer(app)) as client:
        anonymous = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
        right_body = await right.text()
        refused_body = await anonymous.text()
    assert (anonymous.status, wrong.status, right.status) == (401, 401, 200)
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert "vetbot_vettings_total" in right_body and "vetbot_" not in refused_body


def test_metrics_token_comes_from_the_environment() -> None:
    from vetbot.bot.settings import BotSettings

    assert BotSettings.from_env({"VETBOT_METRICS_TOKEN": " tok "}).metrics_token == "tok"
    assert "tok" not in repr(BotSettings.from_env({"VETBOT_METRICS_TOKEN": "tok"}))
    assert BotSettings.from_env({}).metrics_token == ""
