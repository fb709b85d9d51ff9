"""Which unavailable checks get a re-check, with what, and when.

Only ``ProviderCheck``s whose provider is configured are re-checked. Local checks that
timed out or raised are not: re-running them needs the profile as typed, which is not kept
once vetted (payout ids and addresses are stored only as keyed hashes, and a hash is no
input for ``offer.shipping``), and a local check that failed once is likely to fail again.
Their card line says "unavailable" without "will be retried".

A round is due after the larger of its configured delay (``Tuning.recheck_delays``: round
``n`` waits ``delays[n-1]``) and what the providers asked for — an open breaker's cooldown,
a ``Retry-After``, a rate-limit reset — so a re-check never knocks on a door that said
"not before".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.checks.providers.base import ProviderCheck
from vetbot.checks.registry import Registry
from vetbot.models.profile import Profile
from vetbot.models.result import VettingResult
from vetbot.storage import recheck_repository


def recheckable(registry: Registry, check_ids: Sequence[str]) -> list[ProviderCheck]:
    out: list[ProviderCheck] = []
    for check_id in check_ids:
        check = registry.get(check_id) if check_id in registry else None
        if isinstance(check, ProviderCheck) and check.configured:
            out.append(check)
    return out


def recheck_inputs(profile: Profile, checks: Sequence[ProviderCheck]) -> dict[str, Any]:
    """The profile fields the re-run needs (``name`` always: a profile requires it)."""
    fields = {"name"} | {f for c in checks for f in c.recheck_fields}
    return profile.model_dump(mode="json", include=fields, exclude_none=True)


def delay_for(round_no: int, checks: Sequence[ProviderCheck], delays: Sequence[float]) -> float:
    return max([delays[round_no - 1], *(c.retry_in() for c in checks)])


async def schedule_first(
    session: AsyncSession,
    *,
    result: VettingResult,
    profile: Profile,
    registry: Registry,
    job_id: str | None,
    delays: Sequence[float],
) -> bool:
    """Round 1 for a vetting with unavailable provider checks, in the vetting's own
    transaction (so a crash cannot keep the card and lose its re-check). False: none needed."""
    if not delays:
        return False
    checks = recheckable(registry, [c.id for c in result.unavailable_checks()])
    if not checks:
        return False
    return await recheck_repository.schedule(
        session,
        vetting_id=result.vetting_id,
        job_id=job_id,
        round_no=1,
        check_ids=[c.id for c in checks],
        inputs=recheck_inputs(profile, checks),
        delay=delay_for(1, checks, delays),
    )
