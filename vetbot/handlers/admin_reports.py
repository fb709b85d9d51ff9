"""Read-only ``/vet-admin`` reports: ``show``, ``history``, ``stats`` and ``simulate``.

``simulate`` answers "what would this change do?" before anyone applies it: the last 100
vettings are re-scored from their stored finding points — a weight change rescales that
check's points by new/old weight (points are weight × strength, so the ratio is exact up
to rounding), a disabled check's findings drop out — and re-banded under the current and
the proposed settings. Nothing is written.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from vetbot.checks.registry import Registry
from vetbot.checks.scoring import combine
from vetbot.checks.settings import ScoringSettings
from vetbot.handlers.roles import Policy, policy
from vetbot.storage import repository
from vetbot.storage.person_data import tables
from vetbot.storage.tables import SettingsVersion

SIMULATE_LAST = 100
BANDS = ("low", "medium", "high")


def show_text(settings: ScoringSettings, registry: Registry) -> str:
    t = settings.thresholds
    lines = [
        f"Settings v{settings.version} (apply from the next vetting)",
        f"Thresholds: medium {t.medium}, high {t.high}",
        f"Retention: candidate PII erased {settings.retention_days} days after the last decision "
        "(or the last vetting when undecided)",
        f"Policies: requesters {policy(settings, Policy.REQUESTERS)}, "
        f"notice {policy(settings, Policy.NOTICE)}",
        "Checks (weight in force; * = changed from the default):",
    ]
    for check in sorted(registry, key=lambda c: c.id):
        weight = settings.weights.get(check.id, check.weight)
        mark = "*" if weight != check.weight else " "
        state = "disabled" if check.id in settings.disabled else "enabled"
        lines.append(f"  {check.id:<32} {weight:>3}{mark} {state}")
    return "\n".join(lines)


async def history_text(session: AsyncSession, *, limit: int = 20) -> str:
    rows = await repository.settings_history(session, limit=limit)
    if not rows:
        return "No settings changes yet: the defaults (v0) are in force."
    lines = ["Settings changes (newest first):"]
    for row in rows:
        lines.append(f"  v{row.version} {row.created_at:%Y-%m-%d %H:%M} UTC {row.actor}: {row.change}")
    return "\n".join(lines)


# --- stats ------------------------------------------------------------------------------------


async def stats_text(session: AsyncSession) -> str:
    """Decisions per reviewer; an override clears a high-band case or confirms a low-band one."""
    conn = await session.connection()
    rows = await conn.run_sync(_decision_rows)
    if rows is None:
        return "No decisions recorded: the decision table does not exist in this deployment."
    if not rows:
        return "No decisions recorded yet."
    per_actor: dict[str, Counter[str]] = {}
    overrides: Counter[str] = Counter()
    for actor, action, band in rows:
        short = str(action).removeprefix("vetbot.")
        per_actor.setdefault(actor, Counter())[short] += 1
        if (short == "clear" and band == "high") or (short == "confirm_fake" and band == "low"):
            overrides[actor] += 1
    lines = ["Decisions per reviewer (override = cleared a high band or confirmed a low band):"]
    for actor in sorted(per_actor):
        counts = per_actor[actor]
        detail = ", ".join(f"{a} {n}" for a, n in sorted(counts.items()))
        lines.append(f"  {actor}: {sum(counts.values())} ({detail}); overrides {overrides[actor]}")
    return "\n".join(lines)


def _decision_rows(conn: Connection) -> list[tuple[str, str, str]] | None:
    all_tables = tables(conn)
    decision, vetting = all_tables.get("decision"), all_tables["vetting"]
    if decision is None:
        return None
    query = select(decision.c.actor, decision.c.action, vetting.c.band).join(
        vetting, vetting.c.id == decision.c.vetting_id
    )
    return [(a, b, c) for a, b, c in conn.execute(query)]


# --- simulate ---------------------------------------------------------------------------------


def _weight(settings: ScoringSettings, registry: Registry, check_id: str) -> int:
    default = registry.get(check_id).weight if check_id in registry else 0
    return settings.weights.get(check_id, default)


def rescore(
    findings: Iterable[dict[str, Any]],
    *,
    then: ScoringSettings,
    target: ScoringSettings,
    registry: Registry,
) -> int:
    """Score of stored findings (scored under ``then``) under ``target``'s weights and checks."""
    points = []
    for finding in findings:
        check_id, stored = str(finding.get("check")), int(finding.get("points", 0))
        if check_id in target.disabled:
            continue
        old, new = _weight(then, registry, check_id), _weight(target, registry, check_id)
        points.append(stored if old == new or old == 0 else min(100, math.floor(stored * new / old + 0.5)))
    return combine(points)


async def simulate_text(
    session: AsyncSession,
    *,
    current: ScoringSettings,
    proposed: ScoringSettings,
    change: str,
    registry: Registry,
) -> str:
    vettings = await repository.latest_vettings(session, limit=SIMULATE_LAST)
    if not vettings:
        return f"Simulation of {change}: no vettings stored yet, nothing to compare."
    versions = {v.settings_version for v in vettings}
    rows = await session.execute(select(SettingsVersion).where(col(SettingsVersion.version).in_(versions)))
    then = {r.version: ScoringSettings.from_json(r.data, version=r.version) for r in rows.scalars()}
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    moves: Counter[tuple[str, str]] = Counter()
    for vetting in vettings:
        used = then.get(vetting.settings_version, ScoringSettings())
        findings = [f for f in vetting.result.get("findings", []) if isinstance(f, dict)]
        old = current.thresholds.band(rescore(findings, then=used, target=current, registry=registry)).value
        new = proposed.thresholds.band(rescore(findings, then=used, target=proposed, registry=registry)).value
        before[old] += 1
        after[new] += 1
        if old != new:
            moves[(old, new)] += 1
    lines = [
        f"Simulation of {change} on the last {len(vettings)} vettings (not applied):",
        "  now:      " + ", ".join(f"{b} {before[b]}" for b in BANDS),
        "  proposed: " + ", ".join(f"{b} {after[b]}" for b in BANDS),
    ]
    if moves:
        lines.append("  moving: " + ", ".join(f"{a} → {b}: {n}" for (a, b), n in sorted(moves.items())))
    else:
        lines.append("  no vetting changes band.")
    return "\n".join(lines)
