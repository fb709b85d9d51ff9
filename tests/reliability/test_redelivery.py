"""A process killed after the platform accepted a post but before the outbox recorded it.

Found by ``benchmarks/bench_crash.py``: with SIGKILLs at random moments some requesters got
their card twice, because the retried delivery posted again. Now Slack posts carry their
outbox key as message metadata and a retried delivery looks for it first (``Reconciling``).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import col

from tests.bot.fakes import FakeSlack
from tests.handlers.chat_fixtures import HERE, FlagCheck, RecordingOutbound
from vetbot.bot.settings import BotSettings, SlackSettings
from vetbot.bot.slack.signature import sign
from vetbot.bot.web import create_app
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers import worker
from vetbot.handlers.api import Conversation, Platform, RiskCard
from vetbot.handlers.core import BotCore
from vetbot.handlers.vetting import VettingService
from vetbot.handlers.worker import Tuning, conversation_to_json, deliver_one
from vetbot.storage import chat_repository
from vetbot.storage.chat_tables import OutboxKind, OutboxRow, OutboxStatus
from vetbot.storage.database import Database

SECRET = "redelivery-secret"
SECURITY = "CSECURITY1"
SHORT_LEASE = Tuning(poll_interval=0.02, retry_base=0.01, lease_seconds=0.2)


class LookingOutbound(RecordingOutbound):
    """A ``Reconciling`` outbound: it remembers which keys it posted."""

    async def find_posted(
        self, *, key: str, conversation: Conversation | None, card: RiskCard | None, since: Any
    ) -> str | None:
        return next((f"msg-{n + 1}" for n, (_, k, _) in enumerate(self.calls) if k == key), None)


@pytest.mark.parametrize(
    ("outbound", "posts", "message_id"), [(LookingOutbound(), 1, "msg-1"), (RecordingOutbound(), 2, None)]
)
async def test_a_retried_delivery_that_already_landed_is_not_posted_again(
    db: Database, outbound: RecordingOutbound, posts: int, message_id: str | None
) -> None:
    async with db.session() as session:
        await chat_repository.enqueue(
            session,
            key="failed:job1",
            kind=OutboxKind.TEXT,
            platform=Platform.SHELL.value,
            payload={"conversation": conversation_to_json(HERE), "text": "could not vet"},
        )
    # a worker claims the row and posts, then dies before recording it (lease 0: due again now)
    async with db.session() as session:
        item = await chat_repository.claim_delivery(session, platforms=["shell"], lease_seconds=0)
    assert item is not None and item.attempts == 1
    await outbound.post_text(HERE, "could not vet", key=item.key)
    assert await deliver_one(db, {Platform.SHELL: outbound}, SHORT_LEASE)
    assert outbound.kinds() == ["text"] * posts  # at-least-once only where the edge cannot look
    async with db.read_session() as session:
        row = (
            await session.execute(
                select(col(OutboxRow.status), col(OutboxRow.attempts), col(OutboxRow.message_id))
            )
        ).one()
    assert tuple(row) == (OutboxStatus.SENT, 2, message_id)


class NoHistoryScope(FakeSlack):
    """A workspace whose app lacks the history scopes."""

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "conversations.history":
            return web.json_response({"ok": False, "error": "missing_scope"})
        return await super()._api(request)


@pytest.fixture(params=[FakeSlack, NoHistoryScope], ids=["history", "no_history_scope"])
async def slack(
    request: pytest.FixtureRequest, db: Database, config: Config
) -> AsyncIterator[tuple[TestClient[Any, Any], BotCore, FakeSlack]]:
    fake: FakeSlack = request.param()
    async with TestServer(fake.app(), host="127.0.0.1") as fake_server:
        settings = BotSettings(
            slack=SlackSettings(
                bot_token=SecretStr("xoxb-test"),
                signing_secrets=(SecretStr(SECRET),),
                api_url=str(fake_server.make_url("/api/")),
                security_channel=SECURITY,
            )
        )
        core = BotCore(VettingService(db, config, registry=Registry([FlagCheck()])), tuning=SHORT_LEASE)
        async with TestClient(TestServer(create_app(settings, core), host="127.0.0.1")) as client:
            yield client, core, fake


async def test_slack_card_and_escalation_survive_a_death_between_post_and_record(
    slack: tuple[TestClient[Any, Any], BotCore, FakeSlack], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, core, fake = slack
    real_mark_sent = chat_repository.mark_sent
    died: list[int] = []

    async def dies_once_per_row(session: Any, *, delivery_id: int, message_id: str | None) -> None:
        if delivery_id not in died:  # Slack accepted the post; the process "dies" before recording
            died.append(delivery_id)
            raise ConnectionResetError("killed")
        await real_mark_sent(session, delivery_id=delivery_id, message_id=message_id)

    monkeypatch.setattr(worker.chat_repository, "mark_sent", dies_once_per_row)
    body = urlencode({"team_id": "T0001", "channel_id": "C0001", "user_id": "U0001", "user_name": "alice",
                      "command": "/vet", "text": 'name="Risky Person" location.country=PL',
                      "trigger_id": "1337.crash.abc"}).encode()  # fmt: skip
    ts = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(SECRET, ts, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert (await client.post("/slack/events", data=body, headers=headers)).status == 200
    await core.drain()
    posted = fake.of("chat.postMessage")
    cards = [c for c in posted if c["channel"] != SECURITY]
    escalations = [c for c in posted if c["channel"] == SECURITY]
    duplicates = 1 if isinstance(fake, NoHistoryScope) else 0  # without the scope: at-least-once
    assert len(died) == 2 and len(cards) == 1 + duplicates and len(escalations) == 1 + duplicates
    assert cards[0]["metadata"]["event_payload"]["key"].startswith("card:")
    assert escalations[0]["metadata"]["event_payload"]["key"].startswith("escalation:")
    async with core.db.read_session() as session:
        rows = [(r.kind, r.status, r.attempts) for r in (await session.execute(select(OutboxRow))).scalars()]
    assert set(rows) == {("card", "sent", 2), ("escalation", "sent", 2)}
