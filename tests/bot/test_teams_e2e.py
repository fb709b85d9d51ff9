"""Teams end to end over loopback HTTP: activities → /api/messages → BotCore → fake Bot Connector.

Authentication is off here (empty app id + VETBOT_INSECURE_DEV=1, the only way to run
without Azure), which is exactly what the refusal tests below forbid outside dev.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from tests.bot.fakes import FakeConnector
from tests.handlers.chat_fixtures import FAST, FlagCheck
from vetbot.bot.cli import main
from vetbot.bot.settings import BotSettings, SettingsError, TeamsSettings, teams_from_env
from vetbot.bot.teams import TeamsEdge
from vetbot.bot.web import create_app
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers.core import BotCore
from vetbot.handlers.vetting import VettingService
from vetbot.storage.database import Database

SECURITY = "19:security@thread.tacv2"
ADMINS = frozenset({"teams:aad-bob"})  # the reviewer who clears; the requester may not
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
BOT = {"id": "28:vetbot", "name": "vetbot"}


@dataclass
class Teams:
    client: TestClient[Any, Any]
    core: BotCore
    fake: FakeConnector
    service_url: str
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def activity(
        self, text: str = "", *, user: str = "alice", value: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": "message",
            "id": f"act-in-{next(self.ids)}",
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": {"id": f"29:{user}", "name": user.title(), "aadObjectId": f"aad-{user}"},
            "conversation": {"id": f"a:dm-{user}", "conversationType": "personal", "tenantId": "tenant-1"},
            "recipient": BOT,
            "text": text,
            "channelData": {"tenant": {"id": "tenant-1"}},
            **extra,
        }
        if value is not None:
            activity["value"] = value
        return activity

    async def send(self, activity: dict[str, Any]) -> int:
        resp = await self.client.post("/api/messages", json=activity)
        return resp.status

    def replies(self) -> list[dict[str, Any]]:
        return [c.data for c in self.fake.calls if c.method in ("reply", "send")]

    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for r in self.replies()
            for a in r.get("attachments") or []
            if a["contentType"] == ADAPTIVE
        ]

    def texts(self) -> list[str]:
        return [r["text"] for r in self.replies() if r.get("text")]


@pytest.fixture
async def teams(db: Database, config: Config) -> AsyncIterator[Teams]:
    fake = FakeConnector()
    async with TestServer(fake.app(), host="127.0.0.1") as connector:
        service_url = str(connector.make_url("")).rstrip("/")
        settings = BotSettings(
            teams=TeamsSettings(
                app_id="", app_password=SecretStr(""), security_channel=SECURITY, insecure_dev=True
            )
        )
        core = BotCore(
            VettingService(db, config, registry=Registry([FlagCheck()])), tuning=FAST, admins=ADMINS
        )
        async with TestClient(TestServer(create_app(settings, core), host="127.0.0.1")) as client:
            yield Teams(client, core, fake, service_url)


async def test_message_gets_checking_then_an_adaptive_card(teams: Teams) -> None:
    assert await teams.send(teams.activity('vet name="Jan Kowalski" location.country=PL')) in (200, 201)
    assert teams.texts()[0].startswith("Checking")
    await teams.core.drain()
    [card] = teams.cards()
    assert card["version"] == "1.4" and card["body"][0]["text"] == "LOW risk · 0/100"
    assert teams.fake.of("create") == []


async def test_channel_mention_high_risk_escalates_once_to_the_security_channel(teams: Teams) -> None:
    mention = {"type": "mention", "mentioned": BOT, "text": "<at>vetbot</at>"}
    activity = teams.activity('<at>vetbot</at> /vet name="Risky Person"', entities=[mention])
    activity["conversation"] = {"id": "19:general@thread.tacv2;messageid=42", "conversationType": "channel"}
    assert await teams.send(activity) in (200, 201)
    assert await teams.send(activity) in (200, 201)  # redelivered: same activity id
    assert teams.texts()[1].startswith("Already received")
    await teams.core.drain()
    assert len(teams.cards()) == 1
    [created] = teams.fake.of("create")
    assert created.data["channelData"] == {"channel": {"id": SECURITY}}
    [attachment] = created.data["activity"]["attachments"]
    assert attachment["content"]["body"][0]["text"].startswith("Escalation: HIGH risk")


async def test_action_submit_from_a_card_button_is_handled(teams: Teams) -> None:
    await teams.send(teams.activity('vet name="Calm Person"'))
    await teams.core.drain()
    [card] = teams.cards()
    clear = next(a["data"] for a in card["actions"] if a["data"]["vetbot_action"] == "vetbot.clear")
    value = {**clear, "vetbot_clear_reason": "ID document checked on a live video call"}
    assert await teams.send(teams.activity(user="bob", value=value)) in (200, 201)
    assert any("cleared" in t for t in teams.texts())
    await teams.core.drain()
    [update] = teams.fake.of("update")
    assert "cleared" in json.dumps(update.data["attachments"])


async def test_vet_without_arguments_sends_a_form_whose_submit_vets(teams: Teams) -> None:
    await teams.send(teams.activity("vet"))
    [form] = teams.cards()
    submit = form["actions"][0]["data"]
    assert submit == {"vetbot_action": "vetbot.vet_form"}
    assert await teams.send(teams.activity(value={**submit, "name": "Risky Form", "email": ""})) in (200, 201)
    assert teams.texts()[-1].startswith("Checking")
    await teams.core.drain()
    assert len(teams.fake.of("create")) == 1


async def test_connector_503_is_retried(teams: Teams) -> None:
    await teams.send(teams.activity('vet name="Jan Kowalski"'))
    teams.fake.fail_next = 1
    await teams.core.drain()
    assert [c.method for c in teams.fake.calls][-2:] == ["reply:503", "reply"]
    assert len(teams.cards()) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"type": 7}', "application/json", 400),
        (b"type=message", "application/x-www-form-urlencoded", 415),
        (b"hello", "text/plain", 415),
    ],
)
async def test_malformed_requests_are_4xx(teams: Teams, body: bytes, content_type: str, status: int) -> None:
    resp = await teams.client.post("/api/messages", data=body, headers={"Content-Type": content_type})
    assert resp.status == status


async def test_unknown_fields_and_types_never_give_5xx(teams: Teams) -> None:
    odd = teams.activity("help", surprise={"nested": [1, 2]}, entities=[{"type": "clientInfo", "x": 1}])
    assert await teams.send(odd) in (200, 201)
    assert await teams.send({**teams.activity(), "type": "conversationUpdate", "membersAdded": [BOT]}) in (
        200,
        201,
    )
    assert await teams.send({**teams.activity(), "type": "invoke", "name": "unknown/thing"}) == 400
    assert await teams.send({"type": "message"}) < 500  # no ids, no conversation at all


def test_empty_app_id_is_refused_without_the_dev_flag() -> None:
    with pytest.raises(SettingsError, match="VETBOT_INSECURE_DEV"):
        teams_from_env({"MICROSOFT_APP_ID": ""})
    assert teams_from_env({"MICROSOFT_APP_ID": "", "VETBOT_INSECURE_DEV": "1"}) is not None
    assert teams_from_env({}) is None
    with pytest.raises(SettingsError, match="PASSWORD"):
        teams_from_env({"MICROSOFT_APP_ID": "0000-app"})
    with pytest.raises(ValueError, match="refused"):
        TeamsEdge(TeamsSettings(app_id="", app_password=SecretStr("")), core=None)  # type: ignore[arg-type]


def test_serve_refuses_to_start_with_an_empty_app_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the server must not start")

    monkeypatch.setattr(web, "run_app", never)
    monkeypatch.setenv("MICROSOFT_APP_ID", "")
    monkeypatch.delenv("VETBOT_INSECURE_DEV", raising=False)
    monkeypatch.setenv("VETBOT_SECRET_KEY", "test")
    assert main(["serve", "--database-url", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    assert "MICROSOFT_APP_ID is empty" in capsys.readouterr().err


@pytest.fixture
def authenticated_teams(db: Database, config: Config) -> tuple[BotSettings, BotCore]:
    settings = BotSettings(
        teams=TeamsSettings(
            app_id="00000000-0000-0000-0000-000000000001",
            app_password=SecretStr("not-used-offline"),
            security_channel=SECURITY,
        )
    )
    core = BotCore(VettingService(db, config, registry=Registry([FlagCheck()])), tuning=FAST, admins=ADMINS)
    return settings, core


def _forged_token() -> str:
    import jwt

    claims = {"iss": "https://api.botframework.com", "aud": "00000000-0000-0000-0000-000000000001"}
    return jwt.encode(claims, "attacker-secret-of-32-bytes-or-more!!", algorithm="HS256")


async def _post_all(settings: BotSettings, core: BotCore, headers: list[dict[str, str]]) -> list[int]:
    async with TestClient(TestServer(create_app(settings, core), host="127.0.0.1")) as client:
        activity = Teams(client, core, FakeConnector(), "http://127.0.0.1:9").activity('vet name="Jan K"')
        return [(await client.post("/api/messages", json=activity, headers=h)).status for h in headers]


async def test_with_an_app_id_unauthenticated_activities_get_401_and_leave_no_job(
    authenticated_teams: tuple[BotSettings, BotCore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bot Framework authentication on (an app id is set): no token, a garbage token and a
    token Microsoft never signed (plausible issuer, HS256) are refused before anything is
    stored. Microsoft's signing keys are stubbed (offline): one RSA key, another id."""
    from botframework.connector.auth import jwt_token_extractor
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()

    async def keys(_self: object, _key_id: str) -> object:
        return jwt_token_extractor._OpenIdConfig(key, [])

    monkeypatch.setattr(jwt_token_extractor._OpenIdMetadata, "get", keys)
    settings, core = authenticated_teams
    bearer = [{}, {"Authorization": "Bearer garbage"}, {"Authorization": f"Bearer {_forged_token()}"}]
    assert await _post_all(settings, core, bearer) == [401, 401, 401]
    assert await core.queue_stats() == (0, 0.0)


async def test_unreachable_signing_keys_are_503_so_the_bot_framework_retries(
    authenticated_teams: tuple[BotSettings, BotCore], monkeypatch: pytest.MonkeyPatch
) -> None:
    import requests
    from botframework.connector.auth import jwt_token_extractor

    async def down(_self: object) -> None:
        raise requests.ConnectionError("login.botframework.com unreachable")

    monkeypatch.setattr(jwt_token_extractor._OpenIdMetadata, "_refresh", down)
    settings, core = authenticated_teams
    assert await _post_all(settings, core, [{"Authorization": f"Bearer {_forged_token()}"}]) == [503]
    assert await core.queue_stats() == (0, 0.0)
