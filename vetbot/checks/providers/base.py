"""``ProviderCheck``: a check answered by a network provider — off unless configured, and
re-checked later when the provider could not answer.

Why a base class: the engine treats every check alike (a provider that raises is ``error``,
one that hangs is ``timeout``), but the workflow above it must know two more things — which
checks are worth running again later (``recheck_fields`` says what of the profile such a
re-run needs, kept only until the re-check ends), and when the provider may be asked again
(``retry_in``: an open breaker's cooldown, a ``Retry-After``). A provider that is not
configured makes the check ``skipped`` with the variable that turns it on, so a card never
suggests the check ran.
"""

from __future__ import annotations

from typing import ClassVar

from vetbot.checks.base import Check
from vetbot.checks.providers.breaker import BreakerSnapshot
from vetbot.checks.providers.http import ProviderClient, ProviderObserver
from vetbot.models.profile import Profile


class ProviderCheck(Check):
    provider: ClassVar[str]
    recheck_fields: ClassVar[tuple[str, ...]]  # top-level profile fields a re-run needs
    # not ``inline`` (the engine's default): a provider waits on the network, so it runs in
    # its own task, overlapping the local checks

    def __init__(self, client: ProviderClient | None = None) -> None:
        self.client = client

    @property
    def configured(self) -> bool:
        return self.client is not None

    def missing_inputs(self, profile: Profile) -> str | None:
        if self.client is None:
            return f"{self.provider} provider off (offline; VETBOT_PROVIDERS={self.provider} enables it)"
        return super().missing_inputs(profile)

    def retry_in(self) -> float:
        """Seconds until the provider may be called again (0: now)."""
        return self.client.retry_in() if self.client is not None else 0.0

    def snapshot(self) -> BreakerSnapshot | None:
        return self.client.snapshot() if self.client is not None else None

    def watch(self, observer: ProviderObserver | None) -> None:
        """Report requests and breaker changes to ``observer`` (metrics)."""
        if self.client is not None:
            self.client.observer = observer
