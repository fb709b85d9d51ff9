"""The slash-command fast path in front of bolt (``SlackEdge.handle``): what it must keep.

Durable intake (the job row exists when the ack arrives), one job and one card per
``trigger_id`` however often it is delivered, the same answers bolt gave (the old path runs
side by side with ``fast_commands=False``), 401 for bad signatures, and the routing: only
our own slash commands skip bolt; clicks, modals and events still go through it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import col

from tests.bot.fakes import FakeSlack
from tests.handlers.chat_fixtures import FAST, FlagCheck
from vetbot.bot.settings import BotSettings, SlackSettings
from vetbot.bot.slack import SlackEdge
from vetbot.bot.slack import listeners as listeners_module
from vetbot.bot.slack.inbound import slash_form
from vetbot.bot.slack.signature import sign
from vetbot.bot.web import create_app
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers.api import Response
from vetbot.handlers.core import BotCore
from vetbot.handlers.vetting import VettingService
from vetbot.storage import chat_repository
from vetbot.storage.chat_tables import ChatJob
from vetbot.storage.database import Database

SECRET = "fast-path-signing-secret"
SECURITY = "CSECURITY1"
FORM = "application/x-www-form-urlencoded"


class Slack:
    """The real web app with a ``SlackEdge`` (fast path on or off) and a fake Web API."""

    def __init__(
        self, client: TestClient[Any, Any], core: BotCore, edge: SlackEdge, fake: FakeSlack, url: str
    ) -> None:
        self.client, self.core, self.edge, self.fake, self.fake_url = client, core, edge, fake, url
        self.triggers = 0

    def slash(
        self, text: str, *, user: str = "U0001", command: str = "/vet", trigger: str | None = None
    ) -> str:
        self.triggers += 1
        return urlencode(
            {
                "team_id": "T0001",
                "channel_id": "C0001",
                "user_id": user,
                "user_name": "alice",
                "command": command,
                "text": text,
                "response_url": f"{self.fake_url}response/{self.triggers}",
                "trigger_id": trigger or f"fast.{self.triggers}.{time.time_ns()}",
            }
        )

    async def post(self, body: str, *, secret: str = SECRET, content_type: str = FORM) -> Any:
        ts = str(int(time.time()))
        headers = {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(secret, ts, body.encode()),
            "Content-Type": content_type,
        }
        return await self.client.post("/slack/events", data=body.encode(), headers=headers)

    async def jobs(self, key: str) -> list[tuple[str, str, str]]:
        """(id, actor, platform) of the jobs stored under idempotency key ``key``."""
        query = select(col(ChatJob.id), col(ChatJob.actor), col(ChatJob.platform)).where(
            col(ChatJob.idempotency_key) == key
        )
        async with self.core.db.read_session() as session:
            return [(a, b, c) for a, b, c in (await session.execute(query)).tuples()]

    def cards(self) -> list[dict[str, Any]]:
        return [c for c in self.fake.of("chat.postMessage") if c["channel"] != SECURITY]

    async def settle(self) -> None:
        await self.edge.settle()
        await self.core.drain()


@pytest.fixture(params=[True, False], ids=["fast", "bolt"])
async def slack(request: pytest.FixtureRequest, db: Database, config: Config) -> AsyncIterator[Slack]:
    """Both paths: what holds for the fast path held for bolt's, and still does."""
    async for stack in _stack(db, config, fast=request.param):
        yield stack


@pytest.fixture
async def fast(db: Database, config: Config) -> AsyncIterator[Slack]:
    async for stack in _stack(db, config, fast=True):
        yield stack


async def _stack(db: Database, config: Config, *, fast: bool) -> AsyncIterator[Slack]:
    fake = FakeSlack()
    async with TestServer(fake.app(), host="127.0.0.1") as fake_server:
        fake_url = str(fake_server.make_url("/"))
        slack_settings = SlackSettings(
            bot_token=SecretStr("xoxb-test"),
            signing_secrets=(SecretStr(SECRET),),
            api_url=fake_url + "api/",
            security_channel=SECURITY,
        )
        core = BotCore(
            VettingService(db, config, registry=Registry([FlagCheck()])),
            tuning=FAST,
            admins=frozenset({"slack:U0002"}),
        )
        edge = SlackEdge(slack_settings, core, fast_commands=fast)
        app = create_app(BotSettings(slack=slack_settings), core, slack=edge)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            yield Slack(client, core, edge, fake, fake_url)


# --- durability and idempotency ------------------------------------------------------------------


async def test_a_signed_vet_is_a_stored_job_when_the_ack_arrives(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = chat_repository.enqueue_jobs

    async def slow_store(session: Any, jobs: list[dict[str, Any]]) -> list[tuple[str, bool]]:
        await asyncio.sleep(0.2)  # an ack sent before the commit would now arrive first
        return await real(session, jobs)

    monkeypatch.setattr(chat_repository, "enqueue_jobs", slow_store)
    body = slack.slash('name="Jan Kowalski" location.country=PL', trigger="1337.durable.abc")
    resp = await slack.post(body)
    assert resp.status == 200
    ack = await resp.json()
    assert ack["response_type"] == "ephemeral" and ack["text"].startswith("Checking")
    # no settle, no drain: the row was committed before the answer left
    [(job_id, actor, platform)] = await slack.jobs("slack:trigger:1337.durable.abc")
    assert job_id and actor == "slack:U0001" and platform == "slack"
    await slack.settle()
    assert [c["channel"] for c in slack.cards()] == ["DU0001"]


async def test_the_same_trigger_id_twice_is_one_job_and_one_card(slack: Slack) -> None:
    body = slack.slash('name="Risky Person" location.country=PL', trigger="1337.twice.abc")
    first = await (await slack.post(body)).json()
    again = await (await slack.post(body)).json()  # fresh signature, same trigger_id
    assert first["text"].startswith("Checking") and again["text"].startswith("Already received")
    assert len(await slack.jobs("slack:trigger:1337.twice.abc")) == 1
    await slack.settle()
    assert len(slack.cards()) == 1
    assert len([c for c in slack.fake.of("chat.postMessage") if c["channel"] == SECURITY]) == 1


async def test_concurrent_redeliveries_in_one_batch_are_one_job(fast: Slack) -> None:
    body = fast.slash('name="Jan Kowalski"', trigger="1337.burst.abc")
    answers = await asyncio.gather(*(fast.post(body) for _ in range(5)))
    texts = [(await r.json())["text"] for r in answers]
    assert sum(t.startswith("Checking") for t in texts) == 1
    assert sum(t.startswith("Already received") for t in texts) == 4
    assert len(await fast.jobs("slack:trigger:1337.burst.abc")) == 1
    await fast.settle()
    assert len(fast.cards()) == 1


async def test_a_burst_of_commands_gets_one_card_each(fast: Slack) -> None:
    bodies = [fast.slash(f'name="Person {i}"', user=f"U1{i:04d}") for i in range(20)]
    answers = await asyncio.gather(*(fast.post(b) for b in bodies))
    assert [r.status for r in answers] == [200] * 20
    texts = [(await r.json())["text"] for r in answers]
    assert all(t.startswith("Checking") for t in texts)
    await fast.settle()
    assert sorted(c["channel"] for c in fast.cards()) == sorted(f"DU1{i:04d}" for i in range(20))


# --- signatures ----------------------------------------------------------------------------------


async def test_bad_signature_on_a_slash_command_is_401_and_stores_nothing(fast: Slack) -> None:
    body = fast.slash('name="Jan Kowalski"', trigger="1337.forged.abc")
    resp = await fast.post(body, secret="not-the-secret")
    assert resp.status == 401
    assert await fast.jobs("slack:trigger:1337.forged.abc") == []


# --- the same answers as bolt gave -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/vet", "help"),
        ("/vet", "status nonexistent0000"),
        ("/vet", "status"),
        ("/vet", 'name="Jan" colour=blue'),
        ("/vet", "x" * 20_000),
        ("/vet-admin", "help"),
        ("/vet-admin", "threshold high 95"),
    ],
)
async def test_non_vetting_answers_are_identical_on_both_paths(
    db: Database, config: Config, command: str, text: str
) -> None:
    answers = []
    for fast in (True, False):
        async for stack in _stack(db, config, fast=fast):
            resp = await stack.post(stack.slash(text, command=command))
            answers.append((resp.status, resp.content_type, await resp.read()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 200


async def test_vet_text_containing_the_word_payload_is_still_a_command(fast: Slack) -> None:
    resp = await fast.post(fast.slash('name="Jan Kowalski" notes="payload reference"'))
    assert resp.status == 200
    assert (await resp.json())["text"].startswith(("Checking", ":warning:"))


# --- routing ---------------------------------------------------------------------------------------


async def test_slash_commands_skip_bolt_and_everything_else_reaches_it(
    fast: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    bolt = fast.edge._bolt
    assert bolt is not None
    dispatched: list[str] = []
    real = bolt.async_dispatch

    async def spy(request: Any) -> Any:
        dispatched.append(request.body.get("type") or request.body.get("command") or "?")
        return await real(request)

    monkeypatch.setattr(bolt, "async_dispatch", spy)
    assert (await fast.post(fast.slash("help"))).status == 200
    assert (await fast.post(fast.slash("help", command="/vet-admin"))).status == 200
    assert dispatched == []
    other = await fast.post(fast.slash("hello", command="/someone-elses"))
    assert dispatched == ["/someone-elses"] and other.status == 404  # bolt: no listener
    url_verification = await fast.post(
        '{"type": "url_verification", "challenge": "abc", "token": "x"}', content_type="application/json"
    )
    assert url_verification.status == 200 and dispatched[-1] == "url_verification"


def test_slash_form_routing() -> None:
    vet = urlencode({"command": "/vet", "text": "help", "user_id": "U1"}).encode()
    admin = urlencode({"command": "/vet-admin", "text": "help"}).encode()
    assert slash_form(vet, FORM) == {"command": "/vet", "text": "help", "user_id": "U1"}
    assert slash_form(admin, FORM) is not None
    assert slash_form(vet, "application/json") is None
    assert slash_form(urlencode({"command": "/other"}).encode(), FORM) is None
    assert slash_form(urlencode({"payload": '{"type": "block_actions"}'}).encode(), FORM) is None
    assert slash_form(urlencode({"ssl_check": "1", "token": "x"}).encode(), FORM) is None
    assert slash_form(b'{"command": "/vet"}', FORM) is None
    worded = urlencode({"command": "/vet", "text": "name=payload"}).encode()
    assert slash_form(worded, FORM) == {"command": "/vet", "text": "name=payload"}


_FORM_TEXT = st.text(alphabet=st.sampled_from("ab=&%+;#?/\\ é€\x00\U0001f600 2F41zZ5c"), max_size=40)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        _FORM_TEXT, st.dictionaries(st.text(max_size=8), st.text(max_size=30), max_size=5).map(urlencode)
    )
)
def test_slash_form_decodes_exactly_as_parse_qsl(raw: str) -> None:
    body = urlencode({"command": "/vet"}) + "&" + raw + "&" + urlencode({"command": "/vet"})
    expected = dict(parse_qsl(body, keep_blank_values=True))
    if {"payload", "ssl_check"} & expected.keys():  # not a command: bolt's (see test above)
        assert slash_form(body.encode(), FORM) is None
    else:
        assert slash_form(body.encode(), FORM) == expected


# --- failures ----------------------------------------------------------------------------------------


async def test_a_listener_failing_before_its_ack_gets_a_200_with_a_message(
    fast: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(command: Any) -> Response:
        raise RuntimeError("boom")

    monkeypatch.setattr(fast.core, "handle_command", broken)
    resp = await fast.post(fast.slash('name="Jan Kowalski"'))
    assert resp.status == 200
    ack = await resp.json()
    assert ack == {"response_type": "ephemeral", "text": listeners_module.NOT_ANSWERED}


async def test_slow_intake_acks_within_the_budget_and_answers_later(
    fast: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fast.core.handle_command

    async def slow(command: Any) -> Response:
        await asyncio.sleep(0.3)
        return await real(command)

    monkeypatch.setattr(listeners_module, "ACK_BUDGET", 0.05)
    monkeypatch.setattr(fast.core, "handle_command", slow)
    resp = await fast.post(fast.slash("status nonexistent0000"))
    assert resp.status == 200
    assert (await resp.json())["text"].startswith("Received; vetbot is busy")
    await fast.settle()
    [late] = fast.fake.of("response_url")
    assert "nonexistent0000" in late["text"]
