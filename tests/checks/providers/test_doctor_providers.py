"""``vetbot doctor`` on network providers: off is fine, on is described and probed once."""

from __future__ import annotations

import json

import pytest

from tests.checks.providers.fake_github import FakeGitHub, serve
from vetbot.bot.cli.doctor import FAIL, OK, WARN, _providers

TOKEN = "ghp_doctorMustNeverPrintThis0000000"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("VETBOT_"):
            monkeypatch.delenv(name)


async def test_off_by_default_is_ok() -> None:
    (finding,) = await _providers()
    assert (finding.check, finding.status) == ("network providers", OK)
    assert "VETBOT_PROVIDERS=github" in finding.fix


async def test_on_and_reachable_shows_quota_and_breaker(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeGitHub()
    async with serve(fake) as url:
        monkeypatch.setenv("VETBOT_GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("VETBOT_GITHUB_API_URL", url)
        findings = {f.check: f for f in await _providers()}
    assert findings["GitHub provider"].status == OK
    assert findings["VETBOT_GITHUB_TOKEN"].fix == "set"
    reachable = findings["GitHub reachable"]
    assert reachable.status == OK and "4990/5000" in reachable.fix and "5 failures for 60 s" in reachable.fix
    assert fake.requests[0][0] == "/rate_limit"
    assert TOKEN not in json.dumps([f.fix for f in findings.values()])


async def test_on_but_down_warns_without_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeGitHub()
    async with serve(fake) as url:
        pass  # gone: connection refused
    monkeypatch.setenv("VETBOT_PROVIDERS", "github")
    monkeypatch.setenv("VETBOT_GITHUB_API_URL", url)
    findings = {f.check: f for f in await _providers()}
    assert findings["VETBOT_GITHUB_TOKEN"].status == WARN  # 60 requests an hour
    down = findings["GitHub reachable"]
    assert down.status == WARN and "ProviderDown" in down.fix and "re-checked later" in down.fix


async def test_plain_http_to_a_remote_host_warns_and_bad_settings_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VETBOT_PROVIDERS", "github,gitlab")
    (bad,) = await _providers()
    assert bad.status == FAIL and "gitlab" in bad.fix
    monkeypatch.setenv("VETBOT_PROVIDERS", "github")
    monkeypatch.setenv("VETBOT_GITHUB_API_URL", "http://192.0.2.10/api/v3")  # TEST-NET: no DNS
    monkeypatch.setenv("VETBOT_PROVIDER_REQUEST_TIMEOUT", "0.05")
    findings = {f.check: f for f in await _providers()}  # the probe cannot leave loopback in tests
    assert findings["GitHub reachable"].status == WARN
    assert findings["GitHub provider"].status == WARN and "not https" in findings["GitHub provider"].fix
