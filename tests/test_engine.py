"""The engine: concurrency, per-check timeouts and failures never fail a vetting."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import ClassVar

from vetbot.checks.base import Check, CheckUnavailable, Evidence, Signal, SkipCheck
from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.registry import Registry, RegistryError
from vetbot.checks.settings import ScoringSettings
from vetbot.models.profile import Profile
from vetbot.models.result import CheckStatus, Thresholds


class Fixed(Check):
    title: ClassVar[str] = "test"
    evidence: ClassVar[Evidence] = Evidence.MODERATE
    inputs: ClassVar[tuple[str, ...]] = ()
    source: ClassVar[str] = "test source"

    def __init__(self, check_id: str, weight: int = 40, strength: float = 1.0, delay: float = 0.0) -> None:
        self.id = check_id  # type: ignore[misc]
        self.weight = weight  # type: ignore[misc]
        self._strength = strength
        self._delay = delay

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        await asyncio.sleep(self._delay)
        return [Signal(rule="r", summary=f"{self.id} fired", strength=self._strength, evidence={"x": 1})]


class Boom(Fixed):
    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        raise ValueError("secret candidate data jan@example.com")


class Unreachable(Fixed):
    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        raise CheckUnavailable("vendor circuit open")


class Skipper(Fixed):
    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        raise SkipCheck("no widgets")


class NeedsPhone(Fixed):
    inputs: ClassVar[tuple[str, ...]] = ("phone",)


PROFILE = Profile(name="Jan Kowalski")


async def test_findings_carry_points_source_and_rule() -> None:
    result = await Engine(Registry([Fixed("a.one", weight=40, strength=0.5)])).vet(PROFILE)
    (finding,) = result.findings
    assert (finding.check, finding.points, finding.source) == ("a.one", 20, "test source")
    assert finding.evidence == {"rule": "r", "x": 1}
    assert result.score == 20 and result.band == "low"


async def test_failures_and_timeouts_are_listed_not_raised(caplog: object) -> None:
    engine = Engine(
        Registry([Fixed("ok.one"), Boom("bad.one"), Fixed("slow.one", delay=10), Skipper("skip.one")]),
        default_timeout=0.2,
    )
    result = await engine.vet(PROFILE)
    status = {c.id: c.status for c in result.checks}
    assert status == {
        "ok.one": CheckStatus.OK,
        "bad.one": CheckStatus.ERROR,
        "slow.one": CheckStatus.TIMEOUT,
        "skip.one": CheckStatus.SKIPPED,
    }
    details = {c.id: c.detail for c in result.checks}
    assert details["bad.one"] == "check failed (ValueError)"  # the message (with PII) is not copied
    assert "jan@example.com" not in result.model_dump_json()
    assert [f.check for f in result.findings] == ["ok.one"]


async def test_an_unavailable_service_is_an_error_that_says_why() -> None:
    result = await Engine(Registry([Unreachable("remote.one"), Fixed("ok.one")])).vet(PROFILE)
    assert [(c.id, c.status, c.detail) for c in result.checks] == [
        ("remote.one", CheckStatus.ERROR, "unavailable: vendor circuit open"),
        ("ok.one", CheckStatus.OK, None),
    ]


async def test_checks_run_concurrently() -> None:
    engine = Engine(Registry([Fixed(f"c.{i}", delay=0.2) for i in range(10)]))
    started = time.perf_counter()
    await engine.vet(PROFILE)
    assert time.perf_counter() - started < 1.0  # ten 0.2 s checks, not 2 s in sequence


class InlineSlow(Fixed):
    """A local check (runs in the vetting's task) that waits — e.g. on a locked database."""

    inline: ClassVar[bool] = True
    seen_tasks: ClassVar[list[object]] = []

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        InlineSlow.seen_tasks.append(asyncio.current_task())
        return await super().run(profile, context)


async def test_inline_checks_run_in_the_vetting_task_and_still_time_out() -> None:
    InlineSlow.seen_tasks.clear()
    engine = Engine(
        Registry([InlineSlow("fast.one"), InlineSlow("slow.one", delay=10), Fixed("remote.one", delay=0.05)]),
        default_timeout=0.2,
    )

    async def vet() -> tuple[object, object]:
        return asyncio.current_task(), await engine.vet(PROFILE)

    started = time.perf_counter()
    task, result = await asyncio.create_task(vet())
    assert time.perf_counter() - started < 2.0  # cut at 0.2 s, not 10 s
    assert InlineSlow.seen_tasks == [task, task]  # no task of their own
    status = {c.id: c.status for c in result.checks}
    assert status == {
        "fast.one": CheckStatus.OK,
        "slow.one": CheckStatus.TIMEOUT,
        "remote.one": CheckStatus.OK,
    }
    assert [c.id for c in result.checks] == ["fast.one", "slow.one", "remote.one"]  # registry order


async def test_a_cancelled_vetting_leaves_no_check_running() -> None:
    engine = Engine(Registry([Fixed("remote.one", delay=10), InlineSlow("local.one", delay=10)]))
    vetting = asyncio.create_task(engine.vet(PROFILE))
    await asyncio.sleep(0.05)
    vetting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await vetting
    await asyncio.sleep(0)
    leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert leftovers == []


async def test_missing_inputs_skip_and_disabled_checks_are_listed() -> None:
    engine = Engine(Registry([NeedsPhone("p.one"), Fixed("d.one")]))
    result = await engine.vet(PROFILE, settings=ScoringSettings(disabled=frozenset({"d.one"})))
    assert [(c.id, c.status, c.detail) for c in result.checks] == [
        ("p.one", CheckStatus.SKIPPED, "no phone"),
        ("d.one", CheckStatus.SKIPPED, "disabled by an admin"),
    ]
    assert result.score == 0


async def test_weights_and_thresholds_come_from_settings() -> None:
    engine = Engine(Registry([Fixed("a.one", weight=40), Fixed("b.one", weight=40)]))
    default = await engine.vet(PROFILE)
    assert (default.score, default.band) == (64, "high")
    assert default.thresholds == Thresholds()
    tuned = await engine.vet(
        PROFILE, settings=ScoringSettings(thresholds=Thresholds(medium=30, high=60), weights={"a.one": 80})
    )
    assert (tuned.score, tuned.band) == (88, "high")
    assert tuned.thresholds.high == 60
    assert tuned.thresholds.medium == 30  # not the default 36: read from the settings


def test_duplicate_ids_are_refused() -> None:
    import pytest

    with pytest.raises(RegistryError, match="share the id"):
        Registry([Fixed("a.one"), Fixed("a.one")])


def test_default_registry_has_the_built_ins() -> None:
    ids = Registry.default().ids()
    assert {"identity.name_consistency", "contact.phone", "contact.email"} <= set(ids)
