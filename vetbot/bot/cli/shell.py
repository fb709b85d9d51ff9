"""``vetbot shell``: the local chat REPL (see ``vetbot.bot.shell``)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from vetbot.bot.cli import app
from vetbot.bot.cli.common import DatabaseOpt, open_service


@app.command()
def shell(
    as_user: Annotated[
        str | None, typer.Option("--as", help="Act as this user (shell:USER); default: your OS user name")
    ] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Chat with vetbot locally: /vet, cards, escalations and decisions, as in Slack or Teams.

    Reads commands from stdin when it is not a terminal, and exits after delivering every card.
    """
    from vetbot.bot.shell import run_session

    async def run() -> None:
        async with open_service(database_url) as service:
            await run_session(service, user=as_user)

    asyncio.run(run())
