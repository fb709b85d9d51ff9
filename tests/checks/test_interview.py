"""``interview.observations``: each true observation is one explained finding; notes never score."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.interview import Observations
from vetbot.checks.registry import Registry
from vetbot.models.parsing import parse_profile
from vetbot.models.result import CheckStatus, Thresholds, VettingResult

NOW = datetime(2026, 6, 15, tzinfo=UTC)
ALL_FALSE = {
    "camera_off": False,
    "refused_live_id": False,
    "audio_video_mismatch": False,
    "answers_relayed": False,
    "different_person_suspected": False,
    "insisted_unusual_hours": False,
    "asked_ship_elsewhere": False,
    "asked_payment_change": False,
}


async def vet(interview: dict[str, Any] | None) -> VettingResult:
    data: dict[str, Any] = {"name": "Sung-min Park"}
    if interview is not None:
        data["interview"] = interview
    profile = parse_profile(data).profile
    return await Engine(Registry([Observations()])).vet(profile, context=CheckContext(now=NOW))


def rules(result: VettingResult) -> dict[str, int]:
    return {f.evidence["rule"]: f.points for f in result.findings}


async def test_clean_interview_is_ok_and_silent() -> None:
    result = await vet({**ALL_FALSE, "notes": "Clear communicator."})
    assert result.checks[0].status == CheckStatus.OK
    assert result.findings == []


async def test_each_true_observation_is_its_own_finding() -> None:
    result = await vet({**ALL_FALSE, "camera_off": True, "answers_relayed": True})
    assert rules(result) == {"answers_relayed": 35, "camera_off": 25}
    assert {f.source for f in result.findings} == {"FBI PSA 2023-10-18"}
    assert result.score == 51  # noisy-OR: 100·(1 − 0.65·0.75)


async def test_per_observation_points_and_sources() -> None:
    result = await vet(
        {
            "different_person_suspected": True,
            "refused_live_id": True,
            "audio_video_mismatch": True,
            "insisted_unusual_hours": True,
        }
    )
    assert rules(result) == {
        "different_person_suspected": 45,
        "refused_live_id": 40,
        "audio_video_mismatch": 25,
        "insisted_unusual_hours": 10,
    }
    sources = {f.evidence["rule"]: f.source for f in result.findings}
    assert sources["different_person_suspected"] == "FBI PSA 2025-01-23"


async def test_unusual_hours_alone_stays_low() -> None:
    result = await vet({"insisted_unusual_hours": True})
    assert result.score < Thresholds().medium


async def test_offer_stage_requests_are_left_to_the_offer_checks() -> None:
    result = await vet({**ALL_FALSE, "asked_ship_elsewhere": True, "asked_payment_change": True})
    assert result.findings == []


async def test_notes_are_never_scored() -> None:
    result = await vet({"notes": "Camera off, answers read out, a different person in round two."})
    assert result.checks[0].status == CheckStatus.SKIPPED
    assert result.findings == []


async def test_skipped_without_interview() -> None:
    assert (await vet(None)).checks[0].status == CheckStatus.SKIPPED
