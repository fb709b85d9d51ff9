"""Roles, policies and the one guard every command and card button passes.

Roles: ``admin`` (everything), ``security`` (decides escalated cases, reads stats),
``requester`` (hiring manager: ``/vet`` and their own cases), ``viewer`` (reads cases and
settings). Bootstrap admins come from ``VETBOT_ADMINS`` and cannot be revoked from chat —
the environment stays the root of trust, so a deployment can never lock itself out.

By default every member of the workspace or tenant is a requester (``policy requesters
all``); ``/vet-admin policy requesters granted`` limits ``/vet`` to granted users. Policies
live in ``ScoringSettings.extra`` and are therefore versioned like thresholds.

``authorize`` is the single decision point. A refusal is returned (never raised), carries a
clear message and is written to the audit log in the caller's session, so the caller must
commit the session even when it refuses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.checks.settings import ScoringSettings
from vetbot.handlers.api import ActionId
from vetbot.storage import admin_repository, repository
from vetbot.storage.database import Database

ENV_ADMINS = "VETBOT_ADMINS"


class Role(StrEnum):
    ADMIN = "admin"
    SECURITY = "security"
    REQUESTER = "requester"
    VIEWER = "viewer"


class Policy(StrEnum):
    """Keys of ``ScoringSettings.extra`` and their allowed values (the first is the default)."""

    REQUESTERS = "requesters"
    NOTICE = "notice"


POLICY_VALUES: dict[Policy, tuple[str, ...]] = {
    Policy.REQUESTERS: ("all", "granted"),
    Policy.NOTICE: ("reminder", "required"),
}

_ROLE_VALUES = frozenset(r.value for r in Role)
A, S, R, V = Role.ADMIN, Role.SECURITY, Role.REQUESTER, Role.VIEWER
EVERYONE = frozenset(Role)
# permission → roles allowed. "Own case" permissions also let the case's requester through.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "vet": frozenset({A, S, R}),
    "vet.help": EVERYONE,
    "case.view": frozenset({A, S, V}),  # /vet status, Details; the requester sees their own
    "case.escalate": frozenset({A, S}),  # + own case
    "case.claim": frozenset({A, S}),
    "case.clear": frozenset({A, S}),
    "case.confirm_fake": frozenset({A, S}),
    "case.request_checks": frozenset({A, S}),  # + own case (asking is not deciding)
    "case.candidate_informed": frozenset({A, S}),  # + own case
    "admin.help": EVERYONE,
    "admin.show": frozenset({A, S, V}),
    "admin.history": frozenset({A, S, V}),
    "admin.simulate": frozenset({A, S}),
    "admin.stats": frozenset({A, S}),
    "admin.settings": frozenset({A}),  # threshold, weight, enable, disable, retention, policy
    "admin.role": frozenset({A}),
    "admin.export": frozenset({A}),
    "admin.erase": frozenset({A}),
    "audit.export": frozenset({A}),
}
OWN_CASE = frozenset({"case.view", "case.escalate", "case.request_checks", "case.candidate_informed"})
# Deciding one's own case is refused whatever the role: four eyes on every outcome.
NOT_OWN_CASE = frozenset({"case.clear", "case.confirm_fake"})

ACTION_PERMISSIONS: dict[ActionId, str] = {
    ActionId.ESCALATE: "case.escalate",
    ActionId.CLEAR: "case.clear",
    ActionId.DETAILS: "case.view",
    ActionId.CLAIM: "case.claim",
    ActionId.CONFIRM_FAKE: "case.confirm_fake",
    ActionId.REQUEST_CHECKS: "case.request_checks",
    ActionId.CANDIDATE_INFORMED: "case.candidate_informed",
}


@dataclass(frozen=True, slots=True)
class Denied:
    """A refusal: ``message`` is shown to the user as is (no PII, names the missing role)."""

    message: str
    permission: str


def admins_from_env(value: str | None = None) -> frozenset[str]:
    """``VETBOT_ADMINS`` (comma-separated platform-qualified ids) as a set; blanks ignored."""
    raw = os.environ.get(ENV_ADMINS, "") if value is None else value
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def policy(settings: ScoringSettings, name: Policy) -> str:
    """The policy value in force (its default when unset or unknown)."""
    allowed = POLICY_VALUES[name]
    value = settings.extra.get(name.value)
    return value if value in allowed else allowed[0]


async def effective_roles(
    session: AsyncSession, actor_id: str, *, settings: ScoringSettings, admins: frozenset[str]
) -> set[Role]:
    """Granted roles, plus admin for bootstrap admins, plus requester under ``requesters all``."""
    roles = {Role(r) for r in await admin_repository.roles_of(session, actor=actor_id) if r in _ROLE_VALUES}
    if actor_id in admins:
        roles.add(Role.ADMIN)
    if policy(settings, Policy.REQUESTERS) == "all":
        roles.add(Role.REQUESTER)
    return roles


async def authorize(
    session: AsyncSession,
    actor_id: str,
    permission: str,
    *,
    settings: ScoringSettings,
    admins: frozenset[str],
    case_requester: str | None = None,
    case_id: str | None = None,
) -> Denied | None:
    """None when ``actor_id`` may do ``permission``; else a ``Denied``, already audited.

    ``case_requester`` (who asked for the vetting) enables the own-case rules: a requester
    may view, escalate and mark "candidate informed" on their own case, and nobody may clear
    or confirm a case they requested. ``case_id`` only labels the audit row.
    """
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if PERMISSIONS[permission] == EVERYONE:  # help: open to anyone, even without a role
        return None
    own = case_requester is not None and case_requester == actor_id
    denied: Denied | None = None
    if own and permission in NOT_OWN_CASE:
        denied = Denied(
            "You requested this vetting, so someone else must decide it (security or another reviewer).",
            permission,
        )
    else:
        roles = await effective_roles(session, actor_id, settings=settings, admins=admins)
        allowed = PERMISSIONS[permission]
        if not (roles & allowed or (own and permission in OWN_CASE and Role.REQUESTER in roles)):
            needed = ", ".join(sorted(r.value for r in allowed))
            held = ", ".join(sorted(r.value for r in roles)) or "none"
            denied = Denied(
                f"Not allowed: {permission} needs one of: {needed} (your roles: {held}).", permission
            )
    if denied is not None:
        await admin_repository.append_audit(
            session, actor=actor_id, action="denied", case_id=case_id, detail={"permission": permission}
        )
    return denied


async def authorize_in(
    db: Database,
    actor_id: str,
    permission: str,
    *,
    admins: frozenset[str],
    case_requester: str | None = None,
    case_id: str | None = None,
) -> Denied | None:
    """``authorize`` in a transaction of its own, with the settings in force (for BotCore)."""
    async with db.session() as session:
        settings = await repository.current_settings(session)
        return await authorize(
            session,
            actor_id,
            permission,
            settings=settings,
            admins=admins,
            case_requester=case_requester,
            case_id=case_id,
        )
