"""Chat-edge settings from the environment: which platforms run, and with which credentials.

Read once by ``vetbot serve`` (tests build ``BotSettings`` directly), never at import. A
platform is enabled only when its credentials are present; a half-configured one is a
``SettingsError`` (exit 2) rather than a bot that silently drops requests. Secrets are
``SecretStr``: their ``repr`` never shows the value, so a logged settings object leaks nothing.

Teams: an *empty* ``MICROSOFT_APP_ID`` switches botbuilder's authentication off (no inbound
JWT check, no outbound token; shared/design/platform-notes.md §3), so anyone could post
activities and make the bot call any ``serviceUrl``. It is refused unless
``VETBOT_INSECURE_DEV=1`` says this is a local test.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
_TRUE = frozenset({"1", "true", "yes", "on"})
_APP_TYPES = frozenset({"MultiTenant", "SingleTenant", "UserAssignedMSI"})


class SettingsError(ValueError):
    """A configuration that must not start; the message says what to set."""


@dataclass(frozen=True)
class SlackSettings:
    bot_token: SecretStr
    signing_secrets: tuple[SecretStr, ...]  # current first, then the previous one during rotation
    app_token: SecretStr | None = None  # xapp-…: Socket Mode
    api_url: str = DEFAULT_SLACK_API_URL
    security_channel: str | None = None

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str
    app_password: SecretStr
    app_type: str = "MultiTenant"
    tenant_id: str = ""
    security_channel: str | None = None  # 19:…@thread.tacv2
    service_url: str | None = None  # used until an incoming activity tells us the real one
    insecure_dev: bool = False

    @property
    def auth_enabled(self) -> bool:
        return bool(self.app_id)


@dataclass(frozen=True)
class BotSettings:
    slack: SlackSettings | None = None
    teams: TeamsSettings | None = None
    database_url: str | None = None
    # bearer token a scraper must send for /metrics; empty: /metrics is open (keep it internal)
    metrics_token: str = field(default="", repr=False)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, database_url: str | None = None
    ) -> BotSettings:
        source = os.environ if env is None else env
        return cls(
            slack=slack_from_env(source),
            teams=teams_from_env(source),
            database_url=database_url or source.get("VETBOT_DATABASE_URL") or None,
            metrics_token=_get(source, "VETBOT_METRICS_TOKEN"),
        )


def _get(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def _secret(env: Mapping[str, str], name: str) -> SecretStr | None:
    value = _get(env, name)
    return SecretStr(value) if value else None


def slack_from_env(env: Mapping[str, str]) -> SlackSettings | None:
    token = _secret(env, "SLACK_BOT_TOKEN")
    if token is None:
        return None
    secrets = tuple(
        s for s in (_secret(env, "SLACK_SIGNING_SECRET"), _secret(env, "SLACK_SIGNING_SECRET_PREVIOUS")) if s
    )
    app_token = _secret(env, "SLACK_APP_TOKEN")
    if not secrets and app_token is None:
        raise SettingsError(
            "Slack: SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP events) "
            "nor SLACK_APP_TOKEN (Socket Mode) is"
        )
    if not _get(env, "SLACK_SIGNING_SECRET") and _get(env, "SLACK_SIGNING_SECRET_PREVIOUS"):
        raise SettingsError("Slack: SLACK_SIGNING_SECRET_PREVIOUS is set without SLACK_SIGNING_SECRET")
    api_url = _get(env, "SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if not api_url.startswith(("https://", "http://")):
        raise SettingsError("Slack: SLACK_API_URL must be an http(s) URL")
    return SlackSettings(
        bot_token=token,
        signing_secrets=secrets,
        app_token=app_token,
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        security_channel=_get(env, "VETBOT_SECURITY_CHANNEL") or None,
    )


def teams_from_env(env: Mapping[str, str]) -> TeamsSettings | None:
    """Teams runs when ``MICROSOFT_APP_ID`` is present at all, even empty (then see the module doc)."""
    if "MICROSOFT_APP_ID" not in env:
        return None
    insecure = _get(env, "VETBOT_INSECURE_DEV").lower() in _TRUE
    app_id = _get(env, "MICROSOFT_APP_ID")
    app_type = _get(env, "MICROSOFT_APP_TYPE") or "MultiTenant"
    password = _get(env, "MICROSOFT_APP_PASSWORD")
    if not app_id and not insecure:
        raise SettingsError(
            "Teams: MICROSOFT_APP_ID is empty, which turns Bot Framework authentication off; "
            "set the app id (and MICROSOFT_APP_PASSWORD), or VETBOT_INSECURE_DEV=1 for a local test only"
        )
    if app_type not in _APP_TYPES:
        raise SettingsError(f"Teams: MICROSOFT_APP_TYPE must be one of {', '.join(sorted(_APP_TYPES))}")
    if app_id and not password and app_type != "UserAssignedMSI":
        raise SettingsError("Teams: MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID")
    tenant = _get(env, "MICROSOFT_APP_TENANT_ID")
    if app_type == "SingleTenant" and not tenant:
        raise SettingsError("Teams: SingleTenant bots need MICROSOFT_APP_TENANT_ID")
    return TeamsSettings(
        app_id=app_id,
        app_password=SecretStr(password),
        app_type=app_type,
        tenant_id=tenant,
        security_channel=_get(env, "VETBOT_TEAMS_SECURITY_CHANNEL") or None,
        service_url=_get(env, "VETBOT_TEAMS_SERVICE_URL") or None,
        insecure_dev=insecure,
    )
