"""Why a provider could not answer. Every one means "unavailable", never "a finding".

They are ``CheckUnavailable``: the engine reports the check as ``error`` with a fixed
description per kind — ``unavailable: github circuit open``, ``unavailable: github rate
limited`` — never the message (messages can carry candidate data). ``ProviderTimeout`` is also a
``TimeoutError``, so the engine reports it as ``timeout`` ("no answer within 5 s"), exactly
like a check it had to cut itself. ``retry_in`` tells the re-check scheduler how long the
provider asked us to stay away (``Retry-After``, a rate-limit reset, an open breaker).
Messages hold provider names, status codes and seconds — never URLs, which carry logins.
"""

from __future__ import annotations

from vetbot.checks.base import CheckUnavailable


class ProviderUnavailable(CheckUnavailable):
    def __init__(self, provider: str, reason: str, *, retry_in: float | None = None) -> None:
        super().__init__(f"{provider} {_DESCRIPTION.get(type(self).__name__, 'unavailable')}")
        self.provider = provider
        self.reason = reason
        self.retry_in = retry_in


class CircuitOpen(ProviderUnavailable):
    """The breaker is open (or its one half-open probe is in flight): not sent at all."""


class RateLimited(ProviderUnavailable):
    """429, or a 403 with the rate-limit headers exhausted, and no time left to wait."""


class ProviderDown(ProviderUnavailable):
    """Connection errors or 5xx until the retries or the deadline ran out; or a garbled answer."""


class ProviderRejected(ProviderUnavailable):
    """401/403 without a rate limit: the token is wrong or lacks access. Retrying cannot help."""


class ProviderTimeout(ProviderUnavailable, TimeoutError):
    """No answer before the deadline."""


# What a card says per kind (fixed strings: nothing from the request or the answer).
_DESCRIPTION = {
    "CircuitOpen": "circuit open",
    "RateLimited": "rate limited",
    "ProviderDown": "down",
    "ProviderRejected": "refused our credentials",
    "ProviderTimeout": "timed out",
}
