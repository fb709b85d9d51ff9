"""``vetbot shell``: a local chat with the same ``BotCore`` as Slack and Teams (errbot's text backend).

It is the demo and the test harness at once: ``Shell.send(line)`` returns the handler's
reply object, and cards arrive through ``ShellOutbound`` exactly as they would reach a
channel — the security channel printed under its own heading. Card buttons are typed as
commands (``/clear 3f2a9c1e the ID was checked on a live call``); a unique prefix of a case
id shown in this session is enough.
"""

from __future__ import annotations

import asyncio
import getpass
import hashlib
import sys
import uuid
from dataclasses import dataclass, field
from typing import TextIO

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from vetbot.bot.render.terminal import SHELL_ACTIONS, render_card
from vetbot.handlers.api import (
    Accepted,
    Action,
    Actor,
    CardReply,
    Command,
    Conversation,
    ErrorReply,
    FormReply,
    Platform,
    Reply,
    Response,
    RiskCard,
)
from vetbot.handlers.core import BotCore
from vetbot.handlers.vetting import VettingService

_ACTIONS = {name: action for action, name in SHELL_ACTIONS.items()}
SHELL_HELP = (
    "/vet field=value …   /vet {json}   /vet (form)   /vet status ID   /vet help   /vet-admin help\n"
    + "  ".join(f"/{name} ID" + (" REASON" if name == "clear" else "") for name in _ACTIONS)
    + "\n/quit to leave (or end of input)"
)


@dataclass
class ShellOutbound:
    """The shell's ``Outbound``: prints what a platform would post, and keeps a record."""

    console: Console
    delivered: list[tuple[str, str, RiskCard | str]] = field(default_factory=list)  # (kind, key, what)
    case_ids: list[str] = field(default_factory=list)

    def _record(self, kind: str, key: str, what: RiskCard | str) -> str:
        self.delivered.append((kind, key, what))
        if isinstance(what, RiskCard) and what.vetting_id not in self.case_ids:
            self.case_ids.append(what.vetting_id)
        return f"shell-{len(self.delivered)}"

    async def post_card(self, conversation: Conversation, card: RiskCard, *, key: str) -> str | None:
        self.console.print(render_card(card))
        return self._record("card", key, card)

    async def update_card(
        self, conversation: Conversation, message_id: str, card: RiskCard, *, key: str
    ) -> None:
        self.console.print(Text(f"card {message_id} updated: status {card.status}", style="bold cyan"))
        self._record("update", key, card)

    async def post_escalation(self, card: RiskCard, *, key: str) -> str | None:
        self.console.print(Rule(Text("security channel", style="bold red")))
        self.console.print(render_card(card))
        self.console.print(Rule(style="red"))
        return self._record("escalation", key, card)

    async def post_text(self, conversation: Conversation, text: str, *, key: str) -> str | None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)
        return self._record("text", key, text)


class Shell:
    """One user's session: lines in, ``Response`` objects out (also printed)."""

    def __init__(self, core: BotCore, outbound: ShellOutbound, *, user: str) -> None:
        self.core = core
        self.outbound = outbound
        self.console = outbound.console
        self.actor = Actor(Platform.SHELL, user)
        self.conversation = Conversation(Platform.SHELL, channel_id="shell")
        self.done = False

    async def send(self, line: str) -> Response | None:
        """Handle one typed line; None for blank lines, comments and /quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return None
        word, _, rest = line.partition(" ")
        word = word.lstrip("/").lower()
        if word in ("quit", "exit"):
            self.done = True
            return None
        if word == "help":
            return Reply(SHELL_HELP)
        if word == "vet":
            return await self.core.handle_command(self._command(rest.strip()))
        if word == "vet-admin":
            return await self.core.handle_command(self._command(rest.strip(), name="vet-admin"))
        if word in _ACTIONS:
            ref, _, reason = rest.strip().partition(" ")
            if not ref:
                return ErrorReply(f"/{word} needs the case id from the card", field="id")
            return await self.core.handle_action(
                Action(
                    actor=self.actor,
                    conversation=self.conversation,
                    action=_ACTIONS[word],
                    vetting_id=self._resolve(ref),
                    idempotency_key=f"shell:{uuid.uuid4().hex}",
                    reason=reason.strip() or None,
                )
            )
        return ErrorReply(f'unknown command "/{word[:30]}"; try /help')

    async def send_form(self, values: dict[str, str]) -> Response:
        return await self.core.handle_command(self._command("", form=values))

    def _command(self, text: str, form: dict[str, str] | None = None, name: str = "vet") -> Command:
        # content hash (issue 7): the same request typed twice is one job, not two vettings
        digest = hashlib.sha256(
            repr((self.actor.qualified, name, text, sorted((form or {}).items()))).encode()
        )
        return Command(
            actor=self.actor,
            conversation=self.conversation,
            name=name,
            text=text,
            idempotency_key=f"shell:{digest.hexdigest()}",
            form=form,
        )

    def _resolve(self, ref: str) -> str:
        matches = [c for c in self.outbound.case_ids if c.startswith(ref)]
        return matches[0] if len(matches) == 1 else ref

    def show(self, response: Response | None) -> None:
        if response is None:
            return
        if isinstance(response, CardReply):
            self.console.print(render_card(response.card))
        elif isinstance(response, ErrorReply):
            self.console.print(Text(f"error: {response.message}", style="red"))
        elif isinstance(response, Accepted):
            self.console.print(Text(f"{response.text} (job {response.job_id})", style="dim"))
        elif isinstance(response, FormReply):
            names = ", ".join(f.name for f in response.fields)
            self.console.print(Text(f"{response.title}: {names}", style="dim"))
        else:
            self.console.print(response.text, markup=False, highlight=False, soft_wrap=True)

    async def fill_form(self, form: FormReply) -> Response:
        """Ask each field in turn (interactive terminals only)."""
        values: dict[str, str] = {}
        for f in form.fields:
            label = f"{f.label}{' *' if f.required else ''}: "
            values[f.name] = await asyncio.to_thread(self.console.input, label)
        return await self.send_form(values)


async def run(shell: Shell, stdin: TextIO, *, interactive: bool) -> None:
    """Read lines until EOF or /quit. Piped input waits for each card before the next line,
    so a transcript reads in order and the process exits only when everything is delivered."""
    while not shell.done:
        if interactive:
            try:
                line: str | None = await asyncio.to_thread(shell.console.input, "vetbot> ")
            except EOFError:
                line = None
        else:
            line = await asyncio.to_thread(stdin.readline) or None
        if line is None:
            break
        response = await shell.send(line)
        shell.show(response)
        if isinstance(response, FormReply) and interactive:
            shell.show(await shell.fill_form(response))
        if not interactive:
            await shell.core.drain(timeout=120)
    await shell.core.drain(timeout=120)


async def run_session(
    service: VettingService,
    *,
    user: str | None = None,
    stdin: TextIO | None = None,
    console: Console | None = None,
) -> None:
    """What ``vetbot shell`` runs: an in-process core, started, read to the end, stopped."""
    stream = stdin or sys.stdin
    shell_console = console or Console(highlight=False)
    outbound = ShellOutbound(shell_console)
    core = BotCore(service)
    core.register_outbound(Platform.SHELL, outbound)
    await core.start()
    try:
        shell = Shell(core, outbound, user=user or default_user())
        interactive = stream.isatty()
        if interactive:
            shell_console.print(
                Text(f"vetbot shell as {shell.actor.qualified}; /help for commands", style="dim")
            )
        await run(shell, stream, interactive=interactive)
    finally:
        await core.stop()


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "user"
