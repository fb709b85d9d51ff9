"""The built-in checks, in the order cards list them. Each family lives in its own module."""

from __future__ import annotations

from collections.abc import Iterator

from vetbot.checks.base import Check


def builtin_checks() -> Iterator[Check]:
    from vetbot.checks import contact, identity

    yield from identity.CHECKS
    yield from contact.CHECKS
