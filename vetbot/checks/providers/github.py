"""GitHub's REST API as vetbot uses it: one public account lookup, ``GET /users/{login}``.

The answer gives the account's real creation date (which a persona cannot backdate) and its
public activity. Unauthenticated, GitHub allows 60 requests an hour per IP; with a token,
5,000 — set ``VETBOT_GITHUB_TOKEN`` for real use (no scopes are needed for public data).
Rate limits come as 403 or 429 with ``x-ratelimit-remaining: 0`` / ``retry-after``; the client
turns them into "unavailable", never into a finding.
https://docs.github.com/en/rest/users/users#get-a-user
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from vetbot.checks.providers.clock import SYSTEM_CLOCK, Clock
from vetbot.checks.providers.errors import ProviderDown
from vetbot.checks.providers.http import ProviderClient
from vetbot.checks.providers.settings import ClientSettings, GitHubSettings

PROVIDER = "github"
API_VERSION = "2022-11-28"
# GitHub logins: alphanumerics and single inner hyphens, at most 39 characters
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/", re.IGNORECASE)


def login_of(value: str) -> str | None:
    """The login in ``octocat``, ``@octocat`` or ``https://github.com/octocat/``; else None."""
    text = _PREFIX.sub("", value.strip()).lstrip("@").split("?", 1)[0].strip("/").split("/", 1)[0]
    return text if LOGIN.match(text) else None


@dataclass(frozen=True, slots=True)
class GitHubUser:
    login: str
    created: date
    kind: str  # "User" or "Organization"
    public_repos: int | None
    followers: int | None


class GitHubApi:
    def __init__(self, client: ProviderClient) -> None:
        self.client = client

    @classmethod
    def build(
        cls, settings: GitHubSettings, client_settings: ClientSettings, *, clock: Clock = SYSTEM_CLOCK
    ) -> GitHubApi:
        return cls(
            ProviderClient(
                PROVIDER,
                settings.api_url,
                settings=client_settings,
                token=settings.token,
                headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION},
                clock=clock,
            )
        )

    async def user(self, login: str) -> GitHubUser | None:
        """The account, or None when GitHub says it does not exist (404)."""
        answer = await self.client.get("users", login)
        if answer.status == 404:
            return None
        if answer.status != 200 or not isinstance(answer.data, dict):
            raise ProviderDown(PROVIDER, f"unexpected answer (HTTP {answer.status})")
        return _user(answer.data)

    async def rate_limit(self) -> tuple[int, int] | None:
        """(remaining, limit) of the core quota; ``GET /rate_limit`` does not count against it."""
        answer = await self.client.get("rate_limit")
        resources: Any = answer.data.get("resources") if isinstance(answer.data, dict) else None
        core: Any = resources.get("core") if isinstance(resources, dict) else None
        if answer.status != 200 or not isinstance(core, dict):
            return None
        try:
            return int(core.get("remaining", 0)), int(core.get("limit", 0))
        except (TypeError, ValueError):
            return None


def _user(data: dict[str, Any]) -> GitHubUser:
    try:
        created = datetime.fromisoformat(str(data["created_at"]).replace("Z", "+00:00")).date()
        return GitHubUser(
            login=str(data.get("login", "")),
            created=created,
            kind=str(data.get("type", "User")),
            public_repos=_count(data.get("public_repos")),
            followers=_count(data.get("followers")),
        )
    except (KeyError, ValueError) as exc:
        raise ProviderDown(PROVIDER, "garbled answer") from exc


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and value >= 0 else None
