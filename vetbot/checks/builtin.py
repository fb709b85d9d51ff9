"""The built-in checks, in the order cards list them. Each family lives in its own module."""

from __future__ import annotations

from collections.abc import Iterator

from vetbot.checks.base import Check


def builtin_checks() -> Iterator[Check]:
    from vetbot.checks import (
        contact,
        footprint,
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
    yield from history.CHECKS
    yield from references.CHECKS
    yield from interview.CHECKS
    yield from offer.CHECKS
    yield from reuse.CHECKS
    yield from watchlist.CHECKS
