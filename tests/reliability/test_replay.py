"""Replay (issue 7): the same signed Slack delivery at 0, 3, 60 and 300 seconds → processed once.

Slack retries an Events API callback it did not see acked after about 3 s, 1 minute and
5 minutes, with the same ``event_id``, ``X-Slack-Retry-Num: 1/2/3`` and a fresh signature;
a slash command re-sent with its ``trigger_id`` behaves alike. Here each retry comes only after
the first delivery was fully processed (card posted), which is the harder case: nothing is in
flight any more to coalesce with. Deduplication is the job table's UNIQUE idempotency key, so
it has no time window and the retries need no sleeping; the signature pre-check does read a
clock, injected here, so the original bytes replayed after five minutes are refused.

The real web app runs on a ``TestServer`` with the real slack_sdk client posting to
``FakeSlack``, as in ``tests/bot/test_slack_e2e.py``.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import func, select

from tests.bot.fakes import FakeSlack
from tests.handlers.chat_fixtures import FAST, FlagCheck
from vetbot.bot.settings import BotSettings, SlackSettings
from vetbot.bot.slack import SlackEdge
from vetbot.bot.slack.signature import sign
from vetbot.bot.web import create_app
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers.core import BotCore
from vetbot.handlers.vetting import VettingService
from vetbot.storage.chat_tables import ChatJob, EscalationRow
from vetbot.storage.database import Database
from vetbot.storage.tables import Vetting

SECRET = "replay-signing-secret"
SECURITY = "CSECURITY1"
RETRIES = [("1", 3), ("2", 60), ("3", 300)]  # X-Slack-Retry-Num, seconds after the original


@dataclass
class Stack:
    client: TestClient[Any, Any]
    core: BotCore
    edge: SlackEdge
    fake: FakeSlack
    fake_url: str
    shift: list[float]  # seconds added to the edge's clock

    async def settle(self) -> None:
        await self.edge.settle()
        await self.core.drain()

    async def post(self, body: bytes, *, timestamp: int, content_type: str, retry: str | None = None) -> Any:
        headers = {
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": sign(SECRET, str(timestamp), body),
            "Content-Type": content_type,
        }
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
        return await self.client.post("/slack/events", data=body, headers=headers)

    async def counts(self) -> tuple[int, int, int]:
        """(jobs, vettings, escalations) stored."""
        async with self.core.db.read_session() as session:
            jobs = (await session.execute(select(func.count()).select_from(ChatJob))).scalar_one()
            vettings = (await session.execute(select(func.count()).select_from(Vetting))).scalar_one()
            escalations = (
                await session.execute(select(func.count()).select_from(EscalationRow))
            ).scalar_one()
        return int(jobs), int(vettings), int(escalations)

    def cards(self) -> list[dict[str, Any]]:
        return [c for c in self.fake.of("chat.postMessage") if c["channel"] != SECURITY]

    def escalations(self) -> list[dict[str, Any]]:
        return [c for c in self.fake.of("chat.postMessage") if c["channel"] == SECURITY]


@pytest.fixture
async def stack(db: Database, config: Config) -> AsyncIterator[Stack]:
    fake = FakeSlack()
    async with TestServer(fake.app(), host="127.0.0.1") as fake_server:
        fake_url = str(fake_server.make_url("/"))
        settings = BotSettings(
            slack=SlackSettings(
                bot_token=SecretStr("xoxb-test"),
                signing_secrets=(SecretStr(SECRET),),
                api_url=fake_url + "api/",
                security_channel=SECURITY,
            )
        )
        core = BotCore(VettingService(db, config, registry=Registry([FlagCheck()])), tuning=FAST)
        shift = [0.0]
        edge = SlackEdge(settings.slack, core, clock=lambda: time.time() + shift[0])  # type: ignore[arg-type]
        app = create_app(settings, core, slack=edge)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            yield Stack(client, core, edge, fake, fake_url, shift)


def mention_event(event_id: str, text: str) -> bytes:
    event = {
        "type": "event_callback",
        "team_id": "T0001",
        "api_app_id": "A1",
        "event_id": event_id,
        "event_time": 1_700_000_000,
        "event": {"type": "app_mention", "user": "U0001", "channel": "C0001", "ts": "1700000000.0001",
                  "text": f"<@UVETBOT> vet {text}"},
    }  # fmt: skip
    return json.dumps(event).encode()


def slash_command(trigger_id: str, text: str, fake_url: str) -> bytes:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C0001",
            "user_id": "U0001",
            "user_name": "alice",
            "command": "/vet",
            "text": text,
            "response_url": f"{fake_url}response/1",
            "trigger_id": trigger_id,
        }
    ).encode()


@pytest.mark.parametrize("risky", [False, True], ids=["low", "high"])
async def test_event_retried_at_3_60_300_seconds_is_processed_once(stack: Stack, risky: bool) -> None:
    name = "Risky Replay" if risky else "Jan Kowalski"
    body = mention_event("Ev0REPLAY1", f'name="{name}" location.country=PL')
    sent_at = int(time.time())
    first = await stack.post(body, timestamp=sent_at, content_type="application/json")
    assert first.status == 200
    await stack.settle()  # the first delivery is fully processed: job done, card posted
    assert len(stack.cards()) == 1
    for retry, after in RETRIES:
        # Slack signs each retry when it sends it: a fresh timestamp and signature
        resp = await stack.post(
            body, timestamp=int(time.time()), content_type="application/json", retry=retry
        )
        assert resp.status == 200, (retry, after)
        await stack.settle()
    assert await stack.counts() == (1, 1, 1 if risky else 0)
    assert len(stack.cards()) == 1
    assert len(stack.escalations()) == (1 if risky else 0)
    acks = [e["text"][:8] for e in stack.fake.of("chat.postEphemeral")]
    assert acks == ["Checking", "Already ", "Already ", "Already "]


async def test_the_original_bytes_replayed_after_five_minutes_are_refused(stack: Stack) -> None:
    body = mention_event("Ev0REPLAY2", 'name="Risky Replay"')
    sent_at = int(time.time())
    assert (await stack.post(body, timestamp=sent_at, content_type="application/json")).status == 200
    await stack.settle()
    for _, after in RETRIES:
        stack.shift[0] = after + 1.0  # the same signed request, captured and replayed later
        resp = await stack.post(body, timestamp=sent_at, content_type="application/json", retry="1")
        assert resp.status == (401 if after >= 300 else 200), after
        await stack.settle()
    assert await stack.counts() == (1, 1, 1)
    assert len(stack.cards()) == 1 and len(stack.escalations()) == 1


async def test_slash_command_resent_with_its_trigger_id_is_processed_once(stack: Stack) -> None:
    body = slash_command("1337.replay.abcdef", 'name="Risky Replay" location.country=PL', stack.fake_url)
    form = "application/x-www-form-urlencoded"
    first = await stack.post(body, timestamp=int(time.time()), content_type=form)
    assert (await first.json())["text"].startswith("Checking")
    await stack.settle()
    for retry, _ in RETRIES:
        resp = await stack.post(body, timestamp=int(time.time()), content_type=form, retry=retry)
        assert (await resp.json())["text"].startswith("Already received")
        await stack.settle()
    assert await stack.counts() == (1, 1, 1)
    assert len(stack.cards()) == 1 and len(stack.escalations()) == 1
