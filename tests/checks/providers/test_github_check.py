"""``footprint.github_api`` against a local fake of GitHub's REST API, through the real engine:
what GitHub's answers mean (404 and a young account are findings, an old one is not), that
an unavailable GitHub is never a finding, and that the check is off unless configured."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from tests.checks.providers.fake_github import HANG, NOT_FOUND, FakeGitHub, Reply, serve, user, years_ago
from tests.handlers.chat_fixtures import FlagCheck
from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.footprint import Accounts
from vetbot.checks.github_api import GitHubAccount, checks
from vetbot.checks.providers.github import GitHubApi, login_of
from vetbot.checks.providers.settings import ClientSettings, GitHubSettings, ProviderSettings
from vetbot.checks.registry import Registry
from vetbot.models.parsing import parse_profile
from vetbot.models.result import VettingResult

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
LOGIN = "jkowalski-dev"
SENIOR = {"name": "Jan Kowalski", "github": LOGIN, "claimed_years_experience": 8}


def github_check(url: str, **client: Any) -> GitHubAccount:
    settings = ClientSettings(**{"request_timeout": 2.0, "retries": 0, "deadline": 4.0, **client})
    return GitHubAccount(GitHubApi.build(GitHubSettings(api_url=url, token=SecretStr("t")), settings))


async def vet(check: GitHubAccount, *others: Any, cut: float = 5.0, **fields: Any) -> VettingResult:
    profile = parse_profile({**SENIOR, **fields}).profile
    engine = Engine(Registry([check, *others]), default_timeout=cut)
    return await engine.vet(profile, context=CheckContext(now=NOW))


def status(result: VettingResult, check_id: str = "footprint.github_api") -> tuple[str, str | None]:
    run = next(c for c in result.checks if c.id == check_id)
    return run.status.value, run.detail


async def test_an_account_github_does_not_know_is_a_finding() -> None:
    fake = FakeGitHub(script=[NOT_FOUND])
    async with serve(fake) as url:
        result = await vet(github_check(url), github=f"https://github.com/{LOGIN}/")
    assert status(result) == ("ok", None)
    (finding,) = result.findings
    assert finding.evidence == {"rule": "account_missing", "login": LOGIN, "http_status": 404}
    assert finding.points == 24  # 0.6 of 40: corroboration, never decisive alone
    assert finding.source == "SEAL Frameworks, Insider Threats"
    assert fake.requests[0][0] == f"/users/{LOGIN}"


async def test_a_young_account_behind_a_long_career_is_a_finding_with_evidence() -> None:
    fake = FakeGitHub(script=[user(LOGIN, years_ago(0.5, NOW), public_repos=3, followers=1)])
    async with serve(fake) as url:
        result = await vet(github_check(url))
    (finding,) = result.findings
    assert finding.check == "footprint.github_api"
    assert finding.points == 40  # < 1 year against ≥ 8 claimed: the footprint.accounts tiers
    assert finding.source == "FBI PSA 2023-10-18"
    assert finding.evidence["rule"] == "account_younger_than_career"
    assert finding.evidence["created"] == (NOW - timedelta(days=182.625)).date().isoformat()
    assert finding.evidence["account_age_years"] == 0.5
    assert finding.evidence["experience_years"] == 8
    assert (finding.evidence["public_repos"], finding.evidence["followers"]) == (3, 1)
    assert LOGIN in finding.summary and "8 years" in finding.summary


async def test_an_old_account_is_no_finding() -> None:
    fake = FakeGitHub(script=[user(LOGIN, years_ago(11, NOW))])
    async with serve(fake) as url:
        result = await vet(github_check(url))
    assert status(result) == ("ok", None)
    assert result.findings == [] and result.score == 0


async def test_a_young_account_with_few_claimed_years_is_no_finding() -> None:
    fake = FakeGitHub(script=[user(LOGIN, years_ago(0.5, NOW))])
    async with serve(fake) as url:
        result = await vet(github_check(url), claimed_years_experience=2)
    assert result.findings == []


async def test_a_misstated_creation_date_is_a_finding_and_the_age_is_not_scored_twice() -> None:
    accounts = [{"site": "github", "handle": LOGIN, "created": "2013-04-01"}]
    fake = FakeGitHub(script=[user(LOGIN, datetime(2026, 3, 2, tzinfo=UTC))])
    async with serve(fake) as url:
        result = await vet(github_check(url), Accounts(), online_accounts=accounts)
    (finding,) = result.findings  # footprint.accounts believed 2013 and stayed silent
    assert finding.evidence["rule"] == "created_misstated"
    assert finding.evidence["claimed_created"] == "2013-04-01"
    assert finding.evidence["created"] == "2026-03-02"
    assert finding.points == 32


async def test_a_new_github_beside_an_old_dated_account_stays_silent() -> None:
    accounts = [{"site": "linkedin", "handle": "jan-kowalski", "created": "2012-05-01"}]
    fake = FakeGitHub(script=[user(LOGIN, years_ago(0.3, NOW))])
    async with serve(fake) as url:
        result = await vet(github_check(url), Accounts(), online_accounts=accounts)
    assert result.findings == []  # code kept private for years: the benign look-alike


async def test_the_login_comes_from_online_accounts_too() -> None:
    fake = FakeGitHub(script=[NOT_FOUND])
    async with serve(fake) as url:
        result = await vet(
            github_check(url), github=None, online_accounts=[{"site": "GitHub", "handle": "@jk"}]
        )
    assert [f.evidence["login"] for f in result.findings] == ["jk"]


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"github": None}, "no github or online_accounts.handle"),
        ({"github": "not a login!"}, "github is not a GitHub login"),
        ({"github": None, "online_accounts": [{"site": "gitlab", "handle": "jk"}]}, "no GitHub login"),
    ],
)
async def test_no_usable_login_is_skipped_without_a_request(fields: dict[str, Any], detail: str) -> None:
    fake = FakeGitHub()
    async with serve(fake) as url:
        result = await vet(github_check(url), **fields)
    assert status(result) == ("skipped", detail)
    assert fake.requests == []


async def test_rate_limited_is_unavailable_never_a_finding() -> None:
    reset = str(int(time.time()) + 3600)
    limited = Reply(
        403,
        {"message": "API rate limit exceeded"},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset, "x-ratelimit-limit": "60"},
    )
    async with serve(FakeGitHub(script=[limited])) as url:
        result = await vet(github_check(url))
    assert status(result) == ("error", "unavailable: github rate limited")
    assert result.findings == [] and [c.id for c in result.unavailable_checks()] == ["footprint.github_api"]


async def test_a_hanging_github_is_cut_at_its_timeout_while_the_other_checks_complete() -> None:
    fake = FakeGitHub(default=HANG)
    async with serve(fake) as url:
        check = github_check(url, request_timeout=30.0, deadline=30.0)  # only the engine's cut
        started = time.perf_counter()
        result = await vet(check, FlagCheck(), cut=0.4, name="Risky Jan")
        elapsed = time.perf_counter() - started
    assert status(result) == ("timeout", "no answer within 0.4 s")
    assert status(result, "test.flag") == ("ok", None)
    assert [f.check for f in result.findings] == ["test.flag"]  # scored without GitHub
    assert elapsed < 2.0
    assert check.client is not None and check.client.breaker.snapshot().consecutive_failures == 1


async def test_five_failed_vettings_open_the_breaker_and_the_sixth_fails_fast() -> None:
    fake = FakeGitHub(default=Reply(502, {"message": "Bad Gateway"}))
    async with serve(fake) as url:
        check = github_check(url, retries=0)
        for _ in range(5):
            assert status(await vet(check)) == ("error", "unavailable: github down")
        sixth = await vet(check)
    assert status(sixth) == ("error", "unavailable: github circuit open")
    assert fake.user_requests == 5
    assert check.retry_in() == pytest.approx(60, abs=1)


async def test_off_unless_configured_and_then_skipped_with_the_switch() -> None:
    (check,) = checks(None)
    assert isinstance(check, GitHubAccount) and not check.configured
    result = await Engine(Registry([check])).vet(parse_profile(SENIOR).profile)
    assert status(result) == ("skipped", "github provider off (offline; VETBOT_PROVIDERS=github enables it)")
    assert "footprint.github_api" in Registry.default(plugins=False)  # listed and documented anyway


def test_settings_from_the_environment() -> None:
    off = ProviderSettings.from_env({})
    assert off.github is None and off.enabled == ()
    on = ProviderSettings.from_env({"VETBOT_PROVIDERS": "GitHub"}, check_timeout=5)
    assert on.github == GitHubSettings() and on.enabled == ("github",)
    assert on.client.deadline == pytest.approx(4.75)
    token = ProviderSettings.from_env(
        {"VETBOT_GITHUB_TOKEN": "ghp_x", "VETBOT_GITHUB_API_URL": "https://ghe.example/api/v3/"}
    )
    assert token.github is not None and token.github.api_url == "https://ghe.example/api/v3"
    assert token.github.token is not None and "ghp_x" not in repr(token)
    tuned = ProviderSettings.from_env(
        {
            "VETBOT_PROVIDERS": "github",
            "VETBOT_PROVIDER_RETRIES": "0",
            "VETBOT_PROVIDER_BREAKER_FAILURES": "3",
            "VETBOT_PROVIDER_BREAKER_COOLDOWN": "15",
            "VETBOT_PROVIDER_REQUEST_TIMEOUT": "1.5",
        }
    )
    assert (tuned.client.retries, tuned.client.breaker_failures) == (0, 3)
    assert (tuned.client.breaker_cooldown, tuned.client.request_timeout) == (15.0, 1.5)
    assert ProviderSettings.from_env({"VETBOT_PROVIDERS": "none"}).github is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VETBOT_PROVIDERS": "github,linkedin"}, "VETBOT_PROVIDERS: unknown provider 'linkedin'"),
        ({"VETBOT_PROVIDERS": "github", "VETBOT_GITHUB_API_URL": "api.github.com"}, "VETBOT_GITHUB_API_URL"),
        ({"VETBOT_PROVIDER_RETRIES": "two"}, "VETBOT_PROVIDER_RETRIES: not a number"),
        ({"VETBOT_PROVIDER_BREAKER_COOLDOWN": "0"}, "VETBOT_PROVIDER_BREAKER_COOLDOWN: must be > 0"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProviderSettings.from_env(env)


@pytest.mark.parametrize(
    ("raw", "login"),
    [
        ("octocat", "octocat"),
        ("@octocat", "octocat"),
        ("https://github.com/octo-cat/", "octo-cat"),
        ("github.com/octocat/repo", "octocat"),
        ("octo--cat", None),
        ("-octocat", None),
        ("a" * 40, None),
        ("jan kowalski", None),
    ],
)
def test_login_normalisation(raw: str, login: str | None) -> None:
    assert login_of(raw) == login
