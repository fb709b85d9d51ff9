"""``location.timezone`` through the engine. Zones and offsets come from the bundled tzdata."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from vetbot.checks.context import CheckContext, IntelEntry, PriorMatch
from vetbot.checks.engine import Engine
from vetbot.checks.location import TimezoneCheck
from vetbot.checks.registry import Registry
from vetbot.models.profile import Profile
from vetbot.models.result import CheckStatus, Thresholds, VettingResult

NOW = datetime(2026, 6, 1, tzinfo=UTC)


class FakeStore:
    async def prior_matches(
        self, keys: Sequence[tuple[str, str]], exclude_candidate: str
    ) -> list[PriorMatch]:
        return []

    async def intel_entries(self) -> Sequence[IntelEntry]:
        return []


def stamps(hours: Sequence[int], offset_hours: float, start: datetime | None = None) -> list[str]:
    """One timestamp a day at each local ``hour``, written with the given UTC offset."""
    tz = timezone(timedelta(hours=offset_hours))
    day = (start or datetime(2026, 5, 4, tzinfo=UTC)).replace(tzinfo=tz)
    return [(day + timedelta(days=i, hours=h, minutes=7)).isoformat() for i, h in enumerate(hours)]


def profile(
    country: str | None, tz: str | None, times: list[str] | None = None, city: str | None = None, **extra: Any
) -> Profile:
    location = {"city": city, "country": country} if country or city else None
    data = {"name": "Test Candidate", "location": location, "timezone": tz, "activity_times": times or []}
    return Profile.model_validate({**data, **extra})


async def vet(p: Profile) -> VettingResult:
    engine = Engine(Registry([TimezoneCheck()]))
    return await engine.vet(p, context=CheckContext(now=NOW, store=FakeStore()))


def rules(result: VettingResult) -> dict[str, int]:
    return {f.evidence["rule"]: f.points for f in result.findings}


OFFICE = [9, 10, 11, 13, 14, 15, 16, 17, 10, 12]


@pytest.mark.parametrize(
    ("country", "city", "tz", "offset"),
    [
        ("KR", "Seoul", "Asia/Seoul", 9),
        ("JP", "Tokyo", "Asia/Tokyo", 9),
        ("CN", "Shanghai", "Asia/Shanghai", 8),
    ],
)
async def test_east_asia_residents_on_local_hours_score_zero(
    country: str, city: str, tz: str, offset: int
) -> None:
    local = await vet(profile(country, tz, stamps(OFFICE, offset), city=city))
    as_utc = await vet(profile(country, tz, stamps([h - offset for h in OFFICE], 0), city=city))
    for result in (local, as_utc):
        assert result.checks[0].status == CheckStatus.OK
        assert result.findings == [] and result.score == 0


async def test_claimed_new_yorker_on_korean_office_hours() -> None:
    result = await vet(profile("US", "America/New_York", stamps(OFFICE, 9), city="New York"))
    assert rules(result) == {"offset_mismatch": 25}
    (finding,) = result.findings
    assert finding.evidence["dominant_offset"] == "UTC+09:00"
    assert finding.evidence["place_offsets"] == ["UTC-04:00"]
    assert result.band == "low"


async def test_utc_stamps_of_korean_office_hours_are_new_york_nights() -> None:
    as_utc = stamps([h - 9 for h in OFFICE], 0)  # KST 09:00–17:00 written in UTC
    result = await vet(profile("US", "America/New_York", as_utc, city="New York"))
    (finding,) = result.findings
    assert finding.evidence["rule"] == "night_share" and finding.evidence["night"] == 5
    assert finding.points == 15 and result.band == "low"


async def test_time_zone_findings_alone_never_reach_medium() -> None:
    night = stamps([1, 2, 3, 4, 2, 3, 1, 0, 2, 3], 9)
    p = profile("US", "Asia/Seoul", night, city="New York", interview={"insisted_unusual_hours": True})
    result = await vet(p)
    assert len(result.findings) >= 2
    assert result.score < Thresholds().medium and result.band == "low"
    assert all(0 < f.points <= 25 for f in result.findings)


@pytest.mark.parametrize(
    ("country", "tz", "rule_points"),
    [
        ("PL", "Asia/Shanghai", {"zone_country": 20}),
        ("PL", "Europe/London", {"zone_country": 10}),
        ("PL", "Europe/Berlin", {}),  # same clock as Warsaw
        ("Poland", "Europe/Warsaw", {}),
        ("PL", "UTC", {}),  # names no place
        ("PL", "Mars/Olympus_Mons", {"zone_country": 5}),  # not an IANA zone: low, no crash
        ("US", "America/Phoenix", {}),
        ("KR", "Asia/Seoul", {}),
    ],
)
async def test_claimed_zone_against_claimed_country(
    country: str, tz: str, rule_points: dict[str, int]
) -> None:
    result = await vet(profile(country, tz))
    assert result.checks[0].status == CheckStatus.OK
    assert rules(result) == rule_points


async def test_night_owl_with_few_timestamps_is_quiet() -> None:
    assert rules(await vet(profile("PL", "Europe/Warsaw", stamps([1, 2, 3, 2, 1], 2)))) == {}


async def test_night_owl_with_some_late_nights_stays_below_the_floor() -> None:
    hours = [10, 11, 14, 15, 16, 1, 2, 20, 21, 13]  # 2 of 10 after midnight
    assert rules(await vet(profile("PL", "Europe/Warsaw", stamps(hours, 2)))) == {}


async def test_mostly_nocturnal_activity_with_enough_timestamps_fires() -> None:
    hours = [1, 2, 3, 4, 2, 3, 14, 15, 2, 3]  # 8 of 10 at local night, local offset
    result = await vet(profile("PL", "Europe/Warsaw", stamps(hours, 2)))
    (finding,) = result.findings
    assert finding.evidence["rule"] == "night_share" and finding.evidence["share"] == 0.8
    assert finding.points == 23  # 0.3 + (0.8 - 0.25) x 1.2, capped at 0.9


async def test_dst_transitions_with_correct_offsets_are_consistent() -> None:
    # Warsaw leaves CET (+01:00) on 2026-03-29 and New York EST (-05:00) on 2026-03-08.
    warsaw = stamps(OFFICE[:5], 1, datetime(2026, 3, 24, tzinfo=UTC)) + stamps(
        OFFICE[5:], 2, datetime(2026, 3, 29, tzinfo=UTC)
    )
    new_york = stamps(OFFICE[:5], -5, datetime(2026, 3, 3, tzinfo=UTC)) + stamps(
        OFFICE[5:], -4, datetime(2026, 3, 8, tzinfo=UTC)
    )
    assert rules(await vet(profile("PL", "Europe/Warsaw", warsaw))) == {}
    assert rules(await vet(profile("US", "America/New_York", new_york, city="New York"))) == {}


async def test_winter_offset_kept_all_summer_is_a_mismatch() -> None:
    result = await vet(profile("PL", "Europe/Warsaw", stamps(OFFICE, 1, datetime(2026, 6, 1, tzinfo=UTC))))
    assert set(rules(result)) == {"offset_mismatch"}


async def test_multi_zone_country_without_zone_accepts_any_local_offset() -> None:
    pacific = stamps(OFFICE, -7)
    assert rules(await vet(profile("US", None, pacific, city="Springfield"))) == {}
    # a city that is a zone's city narrows the place: Chicago is UTC-05:00 in May
    assert set(rules(await vet(profile("US", None, pacific, city="Chicago")))) == {"offset_mismatch"}


async def test_relocated_candidate_few_old_offsets_is_quiet() -> None:
    times = stamps(OFFICE[:3], 9) + stamps(
        OFFICE[3:], 2, datetime(2026, 5, 10, tzinfo=UTC)
    )  # moved from Seoul
    assert rules(await vet(profile("PL", "Europe/Warsaw", times))) == {}


async def test_unusual_hours_is_left_to_the_interview_check() -> None:
    """One observation, one score: ``interview.observations`` scores it, not this check."""
    p = profile("PL", "Europe/Warsaw", interview={"insisted_unusual_hours": True})
    assert rules(await vet(p)) == {}


async def test_nothing_to_compare_is_skipped() -> None:
    no_place = await vet(profile(None, None, stamps(OFFICE, 9)))
    unknown_country = await vet(profile("Atlantis", None, stamps(OFFICE, 9)))
    for result in (no_place, unknown_country):
        assert result.checks[0].status == CheckStatus.SKIPPED and result.findings == []
