"""The neutral contract between the edges (``bot/``) and the handlers.

A platform turns its payload into a ``Command`` or an ``Action`` (inbound), hands it to the
handlers, and turns the neutral ``Response`` it gets back into its own API calls (outbound).
Handlers never see a platform payload; platforms never see storage or checks. Everything
here is plain data, so the shell, Slack, Teams and tests all drive the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    SHELL = "shell"
    CLI = "cli"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting; ``qualified`` (``slack:U123``) is the id roles and audit use."""

    platform: Platform
    user_id: str
    display_name: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.platform.value}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Conversation:
    """Where a reply goes. ``reference`` is opaque platform data the edge needs to answer
    later (a Teams ConversationReference as JSON, a Slack ``response_url``); handlers store
    it with the job and hand it back untouched."""

    platform: Platform
    channel_id: str | None = None
    thread_id: str | None = None
    team_id: str | None = None
    reference: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Command:
    """``/vet …`` or ``/vet-admin …`` as typed, or a submitted form (``form`` set, ``text`` empty).

    ``idempotency_key`` identifies the delivery (Slack trigger_id/event id, Teams activity id,
    content hash for shell and CLI): the same key never starts a second vetting.
    """

    actor: Actor
    conversation: Conversation
    name: str  # "vet" | "vet-admin"
    text: str
    idempotency_key: str
    form: dict[str, Any] | None = None


class ActionId(StrEnum):
    """Card buttons. Values cross the wire (Block Kit action_id, Adaptive Card data)."""

    ESCALATE = "vetbot.escalate"
    CLEAR = "vetbot.clear"
    DETAILS = "vetbot.details"
    CLAIM = "vetbot.claim"
    CONFIRM_FAKE = "vetbot.confirm_fake"
    REQUEST_CHECKS = "vetbot.request_checks"
    CANDIDATE_INFORMED = "vetbot.candidate_informed"


@dataclass(frozen=True, slots=True)
class Action:
    """A button press on a card. ``reason`` comes from the button's input (Clear needs one)."""

    actor: Actor
    conversation: Conversation
    action: ActionId
    vetting_id: str
    idempotency_key: str
    reason: str | None = None


# --- responses -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardFinding:
    check: str
    points: int
    severity: str
    summary: str
    source: str


@dataclass(frozen=True, slots=True)
class UnavailableCheck:
    """A check that could not run (``timeout``/``error``): the card says so instead of
    passing it silently, and says whether vetbot will try it again."""

    check: str
    status: str  # "timeout" | "error"
    detail: str | None = None  # "no answer within 5 s", "unavailable: github circuit open"
    retrying: bool = False  # a re-check round is scheduled or running
    retried: int = 0  # re-check rounds that already ran this check


@dataclass(frozen=True, slots=True)
class RiskCard:
    """What every renderer draws: Block Kit, Adaptive Card 1.4 and terminal text alike.

    ``escalation`` cards are minimal (name, score, band, top three findings, requester, case
    id): the security channel must not become a second copy of the candidate's file.
    """

    vetting_id: str
    candidate_name: str
    candidate_id: str | None
    score: int
    band: str
    thresholds: tuple[int, int]  # (medium, high)
    findings: tuple[CardFinding, ...]
    unavailable_checks: tuple[UnavailableCheck, ...] = ()
    recheck_note: str | None = None  # "Updated by re-check 1 at …": the result was amended
    status: str = "open"  # case status: open, escalated, claimed, cleared, confirmed_fake, …
    status_detail: str | None = None  # who/when/why of the last decision
    requester: str | None = None
    actions: tuple[ActionId, ...] = ()
    escalation: bool = False
    notice: str = "Decision support only: a person decides. vetbot never rejects anyone by itself."


@dataclass(frozen=True, slots=True)
class Reply:
    """Plain text answer (help, status, confirmations). Rendered as plain text, never markup."""

    text: str
    private: bool = True


@dataclass(frozen=True, slots=True)
class Accepted:
    """The command is stored and will be answered with a card; the edge acks with ``text``."""

    job_id: str
    text: str = "Checking… the risk card follows shortly."


@dataclass(frozen=True, slots=True)
class CardReply:
    card: RiskCard
    private: bool = True


@dataclass(frozen=True, slots=True)
class FormField:
    name: str  # spec field name, dotted for nested (``location.country``)
    label: str
    required: bool = False
    multiline: bool = False
    placeholder: str | None = None


@dataclass(frozen=True, slots=True)
class FormReply:
    """Ask the user to fill a form (Slack modal, Teams Adaptive Card form, shell prompts)."""

    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Vet candidate"


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """Bad input or refusal, naming the field and the problem; never a stack trace."""

    message: str
    field: str | None = None


Response = Reply | Accepted | CardReply | FormReply | ErrorReply


# --- outbound: implemented by each platform edge ---------------------------------------------


class Outbound(Protocol):
    """How handlers/workers deliver results later (after the ack). One per platform.

    ``key`` is the outbox's unique key of this side effect: implementations may use it to
    make a retried delivery idempotent on the platform side where the platform allows it.
    Returns the platform's message id (Slack ``ts``, Teams activity id) for later updates.
    """

    async def post_card(self, conversation: Conversation, card: RiskCard, *, key: str) -> str | None: ...

    async def update_card(
        self, conversation: Conversation, message_id: str, card: RiskCard, *, key: str
    ) -> None: ...

    async def post_escalation(self, card: RiskCard, *, key: str) -> str | None: ...

    async def post_text(self, conversation: Conversation, text: str, *, key: str) -> str | None: ...


@runtime_checkable
class Reconciling(Protocol):
    """An ``Outbound`` that can tell whether an earlier attempt of a post already landed.

    The outbox marks a delivery sent only after the platform answered, so a process that
    dies in between (or a reply lost on the network) leaves a row whose message may exist.
    Before retrying such a row the worker asks ``find_posted``; a message id means "already
    there, do not post again". ``since`` is when the outbox row was written (UTC), a lower
    bound for the search. Platforms without a way to look (Teams, the shell) do not implement
    this, and their retries stay at-least-once.
    """

    async def find_posted(
        self, *, key: str, conversation: Conversation | None, card: RiskCard | None, since: datetime
    ) -> str | None: ...
