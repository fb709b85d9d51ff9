"""Every command and card action × every role: allowed or refused, and refusals audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.admin.helpers import (
    ADMIN,
    ADMINS,
    NOBODY,
    PROFILE,
    REQUESTER,
    SECURITY,
    VIEWER,
    admin_handler,
    ok,
    refused,
    vet,
)
from vetbot.handlers.admin import AdminHandler
from vetbot.handlers.api import ErrorReply, Reply
from vetbot.handlers.roles import (
    ACTION_PERMISSIONS,
    PERMISSIONS,
    Role,
    admins_from_env,
    authorize,
    authorize_in,
    effective_roles,
)
from vetbot.handlers.vetting import VettingService
from vetbot.storage import admin_repository, repository
from vetbot.storage.database import Database

GRANTED = "slack:UADMIN-GRANTED"  # admin by grant rather than by VETBOT_ADMINS
ACTORS = {  # actor → the role the test grants (None: no role at all)
    ADMIN: None,  # bootstrap admin through VETBOT_ADMINS
    GRANTED: Role.ADMIN,
    SECURITY: Role.SECURITY,
    REQUESTER: Role.REQUESTER,
    VIEWER: Role.VIEWER,
    NOBODY: None,
}
ADMIN_LIKE = {ADMIN, GRANTED}
ALLOWED = {  # /vet-admin command → who may run it (the roles table, spelled out per actor)
    "show": ADMIN_LIKE | {SECURITY, VIEWER},
    "history": ADMIN_LIKE | {SECURITY, VIEWER},
    "stats": ADMIN_LIKE | {SECURITY},
    "simulate threshold high 55": ADMIN_LIKE | {SECURITY},
    "threshold high 65": ADMIN_LIKE,
    "weight contact.email 10": ADMIN_LIKE,
    "disable contact.email": ADMIN_LIKE,
    "enable contact.email": ADMIN_LIKE,
    "retention 45": ADMIN_LIKE,
    "policy requesters granted": ADMIN_LIKE,
    "policy notice required": ADMIN_LIKE,
    "role grant slack:UNEW viewer": ADMIN_LIKE,
    "role revoke slack:UNEW viewer": ADMIN_LIKE,
    "role list": ADMIN_LIKE,
    "export ats-1": ADMIN_LIKE,
    "erase ats-1": ADMIN_LIKE,
    "help": set(ACTORS),
}


async def _grant_all(db: Database) -> None:
    async with db.session() as session:
        for actor, role in ACTORS.items():
            if role is not None:
                await admin_repository.grant_role(session, actor=actor, role=role, granted_by=ADMIN)


async def _denials(db: Database) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = await admin_repository.audit_since(
            session, since=datetime.now(UTC) - timedelta(hours=1), action="denied"
        )
    return [(r.actor, r.detail["permission"]) for r in rows]


@pytest.mark.parametrize("command", list(ALLOWED))
async def test_every_admin_command_for_every_role(
    db: Database, service: VettingService, command: str
) -> None:
    await _grant_all(db)
    await vet(service, PROFILE)
    handler = admin_handler(service)
    # refused actors first: an allowed admin's change must not alter what the others see
    for actor in sorted(ACTORS, key=lambda a: a in ALLOWED[command]):
        reply = await handler.handle(actor, command)
        if actor in ALLOWED[command]:
            assert isinstance(reply, Reply), f"{command!r} by {actor}: {reply}"
        else:
            assert isinstance(reply, ErrorReply), f"{command!r} by {actor} was allowed"
            assert reply.message.startswith("Not allowed:") and "needs one of" in reply.message
    refused = set(ACTORS) - ALLOWED[command]
    assert {actor for actor, _ in await _denials(db)} == refused


# permission → actors allowed under "requesters granted" (roles exactly as granted)
CASE_ALLOWED = {
    "vet": ADMIN_LIKE | {SECURITY, REQUESTER},
    "vet.help": set(ACTORS),
    "case.view": ADMIN_LIKE | {SECURITY, VIEWER},
    "case.escalate": ADMIN_LIKE | {SECURITY},
    "case.claim": ADMIN_LIKE | {SECURITY},
    "case.clear": ADMIN_LIKE | {SECURITY},
    "case.confirm_fake": ADMIN_LIKE | {SECURITY},
    "case.request_checks": ADMIN_LIKE | {SECURITY},
    "case.candidate_informed": ADMIN_LIKE | {SECURITY},
    "audit.export": ADMIN_LIKE,
}


async def test_permission_table_covers_every_action_and_permission() -> None:
    assert set(ACTION_PERMISSIONS.values()) <= set(PERMISSIONS)
    assert set(CASE_ALLOWED) | {p for p in PERMISSIONS if p.startswith("admin.")} == set(PERMISSIONS)


@pytest.mark.parametrize("permission", list(CASE_ALLOWED))
async def test_case_permissions_for_every_role(db: Database, permission: str) -> None:
    await _grant_all(db)
    async with db.session() as session:
        settings = await repository.current_settings(session)
        settings = type(settings).from_json({**settings.to_json(), "extra": {"requesters": "granted"}})
        for actor in ACTORS:
            denied = await authorize(session, actor, permission, settings=settings, admins=ADMINS)
            assert (denied is None) == (actor in CASE_ALLOWED[permission]), (permission, actor, denied)
    assert {a for a, _ in await _denials(db)} == set(ACTORS) - CASE_ALLOWED[permission]


async def test_requester_policy_all_makes_everyone_a_requester(db: Database) -> None:
    assert await authorize_in(db, NOBODY, "vet", admins=ADMINS) is None  # default policy: all
    async with db.session() as session:
        settings = await repository.current_settings(session)
        assert Role.REQUESTER in await effective_roles(session, NOBODY, settings=settings, admins=ADMINS)
    async with db.session() as session:
        current = await repository.current_settings(session)
        granted = type(current).from_json({**current.to_json(), "extra": {"requesters": "granted"}})
        await repository.save_settings(
            session, settings=granted, actor=ADMIN, change="policy requesters: all → granted"
        )
    denied = await authorize_in(db, NOBODY, "vet", admins=ADMINS)
    assert denied is not None and "vet needs one of" in denied.message


async def test_own_case_rules(db: Database) -> None:
    await _grant_all(db)
    # a requester sees, escalates and marks "informed" on their own case, not on others'
    for permission in ("case.view", "case.escalate", "case.candidate_informed", "case.request_checks"):
        assert await authorize_in(db, REQUESTER, permission, admins=ADMINS, case_requester=REQUESTER) is None
        assert await authorize_in(db, REQUESTER, permission, admins=ADMINS, case_requester=NOBODY) is not None
    # nobody clears or confirms a case they requested, not even an admin
    for permission in ("case.clear", "case.confirm_fake"):
        for actor in (ADMIN, SECURITY):
            denied = await authorize_in(
                db, actor, permission, admins=ADMINS, case_requester=actor, case_id="v1"
            )
            assert denied is not None and "someone else must decide" in denied.message
        assert await authorize_in(db, SECURITY, permission, admins=ADMINS, case_requester=REQUESTER) is None
    async with db.session() as session:
        rows = await admin_repository.audit_since(session, since=datetime.now(UTC) - timedelta(hours=1))
    assert any(r.case_id == "v1" and r.detail == {"permission": "case.clear"} for r in rows)


async def test_bootstrap_admins_from_env_cannot_be_revoked(service: VettingService) -> None:
    assert admins_from_env(" slack:U1, teams:29:1abc ,,shell:alice") == {
        "slack:U1",
        "teams:29:1abc",
        "shell:alice",
    }
    handler = admin_handler(service)
    reply = await handler.handle(ADMIN, f"role revoke {ADMIN} admin")
    assert isinstance(reply, ErrorReply) and "VETBOT_ADMINS" in reply.message


async def test_user_ids_are_qualified_with_the_callers_platform(service: VettingService) -> None:
    handler = AdminHandler(service, admins=frozenset({"slack:UBOSS", "teams:29:1boss", "cli:root"}))
    assert "slack:U777 is now security" in await ok(handler, "slack:UBOSS", "role grant <@U777|bob> security")
    assert "teams:29:1xyz is now viewer" in await ok(handler, "teams:29:1boss", "role grant 29:1xyz viewer")
    assert "shell:eve is now viewer" in await ok(handler, "cli:root", "role grant shell:eve viewer")
    assert "platform-qualified" in await refused(handler, "cli:root", "role grant eve viewer")
