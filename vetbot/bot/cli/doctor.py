"""``vetbot doctor``: check the configuration and say what to fix, before users find out.

Why a command and not start-up errors only: half of these are not fatal (the per-install key,
SQLite with one replica) but bite later — a second replica hashes payout accounts with another
key, escalations go nowhere. Secrets are never printed: only "set"/"missing" and shapes.
Exit code 0 when nothing failed (warnings allowed), 2 when something must be fixed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import URL

from vetbot.bot.cli import app
from vetbot.bot.cli.common import EXIT_BAD_INPUT, DatabaseOpt, out_console
from vetbot.redact import redact

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    status: str
    fix: str


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _error(exc: BaseException) -> str:
    """An exception as type plus a short, redacted message (driver errors can quote the URL)."""
    text = redact(str(exc).splitlines()[0] if str(exc) else "")[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _database(url: str | None) -> list[Finding]:
    from vetbot.storage.database import Database, DatabaseURLError, resolve_url
    from vetbot.storage.migrations.runner import current_heads, script_heads

    try:
        parsed = resolve_url(url)
    except DatabaseURLError as exc:
        return [Finding("database URL", FAIL, f"{exc}; set VETBOT_DATABASE_URL or --database-url")]
    shown = _describe(parsed)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    out = [Finding("database URL", OK, f"{shown}")]
    if is_sqlite and not _sqlite_file_exists(parsed):
        # don't create it: doctor only looks
        out.append(Finding("database reachable", WARN, f"{shown} does not exist yet; first use creates it"))
        return [*out, _replicas(is_sqlite)]
    db = Database(url)
    try:
        if not await db.ping():
            out.append(
                Finding(
                    "database reachable", FAIL, f"cannot connect to {shown}: check host, port, credentials"
                )
            )
            return out
        out.append(Finding("database reachable", OK, ""))
        async with asyncio.timeout(10), db.engine.connect() as conn:
            current = await conn.run_sync(current_heads)
        wanted = script_heads()
        if current == wanted:
            out.append(Finding("schema migrated", OK, f"at head ({', '.join(sorted(wanted))})"))
        elif not current:
            out.append(
                Finding(
                    "schema migrated", FAIL, "not migrated: run any vetbot command or `vetbot serve` once"
                )
            )
        else:
            missing = ", ".join(sorted(wanted - current)) or "?"
            out.append(
                Finding("schema migrated", FAIL, f"behind (missing {missing}): restart vetbot to migrate")
            )
    except Exception as exc:  # noqa: BLE001 - doctor reports, never crashes
        out.append(Finding("schema migrated", FAIL, f"cannot read the schema version ({_error(exc)})"))
    finally:
        await db.dispose()
    return [*out, _replicas(is_sqlite)]


def _sqlite_file_exists(url: URL) -> bool:
    path = url.database
    return path in (None, "", ":memory:") or Path(path).expanduser().exists()


def _describe(url: URL) -> str:
    """Backend, host and database only: user names, passwords and query options stay hidden."""
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{url.database or ':memory:'}"
    port = f":{url.port}" if url.port else ""
    return f"{url.get_backend_name()}://{url.host or 'localhost'}{port}/{url.database or ''}"


def _replicas(is_sqlite: bool) -> Finding:
    if is_sqlite:
        return Finding(
            "replicas",
            OK,
            "SQLite: one `vetbot serve` process only; use postgresql://… to run several replicas",
        )
    return Finding("replicas", OK, "PostgreSQL: several replicas may share this database")


def _secret_key() -> Finding:
    key = _env("VETBOT_SECRET_KEY")
    if not key:
        return Finding(
            "VETBOT_SECRET_KEY",
            WARN,
            "missing: a per-install key file is used; replicas would disagree on keyed hashes. "
            "Set one key everywhere (openssl rand -hex 32)",
        )
    if len(key) < 32:
        return Finding("VETBOT_SECRET_KEY", WARN, f"set but short ({len(key)} chars): use ≥ 32 random chars")
    return Finding("VETBOT_SECRET_KEY", OK, "set")


def _slack() -> list[Finding]:
    if not any(k.startswith("SLACK_") and v.strip() for k, v in os.environ.items()):
        return [Finding("Slack", OK, "not configured (no SLACK_* variables)")]
    out: list[Finding] = []
    token, app_token = _env("SLACK_BOT_TOKEN"), _env("SLACK_APP_TOKEN")
    if not token:
        out.append(
            Finding("SLACK_BOT_TOKEN", FAIL, "missing: the bot token (xoxb-…) from OAuth & Permissions")
        )
    elif not token.startswith("xoxb-"):
        out.append(Finding("SLACK_BOT_TOKEN", FAIL, "set but not a bot token: expected xoxb-…"))
    else:
        out.append(Finding("SLACK_BOT_TOKEN", OK, "set (xoxb-…)"))
    if app_token and not app_token.startswith("xapp-"):
        out.append(Finding("SLACK_APP_TOKEN", FAIL, "set but not an app-level token: expected xapp-…"))
    elif app_token:
        out.append(Finding("SLACK_APP_TOKEN", WARN, "set (xapp-…): Socket Mode is for development"))
    if _env("SLACK_SIGNING_SECRET"):
        out.append(Finding("SLACK_SIGNING_SECRET", OK, "set"))
    else:
        status = WARN if app_token else FAIL
        out.append(
            Finding("SLACK_SIGNING_SECRET", status, "missing: requests to /slack/events cannot be verified")
        )
    channel = _env("VETBOT_SECURITY_CHANNEL")
    if not channel:
        out.append(
            Finding("VETBOT_SECURITY_CHANNEL", FAIL, "missing: high-risk escalations have nowhere to go")
        )
    elif not (channel[:1] in "CGD" and channel.isalnum() and channel.isupper()):
        out.append(Finding("VETBOT_SECURITY_CHANNEL", WARN, "not a channel id (C…): use the id, not #name"))
    else:
        out.append(Finding("VETBOT_SECURITY_CHANNEL", OK, "set"))
    api = _env("SLACK_API_URL")
    if api and not api.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        out.append(Finding("SLACK_API_URL", WARN, "not https: tokens would travel in clear"))
    return out


def _teams() -> list[Finding]:
    names = (
        "MICROSOFT_APP_ID",
        "MICROSOFT_APP_PASSWORD",
        "MICROSOFT_APP_TENANT_ID",
        "VETBOT_TEAMS_SECURITY_CHANNEL",
    )
    if not any(_env(n) for n in names) and not _env("VETBOT_TEAMS_SERVICE_URL"):
        return [Finding("Teams", OK, "not configured (no MICROSOFT_APP_* variables)")]
    out: list[Finding] = []
    app_id, app_type = _env("MICROSOFT_APP_ID"), _env("MICROSOFT_APP_TYPE") or "MultiTenant"
    if app_id:
        out.append(Finding("MICROSOFT_APP_ID", OK, "set: Bot Framework authentication on"))
    elif _env("VETBOT_INSECURE_DEV") == "1":
        out.append(
            Finding(
                "MICROSOFT_APP_ID",
                WARN,
                "INSECURE: empty, authentication OFF (VETBOT_INSECURE_DEV=1) — anyone can post "
                "activities and make vetbot call any serviceUrl. Never in production",
            )
        )
    else:
        out.append(
            Finding("MICROSOFT_APP_ID", FAIL, "missing: set the bot's app id (authentication off otherwise)")
        )
    if app_id and not _env("MICROSOFT_APP_PASSWORD") and app_type.lower() != "userassignedmsi":
        out.append(
            Finding("MICROSOFT_APP_PASSWORD", FAIL, "missing: the client secret of the app registration")
        )
    elif app_id:
        out.append(Finding("MICROSOFT_APP_PASSWORD", OK, "set"))
    if app_id and app_type.lower() == "singletenant" and not _env("MICROSOFT_APP_TENANT_ID"):
        out.append(Finding("MICROSOFT_APP_TENANT_ID", FAIL, "missing: SingleTenant bots need the tenant id"))
    if _env("VETBOT_TEAMS_SECURITY_CHANNEL"):
        out.append(Finding("VETBOT_TEAMS_SECURITY_CHANNEL", OK, "set"))
    else:
        out.append(
            Finding(
                "VETBOT_TEAMS_SECURITY_CHANNEL", FAIL, "missing: high-risk escalations have nowhere to go"
            )
        )
    return out


async def _providers() -> list[Finding]:
    """Network providers: off is fine (offline default); on, say how and probe once.

    The probe goes through the same client as the checks (timeout, retries, breaker), so a
    failure reads as the checks would see it. The live breaker state of a running server is
    per process and shows on its /metrics (``vetbot_provider_breaker_state``)."""
    from vetbot.checks.providers.errors import ProviderUnavailable
    from vetbot.checks.providers.github import GitHubApi
    from vetbot.checks.providers.settings import ProviderSettings

    try:
        timeout = float(_env("VETBOT_CHECK_TIMEOUT") or 5.0)
        settings = ProviderSettings.from_env(os.environ, check_timeout=timeout)
    except ValueError as exc:
        return [Finding("network providers", FAIL, str(exc))]
    github = settings.github
    if github is None:
        return [
            Finding(
                "network providers", OK, "off (offline); VETBOT_PROVIDERS=github enables the GitHub check"
            )
        ]
    url = urlsplit(github.api_url)
    where = f"{url.scheme}://{url.hostname or '?'}{f':{url.port}' if url.port else ''}"
    local = url.hostname in ("127.0.0.1", "localhost", "::1")
    out = []
    if url.scheme != "https" and not local:
        out.append(
            Finding("GitHub provider", WARN, f"on, {where}: not https — the token would travel in clear")
        )
    else:
        out.append(Finding("GitHub provider", OK, f"on, {where}"))
    if github.token is None:
        out.append(
            Finding("VETBOT_GITHUB_TOKEN", WARN, "missing: GitHub allows 60 requests an hour without one")
        )
    else:
        out.append(Finding("VETBOT_GITHUB_TOKEN", OK, "set"))
    client = settings.client
    api = GitHubApi.build(github, replace(client, retries=0))  # one probe, no waiting
    breaker = f"breaker opens after {client.breaker_failures} failures for {client.breaker_cooldown:g} s"
    try:
        quota = await api.rate_limit()
    except ProviderUnavailable as exc:
        out.append(
            Finding(
                "GitHub reachable",
                WARN,
                f"no ({type(exc).__name__}: {exc.reason}): its check shows as unavailable and is "
                f"re-checked later; {breaker}",
            )
        )
        return out
    left = f"{quota[0]}/{quota[1]} requests left this hour" if quota else "quota unknown"
    out.append(Finding("GitHub reachable", OK, f"yes, {left}; {breaker}"))
    return out


def _metrics() -> Finding:
    token = _env("VETBOT_METRICS_TOKEN")
    if not token:
        return Finding(
            "VETBOT_METRICS_TOKEN",
            WARN,
            "not set: /metrics answers anyone who reaches the port (counts only, no candidate data); "
            "set a token or keep the port internal",
        )
    if len(token) < 16:
        short = f"set but short ({len(token)} chars): use ≥ 16 random chars"
        return Finding("VETBOT_METRICS_TOKEN", WARN, short)
    return Finding("VETBOT_METRICS_TOKEN", OK, "set: scrapers send Authorization: Bearer …")


def _insecure() -> list[Finding]:
    if _env("VETBOT_INSECURE_DEV") == "1":
        return [Finding("VETBOT_INSECURE_DEV", WARN, "=1: development only; unset it in production")]
    return []


async def diagnose(database_url: str | None) -> list[Finding]:
    """Every finding, in display order. Pure apart from reading env and the database."""
    database = await _database(database_url or _env("VETBOT_DATABASE_URL") or None)
    providers = await _providers()
    return [*database, _secret_key(), *_slack(), *_teams(), *providers, _metrics(), *_insecure()]


@app.command()
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable findings")] = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Check configuration (database, secret key, Slack, Teams, providers) and say what to fix."""
    findings = asyncio.run(diagnose(database_url))
    failed = any(f.status == FAIL for f in findings)
    if as_json:
        sys.stdout.write(json.dumps([asdict(f) for f in findings], indent=2) + "\n")
    else:
        table = Table(title="vetbot doctor")
        for column in ("check", "status", "what to fix"):
            table.add_column(column, overflow="fold")
        colour = {OK: "green", WARN: "yellow", FAIL: "bold red"}
        for f in findings:
            table.add_row(Text(f.check), Text(f.status, style=colour[f.status]), Text(f.fix))
        out_console().print(table)
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)
