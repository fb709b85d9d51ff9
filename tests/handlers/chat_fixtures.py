"""Helpers shared by the chat tests: a one-check registry with a predictable band, a
recording ``Outbound``, and a started ``BotCore`` on the test database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers.api import Actor, Command, Conversation, Platform, RiskCard
from vetbot.handlers.core import BotCore
from vetbot.handlers.vetting import VettingService
from vetbot.handlers.worker import Tuning
from vetbot.models.profile import Profile
from vetbot.storage.database import Database

FAST = Tuning(poll_interval=0.02, retry_base=0.01, lease_seconds=30)
ALICE = Actor(Platform.SHELL, "alice")
BOB = Actor(Platform.SHELL, "bob")
HERE = Conversation(Platform.SHELL, channel_id="C1")


class FlagCheck(Check):
    """High risk (90 points) when the name contains "Risky"; silent otherwise."""

    id: ClassVar[str] = "test.flag"
    title: ClassVar[str] = "test flag"
    weight: ClassVar[int] = 90
    evidence: ClassVar[Evidence] = Evidence.STRONG
    inputs: ClassVar[tuple[str, ...]] = ("name",)
    source: ClassVar[str] = "test source"

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        if "Risky" in profile.name:
            return [Signal(rule="flag", summary="flagged for the test")]
        return []


class RecordingOutbound:
    """Keeps every delivery; ``fail`` makes the next N calls raise (a platform outage)."""

    def __init__(self, fail: int = 0) -> None:
        self.calls: list[tuple[str, str, RiskCard | str]] = []
        self.fail = fail

    def _maybe_fail(self) -> None:
        if self.fail > 0:
            self.fail -= 1
            raise ConnectionError("platform down")

    async def post_card(self, conversation: Conversation, card: RiskCard, *, key: str) -> str | None:
        self._maybe_fail()
        self.calls.append(("card", key, card))
        return f"msg-{len(self.calls)}"

    async def update_card(
        self, conversation: Conversation, message_id: str, card: RiskCard, *, key: str
    ) -> None:
        self._maybe_fail()
        self.calls.append(("update", message_id, card))

    async def post_escalation(self, card: RiskCard, *, key: str) -> str | None:
        self._maybe_fail()
        self.calls.append(("escalation", key, card))
        return f"esc-{len(self.calls)}"

    async def post_text(self, conversation: Conversation, text: str, *, key: str) -> str | None:
        self._maybe_fail()
        self.calls.append(("text", key, text))
        return None

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.calls]


def make_core(db: Database, config: Config, outbound: RecordingOutbound | None = None) -> BotCore:
    core = BotCore(
        VettingService(db, config, registry=Registry([FlagCheck()])),
        tuning=FAST,
        admins=frozenset({BOB.qualified}),
    )
    core.register_outbound(Platform.SHELL, outbound or RecordingOutbound())
    return core


def vet(text: str, key: str, actor: Actor = ALICE) -> Command:
    return Command(actor=actor, conversation=HERE, name="vet", text=text, idempotency_key=key)
