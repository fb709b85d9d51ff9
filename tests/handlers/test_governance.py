"""Roles, /vet-admin and the privacy-notice policy through BotCore and the shell — the wiring
of the admin issue into the chat workflow (the admin pieces have their own tests)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from rich.console import Console
from sqlalchemy import select
from sqlmodel import col

from tests.handlers.chat_fixtures import ALICE, BOB, RecordingOutbound, make_core, vet
from vetbot.bot.shell import Shell, ShellOutbound
from vetbot.config import Config
from vetbot.handlers.api import Accepted, CardReply, ErrorReply, Reply
from vetbot.handlers.core import BotCore
from vetbot.storage.admin_tables import AuditRow
from vetbot.storage.database import Database


@pytest.fixture
async def core(db: Database, config: Config) -> AsyncIterator[BotCore]:
    bot = make_core(db, config, RecordingOutbound())  # bob is a bootstrap admin
    await bot.start()
    yield bot
    await bot.stop()


def shell(core: BotCore, user: str) -> Shell:
    return Shell(core, ShellOutbound(Console(file=io.StringIO())), user=user)


async def audit_actions(db: Database) -> list[tuple[str, str]]:
    async with db.session() as s:
        rows = await s.execute(select(col(AuditRow.actor), col(AuditRow.action)).order_by(col(AuditRow.id)))
        return [(a, b) for a, b in rows.tuples()]


async def test_threshold_change_in_the_shell_changes_the_next_band(core: BotCore, db: Database) -> None:
    alice, bob = shell(core, "alice"), shell(core, "bob")
    # FlagCheck gives 90 points to "Risky" names: high at the default 60
    refused = await alice.send("/vet-admin threshold high 95")
    assert isinstance(refused, ErrorReply) and "admin" in refused.message
    before = await alice.send('/vet name="Risky One"')
    assert isinstance(before, Accepted)
    await core.drain()
    changed = await bob.send("/vet-admin threshold high 95")
    assert isinstance(changed, Reply) and "60" in changed.text and "95" in changed.text
    after = await alice.send('/vet name="Risky Two"')
    assert isinstance(after, Accepted)
    await core.drain()
    first = await alice.send(f"/vet status {before.job_id}")
    second = await alice.send(f"/vet status {after.job_id}")
    assert isinstance(first, CardReply) and first.card.band == "high"
    assert isinstance(second, CardReply) and second.card.band == "medium"
    actions = await audit_actions(db)
    assert ("shell:alice", "denied") in actions
    assert any(a == "shell:bob" and b.startswith("settings") for a, b in actions)
    assert [b for a, b in actions if b == "vetting"] == ["vetting", "vetting"]


async def test_requesters_granted_policy_refuses_unknown_users(core: BotCore) -> None:
    assert isinstance(await core.handle_command(vet('name="Jan Kowalski"', "k1")), Accepted)
    bob = shell(core, "bob")
    assert isinstance(await bob.send("/vet-admin policy requesters granted"), Reply)
    refused = await core.handle_command(vet('name="Jan Kowalski"', "k2"))
    assert isinstance(refused, ErrorReply) and "requester" in refused.message
    assert isinstance(await bob.send("/vet-admin role grant shell:alice requester"), Reply)
    assert isinstance(await core.handle_command(vet('name="Jan Kowalski"', "k3")), Accepted)


async def test_notice_required_holds_the_check_until_the_requester_confirms(
    core: BotCore, db: Database
) -> None:
    bob = shell(core, "bob")
    assert isinstance(await bob.send("/vet-admin policy notice required"), Reply)
    held = await core.handle_command(vet('name="Risky Held"', "n1"))
    assert isinstance(held, Reply) and "/vet notice" in held.text
    job_id = held.text.rsplit(" ", 1)[-1]
    await core.drain()  # nothing runs while the job is held
    status = await core.handle_command(vet(f"status {job_id}", "n2"))
    assert isinstance(status, Reply) and "held" in status.text
    not_yours = await core.handle_command(vet(f"notice {job_id}", "n3", actor=BOB))
    assert isinstance(not_yours, ErrorReply)
    confirmed = await core.handle_command(vet(f"notice {job_id}", "n4", actor=ALICE))
    assert isinstance(confirmed, Accepted)
    await core.drain()
    card = await core.handle_command(vet(f"status {job_id}", "n5"))
    assert isinstance(card, CardReply) and card.card.band == "high"
    assert ("shell:alice", "candidate_informed") in await audit_actions(db)
