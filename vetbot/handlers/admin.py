"""``/vet-admin``: tuning, roles, export and erasure from chat, the shell and the CLI.

``AdminHandler.handle(actor_id, text)`` takes the text after the command name and returns a
neutral ``Reply`` or ``ErrorReply``. Each command runs in one transaction: the role check
(refusals audited), the change, the new settings version and its audit row commit together
or not at all. Every settings change is a new version recording who, when and "old → new";
it applies from the next vetting, and each vetting records the version it used.
"""

from __future__ import annotations

import json
import logging
import re
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.checks.registry import Registry
from vetbot.checks.settings import ScoringSettings
from vetbot.handlers import admin_reports
from vetbot.handlers.admin_changes import Invalid, propose
from vetbot.handlers.api import ErrorReply, Platform, Reply
from vetbot.handlers.roles import Role, admins_from_env, authorize
from vetbot.handlers.vetting import VettingService
from vetbot.storage import admin_repository, repository

log = logging.getLogger("vetbot.admin")

HELP = """/vet-admin commands (roles in brackets):
  show | history                               settings in force; who changed what [admin, security, viewer]
  stats                                        decisions and overrides per reviewer [admin, security]
  simulate threshold medium|high N             how the last 100 vettings would band [admin, security]
  simulate weight CHECK_ID N | simulate disable CHECK_ID
  threshold medium|high N                      band thresholds, 1-100, medium < high [admin]
  weight CHECK_ID N                            a check's weight, 0-100 [admin]
  enable CHECK_ID | disable CHECK_ID           [admin]
  retention DAYS                               erase candidate PII DAYS after the last decision [admin]
  policy requesters all|granted                who may /vet [admin]
  policy notice reminder|required              duty to inform the candidate [admin]
  role grant|revoke USER ROLE | role list      roles: admin, security, requester, viewer [admin]
  export CANDIDATE                             everything held about a person, as JSON [admin]
  erase CANDIDATE | erase CANDIDATE approve    a second admin approves; PII removed everywhere [admin]"""

SIMULATE_USAGE = (
    "usage: simulate threshold medium|high N | simulate weight CHECK_ID N | simulate disable CHECK_ID"
)
UNAVAILABLE = "vetbot could not do that right now; please try again."
_PLATFORMS = frozenset(p.value for p in Platform)
_SLACK_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True, slots=True)
class _Call:
    """One command being handled: its transaction, caller, words and the settings in force."""

    session: AsyncSession
    actor: str
    args: list[str]
    settings: ScoringSettings


Handler = Callable[[_Call], Awaitable[Reply | ErrorReply]]


class AdminHandler:
    """Entry point for ``/vet-admin``; ``admins`` defaults to ``VETBOT_ADMINS``."""

    def __init__(
        self,
        service: VettingService,
        *,
        admins: frozenset[str] | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.db = service.db
        self.admins = admins_from_env() if admins is None else admins
        self.registry = registry or Registry.default()
        settings_change: tuple[str, Handler] = ("admin.settings", self._change)
        self._commands: dict[str, tuple[str, Handler]] = {
            "show": ("admin.show", self._show),
            "history": ("admin.history", self._history),
            "stats": ("admin.stats", self._stats),
            "simulate": ("admin.simulate", self._simulate),
            **{name: settings_change for name in ("threshold", "weight", "enable", "disable", "retention")},
            "policy": settings_change,
            "role": ("admin.role", self._role),
            "export": ("admin.export", self._export),
            "erase": ("admin.erase", self._erase),
        }

    async def handle(self, actor_id: str, text: str) -> Reply | ErrorReply:
        try:
            args = shlex.split(text or "")
        except ValueError:
            return ErrorReply("unbalanced quotes in the command")
        if not args or args[0].lower() in ("help", "-h", "--help"):
            return Reply(HELP)
        name = args[0].lower()
        if name not in self._commands:
            return ErrorReply(f"unknown /vet-admin command {name[:30]!r}; try /vet-admin help")
        permission, handler = self._commands[name]
        try:
            async with self.db.session() as session:
                settings = await repository.current_settings(session)
                denied = await authorize(session, actor_id, permission, settings=settings, admins=self.admins)
                if denied is not None:
                    return ErrorReply(denied.message)
                return await handler(_Call(session, actor_id, [name, *args[1:]], settings))
        except Invalid as exc:
            return ErrorReply(str(exc), field=exc.field)
        except Exception as exc:  # noqa: BLE001 - the user gets a clear answer, the log a type
            log.error("admin command failed", extra={"command": name, "error": type(exc).__name__})
            return ErrorReply(UNAVAILABLE)

    # --- read-only ------------------------------------------------------------------------

    async def _show(self, c: _Call) -> Reply:
        return Reply(admin_reports.show_text(c.settings, self.registry))

    async def _history(self, c: _Call) -> Reply:
        return Reply(await admin_reports.history_text(c.session))

    async def _stats(self, c: _Call) -> Reply:
        return Reply(await admin_reports.stats_text(c.session))

    async def _simulate(self, c: _Call) -> Reply | ErrorReply:
        if len(c.args) < 2 or c.args[1].lower() not in ("threshold", "weight", "disable"):
            raise Invalid(SIMULATE_USAGE)
        change = propose(c.settings, self.registry, c.args[1:])
        text = await admin_reports.simulate_text(
            c.session,
            current=c.settings,
            proposed=change.settings,
            change=change.text,
            registry=self.registry,
        )
        return Reply(text)

    # --- settings ---------------------------------------------------------------------------

    async def _change(self, c: _Call) -> Reply:
        change = propose(c.settings, self.registry, c.args)
        if change.unchanged:
            return Reply(f"Nothing changed: {change.text}.")
        version = await repository.save_settings(
            c.session, settings=change.settings, actor=c.actor, change=change.text
        )
        await admin_repository.append_audit(
            c.session, actor=c.actor, action="settings.change", detail={"version": version, **change.detail}
        )
        log.info("settings changed", extra={"version": version, "setting": change.detail.get("setting")})
        return Reply(f"Settings v{version}: {change.text}. Applies from the next vetting.")

    # --- roles ----------------------------------------------------------------------------

    async def _role(self, c: _Call) -> Reply:
        if c.args[1:2] == ["list"]:
            grants = await admin_repository.list_roles(c.session)
            lines = [f"  {g.actor}: {g.role} (granted by {g.granted_by})" for g in grants]
            lines += [f"  {a}: admin (VETBOT_ADMINS)" for a in sorted(self.admins)]
            return Reply("Roles:\n" + ("\n".join(lines) if lines else "  none granted"))
        if len(c.args) != 4 or c.args[1].lower() not in ("grant", "revoke"):
            raise Invalid(
                "usage: role grant|revoke USER ROLE (e.g. role grant slack:U123 security) | role list"
            )
        verb, user, role = c.args[1].lower(), qualify(c.args[2], c.actor), c.args[3].lower()
        if role not in {r.value for r in Role}:
            raise Invalid(
                f"unknown role {role[:20]!r}: use admin, security, requester or viewer", field="role"
            )
        if verb == "grant":
            done = await admin_repository.grant_role(c.session, actor=user, role=role, granted_by=c.actor)
            text = f"{user} is now {role}." if done else f"{user} already had {role}; nothing changed."
        else:
            if role == Role.ADMIN and user in self.admins:
                raise Invalid(f"{user} is an admin through VETBOT_ADMINS; change the environment instead")
            done = await admin_repository.revoke_role(c.session, actor=user, role=role)
            text = (
                f"{user} no longer has {role}." if done else f"{user} did not have {role}; nothing changed."
            )
        if done:
            await admin_repository.append_audit(
                c.session, actor=c.actor, action=f"role.{verb}", detail={"user": user, "role": role}
            )
        return Reply(text)

    # --- privacy --------------------------------------------------------------------------

    async def _export(self, c: _Call) -> Reply:
        if len(c.args) != 2:
            raise Invalid("usage: export CANDIDATE (the candidate key or ATS id)")
        data = await admin_repository.export_candidate(c.session, c.args[1])
        if not data:
            raise Invalid("no candidate with that key or ATS id", field="candidate")
        counts = {name: len(rows) for name, rows in data["tables"].items()}
        await admin_repository.append_audit(
            c.session, actor=c.actor, action="export", case_id=data["candidate_key"], detail={"rows": counts}
        )
        return Reply(json.dumps(data, indent=2, ensure_ascii=False, default=str))

    async def _erase(self, c: _Call) -> Reply | ErrorReply:
        if len(c.args) not in (2, 3) or (len(c.args) == 3 and c.args[2].lower() != "approve"):
            raise Invalid("usage: erase CANDIDATE, then a second admin: erase CANDIDATE approve")
        key = await admin_repository.resolve_candidate(c.session, ref=c.args[1])
        if key is None:
            raise Invalid("no candidate with that key or ATS id", field="candidate")
        pending = await admin_repository.pending_erase(c.session, candidate_key=key)
        if len(c.args) == 2:
            if pending is not None:
                return Reply(f"Erasure of {key} already requested by {pending.requested_by}; "
                             f"another admin approves with: erase {key} approve")  # fmt: skip
            request = await admin_repository.request_erase(c.session, candidate_key=key, requested_by=c.actor)
            await admin_repository.append_audit(
                c.session, actor=c.actor, action="erase.request", case_id=key, detail={"request": request.id}
            )
            return Reply(f"Erasure of {key} requested. A second admin approves with: erase {key} approve")
        if pending is None:
            raise Invalid(f"no pending erasure for {key}; request one first with: erase {key}")
        if pending.requested_by == c.actor:
            await admin_repository.append_audit(
                c.session,
                actor=c.actor,
                action="denied",
                case_id=key,
                detail={"permission": "erase.approve_own"},
            )
            return ErrorReply("You requested this erasure; a different admin must approve it.")
        counts = await admin_repository.complete_erase(c.session, pending, approved_by=c.actor)
        await admin_repository.append_audit(
            c.session,
            actor=c.actor,
            action="erase.approve",
            case_id=key,
            detail={"request": pending.id, "requested_by": pending.requested_by, "rows": counts},
        )
        log.info("candidate erased", extra={"candidate_key": key})
        rows = sum(counts.values())
        return Reply(f"Erased: {key}'s personal data was removed from {rows} rows; the audit log remains.")


def qualify(user: str, actor_id: str) -> str:
    """``slack:U123`` as given; ``<@U123>`` or a bare id gets the caller's platform."""
    mention = _SLACK_MENTION.fullmatch(user)
    if mention:
        return f"slack:{mention.group(1)}"
    if user.split(":", 1)[0] in _PLATFORMS and ":" in user:
        return user
    platform = actor_id.split(":", 1)[0]
    if platform == Platform.CLI.value:
        raise Invalid("USER must be platform-qualified, e.g. slack:U123 or teams:29:1abc", field="user")
    return f"{platform}:{user}"
