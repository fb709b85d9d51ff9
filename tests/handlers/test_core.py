"""BotCore through its public door: intake, worker, outbox, decisions (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import ColumnElement, func, select, update
from sqlmodel import col

from tests.handlers.chat_fixtures import ALICE, BOB, HERE, RecordingOutbound, make_core, vet
from vetbot.config import Config
from vetbot.handlers.api import (
    Accepted,
    Action,
    ActionId,
    Actor,
    CardReply,
    ErrorReply,
    FormReply,
    Reply,
    RiskCard,
)
from vetbot.handlers.core import BotCore
from vetbot.handlers.decisions import authorize
from vetbot.storage import chat_repository
from vetbot.storage.chat_tables import ChatJob, DecisionRow, EscalationRow, JobStatus, OutboxRow
from vetbot.storage.database import Database
from vetbot.storage.tables import Vetting, utcnow

RISKY = 'name="Risky Person" location.country=PL'
CALM = 'name="Calm Person" location.country=PL'
REASON = "ID document checked on a live video call"


@pytest.fixture
def outbound() -> RecordingOutbound:
    return RecordingOutbound()


@pytest.fixture
async def core(db: Database, config: Config, outbound: RecordingOutbound) -> AsyncIterator[BotCore]:
    bot = make_core(db, config, outbound)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


async def count(db: Database, model: type, *where: ColumnElement[bool]) -> int:
    async with db.session() as session:
        return int(
            (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()
        )


async def vetted(core: BotCore, text: str, key: str, outbound: RecordingOutbound) -> RiskCard:
    reply = await core.handle_command(vet(text, key))
    assert isinstance(reply, Accepted)
    await core.drain()
    cards = [what for kind, k, what in outbound.calls if kind == "card" and k == f"card:{reply.job_id}"]
    assert len(cards) == 1 and isinstance(cards[0], RiskCard)
    return cards[0]


ADMINS = frozenset({BOB.qualified})


def act(action: ActionId, vetting_id: str, key: str, actor: Actor = BOB, reason: str | None = None) -> Action:
    return Action(
        actor=actor,
        conversation=HERE,
        action=action,
        vetting_id=vetting_id,
        idempotency_key=key,
        reason=reason,
    )


async def test_vet_is_acknowledged_fast_and_the_card_follows(
    core: BotCore, outbound: RecordingOutbound
) -> None:
    started = time.perf_counter()
    reply = await core.handle_command(vet(RISKY, "k1"))
    assert time.perf_counter() - started < 0.1
    assert isinstance(reply, Accepted) and reply.job_id
    await core.drain()
    assert outbound.kinds() == ["card", "escalation"]
    card = outbound.calls[0][2]
    assert isinstance(card, RiskCard)
    assert (card.band, card.status, card.requester) == ("high", "escalated", "shell:alice")
    escalation = outbound.calls[1][2]
    assert isinstance(escalation, RiskCard) and escalation.escalation
    assert outbound.calls[1][1] == f"escalation:{card.vetting_id}"


async def test_same_delivery_twice_vets_once_and_escalates_once(
    core: BotCore, db: Database, outbound: RecordingOutbound
) -> None:
    first, second = await asyncio.gather(
        core.handle_command(vet(RISKY, "same")), core.handle_command(vet(RISKY, "same"))
    )
    third = await core.handle_command(vet(RISKY, "same"))
    assert isinstance(first, Accepted) and isinstance(second, Accepted) and isinstance(third, Accepted)
    assert first.job_id == second.job_id == third.job_id
    await core.drain()
    assert await count(db, Vetting) == 1
    assert await count(db, EscalationRow) == 1
    assert outbound.kinds() == ["card", "escalation"]


async def test_low_risk_is_not_escalated(core: BotCore, outbound: RecordingOutbound) -> None:
    card = await vetted(core, CALM, "calm", outbound)
    assert card.band == "low" and ActionId.ESCALATE in card.actions
    assert outbound.kinds() == ["card"]


async def test_escalate_button_posts_once(core: BotCore, db: Database, outbound: RecordingOutbound) -> None:
    card = await vetted(core, CALM, "calm", outbound)
    assert isinstance(await core.handle_action(act(ActionId.ESCALATE, card.vetting_id, "e1")), Reply)
    again = await core.handle_action(act(ActionId.ESCALATE, card.vetting_id, "e2", actor=ALICE))
    assert isinstance(again, Reply) and "already escalated" in again.text
    await core.drain()
    assert outbound.kinds().count("escalation") == 1
    assert await count(db, EscalationRow) == 1


async def test_clear_needs_a_reason_of_twenty_characters(
    core: BotCore, db: Database, outbound: RecordingOutbound
) -> None:
    card = await vetted(core, RISKY, "r", outbound)
    for reason in (None, "", "too short", " " * 30):
        refused = await core.handle_action(act(ActionId.CLEAR, card.vetting_id, f"c-{reason}", reason=reason))
        assert isinstance(refused, ErrorReply) and refused.field == "reason"
    assert await count(db, DecisionRow) == 0
    done = await core.handle_action(act(ActionId.CLEAR, card.vetting_id, "c-ok", reason=REASON))
    assert isinstance(done, Reply)
    async with db.session() as session:
        (decision,) = (await session.execute(select(DecisionRow))).scalars()
    assert (decision.actor, decision.action, decision.reason) == ("shell:bob", "vetbot.clear", REASON)


@pytest.mark.parametrize("action", [ActionId.CLEAR, ActionId.CONFIRM_FAKE])
async def test_requester_cannot_decide_their_own_case(
    core: BotCore, db: Database, outbound: RecordingOutbound, action: ActionId
) -> None:
    card = await vetted(core, RISKY, "r", outbound)
    refused = await core.handle_action(act(action, card.vetting_id, "own", actor=ALICE, reason=REASON))
    assert isinstance(refused, ErrorReply) and "requested" in refused.message
    assert await count(db, DecisionRow) == 0


async def test_authorize_four_eyes_and_roles(db: Database) -> None:
    """Bob (security via VETBOT_ADMINS here) may do everything on Alice's case; Alice, the
    requester, may escalate, view, ask for checks and mark the candidate informed on her own
    case, but never decide it."""
    own_allowed = {ActionId.ESCALATE, ActionId.DETAILS, ActionId.REQUEST_CHECKS, ActionId.CANDIDATE_INFORMED}
    async with db.session() as session:
        for action in ActionId:
            assert await authorize(session, BOB, action, requester=ALICE.qualified, admins=ADMINS) is None
            own = await authorize(session, ALICE, action, requester=ALICE.qualified, admins=ADMINS)
            assert (own is None) == (action in own_allowed), action


async def test_decision_updates_the_requesters_card(core: BotCore, outbound: RecordingOutbound) -> None:
    card = await vetted(core, RISKY, "r", outbound)
    assert isinstance(await core.handle_action(act(ActionId.CLAIM, card.vetting_id, "claim")), Reply)
    repeated = await core.handle_action(act(ActionId.CLAIM, card.vetting_id, "claim"))
    assert isinstance(repeated, Reply) and repeated.text == "Already recorded."
    await core.drain()
    updates = [(mid, what) for kind, mid, what in outbound.calls if kind == "update"]
    assert len(updates) == 1
    message_id, updated = updates[0]
    assert message_id == "msg-1" and isinstance(updated, RiskCard)
    assert updated.status == "claimed" and updated.status_detail and "shell:bob" in updated.status_detail


async def test_closed_case_refuses_further_decisions(core: BotCore, outbound: RecordingOutbound) -> None:
    card = await vetted(core, RISKY, "r", outbound)
    assert isinstance(await core.handle_action(act(ActionId.CONFIRM_FAKE, card.vetting_id, "f")), Reply)
    late = await core.handle_action(act(ActionId.CLEAR, card.vetting_id, "c", reason=REASON))
    assert isinstance(late, ErrorReply) and "closed" in late.message
    assert isinstance(await core.handle_action(act(ActionId.DETAILS, card.vetting_id, "d")), CardReply)


async def test_help_form_status_and_errors_answer_at_once(core: BotCore, outbound: RecordingOutbound) -> None:
    assert isinstance(await core.handle_command(vet("help", "h")), Reply)
    assert isinstance(await core.handle_command(vet("", "f")), FormReply)
    bad = await core.handle_command(vet("nmae=x", "b"))
    assert isinstance(bad, ErrorReply) and bad.field == "nmae"
    missing = await core.handle_command(vet("status 0123456789abcdef", "s0"))
    assert isinstance(missing, ErrorReply)
    accepted = await core.handle_command(vet(RISKY, "r"))
    assert isinstance(accepted, Accepted)
    await core.drain()
    status = await core.handle_command(vet(f"status {accepted.job_id}", "s1"))
    assert isinstance(status, CardReply) and status.card.band == "high" and status.card.status == "escalated"


async def test_form_submission_takes_the_same_path(core: BotCore, outbound: RecordingOutbound) -> None:
    form = replace(vet("", "form"), form={"name": "Risky Form", "email": ""})
    assert isinstance(await core.handle_command(form), Accepted)
    await core.drain()
    assert outbound.kinds() == ["card", "escalation"]


async def test_failed_delivery_is_retried_and_sent_once(db: Database, config: Config) -> None:
    flaky = RecordingOutbound(fail=2)
    bot = make_core(db, config, flaky)
    await bot.start()
    try:
        assert isinstance(await bot.handle_command(vet(CALM, "flaky")), Accepted)
        await bot.drain()
    finally:
        await bot.stop()
    assert flaky.kinds() == ["card"]
    async with db.session() as session:
        (row,) = (await session.execute(select(OutboxRow))).scalars()
    assert (row.status, row.attempts, row.message_id) == ("sent", 3, "msg-1")


async def test_crashed_job_resumes_in_a_new_core(db: Database, config: Config) -> None:
    """A job left ``running`` with an expired lease (its worker died) is vetted by the next core."""
    async with db.session() as session:
        job_id, _ = await chat_repository.enqueue_job(
            session,
            job_id="deadbeef" * 4,
            idempotency_key="crashed",
            platform="shell",
            actor="shell:alice",
            command={"name": "vet", "profile": {"name": "Risky Crash"}},
            conversation={"platform": "shell"},
        )
        await session.execute(
            update(ChatJob)
            .where(col(ChatJob.id) == job_id)
            .values(status=JobStatus.RUNNING.value, attempts=1, lease_until=utcnow() - timedelta(seconds=5))
        )
    outbound = RecordingOutbound()
    bot = make_core(db, config, outbound)
    await bot.start()
    try:
        await bot.drain()
    finally:
        await bot.stop()
    assert outbound.kinds() == ["card", "escalation"]
    async with db.session() as session:
        job = await chat_repository.get_job(session, job_id=job_id)
    assert job is not None and job.status == "done" and job.attempts == 2 and job.vetting_id


async def test_a_worker_that_lost_its_lease_cannot_finish(db: Database) -> None:
    async with db.session() as session:
        await chat_repository.enqueue_job(
            session,
            job_id="f" * 32,
            idempotency_key="fence",
            platform="shell",
            actor="shell:a",
            command={},
            conversation={},
        )
    async with db.session() as session:
        first = await chat_repository.claim_job(session, lease_seconds=-1)  # expires at once
    async with db.session() as session:
        second = await chat_repository.claim_job(session, lease_seconds=60)
    assert first and second and (first.token, second.token) == (1, 2)
    async with db.session() as session:
        assert not await chat_repository.finish_job(
            session, job_id=first.id, token=first.token, status=JobStatus.DONE
        )
        assert await chat_repository.finish_job(
            session, job_id=second.id, token=second.token, status=JobStatus.DONE
        )
    async with db.session() as session:
        assert await chat_repository.claim_job(session, lease_seconds=60) is None


async def test_drain_needs_a_started_core(db: Database, config: Config) -> None:
    with pytest.raises(RuntimeError):
        await make_core(db, config).drain()


async def test_stop_leaves_unstarted_work_for_the_next_start(db: Database, config: Config) -> None:
    bot = make_core(db, config)
    assert isinstance(await bot.handle_command(vet(CALM, "later")), Accepted)  # not started: stays queued
    assert await count(db, ChatJob, col(ChatJob.status) == "queued") == 1
    await bot.start()
    await bot.drain()
    await bot.stop()
    assert await count(db, ChatJob, col(ChatJob.status) == "done") == 1
