"""``vetbot serve``: the Slack and Teams endpoints, health probes and the vetting worker in one
aiohttp process (see ``vetbot.bot.web``)."""

from __future__ import annotations

from typing import Annotated

import typer

from vetbot.bot.cli import app
from vetbot.bot.cli.common import BadInput, DatabaseOpt


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on (put a TLS proxy in front)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (3978 is the Bot Framework convention)")] = 3978,
    database_url: DatabaseOpt = None,
) -> None:
    """Serve /slack/events, /api/messages, /healthz and /readyz until SIGINT/SIGTERM.

    Platforms are enabled by their credentials in the environment (docs/slack.md,
    docs/teams.md); a half-configured platform is refused with exit code 2. Shutdown is
    graceful: the vetting and delivery in progress finish first.
    """
    from aiohttp import web

    from vetbot.bot.settings import BotSettings, SettingsError
    from vetbot.bot.web import create_app
    from vetbot.checks.registry import Registry
    from vetbot.config import Config
    from vetbot.handlers.core import BotCore
    from vetbot.handlers.vetting import VettingService
    from vetbot.storage.database import Database, DatabaseURLError

    try:
        settings = BotSettings.from_env(database_url=database_url)
        config = Config.from_env(database_url=settings.database_url)
        db = Database(config.database_url)
    except (SettingsError, DatabaseURLError, ValueError) as exc:
        raise BadInput(str(exc)) from None
    if settings.slack is None and settings.teams is None:
        typer.echo("warning: neither Slack nor Teams is configured; serving health probes only", err=True)
    core = BotCore(VettingService(db, config, Registry.default(providers=config.providers)))
    web.run_app(create_app(settings, core), host=host, port=port, print=None, access_log=None)
