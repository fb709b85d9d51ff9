"""The built-in checks, in the order cards list them. Each family lives in its own module.

Network providers (``providers``) are built-in too but off unless configured: their checks
are always listed (documented, tunable, reported ``skipped`` while off) and get a client only
when ``ProviderSettings`` turns their provider on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from vetbot.checks.base import Check

if TYPE_CHECKING:
    from vetbot.checks.providers.settings import ProviderSettings


def builtin_checks(providers: ProviderSettings | None = None) -> Iterator[Check]:
    from vetbot.checks import (
        contact,
        footprint,
        github_api,
        history,
        identity,
        interview,
        location,
        network,
        offer,
        references,
        reuse,
        watchlist,
    )

    yield from identity.CHECKS
    yield from contact.CHECKS
    yield from location.CHECKS
    yield from network.CHECKS
    yield from footprint.CHECKS
    yield from github_api.checks(providers)
    yield from history.CHECKS
    yield from references.CHECKS
    yield from interview.CHECKS
    yield from offer.CHECKS
    yield from reuse.CHECKS
    yield from watchlist.CHECKS
