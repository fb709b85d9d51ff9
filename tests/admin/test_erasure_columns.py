"""Erasure rewrites a person's data, never vocabulary: bands, statuses, kinds, check ids…

A candidate whose name or aliases are also vetbot words ("Medium Jan", "Open High", "Low
Done"…) must lose name, e-mail and phone everywhere while every band, severity, status,
kind, platform, action and check id stays as it was (a pseudonym in a varchar(10) band
fails the erasure on PostgreSQL and silently corrupts the row on SQLite), every stored
result still loads as a ``VettingResult`` and renders as a card, and the other candidates'
own words ("Open source contributions", "January", "Jan Nowak") are left alone.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import JSON, MetaData, String, select, text, update
from sqlmodel import SQLModel, col

import vetbot.storage
from tests.admin.helpers import (
    ADMIN,
    ADMIN2,
    EMAIL,
    PHONE,
    PHONE_E164,
    PROFILE,
    REQUESTER,
    SECURITY,
    admin_handler,
    ok,
    scan,
    vet,
)
from vetbot.bot.render.adaptive import to_adaptive_card
from vetbot.bot.render.blockkit import to_blocks
from vetbot.bot.render.terminal import render_card
from vetbot.handlers.api import ActionId
from vetbot.handlers.cards import load_card
from vetbot.handlers.vetting import VettingService
from vetbot.models.result import Band, Severity, VettingResult
from vetbot.storage import admin_repository
from vetbot.storage.chat_tables import (
    CaseState,
    CaseStatus,
    ChatJob,
    DecisionRow,
    EscalationRow,
    JobStatus,
    OutboxKind,
    OutboxRow,
    OutboxStatus,
)
from vetbot.storage.database import Database
from vetbot.storage.erasure_columns import COLUMNS, Doc, scrub
from vetbot.storage.person_data import person_tables, pseudonym
from vetbot.storage.recheck_tables import RecheckRow, RecheckStatus
from vetbot.storage.tables import FindingRow, Vetting

RESUME = "Open source contributions, high availability, medium-sized teams, low latency. Done."
# The other persona reuses the erased candidate's payout account (its reuse findings name
# them) and is called Jan, like the erased candidate's alias: its own data must stay.
OTHER_NAME = "Jan Nowak"
PERSONA: dict[str, Any] = {
    "id": "ats-3",
    "name": OTHER_NAME,
    "email": "jan.nowak@example.net",
    "phone": "+48 602 345 678",
    "location": {"city": "Kraków", "country": "PL"},
    "payment": PROFILE["payment"] | {"account_holder": OTHER_NAME},
}
OTHER_FINDING = "Open source contributions since January, low activity"
OTHER_REASON = f"{OTHER_NAME} confirmed on a call in January; open source contributions checked."

# Columns holding vocabulary or ids: an erasure leaves every value as it was.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "vetting": ("band", "requester", "score"),
    "finding": ("check_id", "rule", "severity", "points"),
    "job": ("status", "platform", "actor", "idempotency_key", "conversation", "vetting_id"),
    "outbox": ("kind", "status", "platform", "key"),
    "escalation": ("platform", "actor", "outbox_key", "vetting_id"),
    "decision": ("action", "actor", "idempotency_key"),
    "case_state": ("status", "requester", "job_id"),
    "recheck": ("status", "check_ids", "round_no"),
    "role": ("actor", "role"),
}

NAMES = [
    pytest.param("Medium Jan", ["Jan"], "high", id="medium-jan"),
    pytest.param("Open High", ["Clear Sent"], "open", id="open-high"),
    pytest.param("Low Done", ["Pending Card", "Slack"], "done", id="low-done"),
    pytest.param("Reuse Payment", ["Vetbot Clear", "Escalated"], "shell", id="check-ids"),
]


async def _case(db: Database, vetting_id: str, name: str, *, own: bool) -> None:
    """What the chat workflow and re-checks store about a case, in every vocabulary column."""
    tag = vetting_id[:8]
    async with db.session() as session:
        vetting = await session.get(Vetting, vetting_id)
        assert vetting is not None
        result = vetting.result
        session.add(
            ChatJob(
                id=f"job{tag}",
                idempotency_key=f"slack:trigger-{tag}",
                platform="slack",
                actor=REQUESTER,
                command={"name": "vet", "profile": None, "display_name": "Hiring Manager"},
                conversation={"platform": "slack", "channel_id": "C1", "team_id": "T1"},
                status=JobStatus.DONE.value,
                vetting_id=vetting_id,
                error=f"retry of {name}'s vetting in January" if own else None,
            )
        )
        session.add(
            OutboxRow(
                key=f"card:job{tag}",
                kind=OutboxKind.CARD.value,
                platform="slack",
                payload={"vetting_id": vetting_id, "conversation": {"platform": "slack", "channel_id": "C1"}},
                status=OutboxStatus.SENT.value,
            )
        )
        session.add(
            OutboxRow(
                key=f"text:job{tag}",
                kind=OutboxKind.TEXT.value,
                platform="slack",
                payload={"conversation": {"platform": "slack"}, "text": f"Vetting of {name} is ready"},
                status=OutboxStatus.PENDING.value,
            )
        )
        session.add(
            CaseState(
                vetting_id=vetting_id,
                job_id=f"job{tag}",
                requester=REQUESTER,
                status=(CaseStatus.OPEN if own else CaseStatus.CLAIMED).value,
            )
        )
        session.add(
            RecheckRow(
                vetting_id=vetting_id,
                job_id=f"job{tag}",
                round_no=1,
                check_ids=["footprint.github_api"],
                inputs={"name": name, "github": "jk"} if own else None,
                status=RecheckStatus.PENDING.value if own else RecheckStatus.DONE.value,
                result=result,
            )
        )
        await session.flush()
        session.add(
            EscalationRow(vetting_id=vetting_id, platform="slack", actor="vetbot", outbox_key=f"esc:{tag}")
        )
        session.add(
            DecisionRow(
                vetting_id=vetting_id,
                actor=SECURITY,
                action=(ActionId.CLEAR if own else ActionId.CLAIM).value,
                reason=f"Called {name} on {PHONE}." if own else OTHER_REASON,
            )
        )


async def _add_finding(db: Database, vetting_id: str, summary: str) -> None:
    """A free-text finding on the other persona's case, in its result and its finding row."""
    finding = {
        "check": "footprint.accounts",
        "points": 5,
        "severity": "low",
        "summary": summary,
        "source": "x",
    }
    async with db.session() as session:
        vetting = await session.get(Vetting, vetting_id)
        assert vetting is not None
        result = {**vetting.result, "findings": [*vetting.result["findings"], finding]}
        await session.execute(update(Vetting).where(col(Vetting.id) == vetting_id).values(result=result))
        session.add(
            FindingRow(
                vetting_id=vetting_id,
                check_id="footprint.accounts",
                points=5,
                severity="low",
                summary=summary,
            )
        )


async def _snapshot(db: Database) -> dict[tuple[str, str], list[Any]]:
    """Every vocabulary column's values, row by row in primary-key order."""
    out: dict[tuple[str, str], list[Any]] = {}
    async with db.engine.connect() as conn:
        for name, columns in VOCABULARY.items():
            table = SQLModel.metadata.tables[name]
            rows = (await conn.execute(select(table).order_by(*table.primary_key.columns))).mappings()
            values = [dict(r) for r in rows]
            for column in columns:
                out[(name, column)] = [v[column] for v in values]
    return out


async def _results(db: Database) -> dict[str, dict[str, Any]]:
    """Stored result documents: ``vetting:<id>`` and ``recheck:<vetting id>``."""
    async with db.engine.connect() as conn:
        vettings = await conn.execute(select(SQLModel.metadata.tables["vetting"]))
        rechecks = await conn.execute(select(SQLModel.metadata.tables["recheck"]))
        return {
            **{f"vetting:{r.id}": r.result for r in vettings},
            **{f"recheck:{r.vetting_id}": r.result for r in rechecks if r.result is not None},
        }


def _structure(result: dict[str, Any]) -> tuple[Any, ...]:
    """What the erasure must keep of a result: scores, bands, check ids, severities, sources."""
    return (
        result["vetting_id"],
        result["score"],
        result["band"],
        result["thresholds"],
        [(f["check"], f["points"], f["severity"], f["source"]) for f in result["findings"]],
        [(c["id"], c["status"]) for c in result["checks"]],
    )


async def _cards_render(db: Database, vetting_id: str) -> tuple[str, str]:
    async with db.session() as session:
        card = await load_card(session, vetting_id=vetting_id)
        escalation = await load_card(session, vetting_id=vetting_id, escalation=True)
    assert card is not None and escalation is not None
    for each in (card, escalation):
        to_blocks(each)
        to_adaptive_card(each)
        Console(file=io.StringIO(), width=120).print(render_card(each))
    return card.band, card.status


@pytest.mark.parametrize(("name", "aliases", "github"), NAMES)
async def test_erasing_a_vocabulary_name_keeps_bands_statuses_and_results(
    db: Database, service: VettingService, name: str, aliases: list[str], github: str
) -> None:
    handler = admin_handler(service)
    await ok(handler, ADMIN, "threshold high 99")  # the candidate (60–92 points) is "medium"
    person = PROFILE | {
        "name": name,
        "other_names": aliases,
        "github": github,
        "resume_text": RESUME,
        "payment": PROFILE["payment"] | {"account_holder": name},
    }
    jan = await vet(service, person)
    await ok(handler, ADMIN, "threshold high 60")
    other = await vet(service, PERSONA)
    assert (jan.result.band, other.result.band) == (Band.MEDIUM, Band.HIGH)
    jan_id, other_id = jan.result.vetting_id, other.result.vetting_id
    await _add_finding(db, other_id, OTHER_FINDING)
    await _case(db, jan_id, name, own=True)
    await _case(db, other_id, OTHER_NAME, own=False)
    before, results_before = await _snapshot(db), await _results(db)
    cards_before = {v: await _cards_render(db, v) for v in (jan_id, other_id)}
    mentions = [
        f["summary"] for f in results_before[f"vetting:{other_id}"]["findings"] if name in f["summary"]
    ]
    assert mentions, "the other persona's reuse findings name the erased candidate"

    await ok(handler, ADMIN, f"erase {person['id']}")
    assert "Erased" in await ok(handler, ADMIN2, f"erase {jan.candidate_key} approve")

    erased = pseudonym(jan.candidate_key)
    assert await scan(db, name, EMAIL, PHONE, PHONE_E164, "jan.kowalski") == []
    assert await _snapshot(db) == before
    results = await _results(db)
    assert results.keys() == results_before.keys()
    for key, result in results.items():
        VettingResult.model_validate(result)
        assert _structure(result) == _structure(results_before[key]), key
    assert {v: await _cards_render(db, v) for v in (jan_id, other_id)} == cards_before

    # every vocabulary value is still a member of its enumeration
    after = await _snapshot(db)
    assert {Band(b) for b in after[("vetting", "band")]} == {Band.MEDIUM, Band.HIGH}
    assert all(Severity(s) for s in after[("finding", "severity")])
    assert {CaseStatus(s) for s in after[("case_state", "status")]} == {CaseStatus.OPEN, CaseStatus.CLAIMED}
    assert {ActionId(a) for a in after[("decision", "action")]} == {ActionId.CLEAR, ActionId.CLAIM}
    assert {JobStatus(s) for s in after[("job", "status")]} == {JobStatus.DONE}
    assert {OutboxKind(k) for k in after[("outbox", "kind")]} == {OutboxKind.CARD, OutboxKind.TEXT}
    assert {OutboxStatus(s) for s in after[("outbox", "status")]} == {OutboxStatus.SENT, OutboxStatus.PENDING}
    assert {RecheckStatus(s) for s in after[("recheck", "status")]} == {
        RecheckStatus.PENDING,
        RecheckStatus.DONE,
    }

    # the erased candidate's own free text: their name goes, "January" is not "Jan"
    async with db.session() as session:
        job = await session.get(ChatJob, f"job{jan_id[:8]}")
        text_out = (
            await session.execute(select(OutboxRow).where(col(OutboxRow.key) == f"text:job{jan_id[:8]}"))
        ).scalar_one()
        other_decision = (
            await session.execute(select(DecisionRow).where(col(DecisionRow.vetting_id) == other_id))
        ).scalar_one()
        other_findings = (
            await session.execute(select(FindingRow.summary).where(col(FindingRow.vetting_id) == other_id))
        ).scalars()
        other_summaries = list(other_findings)
    assert job is not None and job.error == f"retry of {erased}'s vetting in January"
    assert text_out.payload == {
        "conversation": {"platform": "slack"},
        "text": f"Vetting of {erased} is ready",
    }

    # the other persona: mentions become the pseudonym; its own words and its subject stay
    other_result = results[f"vetting:{other_id}"]
    assert other_result["candidate"] == {"id": "ats-3", "name": OTHER_NAME}
    summaries = [f["summary"] for f in other_result["findings"]]
    assert OTHER_FINDING in summaries and OTHER_FINDING in other_summaries
    assert [s.replace(f"({erased},", "(ats-1,").replace(erased, name) for s in summaries] == [
        f["summary"] for f in results_before[f"vetting:{other_id}"]["findings"]
    ]
    for finding in other_result["findings"]:
        for listed in finding.get("evidence", {}).get("others", []):
            assert (listed["id"], listed["name"], listed["band"]) == (erased, erased, "medium")
    assert other_decision.reason == OTHER_REASON
    assert results[f"recheck:{other_id}"] == other_result


async def test_a_scrubbed_value_never_outgrows_its_column(db: Database, service: VettingService) -> None:
    """A bounded free-text column whose scrubbed text would not fit is blanked, not overflowed."""
    jan = await vet(service, PROFILE)
    name = PROFILE["name"]
    await _case(db, jan.result.vetting_id, name, own=True)
    crowded = " ".join([name] * 15)  # 194 characters; 15 pseudonyms would need 299
    assert len(crowded) <= 200
    async with db.session() as session:
        await session.execute(
            update(ChatJob).where(col(ChatJob.vetting_id) == jan.result.vetting_id).values(error=crowded)
        )
        await session.execute(update(OutboxRow).values(last_error=f"{name} unreachable"))
    async with db.session() as session:
        await admin_repository.erase_candidate(session, jan.candidate_key)
    async with db.session() as session:
        job = (await session.execute(select(ChatJob))).scalar_one()
        rows = (await session.execute(select(OutboxRow))).scalars().all()
    assert job.error == "[erased]"
    assert {r.last_error for r in rows} == {f"{pseudonym(jan.candidate_key)} unreachable"}
    assert await scan(db, name, EMAIL, PHONE, PHONE_E164) == []


def test_inside_stored_documents_only_values_that_can_be_the_persons_are_rewritten() -> None:
    """Keys, bands, severities, statuses, check ids and rules stay; names and prose change."""
    words = re.compile(r"(?<!\w)(?:open|high|jan)(?!\w)", re.IGNORECASE)

    def rewrite(text: str) -> str:
        return words.sub("X", text)

    finding = {
        "check": "open.high",
        "points": 40,
        "severity": "high",
        "summary": "Open source work, high activity since January",
        "evidence": {"rule": "open", "others": [{"id": "jan", "name": "Jan", "band": "high"}], "high": "Jan"},
        "source": "Open",
    }
    result = {
        "vetting_id": "v1",
        "band": "high",
        "candidate": {"id": "open", "name": "Open High"},
        "findings": [finding],
        "checks": [{"id": "open", "status": "ok", "detail": "no open accounts"}],
        "warnings": ["high: unknown field"],
    }
    scrubbed = {
        **result,
        "candidate": {"id": "X", "name": "X X"},
        "findings": [
            {
                **finding,
                "summary": "X source work, X activity since January",
                "evidence": {
                    "rule": "open",
                    "others": [{"id": "X", "name": "X", "band": "high"}],
                    "high": "X",
                },
            }
        ],
        "checks": [{"id": "open", "status": "ok", "detail": "no X accounts"}],
        "warnings": ["X: unknown field"],
    }
    assert scrub(Doc.RESULT, result, rewrite) == scrubbed
    assert scrub(Doc.RESULT, result, rewrite, keep_subject=True)["candidate"] == result["candidate"]
    command = {"name": "open", "profile": {"name": "Jan", "role": {"title": "high"}}, "display_name": "Jan"}
    assert scrub(Doc.COMMAND, command, rewrite) == {
        "name": "open",
        "profile": {"name": "X", "role": {"title": "X"}},
        "display_name": "Jan",
    }
    payload = {"conversation": {"platform": "open", "user": "Jan"}, "kind": "high", "text": "Jan is open"}
    assert scrub(Doc.DOCUMENT, payload, rewrite) == {**payload, "text": "X is X"}


def test_every_text_column_of_a_person_table_is_classified() -> None:
    """A new column decides explicitly whether erasure may rewrite it (``erasure_columns``)."""
    for module in pkgutil.iter_modules(vetbot.storage.__path__):  # every table module registers
        if module.name == "tables" or module.name.endswith("_tables"):
            importlib.import_module(f"vetbot.storage.{module.name}")
    unlisted = [
        f"{name}.{column.name}"
        for name, table in person_tables(dict(SQLModel.metadata.tables)).items()
        for column in table.c
        if isinstance(getattr(column.type, "impl_instance", column.type), String | JSON)
        and column.name not in COLUMNS.get(name, {})
    ]
    assert unlisted == [], (
        "list these columns in vetbot/storage/erasure_columns.py COLUMNS: a Doc if erasure may "
        f"scrub them (free text, candidate data), None if they hold vocabulary or ids: {unlisted}"
    )


async def test_a_table_added_later_is_scrubbed_by_column_type(db: Database, service: VettingService) -> None:
    """Reflected tables nobody listed: long text and JSON values are scrubbed, short codes,
    ids and statuses are not, and JSON keys and vocabulary keys stay."""
    jan = await vet(service, PROFILE)
    name = PROFILE["name"]
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE TABLE erasure_probe (id INTEGER PRIMARY KEY, candidate_key VARCHAR(32) NOT NULL,"
                " status VARCHAR(10) NOT NULL, author_id VARCHAR(200), title VARCHAR(300), note TEXT,"
                " data JSON)"
            )
        )
    try:
        async with db.engine.begin() as conn:
            meta = MetaData()
            await conn.run_sync(lambda sync: meta.reflect(sync, only=["erasure_probe"]))
            table = meta.tables["erasure_probe"]
            await conn.execute(
                table.insert().values(
                    id=1,
                    candidate_key=jan.candidate_key,
                    status="kowalski",
                    author_id="slack:UJAN",
                    title=f"Call with {name}",
                    note=f"{name} ({EMAIL}) called back from {PHONE}",
                    data={"status": "kowalski", "kind": "jan", "text": f"{name}, {PHONE_E164}", "Jan": 1},
                )
            )
        async with db.session() as session:
            await admin_repository.erase_candidate(session, jan.candidate_key)
        async with db.engine.connect() as conn:
            row = (await conn.execute(select(table))).mappings().one()
        erased = pseudonym(jan.candidate_key)
        assert (row["status"], row["author_id"]) == ("kowalski", "slack:UJAN")
        assert row["title"] == f"Call with {erased}"
        assert row["note"] == f"{erased} ({erased}) called back from {erased}"
        assert row["data"] == {"status": "kowalski", "kind": "jan", "text": f"{erased}, {erased}", "Jan": 1}
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP TABLE erasure_probe"))
