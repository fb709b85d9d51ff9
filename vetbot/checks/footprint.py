"""``footprint.accounts``: is the online footprint as old as the career it vouches for?

The US–ROK PSA names online profiles that do not fit the résumé [G2]; SEAL notes that
personas are built quickly, and that aged accounts get bought or hijacked [C1]. A developer
claiming eight years whose *oldest* account is a few months old has no public trace of
those years.

Only the oldest dated account counts: a new GitHub next to a ten-year-old LinkedIn is a
person who kept their code private until now (a benign look-alike), not a fresh persona.
People off social media, accounts without a ``created`` date, and new accounts with few
claimed years are all silent. Bought, aged accounts evade this check: it is corroboration,
weighted moderate, never decisive.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal, SkipCheck
from vetbot.checks.context import CheckContext
from vetbot.models.profile import Profile

MIN_CLAIMED_YEARS = 5.0
MAX_YOUNG_AGE_YEARS = 2.0
# (account younger than, claimed years at least) → strength; first match wins.
TIERS: tuple[tuple[float, float, float], ...] = (
    (1.0, 8.0, 1.0),
    (1.0, 5.0, 0.8),
    (2.0, 8.0, 0.7),
    (2.0, 5.0, 0.5),
)


def young_account_strength(age_years: float, claimed_years: float) -> float | None:
    """How strongly an account ``age_years`` old contradicts ``claimed_years`` of career, by
    ``TIERS``; None when the claim is too short or the account old enough to say nothing.
    Shared with ``footprint.github_api`` (GitHub's own date), so both read the same way."""
    if claimed_years < MIN_CLAIMED_YEARS or age_years >= MAX_YOUNG_AGE_YEARS:
        return None
    return next(
        (s for max_age, min_years, s in TIERS if age_years < max_age and claimed_years >= min_years), None
    )


def _claimed_years(profile: Profile, now: date) -> tuple[float | None, str]:
    """The claimed experience, or else the span the work history covers."""
    if profile.claimed_years_experience is not None:
        return float(profile.claimed_years_experience), "claimed_years_experience"
    starts = [j.start for j in profile.work_history if j.start]
    if not starts:
        return None, ""
    year, month = (int(p) for p in min(starts).split("-"))
    return ((now.year - year) * 12 + now.month - month) / 12, "work_history"


class Accounts(Check):
    """Weight 40, moderate evidence [G2][C1]. Fires when the oldest dated account is
    younger than two years while five or more years are claimed. Strength by how extreme:
    < 1 year with ≥ 8 claimed 1.0 (40 points: medium, for a person to look at); < 1 year
    with ≥ 5 0.8 (32); < 2 years with ≥ 8 0.7 (28); < 2 years with ≥ 5 0.5 (20). Dates in
    the future (clock skew, typos) are read as age 0 only when within the next 31 days, else
    the account is ignored.
    """

    id: ClassVar[str] = "footprint.accounts"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "Online accounts are about as old as the claimed career"
    weight: ClassVar[int] = 40
    evidence: ClassVar[Evidence] = Evidence.MODERATE
    inputs: ClassVar[tuple[str, ...]] = ("online_accounts.created",)
    source: ClassVar[str] = sources.G2

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        today = context.now.date()
        dated = [
            a for a in profile.online_accounts if a.created is not None and (a.created - today).days <= 31
        ]
        if not dated:
            raise SkipCheck("no online_accounts with a plausible created date")
        claimed, basis = _claimed_years(profile, today)
        if claimed is None:
            raise SkipCheck("no claimed_years_experience or work_history dates")
        oldest = min(dated, key=lambda a: a.created or today)
        assert oldest.created is not None
        age = max(0.0, (today - oldest.created).days / 365.25)
        strength = young_account_strength(age, claimed)
        if strength is None:
            return []
        return [
            Signal(
                rule="accounts_younger_than_career",
                summary=(
                    f"Oldest online account ({oldest.site}) is {age:.1f} years old; "
                    f"candidate claims {claimed:g} years of experience"
                ),
                strength=strength,
                evidence={
                    "oldest_account": {"site": oldest.site, "created": oldest.created.isoformat()},
                    "account_age_years": round(age, 1),
                    "experience_years": round(claimed, 1),
                    "experience_basis": basis,
                    "accounts_dated": len(dated),
                },
            )
        ]


CHECKS: list[Check] = [Accounts()]
