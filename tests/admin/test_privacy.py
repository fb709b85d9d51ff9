"""Erasure (four eyes), export, retention purge with a frozen clock, append-only audit log."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlmodel import col

from tests.admin.helpers import (
    ADMIN,
    ADMIN2,
    EMAIL,
    NAME,
    OTHER,
    PHONE,
    PHONE_E164,
    PROFILE,
    REQUESTER,
    SECURITY,
    admin_handler,
    ok,
    refused,
    scan,
    vet,
)
from vetbot.handlers.retention import RetentionScheduler, run_retention
from vetbot.handlers.vetting import VettingService
from vetbot.storage import admin_repository, repository, reuse_repository
from vetbot.storage.chat_tables import CaseState, ChatJob, DecisionRow, OutboxRow
from vetbot.storage.database import Database
from vetbot.storage.tables import FindingRow, Vetting

PII = (NAME, EMAIL, PHONE, PHONE_E164, "jan.kowalski")
# A second persona reusing Jan's payout account: its reuse finding names Jan.
PERSONA = {
    **OTHER,
    "id": "ats-3",
    "name": "Piotr Nowicki",
    "email": "p.nowicki@example.net",
    "phone": "+48 602 345 678",
    "payment": PROFILE["payment"] | {"account_holder": "Piotr Nowicki"},
}


async def _chat_rows(db: Database, vetting_id: str) -> None:
    """What the chat workflow stores about a case: job (with the profile), outbox, decision."""
    async with db.session() as session:
        session.add(
            ChatJob(
                id="job1",
                idempotency_key="slack:trigger-1",
                platform="slack",
                actor=REQUESTER,
                command={"name": "vet", "profile": PROFILE, "display_name": "Hiring Manager"},
                conversation={"platform": "slack", "channel_id": "C1"},
                status="done",
                vetting_id=vetting_id,
            )
        )
        session.add(
            OutboxRow(key="card:job1", kind="card", platform="slack", payload={"vetting_id": vetting_id})
        )
        session.add(CaseState(vetting_id=vetting_id, job_id="job1", requester=REQUESTER, status="cleared"))
        await session.flush()
        session.add(
            DecisionRow(
                vetting_id=vetting_id,
                actor=SECURITY,
                action="vetbot.clear",
                reason=f"Called {NAME} on {PHONE} and checked the ID live.",
            )
        )


async def _mention(db: Database, vetting_id: str) -> None:
    """Another persona's reuse finding naming Jan (as ``reuse.*`` checks write them)."""
    summary = f"Payout account was already given by {NAME} (ats-1, {EMAIL})"
    async with db.session() as session:
        vetting = await repository.get_vetting(session, vetting_id=vetting_id)
        assert vetting is not None
        finding = {
            "check": "reuse.payment",
            "points": 40,
            "severity": "high",
            "summary": summary,
            "source": "x",
        }
        result = {**vetting.result, "findings": [*vetting.result["findings"], finding]}
        await session.execute(update(Vetting).where(col(Vetting.id) == vetting_id).values(result=result))
        session.add(
            FindingRow(
                vetting_id=vetting_id, check_id="reuse.payment", points=40, severity="high", summary=summary
            )
        )


async def test_erase_needs_a_second_admin_and_removes_pii_everywhere(
    db: Database, service: VettingService
) -> None:
    jan = await vet(service, PROFILE)
    await _chat_rows(db, jan.result.vetting_id)
    persona = await vet(service, PERSONA)
    await _mention(db, persona.result.vetting_id)
    assert await scan(db, *PII)
    handler = admin_handler(service)

    assert "second admin approves" in await ok(handler, ADMIN, "erase ats-1")
    assert "already requested" in await ok(handler, ADMIN, "erase ats-1")
    assert "different admin must approve" in await refused(handler, ADMIN, "erase ats-1 approve")
    assert await scan(db, NAME), "nothing is erased before the second admin approves"
    assert "Erased" in await ok(handler, ADMIN2, f"erase {jan.candidate_key} approve")

    assert await scan(db, *PII) == []
    async with db.session() as session:
        rows = await admin_repository.audit_since(session, since=datetime.now(UTC) - timedelta(hours=1))
        # the identifier index no longer finds Jan: a new persona with his e-mail matches nobody
        matches = await reuse_repository.prior_matches(
            session, keys=[("email", EMAIL)], exclude_candidate="x"
        )
        vetting = await repository.get_vetting(session, vetting_id=jan.result.vetting_id)
        other = await repository.get_vetting(session, vetting_id=persona.result.vetting_id)
    assert matches == []
    actions = [(r.action, r.actor, r.case_id) for r in rows]
    assert ("erase.request", ADMIN, jan.candidate_key) in actions
    assert ("denied", ADMIN, jan.candidate_key) in actions
    assert ("erase.approve", ADMIN2, jan.candidate_key) in actions
    # scores, bands and the other persona's own data stay
    assert vetting is not None and vetting.score == jan.result.score
    assert vetting.result["candidate"]["name"].startswith("erased:")
    assert other is not None and other.result["candidate"]["name"] == "Piotr Nowicki"
    assert any(
        f["summary"].startswith("Payout account was already given by erased:")
        for f in other.result["findings"]
    )
    assert "no pending erasure" in await refused(handler, ADMIN2, f"erase {jan.candidate_key} approve")


async def test_export_returns_everything_held_and_is_audited(db: Database, service: VettingService) -> None:
    jan = await vet(service, PROFILE)
    await _chat_rows(db, jan.result.vetting_id)
    await vet(service, OTHER)
    handler = admin_handler(service)
    reply = await ok(handler, ADMIN, "export ats-1")
    data: dict[str, Any] = json.loads(reply)
    tables = data["tables"]
    assert data["candidate_key"] == jan.candidate_key
    assert tables["candidate"][0]["profile"]["email"] == EMAIL
    assert [v["id"] for v in tables["vetting"]] == [jan.result.vetting_id]
    assert {f["check_id"] for f in tables["finding"]} == {f.check for f in jan.result.findings}
    assert {"email", "phone"} <= {i["kind"] for i in tables["identifier"]}
    assert tables["job"][0]["id"] == "job1" and tables["outbox"][0]["key"] == "card:job1"
    assert tables["decision"][0]["actor"] == SECURITY and tables["case_state"][0]["status"] == "cleared"
    assert "Maria Silva" not in reply
    async with db.session() as session:
        rows = await admin_repository.audit_since(session, since=datetime.now(UTC) - timedelta(hours=1))
    exported = [r for r in rows if r.action == "export"]
    assert exported[0].case_id == jan.candidate_key and exported[0].detail["rows"]["vetting"] == 1
    assert "no candidate" in await refused(handler, ADMIN, "export nobody-knows")


async def _age(db: Database, vetting_id: str, at: datetime) -> None:
    async with db.session() as session:
        await session.execute(update(Vetting).where(col(Vetting.id) == vetting_id).values(created_at=at))


async def test_retention_purge_with_a_frozen_clock_erases_only_expired_cases(
    db: Database, service: VettingService
) -> None:
    now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    expired = await vet(service, PROFILE)  # vetted 40 days ago, undecided
    decided = await vet(service, OTHER)  # vetted 40 days ago, decided 5 days ago
    fresh = await vet(service, PERSONA)  # vetted 10 days ago
    await _age(db, expired.result.vetting_id, now - timedelta(days=40))
    await _age(db, decided.result.vetting_id, now - timedelta(days=40))
    await _age(db, fresh.result.vetting_id, now - timedelta(days=10))
    async with db.session() as session:
        session.add(
            DecisionRow(
                vetting_id=decided.result.vetting_id,
                actor=SECURITY,
                action="vetbot.clear",
                created_at=now - timedelta(days=5),
            )
        )

    assert await run_retention(db, now) == 1
    assert await scan(db, NAME, EMAIL) == []
    assert await scan(db, "Maria Silva") and await scan(db, "Piotr Nowicki")
    assert await run_retention(db, now) == 0  # idempotent
    async with db.session() as session:
        rows = await admin_repository.audit_since(
            session, since=now - timedelta(days=1), action="retention.erase"
        )
    assert [(r.actor, r.case_id) for r in rows] == [("vetbot", expired.candidate_key)]

    # 26 days later the decision is 31 days old and the fresh vetting 36: both expire
    scheduler = RetentionScheduler(db, every_hours=24, clock=lambda: now + timedelta(days=26))
    assert await scheduler.run_once() == 2
    assert await scan(db, "Maria Silva", "Piotr Nowicki") == []


async def test_retention_follows_the_admin_setting(db: Database, service: VettingService) -> None:
    now = datetime(2027, 3, 1, tzinfo=UTC)
    jan = await vet(service, PROFILE)
    await _age(db, jan.result.vetting_id, now - timedelta(days=40))
    await ok(admin_handler(service), ADMIN, "retention 60")
    assert await run_retention(db, now) == 0
    assert await run_retention(db, now + timedelta(days=21)) == 1


async def test_scheduler_loop_runs_on_its_tick_without_real_sleeping(db: Database) -> None:
    ticks: list[float] = []
    stop = asyncio.Event()

    async def fake_sleep(seconds: float) -> None:
        ticks.append(seconds)
        if len(ticks) == 3:
            stop.set()
        await asyncio.sleep(0)

    scheduler = RetentionScheduler(
        db, every_hours=6, clock=lambda: datetime(2027, 1, 1, tzinfo=UTC), sleep=fake_sleep
    )
    scheduler.start()
    await asyncio.wait_for(stop.wait(), 5)
    await scheduler.stop()
    assert scheduler.runs >= 3 and ticks[:3] == [6 * 3600.0] * 3


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"])
async def test_audit_log_is_append_only_in_the_database(db: Database, statement: str) -> None:
    async with db.session() as session:
        await admin_repository.append_audit(session, actor=ADMIN, action="test", detail={"n": 1})
    with pytest.raises(Exception, match="append-only"):
        async with db.session() as session:
            await session.execute(text(statement))
    async with db.session() as session:
        rows = await admin_repository.audit_since(session, since=datetime(2000, 1, 1, tzinfo=UTC))
    assert [(r.actor, r.action) for r in rows] == [(ADMIN, "test")]
