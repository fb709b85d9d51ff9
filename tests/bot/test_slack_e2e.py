"""Slack end to end over loopback HTTP: signed requests → /slack/events → BotCore → fake Web API.

The real web app (``create_app``) runs on a ``TestServer``; the real slack_sdk client posts to
``FakeSlack``. Work is awaited with ``core.drain()``, never slept for.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

from tests.bot.fakes import FakeSlack
from tests.handlers.chat_fixtures import FAST, FlagCheck
from vetbot.bot.settings import BotSettings, SlackSettings
from vetbot.bot.slack import SlackEdge
from vetbot.bot.slack.signature import Reason, sign, verify
from vetbot.bot.web import EDGES, create_app
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers.api import ActionId, Platform
from vetbot.handlers.core import BotCore
from vetbot.handlers.vetting import VettingService
from vetbot.storage.database import Database

SECRET = "current-signing-secret"
OLD_SECRET = "previous-signing-secret"
CANARY = "canary.7f3e9@example.org"
SECURITY = "CSECURITY1"
ADMINS = frozenset({"slack:U0002"})  # the reviewer who clears; the requester may not
REASON_BLOCK = "vetbot.clear_reason"


@dataclass
class Stack:
    client: TestClient[Any, Any]
    core: BotCore
    fake: FakeSlack
    fake_url: str
    edge: SlackEdge
    triggers: int = 0

    async def settle(self) -> None:
        """Listener work after the ack (bolt acks events first), then the core's jobs and outbox."""
        await self.edge.settle()
        await self.core.drain()

    def slash(self, text: str, *, user: str = "U0001", command: str = "/vet") -> str:
        self.triggers += 1
        return urlencode(
            {
                "token": "legacy",
                "team_id": "T0001",
                "channel_id": "C0001",
                "user_id": user,
                "user_name": "alice",
                "command": command,
                "text": text,
                "response_url": f"{self.fake_url}response/{self.triggers}",
                "trigger_id": f"1337.{self.triggers}.abcdef",
            }
        )

    async def post(self, body: str, *, secret: str = SECRET, headers: dict[str, str] | None = None) -> Any:
        ts = str(int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        assert signature is not None
        signed = {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return await self.client.post(
            "/slack/events", data=body.encode(), headers={**signed, **(headers or {})}
        )


@pytest.fixture
async def stack(db: Database, config: Config) -> AsyncIterator[Stack]:
    fake = FakeSlack()
    async with TestServer(fake.app(), host="127.0.0.1") as fake_server:
        fake_url = str(fake_server.make_url("/"))
        settings = BotSettings(
            slack=SlackSettings(
                bot_token=SecretStr("xoxb-test"),
                signing_secrets=(SecretStr(SECRET), SecretStr(OLD_SECRET)),
                api_url=fake_url + "api/",
                security_channel=SECURITY,
            )
        )
        core = BotCore(
            VettingService(db, config, registry=Registry([FlagCheck()])), tuning=FAST, admins=ADMINS
        )
        app = create_app(settings, core)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            edge = app[EDGES][Platform.SLACK]
            assert isinstance(edge, SlackEdge)
            yield Stack(client, core, fake, fake_url, edge)


def dm_cards(fake: FakeSlack) -> list[dict[str, Any]]:
    return [c for c in fake.of("chat.postMessage") if c["channel"] != SECURITY]


def escalations(fake: FakeSlack) -> list[dict[str, Any]]:
    return [c for c in fake.of("chat.postMessage") if c["channel"] == SECURITY]


async def test_slash_command_acked_fast_then_card_in_requester_dm(stack: Stack) -> None:
    started = time.perf_counter()
    resp = await stack.post(stack.slash(f'name="Jan Kowalski" email={CANARY} location.country=PL'))
    elapsed = time.perf_counter() - started
    assert resp.status == 200 and elapsed < 3
    ack = await resp.json()
    assert ack["response_type"] == "ephemeral" and ack["text"].startswith("Checking")
    await stack.settle()
    assert stack.fake.of("conversations.open") == [{"users": "U0001"}]
    [card] = dm_cards(stack.fake)
    assert card["channel"] == "DU0001"
    assert card["blocks"][0]["text"]["text"] == "LOW risk · 0/100"
    assert "link_names" not in card and "parse" not in card
    assert escalations(stack.fake) == []


async def test_high_risk_escalates_once_even_when_delivered_twice(stack: Stack) -> None:
    body = stack.slash('name="Risky Person" location.country=PL')
    first, second = await stack.post(body), await stack.post(body)
    assert first.status == second.status == 200
    assert (await second.json())["text"].startswith("Already received")
    await stack.settle()
    assert len(dm_cards(stack.fake)) == 1
    [escalation] = escalations(stack.fake)
    assert escalation["blocks"][0]["text"]["text"].startswith("Escalation: HIGH risk · 90/100")


async def test_previous_secret_is_accepted_during_rotation(stack: Stack) -> None:
    resp = await stack.post(stack.slash('name="Jan Kowalski"'), secret=OLD_SECRET)
    assert resp.status == 200
    await stack.settle()
    assert len(dm_cards(stack.fake)) == 1


def _forged(body: str, case: str) -> dict[str, str]:
    now = int(time.time())
    good = sign(SECRET, str(now), body.encode())
    cases = {
        "wrong_secret": {
            "X-Slack-Request-Timestamp": str(now),
            "X-Slack-Signature": sign("x", str(now), body.encode()),
        },
        "stale": {
            "X-Slack-Request-Timestamp": str(now - 301),
            "X-Slack-Signature": sign(SECRET, str(now - 301), body.encode()),
        },
        "future": {
            "X-Slack-Request-Timestamp": str(now + 400),
            "X-Slack-Signature": sign(SECRET, str(now + 400), body.encode()),
        },
        "yesterday": {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": good},
        "1e9": {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": good},
        "empty_timestamp": {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": good},
        "no_timestamp": {"X-Slack-Signature": good},
        "no_signature": {"X-Slack-Request-Timestamp": str(now)},
        "no_v0": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": good.removeprefix("v0=")},
        "not_hex": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=" + "z" * 64},
        "body_changed": {
            "X-Slack-Request-Timestamp": str(now),
            "X-Slack-Signature": sign(SECRET, str(now), body.encode() + b"x"),
        },
    }
    return cases[case]


@pytest.mark.parametrize(
    "case",
    ["wrong_secret", "stale", "future", "yesterday", "1e9", "empty_timestamp", "no_timestamp",
     "no_signature", "no_v0", "not_hex", "body_changed"],
)  # fmt: skip
async def test_forged_or_malformed_requests_get_401_and_leave_no_trace(
    stack: Stack, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = stack.slash(f'name="Jan Kowalski" email={CANARY}')
    headers = {"Content-Type": "application/x-www-form-urlencoded", **_forged(body, case)}
    resp = await stack.client.post("/slack/events", data=body.encode(), headers=headers)
    assert resp.status == 401
    await stack.settle()
    assert stack.fake.calls == []  # bolt never ran: not even auth.test
    assert CANARY not in caplog.text and "canary" not in caplog.text
    assert [r.reason for r in caplog.records if r.getMessage() == "slack request refused"]  # type: ignore[attr-defined]


def test_platform_notes_signing_vector() -> None:
    secret, ts = "8f742231b10e8888abcd99yyyzzz85a5", "1531420618"
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": expected}
    assert sign(secret, ts, body) == expected
    assert verify(headers, body, [secret], now=1531420618).ok
    assert verify(headers, body, ["other", secret], now=1531420618 + 300).secret_index == 1
    assert verify(headers, body, [secret], now=1531420618 + 301).reason is Reason.STALE
    assert verify(headers, body, [secret], now=1531420618 - 301).reason is Reason.STALE
    assert verify(headers, body[:-1] + b"d", [secret], now=1531420618).reason is Reason.MISMATCH
    assert verify(headers, body, ["wrong"], now=1531420618).reason is Reason.MISMATCH


async def test_injection_strings_stay_inert(stack: Stack) -> None:
    # Slack sends <, > and & escaped in command text; vetbot must escape them again on the way out
    text = (
        'name="Risky &lt;!channel&gt; &lt;@U999&gt; &lt;https://evil.example|click&gt; *x*" '
        "location.country=PL"
    )
    assert (await stack.post(stack.slash(text))).status == 200
    await stack.settle()
    posted = json.dumps(stack.fake.of("chat.postMessage"))
    assert "<!channel>" not in posted and "<@U999>" not in posted and "<https://evil" not in posted
    assert "&lt;!channel&gt;" in posted


async def test_oversized_command_gets_a_clear_error(stack: Stack) -> None:
    resp = await stack.post(stack.slash('name="Jan Kowalski" resume_text=' + "a" * 60_000))
    assert resp.status == 200
    assert "too long" in (await resp.json())["text"]
    await stack.settle()
    assert stack.fake.of("chat.postMessage") == []
    assert (await stack.client.get("/healthz")).status == 200


async def test_body_over_one_mebibyte_is_413(stack: Stack) -> None:
    resp = await stack.post(stack.slash("name=x " + "a" * (1024 * 1024)))
    assert resp.status == 413


async def test_buttons_escalate_then_clear_with_reason_update_the_dm_card(stack: Stack) -> None:
    await stack.post(stack.slash('name="Calm Person" location.country=PL'))
    await stack.settle()
    [card] = dm_cards(stack.fake)
    vetting_id = next(b for b in card["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    escalate = _click(stack, ActionId.ESCALATE, vetting_id, user="U0001", ts=card_ts(stack))
    assert (await stack.post(escalate)).status == 200
    reason = "ID document checked on a live video call"
    clear = _click(stack, ActionId.CLEAR, vetting_id, user="U0002", ts=card_ts(stack), reason=reason)
    assert (await stack.post(clear)).status == 200
    await stack.settle()
    assert len(escalations(stack.fake)) == 1
    replies = [c["text"] for c in stack.fake.of("response_url")]
    assert any(t.startswith("Escalated") for t in replies) and any("cleared" in t for t in replies), replies
    updates = stack.fake.of("chat.update")
    assert updates and updates[-1]["channel"] == "DU0001" and "cleared" in json.dumps(updates[-1]["blocks"])


def card_ts(stack: Stack) -> str:
    return str(dm_cards(stack.fake)[0].get("ts") or "1700000000.000001")


def _click(stack: Stack, action: ActionId, vetting_id: str, *, user: str, ts: str, reason: str = "") -> str:
    stack.triggers += 1
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T0001"},
        "team": {"id": "T0001"},
        "container": {"type": "message", "message_ts": ts, "channel_id": "DU0001"},
        "channel": {"id": "DU0001"},
        "trigger_id": f"click.{stack.triggers}",
        "response_url": f"{stack.fake_url}response/click{stack.triggers}",
        "state": {"values": {REASON_BLOCK: {REASON_BLOCK: {"type": "plain_text_input", "value": reason}}}},
        "actions": [{"action_id": action.value, "block_id": "vetbot.actions", "value": vetting_id,
                     "type": "button", "action_ts": f"1700000001.{stack.triggers}"}],
    }  # fmt: skip
    return urlencode({"payload": json.dumps(payload)})


async def test_vet_without_arguments_opens_the_form_and_its_submission_vets(stack: Stack) -> None:
    resp = await stack.post(stack.slash(""))
    assert resp.status == 200
    [opened] = stack.fake.of("views.open")
    view = opened["view"]
    assert view["callback_id"] == "vetbot.vet_form"
    assert json.loads(view["private_metadata"])["channel_id"] == "C0001"
    values = {
        b["block_id"]: {b["block_id"]: {"type": "plain_text_input", "value": None}} for b in view["blocks"]
    }
    values["name"]["name"]["value"] = "Risky Formfill"
    submission = {
        "type": "view_submission",
        "user": {"id": "U0001", "username": "alice", "team_id": "T0001"},
        "team": {"id": "T0001"},
        "trigger_id": "submit.1",
        "view": {**view, "id": "V0001", "state": {"values": values}},
    }
    resp = await stack.post(urlencode({"payload": json.dumps(submission)}))
    assert resp.status == 200 and (await resp.json())["response_action"] == "update"
    await stack.settle()
    assert len(dm_cards(stack.fake)) == 1 and len(escalations(stack.fake)) == 1


async def test_rate_limited_post_is_retried_after_retry_after(stack: Stack) -> None:
    stack.fake.rate_limit_next["chat.postMessage"] = 0
    await stack.post(stack.slash('name="Jan Kowalski"'))
    await stack.settle()
    methods = [c.method for c in stack.fake.calls]
    assert methods.index("chat.postMessage:429") < methods.index("chat.postMessage")
    assert len(dm_cards(stack.fake)) == 1


async def test_app_mention_event_is_deduplicated_on_event_id(stack: Stack) -> None:
    event = {
        "type": "event_callback",
        "team_id": "T0001",
        "api_app_id": "A1",
        "event_id": "Ev0001",
        "event": {"type": "app_mention", "user": "U0001", "channel": "C0001", "ts": "1.2",
                  "text": '<@UVETBOT> vet name="Jan Kowalski" email=<mailto:j@example.com|j@example.com>'},
    }  # fmt: skip
    body = json.dumps(event)
    assert (await stack.post(body, headers={"Content-Type": "application/json"})).status == 200
    retry = {
        "Content-Type": "application/json",
        "X-Slack-Retry-Num": "1",
        "X-Slack-Retry-Reason": "http_timeout",
    }
    assert (await stack.post(body, headers=retry)).status == 200
    await stack.settle()
    assert len(dm_cards(stack.fake)) == 1
    assert [e["text"][:8] for e in stack.fake.of("chat.postEphemeral")] == ["Checking", "Already "]


async def test_no_candidate_data_in_logs_at_debug_across_a_whole_flow(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await stack.post(stack.slash(f'name="Risky Canary" email={CANARY} location.country=PL'))
    await stack.post(stack.slash(f"name=x emial={CANARY}"))  # error reply quoting the input
    await stack.post(stack.slash(f"name=x email={CANARY}"), secret="forged")
    await stack.settle()
    assert len(escalations(stack.fake)) == 1
    leaks = {r.name for r in caplog.records if CANARY in r.getMessage() or "Canary" in r.getMessage()}
    # aiosqlite logs SQL parameters at DEBUG: the storage layer's to silence (issue 7), not the edge's
    assert leaks - {"aiosqlite"} == set()
