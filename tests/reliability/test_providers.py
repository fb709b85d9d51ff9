"""Issue 7, slow and failing dependencies, end to end: a network provider that hangs is cut at
its timeout and the card says the check is unavailable; the re-check later re-runs just that
check, updates the requester's card exactly once and escalates exactly once when the band
rises — through the real Slack edge against a local fake of Slack's Web API, and against a
local fake of GitHub's REST API.

Rounds are scheduled an hour ahead; tests "fast-forward" by moving ``due_at`` in the
database, so nothing depends on timing. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select, update
from sqlmodel import col

from tests.bot.fakes import FakeSlack
from tests.checks.providers.fake_github import HANG, NOT_FOUND, FakeGitHub, Reply, serve
from tests.handlers.chat_fixtures import HERE, RecordingOutbound
from vetbot.bot.settings import BotSettings, SlackSettings
from vetbot.bot.web import create_app
from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.checks.github_api import GitHubAccount
from vetbot.checks.providers.github import GitHubApi
from vetbot.checks.providers.settings import ClientSettings, GitHubSettings
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers import recheck
from vetbot.handlers.api import Action, ActionId, Actor, Command, Platform
from vetbot.handlers.core import BotCore
from vetbot.handlers.recheck import run_one_recheck
from vetbot.handlers.vetting import VettingService
from vetbot.handlers.worker import Tuning
from vetbot.models.profile import Profile
from vetbot.models.result import VettingResult
from vetbot.storage import admin_repository, chat_repository, recheck_repository
from vetbot.storage.chat_tables import CaseState, EscalationRow, OutboxKind, OutboxRow
from vetbot.storage.database import Database
from vetbot.storage.recheck_tables import RecheckRow
from vetbot.storage.tables import Vetting

SECRET = "provider-test-signing-secret"
SECURITY = "CSECURITY1"
LATER = Tuning(poll_interval=0.02, retry_base=0.01, lease_seconds=30, recheck_delays=(3600.0, 3600.0))
UNAVAILABLE = Reply(503, {"message": "Service Unavailable"})
CUT = 0.4  # the engine's per-check timeout in these tests


class Medium(Check):
    """50 points (medium band) when the name says "Medium": a stand-in for the offline checks."""

    id: ClassVar[str] = "test.medium"
    title: ClassVar[str] = "test medium"
    weight: ClassVar[int] = 50
    evidence: ClassVar[Evidence] = Evidence.STRONG
    inputs: ClassVar[tuple[str, ...]] = ("name",)
    source: ClassVar[str] = "test source"

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        return [Signal(rule="medium", summary="medium for the test")] if "Medium" in profile.name else []


class Slow(Check):
    """A local check that overruns its timeout: unavailable, but never re-checked."""

    id: ClassVar[str] = "test.slow"
    title: ClassVar[str] = "test slow"
    weight: ClassVar[int] = 10
    evidence: ClassVar[Evidence] = Evidence.WEAK
    inputs: ClassVar[tuple[str, ...]] = ("name",)
    source: ClassVar[str] = "test source"
    timeout: ClassVar[float | None] = 0.05

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        import asyncio

        await asyncio.sleep(1)
        return []


def github(url: str) -> GitHubAccount:
    """Only the engine's cut (CUT) bounds a request: the client itself would wait 30 s."""
    settings = ClientSettings(request_timeout=30.0, retries=0, deadline=30.0, breaker_cooldown=60.0)
    return GitHubAccount(GitHubApi.build(GitHubSettings(api_url=url, token=SecretStr("t")), settings))


def service(db: Database, config: Config, *checks: Check) -> VettingService:
    cut = Config(database_url=config.database_url, secret_key=config.secret_key, check_timeout=CUT)
    return VettingService(db, cut, registry=Registry([Medium(), *checks]))


async def fast_forward(db: Database) -> None:
    """Make every pending round due now (instead of waiting an hour)."""
    async with db.session() as session:
        await session.execute(
            update(RecheckRow).where(col(RecheckRow.status) == "pending").values(due_at=_past())
        )


def _past() -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) - timedelta(seconds=1)


async def rounds(db: Database) -> list[RecheckRow]:
    async with db.session() as session:  # committed, not rolled back: the rows stay loaded
        return list((await session.execute(select(RecheckRow).order_by(col(RecheckRow.id)))).scalars())


# --- through Slack ------------------------------------------------------------------------------


@dataclass
class Stack:
    client: TestClient[Any, Any]
    core: BotCore
    slack: FakeSlack
    gh: FakeGitHub
    triggers: int = 0

    async def vet(self, text: str) -> None:
        self.triggers += 1
        body = urlencode(
            {
                "team_id": "T0001",
                "channel_id": "C0001",
                "user_id": "U0001",
                "user_name": "alice",
                "command": "/vet",
                "text": text,
                "trigger_id": f"1337.{self.triggers}.abcdef",
            }
        )
        ts = str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
        assert signature is not None
        headers = {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        response = await self.client.post("/slack/events", data=body.encode(), headers=headers)
        assert response.status == 200

    def cards(self) -> list[dict[str, Any]]:
        return [c for c in self.slack.of("chat.postMessage") if c["channel"] != SECURITY]

    def escalations(self) -> list[dict[str, Any]]:
        return [c for c in self.slack.of("chat.postMessage") if c["channel"] == SECURITY]


@pytest.fixture
async def stack(db: Database, config: Config) -> AsyncIterator[Stack]:
    gh = FakeGitHub(script=[HANG], default=NOT_FOUND)  # hangs at vetting time, then answers
    slack = FakeSlack()
    async with serve(gh) as gh_url, TestServer(slack.app(), host="127.0.0.1") as slack_server:
        settings = BotSettings(
            slack=SlackSettings(
                bot_token=SecretStr("xoxb-test"),
                signing_secrets=(SecretStr(SECRET),),
                api_url=str(slack_server.make_url("/api/")),
                security_channel=SECURITY,
            )
        )
        core = BotCore(service(db, config, github(gh_url)), tuning=LATER, admins=frozenset())
        async with TestClient(TestServer(create_app(settings, core), host="127.0.0.1")) as client:
            yield Stack(client, core, slack, gh)


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


async def test_hanging_github_then_recheck_updates_the_card_once_and_escalates_once(
    stack: Stack, db: Database
) -> None:
    await stack.vet('name="Medium Jan" github=jkowalski-dev claimed_years_experience=8')
    await stack.core.drain()
    # the card came without waiting for GitHub, and says so
    [card] = stack.cards()
    assert "MEDIUM risk · 50/100" in text_of(card)
    assert "1 check unavailable: footprint.github_api (no answer within 0.4 s) — will be retried" in text_of(
        card
    )
    assert stack.escalations() == [] and stack.slack.of("chat.update") == []
    [first] = await rounds(db)
    assert (first.round_no, first.status, first.check_ids) == (1, "pending", ["footprint.github_api"])
    assert first.inputs is not None and first.inputs["github"] == "jkowalski-dev"

    # an hour later GitHub answers: the account does not exist
    await fast_forward(db)
    await stack.core.drain()
    [updated] = stack.slack.of("chat.update")
    assert updated["ts"] == stack.slack.messages[card["channel"]][0]["ts"]
    assert "HIGH risk · 62/100" in text_of(updated)
    assert "does not exist" in text_of(updated) and "Updated by re-check 1" in text_of(updated)
    assert "check unavailable" not in text_of(updated) and "will be retried" not in text_of(updated)
    [escalation] = stack.escalations()
    assert escalation["blocks"][0]["text"]["text"] == "Escalation: HIGH risk · 62/100"
    assert stack.gh.user_requests == 2

    # nothing repeats: no round is due, a second drain and a stray step change nothing
    assert not await run_one_recheck(db, stack.core.service, LATER, "high")
    await stack.core.drain()
    assert len(stack.slack.of("chat.update")) == 1 and len(stack.escalations()) == 1
    assert len(stack.cards()) == 1

    # the vetting keeps what was first computed; the round holds the amendment
    vetting_id = first.vetting_id
    async with db.read_session() as session:
        vetting = await session.get(Vetting, vetting_id)
        assert vetting is not None and (vetting.score, vetting.band) == (50, "medium")
        [done] = await rounds(db)
        assert done.status == "done" and done.inputs is None and done.result is not None
        amended = VettingResult.model_validate(done.result)
        assert (amended.vetting_id, amended.score, amended.band.value) == (vetting_id, 62, "high")
        assert [c.status.value for c in amended.checks if c.id == "footprint.github_api"] == ["ok"]
        audit = await admin_repository.audit_since(session, since=_past().replace(year=2000))
        [entry] = [a for a in audit if a.action == "vetting.recheck"]
        assert entry.case_id == vetting_id and entry.actor == "vetbot"
        assert entry.detail["band_before"] == "medium" and entry.detail["band"] == "high"
        assert entry.detail["settings_version"] == vetting.settings_version and entry.detail["escalated"]
        case = await session.get(CaseState, vetting_id)
        assert case is not None and case.status == "escalated"


# --- through the core, with a recording outbound ------------------------------------------------


def core_for(
    db: Database, config: Config, *checks: Check, tuning: Tuning = LATER
) -> tuple[BotCore, RecordingOutbound]:
    core = BotCore(service(db, config, *checks), tuning=tuning, admins=frozenset({"shell:bob"}))
    outbound = RecordingOutbound()
    core.register_outbound(Platform.SHELL, outbound)
    return core, outbound


def vet(text: str, key: str) -> Command:
    return Command(Actor(Platform.SHELL, "alice"), HERE, "vet", text, idempotency_key=key)


async def test_still_unavailable_reschedules_after_the_breaker_and_finally_says_so(
    db: Database, config: Config
) -> None:
    gh = FakeGitHub(default=UNAVAILABLE)
    async with serve(gh) as url:
        check = github(url)
        core, outbound = core_for(db, config, check)
        await core.start()
        try:
            await core.handle_command(vet('name="Jan" github=jk claimed_years_experience=8', "k1"))
            await core.drain()
            await fast_forward(db)
            await core.drain()
            # round 1 changed nothing (still unavailable): no update; round 2 waits at least
            # as long as the provider asked (here: the configured hour)
            assert outbound.kinds() == ["card"]
            first, second = await rounds(db)
            assert (first.status, first.result) == ("done", None)
            assert (second.round_no, second.status) == (2, "pending")
            await fast_forward(db)
            await core.drain()
        finally:
            await core.stop()
    assert outbound.kinds() == ["card", "update"]  # the last round ends the promise of a retry
    final = outbound.calls[-1][2]
    assert not isinstance(final, str)
    [unavailable] = final.unavailable_checks
    assert (unavailable.check, unavailable.retrying, unavailable.retried) == (
        "footprint.github_api",
        False,
        2,
    )
    assert len(await rounds(db)) == 2  # no third round: two were configured
    assert gh.user_requests == 3


async def test_an_open_breaker_pushes_the_round_past_its_cooldown(db: Database, config: Config) -> None:
    gh = FakeGitHub(default=UNAVAILABLE)
    async with serve(gh) as url:
        check = github(url)
        assert check.client is not None
        for _ in range(5):  # other vettings already failed: the breaker is open for 60 s
            check.client.breaker.failure()
        soon = Tuning(poll_interval=0.02, retry_base=0.01, lease_seconds=30, recheck_delays=(1.0,))
        core, outbound = core_for(db, config, check, tuning=soon)
        await core.start()
        try:
            await core.handle_command(vet('name="Jan" github=jk', "k2"))
            await core.drain()
        finally:
            await core.stop()
    [first] = await rounds(db)
    created = first.created_at if first.created_at.tzinfo else first.created_at.replace(tzinfo=_past().tzinfo)
    due = first.due_at if first.due_at.tzinfo else first.due_at.replace(tzinfo=_past().tzinfo)
    assert (due - created).total_seconds() >= 59  # the breaker's cooldown, not the 1 s delay
    assert gh.user_requests == 0  # the open breaker failed the check fast
    card = outbound.calls[0][2]
    assert not isinstance(card, str)
    assert card.unavailable_checks[0].detail == "unavailable: github circuit open"


async def test_local_checks_that_time_out_are_not_rechecked(db: Database, config: Config) -> None:
    core, outbound = core_for(db, config, Slow())
    await core.start()
    try:
        await core.handle_command(vet('name="Jan"', "k3"))
        await core.drain()
    finally:
        await core.stop()
    assert await rounds(db) == []
    card = outbound.calls[0][2]
    assert not isinstance(card, str)
    [slow] = card.unavailable_checks
    assert (slow.check, slow.status, slow.retrying) == ("test.slow", "timeout", False)


async def test_a_stale_worker_cannot_commit_a_round_twice(db: Database, config: Config) -> None:
    gh = FakeGitHub(script=[HANG], default=NOT_FOUND)
    async with serve(gh) as url:
        core, _ = core_for(db, config, github(url))
        await core.start()
        try:
            await core.handle_command(vet('name="Medium Jan" github=jk claimed_years_experience=8', "k4"))
            await core.drain()
        finally:
            await core.stop()
        await fast_forward(db)
        # worker A claims the round and stalls past its lease; worker B takes it over
        async with db.session() as session:
            stale = await recheck_repository.claim(session, lease_seconds=0)
        assert stale is not None
        svc = core.service
        assert await run_one_recheck(db, svc, LATER, "high")
        rerun = await recheck._rerun(db, svc, stale)
        with pytest.raises(recheck.LeaseLostError):
            await recheck._commit(db, svc.registry, stale, rerun, LATER, "high")
    async with db.read_session() as session:
        updates = (
            await session.execute(select(OutboxRow).where(col(OutboxRow.kind) == OutboxKind.UPDATE))
        ).all()
        escalations = (await session.execute(select(EscalationRow))).all()
    assert len(updates) == 1 and len(escalations) == 1


async def test_a_decided_case_is_amended_but_never_reopened(db: Database, config: Config) -> None:
    gh = FakeGitHub(script=[HANG], default=NOT_FOUND)
    async with serve(gh) as url:
        core, outbound = core_for(db, config, github(url))
        await core.start()
        try:
            await core.handle_command(vet('name="Medium Jan" github=jk claimed_years_experience=8', "k5"))
            await core.drain()
            [row] = await rounds(db)
            reason = "Verified the GitHub profile with the candidate on a video call."
            bob = Actor(Platform.SHELL, "bob")
            cleared = await core.handle_action(
                Action(bob, HERE, ActionId.CLEAR, row.vetting_id, idempotency_key="clear-1", reason=reason)
            )
            assert "cleared" in str(cleared)
            await fast_forward(db)
            await core.drain()
        finally:
            await core.stop()
    assert "escalation" not in outbound.kinds()
    async with db.read_session() as session:
        case = await session.get(CaseState, row.vetting_id)
        assert case is not None and case.status == "cleared"
    final = outbound.calls[-1][2]
    assert not isinstance(final, str) and final.band == "high" and final.recheck_note


async def test_erasure_wipes_a_pending_rounds_inputs(db: Database, config: Config) -> None:
    gh = FakeGitHub(script=[HANG], default=NOT_FOUND)
    async with serve(gh) as url:
        core, _ = core_for(db, config, github(url))
        await core.start()
        try:
            await core.handle_command(
                # not "Medium Jan": erasure also scrubs a name token from the band column ("medium")
                vet('name="Jan Mediumson" id=ats-77 github=jk-erase claimed_years_experience=8', "k6")
            )
            await core.drain()
        finally:
            await core.stop()
    [row] = await rounds(db)
    async with db.session() as session:
        vetting = await session.get(Vetting, row.vetting_id)
        assert vetting is not None
        await admin_repository.erase_candidate(session, vetting.candidate_key)
    [erased] = await rounds(db)
    assert erased.inputs is None
    assert "jk-erase" not in json.dumps([erased.result, erased.check_ids])
    async with db.session() as session:  # the round can no longer run: it ends, visibly
        await session.execute(update(RecheckRow).values(due_at=_past()))
    assert await run_one_recheck(db, core.service, LATER, "high")
    [ended] = await rounds(db)
    assert (ended.status, ended.error) == ("failed", "inputs erased")
    assert gh.user_requests == 1


async def test_status_command_shows_the_amended_card(db: Database, config: Config) -> None:
    gh = FakeGitHub(script=[HANG], default=NOT_FOUND)
    async with serve(gh) as url:
        core, _ = core_for(db, config, github(url))
        await core.start()
        try:
            await core.handle_command(vet('name="Medium Jan" github=jk claimed_years_experience=8', "k7"))
            await core.drain()
            await fast_forward(db)
            await core.drain()
            [row] = await rounds(db)
            async with db.session() as session:
                update_row = await chat_repository.delivery(session, key=f"recheck:{row.vetting_id}:1")
            assert update_row is not None and update_row.status == "sent"
            reply = await core.handle_command(
                Command(Actor(Platform.SHELL, "alice"), HERE, "vet", f"status {row.vetting_id}", "k8")
            )
        finally:
            await core.stop()
    card = getattr(reply, "card", None)
    assert card is not None and card.score == 62 and card.unavailable_checks == ()
