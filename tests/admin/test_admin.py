"""``/vet-admin`` settings: a change applies from the next vetting, is versioned and audited;
invalid values are refused with the reason; ``simulate`` previews without applying."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.admin.helpers import ADMIN, ADMIN2, OTHER, PROFILE, SECURITY, admin_handler, ok, refused, vet
from vetbot.handlers.vetting import VettingService
from vetbot.storage import admin_repository, repository
from vetbot.storage.chat_tables import DecisionRow
from vetbot.storage.database import Database


async def test_threshold_change_moves_the_next_vetting_and_is_audited(
    db: Database, service: VettingService
) -> None:
    handler = admin_handler(service)
    before = await vet(service, PROFILE)
    assert (before.result.score, before.result.band) == (60, "high")

    text = await ok(handler, ADMIN, "threshold high 65")
    assert "60 → 65" in text

    after = await vet(service, PROFILE)  # the same candidate re-vetted: no reuse finding
    assert (after.result.score, after.result.band) == (60, "medium")
    assert after.result.thresholds.high == 65
    async with db.session() as session:
        old = await repository.get_vetting(session, vetting_id=before.result.vetting_id)
        new = await repository.get_vetting(session, vetting_id=after.result.vetting_id)
        assert old is not None and new is not None
        assert (old.settings_version, new.settings_version) == (0, 1)
        audit = await admin_repository.audit_since(session, since=datetime.now(UTC) - timedelta(hours=1))
    changes = [a for a in audit if a.action == "settings.change"]
    assert len(changes) == 1
    assert changes[0].actor == ADMIN
    assert changes[0].detail == {"version": 1, "setting": "threshold high", "old": 60, "new": 65}

    history = await ok(handler, ADMIN, "history")
    assert "v1" in history and ADMIN in history and "threshold high: 60 → 65" in history
    assert "high 65" in await ok(handler, ADMIN, "show")


async def test_every_kind_of_change_is_a_new_version(service: VettingService) -> None:
    handler = admin_handler(service)
    for text, expected in [
        ("threshold medium 30", "threshold medium: 36 → 30"),
        ("weight contact.email 5", "weight contact.email: "),
        ("disable contact.email", "enabled → disabled"),
        ("enable contact.email", "disabled → enabled"),
        ("retention 60", "retention days: 30 → 60"),
        ("policy requesters granted", "policy requesters: all → granted"),
        ("policy notice required", "policy notice: reminder → required"),
    ]:
        assert expected in await ok(handler, ADMIN2, text)
    settings = await service.settings()
    assert settings.version == 7
    assert settings.thresholds.medium == 30 and settings.weights["contact.email"] == 5
    assert settings.retention_days == 60 and not settings.disabled
    assert settings.extra == {"requesters": "granted", "notice": "required"}
    assert "Nothing changed" in await ok(handler, ADMIN, "retention 60")
    assert (await service.settings()).version == 7


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("threshold medium 60", "medium (60) must be below high (60)"),
        ("threshold high 36", "medium (36) must be below high (36)"),
        ("threshold high 101", "between 1 and 100"),
        ("threshold low 10", "usage: threshold medium|high N"),
        ("threshold high many", "whole number"),
        ("weight contact.nope 10", "unknown check 'contact.nope'"),
        ("weight contact.email -1", "between 0 and 100, got -1"),
        ("weight contact.email 101", "between 0 and 100, got 101"),
        ("disable no.such.check", "unknown check"),
        ("retention 0", "between 1 and 3650, got 0"),
        ("retention -5", "between 1 and 3650"),
        ("policy requesters some", "must be all|granted"),
        ("policy notice maybe", "must be reminder|required"),
        ("policy colour blue", "usage: policy"),
        ("role grant slack:U1 overlord", "unknown role"),
        ("simulate threshold medium 90", "medium (90) must be below high (60)"),
        ("frobnicate", "unknown /vet-admin command"),
        ('weight "contact.email 10', "unbalanced quotes"),
    ],
)
async def test_invalid_values_are_refused_with_the_reason(
    service: VettingService, text: str, reason: str
) -> None:
    handler = admin_handler(service)
    assert reason in await refused(handler, ADMIN, text)
    assert (await service.settings()).version == 0


async def test_simulate_shows_moves_and_does_not_apply(service: VettingService) -> None:
    handler = admin_handler(service)
    await vet(service, PROFILE)  # 60: high now, medium at 65
    await vet(service, OTHER)  # 0: low
    await ok(handler, ADMIN, f"role grant {SECURITY} security")
    text = await ok(handler, SECURITY, "simulate threshold high 65")
    assert "not applied" in text and "high → medium: 1" in text
    assert "now:      low 1, medium 0, high 1" in text
    assert "proposed: low 1, medium 1, high 0" in text
    # offer.shipping's points scale with its weight: at 0 only the bank's 20 points remain
    assert "high → low: 1" in await ok(handler, ADMIN, "simulate weight offer.shipping 0")
    # the bank's 20 points become 24: 62, still high
    assert "no vetting changes band" in await ok(handler, ADMIN, "simulate weight offer.payment 60")
    assert "high → low: 1" in await ok(handler, ADMIN, "simulate disable offer.shipping")
    assert (await service.settings()).version == 0


async def test_help_and_stats(db: Database, service: VettingService) -> None:
    handler = admin_handler(service)
    assert "erase CANDIDATE approve" in await ok(handler, ADMIN, "help")
    assert "No decisions recorded yet" in await ok(handler, ADMIN, "stats")
    await ok(handler, ADMIN, "threshold high 55")
    high = await vet(service, PROFILE)
    assert high.result.band == "high"
    async with db.session() as session:
        vetting_id = high.result.vetting_id
        session.add(
            DecisionRow(vetting_id=vetting_id, actor=SECURITY, action="vetbot.clear", reason="x" * 20)
        )
        session.add(DecisionRow(vetting_id=vetting_id, actor=SECURITY, action="vetbot.claim"))
    stats = await ok(handler, ADMIN, "stats")
    assert f"{SECURITY}: 2 (claim 1, clear 1); overrides 1" in stats
