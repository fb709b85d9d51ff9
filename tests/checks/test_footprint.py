"""``footprint.accounts``: a brand-new footprint behind a long career; the rest stays quiet."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.footprint import Accounts
from vetbot.checks.registry import Registry
from vetbot.checks.scoring import finding_points
from vetbot.models.parsing import parse_profile
from vetbot.models.result import CheckStatus, Thresholds, VettingResult

NOW = datetime(2026, 6, 15, tzinfo=UTC)


async def vet(**fields: Any) -> VettingResult:
    profile = parse_profile({"name": "Tomás García", **fields}).profile
    return await Engine(Registry([Accounts()])).vet(profile, context=CheckContext(now=NOW))


def points(result: VettingResult) -> list[int]:
    return [f.points for f in result.findings]


async def test_months_old_accounts_against_ten_years_is_moderate() -> None:
    accounts = [
        {"site": "github", "handle": "tgarcia", "created": "2026-02-01"},
        {"site": "linkedin", "handle": "tomas-garcia", "created": "2025-12-10"},
    ]
    result = await vet(online_accounts=accounts, claimed_years_experience=10)
    assert points(result) == [Accounts.weight]
    finding = result.findings[0]
    assert finding.evidence["oldest_account"] == {"site": "linkedin", "created": "2025-12-10"}
    assert finding.source == "FBI PSA 2023-10-18"
    # calibrated: full strength alone now reaches medium (for a person to look at), not high
    assert Thresholds().medium <= result.score < Thresholds().high


async def test_strength_follows_how_extreme() -> None:
    young = [{"site": "github", "created": "2024-12-01"}]  # 1.5 years
    assert points(await vet(online_accounts=young, claimed_years_experience=6)) == [
        finding_points(Accounts.weight, 0.5)
    ]
    assert points(await vet(online_accounts=young, claimed_years_experience=9)) == [
        finding_points(Accounts.weight, 0.7)
    ]


async def test_new_github_next_to_an_old_linkedin_is_fine() -> None:
    accounts = [
        {"site": "github", "created": "2026-03-01"},
        {"site": "linkedin", "created": "2013-05-20T10:00:00Z"},
    ]
    assert (await vet(online_accounts=accounts, claimed_years_experience=12)).findings == []


async def test_new_account_with_few_claimed_years_is_fine() -> None:
    accounts = [{"site": "github", "created": "2026-01-15"}]
    assert (await vet(online_accounts=accounts, claimed_years_experience=2)).findings == []


async def test_work_history_stands_in_for_missing_claimed_years() -> None:
    accounts = [{"site": "linkedin", "created": "2026-01-15"}]
    result = await vet(online_accounts=accounts, work_history=[{"company": "Globant", "start": "2017-01"}])
    assert result.findings[0].evidence["experience_basis"] == "work_history"


async def test_people_off_social_media_are_skipped() -> None:
    result = await vet(claimed_years_experience=15)
    assert result.checks[0].status == CheckStatus.SKIPPED
    undated = await vet(online_accounts=[{"site": "github", "handle": "tg"}], claimed_years_experience=15)
    assert undated.checks[0].status == CheckStatus.SKIPPED


async def test_skipped_without_any_experience_claim() -> None:
    result = await vet(online_accounts=[{"site": "github", "created": "2026-01-15"}])
    assert result.checks[0].status == CheckStatus.SKIPPED
