"""Which network providers are on, where they live and how patient vetbot is with them.

vetbot runs offline by default (air-gapped users), so every provider is off until the
environment turns it on. Parsed here, in the domain layer, from a plain mapping: the entry
points pass ``os.environ`` once (``Config.from_env``), tests pass a dict, and checks never
import configuration from the layers above them.

Variables (README, .env.example):

- ``VETBOT_PROVIDERS`` — comma-separated providers to enable (``github``); empty: none.
- ``VETBOT_GITHUB_TOKEN`` — a GitHub token (fine-grained, no scopes needed for public data).
  Setting it also enables ``github``: nobody sets a token for a provider they want off.
- ``VETBOT_GITHUB_API_URL`` — REST base URL (GitHub Enterprise: ``https://HOST/api/v3``).
- ``VETBOT_PROVIDER_REQUEST_TIMEOUT``, ``VETBOT_PROVIDER_RETRIES``,
  ``VETBOT_PROVIDER_BREAKER_FAILURES``, ``VETBOT_PROVIDER_BREAKER_COOLDOWN`` — resilience knobs
  shared by every provider.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

KNOWN_PROVIDERS = ("github",)
GITHUB_API_URL = "https://api.github.com"


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Resilience of one provider client.

    ``deadline`` is the time a check may spend on its provider, retries and waits included;
    it follows the engine's per-check timeout (minus a margin, so the client gives up with its
    own reason before the engine cuts it). A ``Retry-After`` longer than what is left of it
    means giving up now: the re-check comes back later instead of sleeping past the cut.
    """

    request_timeout: float = 3.0  # one HTTP request
    retries: int = 2  # extra attempts after the first, on connection errors, timeouts, 5xx, 429
    backoff_base: float = 0.2  # seconds; doubles per attempt, with jitter
    backoff_cap: float = 2.0
    breaker_failures: int = 5  # consecutive failed requests that open the breaker
    breaker_cooldown: float = 60.0  # seconds open before one probe is let through
    deadline: float = 4.75
    max_body: int = 1_000_000  # bytes read from one answer: a provider cannot exhaust memory

    @staticmethod
    def deadline_for(check_timeout: float) -> float:
        """The client's budget inside a check timeout: 5 % (at most 0.25 s) left for the engine."""
        return max(0.05, check_timeout - min(0.25, check_timeout * 0.05))


@dataclass(frozen=True, slots=True)
class GitHubSettings:
    api_url: str = GITHUB_API_URL
    token: SecretStr | None = None


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """``github`` is ``None`` when that provider is off (the default)."""

    github: GitHubSettings | None = None
    client: ClientSettings = field(default_factory=ClientSettings)

    @property
    def enabled(self) -> tuple[str, ...]:
        return ("github",) if self.github is not None else ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, check_timeout: float = 5.0) -> ProviderSettings:
        """Parse the variables above; ``ValueError`` names the variable that is wrong."""
        names = [n.strip().lower() for n in environ.get("VETBOT_PROVIDERS", "").split(",") if n.strip()]
        unknown = [n for n in names if n not in (*KNOWN_PROVIDERS, "none")]
        if unknown:
            raise ValueError(
                f"VETBOT_PROVIDERS: unknown provider {unknown[0]!r} (known: {', '.join(KNOWN_PROVIDERS)})"
            )
        token = environ.get("VETBOT_GITHUB_TOKEN", "").strip()
        github = None
        if "github" in names or token:
            url = (environ.get("VETBOT_GITHUB_API_URL", "").strip() or GITHUB_API_URL).rstrip("/")
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"VETBOT_GITHUB_API_URL: not an http(s) URL: {url[:80]!r}")
            github = GitHubSettings(api_url=url, token=SecretStr(token) if token else None)
        client = ClientSettings(
            request_timeout=_positive(environ, "VETBOT_PROVIDER_REQUEST_TIMEOUT", 3.0),
            retries=int(_positive(environ, "VETBOT_PROVIDER_RETRIES", 2, allow_zero=True)),
            breaker_failures=max(1, int(_positive(environ, "VETBOT_PROVIDER_BREAKER_FAILURES", 5))),
            breaker_cooldown=_positive(environ, "VETBOT_PROVIDER_BREAKER_COOLDOWN", 60.0),
            deadline=ClientSettings.deadline_for(check_timeout),
        )
        return cls(github=github, client=client)


def _positive(environ: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}: not a number: {raw[:40]!r}") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name}: must be {'≥' if allow_zero else '>'} 0: {raw[:40]!r}")
    return value
