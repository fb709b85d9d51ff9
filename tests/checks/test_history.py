"""``history.timeline``: impossible timelines fire; job changes, side work and moves do not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.history import Timeline
from vetbot.checks.registry import Registry
from vetbot.checks.scoring import finding_points
from vetbot.models.parsing import parse_profile
from vetbot.models.result import CheckStatus, VettingResult

NOW = datetime(2026, 6, 15, tzinfo=UTC)


async def vet(**fields: Any) -> VettingResult:
    profile = parse_profile({"name": "Marta Nowak", **fields}).profile
    return await Engine(Registry([Timeline()])).vet(profile, context=CheckContext(now=NOW))


def rules(result: VettingResult) -> dict[str, int]:
    return {f.evidence["rule"]: f.points for f in result.findings}


def job(company: str, title: str, start: str, end: str | None, country: str = "PL") -> dict[str, Any]:
    return {"company": company, "title": title, "start": start, "end": end, "country": country}


CAREER = [
    job("Allegro", "Senior Backend Engineer", "2021-03", None),
    job("Asseco Poland", "Backend Engineer", "2018-01", "2021-02"),
    job("Comarch", "Junior Backend Engineer", "2016-07", "2017-12"),
]


async def test_consistent_career_is_ok_and_silent() -> None:
    result = await vet(
        work_history=CAREER,
        claimed_years_experience=10,
        education=[{"school": "AGH", "degree": "BSc Computer Science", "start": "2012", "end": "2016"}],
    )
    assert result.checks[0].status == CheckStatus.OK
    assert result.findings == []


async def test_relocation_is_not_a_finding() -> None:
    moved = [job("Zalando", "Senior Engineer", "2022-01", None, "DE"), *CAREER[1:]]
    result = await vet(work_history=moved, claimed_years_experience=9)
    assert result.findings == []


async def test_two_full_time_jobs_for_a_year_are_a_strong_overlap() -> None:
    jobs = [
        job("Allegro", "Senior Backend Engineer", "2021-03", None),
        job("Revolut", "Backend Engineer", "2022-01", "2023-06"),
        *CAREER[1:],
    ]
    result = await vet(work_history=jobs)
    assert rules(result) == {"overlap": Timeline.weight}
    finding = result.findings[0]
    assert finding.source == "DTEX 2024-10"
    assert finding.evidence["overlaps"][0]["months"] == 17


async def test_notice_period_overlap_is_noise() -> None:
    jobs = [
        job("Allegro", "Senior Backend Engineer", "2021-01", None),
        job("Asseco Poland", "Backend Engineer", "2018-01", "2021-03"),
    ]
    assert (await vet(work_history=jobs)).findings == []


async def test_freelance_and_part_time_overlaps_are_not_counted() -> None:
    jobs = [
        job("Self-employed", "Freelance Backend Engineer", "2023-08", None),
        job("Cobalt Pixel", "Contract Backend Engineer (part-time)", "2024-01", "2025-02"),
        job("Allegro", "Backend Engineer", "2019-01", "2024-06"),
    ]
    assert (await vet(work_history=jobs)).findings == []


async def test_claimed_years_far_beyond_a_history_that_starts_junior() -> None:
    jobs = [
        job("Allegro", "Backend Engineer", "2024-06", None),
        job("Comarch", "Junior Backend Engineer", "2022-06", "2024-05"),
    ]  # 4 years from the first, junior, job
    result = await vet(work_history=jobs, claimed_years_experience=12)
    assert rules(result) == {"years_exceed_history": Timeline.weight}
    assert result.findings[0].evidence["history_span_years"] == 4.0


async def test_a_resume_listing_only_recent_senior_jobs_weighs_half() -> None:
    jobs = [job("Allegro", "Senior Backend Engineer", "2022-06", None)]
    result = await vet(work_history=jobs, claimed_years_experience=12)
    assert rules(result) == {"years_exceed_history": finding_points(Timeline.weight, 0.5)}


async def test_rounding_and_internships_are_tolerated() -> None:
    jobs = [job("Allegro", "Backend Engineer", "2020-06", None)]  # 6 years
    assert (await vet(work_history=jobs, claimed_years_experience=8)).findings == []


async def test_senior_role_years_before_a_first_degree_is_modest() -> None:
    jobs = [job("Allegro", "Lead Engineer", "2010-01", "2014-01")]
    result = await vet(
        work_history=jobs,
        education=[{"school": "AGH", "degree": "BSc Computer Science", "start": "2015", "end": "2018"}],
    )
    assert rules(result) == {"senior_before_degree": finding_points(Timeline.weight, 0.4)}


async def test_masters_after_a_senior_job_is_normal() -> None:
    jobs = [job("Allegro", "Senior Engineer", "2010-01", "2014-01")]
    result = await vet(
        work_history=jobs,
        education=[{"school": "AGH", "degree": "MSc Computer Science", "start": "2015", "end": "2017"}],
    )
    assert result.findings == []


async def test_skipped_without_work_history() -> None:
    result = await vet(claimed_years_experience=10)
    assert result.checks[0].status == CheckStatus.SKIPPED


async def test_skipped_when_no_job_has_dates() -> None:
    result = await vet(work_history=[{"company": "Allegro"}])
    assert result.checks[0].status == CheckStatus.SKIPPED
