"""``footprint.github_api`` (optional, online): does the GitHub account exist, and is it as old
as the career it vouches for?

The US–ROK PSA names online profiles that do not fit the résumé [G2]; SEAL and the
community's GitHub analysers look first at account age, because personas are built quickly
and a profile's ``created`` date is whatever the persona types [C1][C2]. GitHub's API gives
the real date. Three rules, each scoring a fact no offline check has already scored:

- the account does not exist (404): a handle on a résumé that nobody owns. Look-alikes: a
  typo, a renamed account (GitHub does not redirect old logins), an account deleted by its
  owner — hence corroboration only, never decisive;
- the profile's own ``online_accounts`` entry gives a GitHub ``created`` date more than 90
  days earlier than GitHub's: the persona misstates its age;
- with no dated account in the profile (``footprint.accounts`` had nothing to judge), the
  real age is judged as that check would: younger than two years against five or more
  claimed years. A new account beside an old dated one stays silent, as there: people keep
  code private for years.

Off unless configured (``VETBOT_PROVIDERS=github`` or ``VETBOT_GITHUB_TOKEN``); the check is then
``skipped``. When GitHub is down, slow or rate-limiting, the check is ``error``/``timeout``
("unavailable"), never a finding, and the chat workflow re-checks it later and updates the
card. Bought or hijacked aged accounts evade it, as they evade ``footprint.accounts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal, SkipCheck
from vetbot.checks.context import CheckContext
from vetbot.checks.footprint import _claimed_years, young_account_strength
from vetbot.checks.providers.base import ProviderCheck
from vetbot.checks.providers.github import PROVIDER, GitHubApi, GitHubUser, login_of
from vetbot.checks.providers.settings import ProviderSettings
from vetbot.models.profile import OnlineAccount, Profile

MISSING_STRENGTH = 0.6
MISSTATED_STRENGTH = 0.8
MISSTATED_DAYS = 90  # a claimed date this much earlier than GitHub's is not rounding


class GitHubAccount(ProviderCheck):
    """Weight 40, moderate evidence [G2][C1]. Asks GitHub (``GET /users/{login}``) for the
    account named by ``github`` (or an ``online_accounts`` entry on site ``github``).
    Account missing (404): strength 0.6 (24 points). Profile's GitHub ``created`` more than
    90 days before GitHub's own date: 0.8 (32). No dated account in the profile and the real
    account younger than two years while five or more years are claimed: the tiers of
    ``footprint.accounts`` (< 1 year with ≥ 8 claimed 1.0 … < 2 years with ≥ 5 0.5).
    Unavailable (timeout, 5xx, rate limit, open breaker) is ``error``/``timeout`` and is
    re-checked later; it is never a finding.
    """

    id: ClassVar[str] = "footprint.github_api"
    title: ClassVar[str] = "GitHub account exists and is as old as the claimed career (online)"
    weight: ClassVar[int] = 40
    evidence: ClassVar[Evidence] = Evidence.MODERATE
    inputs: ClassVar[tuple[str, ...]] = ("github", "online_accounts.handle")
    source: ClassVar[str] = sources.G2
    provider: ClassVar[str] = PROVIDER
    recheck_fields: ClassVar[tuple[str, ...]] = (
        "id",
        "name",
        "github",
        "online_accounts",
        "claimed_years_experience",
        "work_history",
    )

    def __init__(self, api: GitHubApi | None = None) -> None:
        super().__init__(api.client if api is not None else None)
        self.api = api

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        login, claimed = _github_account(profile)
        assert self.api is not None  # missing_inputs skips the check when GitHub is off
        user = await self.api.user(login)
        if user is None:
            return [
                Signal(
                    rule="account_missing",
                    summary=f'GitHub account "{login}" does not exist (GitHub answered 404)',
                    strength=MISSING_STRENGTH,
                    evidence={"login": login, "http_status": 404},
                    source=sources.C1,
                )
            ]
        today = context.now.date()
        evidence = _evidence(user, today)
        if claimed is not None and claimed.created is not None:
            gap = (user.created - claimed.created).days
            if gap > MISSTATED_DAYS:
                return [
                    Signal(
                        rule="created_misstated",
                        summary=(
                            f"Profile says the GitHub account was created {claimed.created.isoformat()}; "
                            f"GitHub says {user.created.isoformat()}"
                        ),
                        strength=MISSTATED_STRENGTH,
                        evidence={
                            **evidence,
                            "claimed_created": claimed.created.isoformat(),
                            "gap_days": gap,
                        },
                        source=sources.C1,
                    )
                ]
            return []  # the claimed date holds: footprint.accounts judged the age with it
        if any(a.created is not None for a in profile.online_accounts):
            return []  # footprint.accounts judged the dated accounts; an old one vouches
        return _young(profile, user, today, evidence)


def _github_account(profile: Profile) -> tuple[str, OnlineAccount | None]:
    """The login to look up and the profile's own GitHub account entry (for its date)."""
    entries = [a for a in profile.online_accounts if a.site.strip().lower() == "github"]
    raw = profile.github or next((a.handle for a in entries if a.handle), None)
    if not raw:
        raise SkipCheck("no GitHub login")
    login = login_of(raw)
    if login is None:
        raise SkipCheck("github is not a GitHub login")
    same = [a for a in entries if _same_login(a.handle, login)]
    # an undated handle-less entry is the same account only when it is the only one
    claimed = same[0] if same else (entries[0] if len(entries) == 1 and not entries[0].handle else None)
    return login, claimed


def _same_login(handle: str | None, login: str) -> bool:
    found = login_of(handle) if handle else None
    return found is not None and found.lower() == login.lower()


def _evidence(user: GitHubUser, today: date) -> dict[str, object]:
    return {
        "login": user.login,
        "created": user.created.isoformat(),
        "account_age_years": round(max(0.0, (today - user.created).days / 365.25), 1),
        "account_type": user.kind,
        "public_repos": user.public_repos,
        "followers": user.followers,
    }


def _young(profile: Profile, user: GitHubUser, today: date, evidence: dict[str, object]) -> list[Signal]:
    claimed, basis = _claimed_years(profile, today)
    age = max(0.0, (today - user.created).days / 365.25)
    strength = young_account_strength(age, claimed) if claimed is not None else None
    if claimed is None or strength is None:
        return []
    return [
        Signal(
            rule="account_younger_than_career",
            summary=(
                f"GitHub account {user.login} was created {user.created.isoformat()} ({age:.1f} years ago); "
                f"candidate claims {claimed:g} years of experience"
            ),
            strength=strength,
            evidence={**evidence, "experience_years": round(claimed, 1), "experience_basis": basis},
        )
    ]


def checks(providers: ProviderSettings | None = None) -> list[Check]:
    """A fresh instance per registry: its client holds the breaker, which must not be shared
    between registries (tests) or survive a reconfiguration."""
    if providers is None or providers.github is None:
        return [GitHubAccount()]
    return [GitHubAccount(GitHubApi.build(providers.github, providers.client))]
