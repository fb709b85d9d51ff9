"""``vetbot shell``: lines in, reply objects out (errbot's TestBackend idea), and the real CLI."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from rich.console import Console

from tests.handlers.chat_fixtures import make_core
from vetbot.bot.shell import Shell, ShellOutbound
from vetbot.config import Config
from vetbot.handlers.api import Accepted, CardReply, ErrorReply, FormReply, Platform, Reply, RiskCard
from vetbot.handlers.core import BotCore
from vetbot.storage.database import Database


@pytest.fixture
async def core(db: Database, config: Config) -> AsyncIterator[BotCore]:
    bot = make_core(db, config)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


def shell_for(core: BotCore, user: str) -> Shell:
    outbound = ShellOutbound(Console(file=io.StringIO(), width=120))
    core.register_outbound(Platform.SHELL, outbound)
    return Shell(core, outbound, user=user)


async def test_vet_card_escalation_and_decisions(core: BotCore) -> None:
    alice = shell_for(core, "alice")
    accepted = await alice.send('/vet name="Risky Person" location.country=PL')
    assert isinstance(accepted, Accepted)
    await core.drain()
    assert [kind for kind, _, _ in alice.outbound.delivered] == ["card", "escalation"]
    card = alice.outbound.delivered[0][2]
    assert isinstance(card, RiskCard) and card.requester == "shell:alice"
    output = alice.console.file.getvalue()  # type: ignore[attr-defined]
    assert "security channel" in output and "Risky Person" in output
    prefix = card.vetting_id[:8]
    details = await alice.send(f"/details {prefix}")
    assert isinstance(details, CardReply) and details.card.vetting_id == card.vetting_id
    own = await alice.send(f"/clear {prefix} verified the passport on a live call")
    assert isinstance(own, ErrorReply)

    bob = Shell(core, alice.outbound, user="bob")  # same session's cards, another person
    assert isinstance(await bob.send(f"/clear {prefix} too short"), ErrorReply)
    cleared = await bob.send(f"/clear {prefix} verified the passport on a live call")
    assert isinstance(cleared, Reply) and "cleared" in cleared.text
    await core.drain()
    kind, _, updated = alice.outbound.delivered[-1]
    assert kind == "update" and isinstance(updated, RiskCard) and updated.status == "cleared"


async def test_help_form_status_unknown_and_quit(core: BotCore) -> None:
    shell = shell_for(core, "carol")
    assert await shell.send("") is None and await shell.send("# comment") is None
    assert isinstance(await shell.send("/help"), Reply)
    assert isinstance(await shell.send("/vet help"), Reply)
    assert isinstance(await shell.send("/vet"), FormReply)
    assert isinstance(await shell.send("/vet status 0000"), ErrorReply)
    assert isinstance(await shell.send("/frobnicate"), ErrorReply)
    assert isinstance(await shell.send("/claim"), ErrorReply)
    form = await shell.send_form({"name": "Form Person", "location.country": "PL"})
    assert isinstance(form, Accepted)
    await core.drain()
    status = await shell.send(f"/vet status {form.job_id}")
    assert isinstance(status, CardReply) and status.card.candidate_name == "Form Person"
    assert await shell.send("/quit") is None and shell.done


async def test_same_line_twice_is_one_vetting(core: BotCore) -> None:
    shell = shell_for(core, "dave")
    first = await shell.send("/vet name=Dave")
    second = await shell.send("/vet name=Dave")
    assert isinstance(first, Accepted) and isinstance(second, Accepted) and first.job_id == second.job_id
    await core.drain()
    assert len(shell.outbound.delivered) == 1


def test_piped_stdin_runs_the_real_cli(tmp_path: Path) -> None:
    vetbot = Path(sys.executable).parent / "vetbot"
    env = {**os.environ, "VETBOT_SECRET_KEY": "test-secret", "COLUMNS": "120"}
    env.pop("VETBOT_DATABASE_URL", None)
    lines = '/vet name="Jan Kowalski" email=jan@example.com location.country=PL\n/vet nmae=x\n/vet help\n'
    done = subprocess.run(
        [str(vetbot), "shell", "--as", "tester", "--database-url", f"sqlite:///{tmp_path / 'shell.db'}"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Checking" in out and "Jan Kowalski" in out and "requested by shell:tester" in out
    assert 'unknown field "nmae"' in out and "/vet status ID" in out
    assert "Decision support only" in out
    assert out.index("Jan Kowalski") < out.index('unknown field "nmae"')  # card before the next line
