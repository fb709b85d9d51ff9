"""A dependency-free Prometheus registry (text format 0.0.4) and vetbot's own metrics.

Why not ``prometheus_client``: vetbot needs a dozen metrics, one process-local registry and
one endpoint; a hundred lines we can read beat a dependency with global state. Labels are
ids, enums and check ids only — never candidate data — so cardinality stays bounded.

Thread safety: one lock per metric family; values are updated from the event loop and
read by ``render`` in the same loop, so the lock only guards against worker threads.
"""

from __future__ import annotations

import hmac
import logging
import math
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web

    from vetbot.models.result import VettingResult

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DEFAULT_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

LabelValues = tuple[str, ...]


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _labels(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    parts = [f'{n}="{escape_label(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


class _Family:
    kind = "untyped"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        self.name, self.help, self.labelnames = name, help, tuple(labels)
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> LabelValues:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name}: labels {sorted(labels)} != {sorted(self.labelnames)}")
        return tuple(str(labels[n]) for n in self.labelnames)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {_escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]

    def samples(self) -> list[str]:
        raise NotImplementedError


class Counter(_Family):
    kind = "counter"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help, labels)
        self._values: dict[LabelValues, float] = {} if labels else {(): 0.0}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("counters only go up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(self.labelnames, k)} {_number(v)}" for k, v in items]


class Gauge(Counter):
    kind = "gauge"

    def set(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = float(value)

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount


class Histogram(_Family):
    kind = "histogram"

    def __init__(
        self, name: str, help: str, labels: Sequence[str] = (), buckets: Sequence[float] = DEFAULT_BUCKETS
    ) -> None:
        super().__init__(name, help, labels)
        self.buckets = tuple(sorted(float(b) for b in buckets if not math.isinf(b)))
        self._counts: dict[LabelValues, list[int]] = {}
        self._sums: dict[LabelValues, float] = {}

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            counts = self._counts.setdefault(key, [0] * (len(self.buckets) + 1))
            for index, bound in enumerate(self.buckets):
                if value <= bound:
                    counts[index] += 1
                    break
            else:
                counts[-1] += 1
            self._sums[key] = self._sums.get(key, 0.0) + value

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted((k, list(c), self._sums[k]) for k, c in self._counts.items())
        lines: list[str] = []
        for key, counts, total in items:
            running = 0
            for bound, count in zip((*self.buckets, math.inf), counts, strict=True):
                running += count  # exposition buckets are cumulative
                le = f'le="{_number(bound)}"'
                lines.append(f"{self.name}_bucket{_labels(self.labelnames, key, le)} {running}")
            lines.append(f"{self.name}_sum{_labels(self.labelnames, key)} {_number(total)}")
            lines.append(f"{self.name}_count{_labels(self.labelnames, key)} {running}")
        return lines


class Registry:
    def __init__(self) -> None:
        self._families: dict[str, _Family] = {}

    def _add(self, family: _Family) -> Any:
        if family.name in self._families:
            raise ValueError(f"metric {family.name} registered twice")
        self._families[family.name] = family
        return family

    def counter(self, name: str, help: str, labels: Sequence[str] = ()) -> Counter:
        result: Counter = self._add(Counter(name, help, labels))
        return result

    def gauge(self, name: str, help: str, labels: Sequence[str] = ()) -> Gauge:
        result: Gauge = self._add(Gauge(name, help, labels))
        return result

    def histogram(
        self, name: str, help: str, labels: Sequence[str] = (), buckets: Sequence[float] = DEFAULT_BUCKETS
    ) -> Histogram:
        result: Histogram = self._add(Histogram(name, help, labels, buckets))
        return result

    def render(self) -> str:
        """The text exposition format 0.0.4, ending with a newline."""
        lines: list[str] = []
        for family in self._families.values():
            lines += family.header() + family.samples()
        return "\n".join(lines) + "\n"


class VetbotMetrics:
    """vetbot's metrics on one registry. Also the engine's ``CheckObserver`` (``on_check``)."""

    def __init__(self, registry: Registry | None = None) -> None:
        r = self.registry = registry or Registry()
        self.vettings = r.counter("vetbot_vettings_total", "Vettings completed, by risk band.", ["band"])
        self.check_duration = r.histogram(
            "vetbot_check_duration_seconds", "Time each check ran (ok, error or timeout).", ["check"]
        )
        self.check_errors = r.counter(
            "vetbot_check_errors_total", "Checks that raised or timed out.", ["check", "status"]
        )
        self.queue_depth = r.gauge("vetbot_queue_depth", "Vetting jobs waiting or running.")
        self.queue_oldest_age = r.gauge(
            "vetbot_queue_oldest_age_seconds", "Age of the oldest unfinished vetting job."
        )
        self.escalations = r.counter("vetbot_escalations_total", "Escalations sent to a security channel.")
        self.platform_errors = r.counter(
            "vetbot_platform_api_errors_total", "Failed Slack/Teams API calls.", ["platform", "method"]
        )
        # network providers (GitHub…): what they cost, how they fail, whether their breaker is open
        self.provider_requests = r.counter(
            "vetbot_provider_requests_total",
            "Requests to network providers by outcome (circuit_open and held were never sent).",
            ["provider", "outcome"],
        )
        self.provider_duration = r.histogram(
            "vetbot_provider_request_duration_seconds", "Time of each request to a provider.", ["provider"]
        )
        self.provider_breaker = r.gauge(
            "vetbot_provider_breaker_state",
            "Circuit breaker per provider: 0 closed, 1 half-open, 2 open.",
            ["provider"],
        )
        self.provider_breaker_changes = r.counter(
            "vetbot_provider_breaker_transitions_total",
            "Breaker state changes per provider.",
            ["provider", "state"],
        )
        self.rechecks = r.counter(
            "vetbot_rechecks_total", "Re-check rounds of unavailable checks, by outcome.", ["outcome"]
        )
        self._breakers: dict[str, Callable[[], int]] = {}

    def on_check(self, check_id: str, status: str, seconds: float) -> None:
        self.check_duration.observe(seconds, check=check_id)
        if status in ("error", "timeout"):
            self.check_errors.inc(check=check_id, status=status)

    def record_result(self, result: VettingResult) -> None:
        self.vettings.inc(band=str(result.band))

    def record_escalation(self) -> None:
        self.escalations.inc()

    def record_platform_error(self, platform: str, method: str) -> None:
        self.platform_errors.inc(platform=platform, method=method[:64])

    def on_provider_request(self, provider: str, outcome: str, seconds: float) -> None:
        """``ProviderObserver``: one attempt, or a call refused before sending."""
        self.provider_requests.inc(provider=provider, outcome=outcome)
        if outcome not in ("circuit_open", "held"):
            self.provider_duration.observe(seconds, provider=provider)

    def on_breaker_change(self, provider: str, state: str) -> None:
        self.provider_breaker_changes.inc(provider=provider, state=state)

    def watch_breaker(self, provider: str, gauge: Callable[[], int]) -> None:
        """Read the breaker's state at every scrape: open turns half-open by the clock, with no
        event to report it."""
        self._breakers[provider] = gauge
        self.provider_breaker.set(gauge(), provider=provider)

    def record_recheck(self, outcome: str) -> None:
        self.rechecks.inc(outcome=outcome)

    def set_queue(self, depth: int, oldest_age_seconds: float) -> None:
        self.queue_depth.set(depth)
        self.queue_oldest_age.set(max(0.0, oldest_age_seconds))

    def render(self) -> str:
        for provider, gauge in list(self._breakers.items()):
            try:
                self.provider_breaker.set(gauge(), provider=provider)
            except Exception as exc:  # noqa: BLE001 - a stale gauge beats a failed scrape
                log.warning("breaker gauge failed", extra={"error_type": type(exc).__name__})
        return self.registry.render()


_default: VetbotMetrics | None = None


def default_metrics() -> VetbotMetrics:
    """The process-wide instance (created on first use, so tests can build their own)."""
    global _default
    if _default is None:
        _default = VetbotMetrics()
    return _default


def record_result(result: VettingResult, metrics: VetbotMetrics | None = None) -> None:
    (metrics or default_metrics()).record_result(result)


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="vetbot metrics"'}


def metrics_handler(
    registry: Registry | VetbotMetrics,
    refresh: Callable[[], Awaitable[None]] | None = None,
    *,
    token: str = "",
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """An aiohttp handler for ``GET /metrics``; ``refresh`` sets scrape-time gauges (queue depth)
    first. A failing refresh still serves the other metrics: a scrape must not go dark because
    the database is slow. With ``token`` set, a scrape must send ``Authorization: Bearer
    <token>`` (Prometheus ``authorization`` / ``bearer_token``); anything else gets 401."""
    from aiohttp import web

    expected = f"Bearer {token}".encode() if token else b""

    async def handle(request: web.Request) -> web.Response:
        if expected and not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            return web.Response(status=401, text="metrics need a bearer token\n", headers=_CHALLENGE)
        if refresh is not None:
            try:
                await refresh()
            except Exception as exc:  # noqa: BLE001 - stale gauges beat a failed scrape
                log.warning("metrics refresh failed", extra={"error_type": type(exc).__name__})
        body = registry.render()
        return web.Response(body=body.encode("utf-8"), headers={"Content-Type": CONTENT_TYPE})

    return handle
