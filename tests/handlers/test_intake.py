"""Group-commit intake (``handlers/intake.py``): the guard and policy read in the batch's
transaction, failures handed to every caller, and the worker stepping aside for acks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from tests.handlers.chat_fixtures import ALICE, BOB, RecordingOutbound, make_core, vet
from vetbot.config import Config
from vetbot.handlers import intake as intake_module
from vetbot.handlers.api import Accepted, Actor, ErrorReply, Platform, Reply
from vetbot.handlers.core import BotCore
from vetbot.handlers.intake import Inbound, IntakeBatcher, Refused, Stored
from vetbot.storage import chat_repository
from vetbot.storage.admin_tables import AuditRow
from vetbot.storage.chat_tables import ChatJob, JobStatus
from vetbot.storage.database import Database

CAROL = Actor(Platform.SHELL, "carol")


@pytest.fixture
async def core(db: Database, config: Config) -> AsyncIterator[BotCore]:
    bot = make_core(db, config, RecordingOutbound())  # bob is a bootstrap admin
    await bot.start()
    yield bot
    await bot.stop()


def job(key: str, actor: Actor = ALICE) -> dict[str, Any]:
    return {
        "job_id": key.replace(":", "-"),
        "idempotency_key": key,
        "platform": "shell",
        "actor": actor.qualified,
        "command": {"name": "vet", "profile": {"name": "Jan Kowalski"}, "display_name": None},
        "conversation": {"platform": "shell", "channel_id": "C1", "reference": {}},
    }


async def statuses(db: Database) -> dict[str, str]:
    async with db.session() as session:
        rows = await session.execute(select(col(ChatJob.idempotency_key), col(ChatJob.status)))
        return {key: status for key, status in rows.tuples()}


async def test_one_batch_stores_the_allowed_and_audits_the_refused(core: BotCore, db: Database) -> None:
    assert isinstance(await core.admin.handle(BOB.qualified, "policy requesters granted"), Reply)
    assert isinstance(
        await core.admin.handle(BOB.qualified, f"role grant {ALICE.qualified} requester"), Reply
    )
    batcher = IntakeBatcher(db, admins=frozenset({BOB.qualified}))
    outcomes = await asyncio.gather(
        batcher.enqueue(**job("k:alice")),
        batcher.enqueue(**job("k:carol", CAROL)),
        batcher.enqueue(**job("k:bob", BOB)),
    )
    assert isinstance(outcomes[0], Stored) and outcomes[0].created and not outcomes[0].held
    assert isinstance(outcomes[1], Refused) and "requester" in outcomes[1].message
    assert isinstance(outcomes[2], Stored)
    assert sorted(await statuses(db)) == ["k:alice", "k:bob"]
    async with db.session() as session:
        denied = await session.execute(select(col(AuditRow.actor)).where(col(AuditRow.action) == "denied"))
        assert list(denied.scalars()) == [CAROL.qualified]


async def test_notice_policy_read_in_the_batch_holds_the_job(core: BotCore, db: Database) -> None:
    await core.admin.handle(BOB.qualified, "policy notice required")
    batcher = IntakeBatcher(db)
    outcome = await batcher.enqueue(**job("k:held"))
    assert isinstance(outcome, Stored) and outcome.held
    assert await statuses(db) == {"k:held": JobStatus.HELD.value}


async def test_a_key_twice_in_one_batch_is_one_job(db: Database) -> None:
    batcher = IntakeBatcher(db)
    first, second = await asyncio.gather(batcher.enqueue(**job("k:same")), batcher.enqueue(**job("k:same")))
    assert isinstance(first, Stored) and isinstance(second, Stored)
    assert first.job_id == second.job_id and [first.created, second.created] == [True, False]
    assert list(await statuses(db)) == ["k:same"]


async def test_a_failed_batch_fails_each_of_its_callers_and_the_next_batch_works(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = chat_repository.enqueue_jobs
    calls = 0

    async def flaky(session: Any, jobs: list[dict[str, Any]]) -> list[tuple[str, bool]]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database went away")
        return await real(session, jobs)

    monkeypatch.setattr(chat_repository, "enqueue_jobs", flaky)
    batcher = IntakeBatcher(db)
    failed = await asyncio.gather(
        batcher.enqueue(**job("k:1")), batcher.enqueue(**job("k:2")), return_exceptions=True
    )
    assert [type(f) for f in failed] == [ConnectionError, ConnectionError]
    assert isinstance(await batcher.enqueue(**job("k:3")), Stored)
    assert list(await statuses(db)) == ["k:3"]


async def test_a_burst_is_stored_in_few_transactions(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    real = chat_repository.enqueue_jobs

    async def counting(session: Any, jobs: list[dict[str, Any]]) -> list[tuple[str, bool]]:
        sizes.append(len(jobs))
        return await real(session, jobs)

    monkeypatch.setattr(chat_repository, "enqueue_jobs", counting)
    batcher = IntakeBatcher(db)
    first = asyncio.create_task(batcher.enqueue(**job("k:first")))
    await asyncio.sleep(0)  # the flush has started and is opening its transaction
    await asyncio.sleep(0)
    outcomes = await asyncio.gather(first, *(batcher.enqueue(**job(f"k:{i}")) for i in range(69)))
    assert all(isinstance(o, Stored) and o.created for o in outcomes)
    # the batch is taken once the transaction is open: the first one is full, not of one
    assert sizes == [intake_module.MAX_BATCH, intake_module.MAX_BATCH, 70 - 2 * intake_module.MAX_BATCH]


# --- acks before vettings -----------------------------------------------------------------------


async def test_quiet_returns_at_once_when_no_request_is_in_flight() -> None:
    inbound = Inbound()
    started = time.perf_counter()
    await inbound.quiet(timeout=5)
    assert time.perf_counter() - started < 0.5


async def test_quiet_waits_for_the_requests_in_flight_and_no_longer_than_its_bound() -> None:
    inbound = Inbound()
    with inbound.request():
        waiter = asyncio.create_task(inbound.quiet(timeout=5))
        await asyncio.sleep(0.05)
        assert not waiter.done() and inbound.busy == 1
    await asyncio.wait_for(waiter, 1)
    assert inbound.busy == 0
    with inbound.request():
        started = time.perf_counter()
        await inbound.quiet(timeout=0.05)  # unbroken traffic: the worker goes ahead anyway
        assert time.perf_counter() - started < 1


async def test_the_worker_starts_no_vetting_while_a_request_is_being_answered(
    core: BotCore, db: Database
) -> None:
    with core.intake.inbound.request():
        accepted = await core.handle_command(vet('name="Jan Kowalski"', "k:deferred"))
        assert isinstance(accepted, Accepted)
        await asyncio.sleep(0.2)  # < Inbound.MAX_DEFER
        assert await statuses(db) == {"k:deferred": JobStatus.QUEUED.value}
    await core.drain()
    assert await statuses(db) == {"k:deferred": JobStatus.DONE.value}


async def test_refusal_through_the_core_is_an_error_reply(core: BotCore) -> None:
    await core.admin.handle(BOB.qualified, "policy requesters granted")
    refused = await core.handle_command(vet('name="Jan Kowalski"', "k:refused", CAROL))
    assert isinstance(refused, ErrorReply) and "requester" in refused.message
