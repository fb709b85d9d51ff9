"""Storage on SQLite and (with VETBOT_TEST_DATABASE_URL) PostgreSQL: the same assertions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from vetbot.checks.settings import ScoringSettings
from vetbot.handlers.vetting import VettingService
from vetbot.models.parsing import parse_profile
from vetbot.models.result import Thresholds
from vetbot.storage import repository, reuse_repository
from vetbot.storage.database import Database, DatabaseURLError, resolve_url
from vetbot.storage.tables import Candidate, FindingRow, Identifier, Vetting


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+asyncpg"),
        ("postgres://u@h/db", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg"),
    ],
)
def test_urls_pick_the_async_driver(url: str, driver: str) -> None:
    assert resolve_url(url).drivername == driver


def test_unsupported_url_is_a_clear_error() -> None:
    with pytest.raises(DatabaseURLError, match="unsupported backend 'mysql'"):
        resolve_url("mysql://x/y")


PROFILE = {
    "id": "ats-1",
    "name": "Jan Kowalski",
    "other_names": ["Chen Hao"],
    "email": "Jan.Kowalski+jobs@gmail.com",
    "phone": "+1 646 555 0182",
    "location": {"country": "PL"},
    "payment": {
        "method": "bank",
        "account_holder": "Jan Kowalski",
        "account_id": "PL61 1090 1014 0000 0712 1981 2874",
    },
}


async def test_vetting_is_stored_with_findings_identifiers_and_settings_version(
    db: Database, service: VettingService
) -> None:
    vetted = await service.vet(parse_profile(PROFILE), requester="shell:alice")
    async with db.session() as s:
        row = await repository.get_vetting(s, vetting_id=vetted.result.vetting_id)
        assert row is not None and row.result["score"] == vetted.result.score
        assert row.requester == "shell:alice" and row.settings_version == 0
        n_findings = (await s.execute(select(func.count()).select_from(FindingRow))).scalar_one()
        assert n_findings == len(vetted.result.findings) > 0
        kinds = dict((await s.execute(select(Identifier.kind, Identifier.value))).tuples().all())
        assert kinds["email"] == "jankowalski@gmail.com"
        assert kinds["phone"] == "+16465550182"
        assert len(kinds["payment"]) == 40 and "PL61" not in kinds["payment"]
        stored = (await s.execute(select(Candidate.profile))).scalar_one()
        assert stored["payment"]["account_id"].startswith("hmac:")  # never in clear


async def test_same_ats_id_is_a_revet_not_a_new_candidate(db: Database, service: VettingService) -> None:
    await service.vet(parse_profile(PROFILE))
    await service.vet(parse_profile(PROFILE))
    async with db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Candidate))).scalar_one() == 1
        assert (await s.execute(select(func.count()).select_from(Vetting))).scalar_one() == 2


async def test_thresholds_are_read_from_the_database_at_each_vetting(
    db: Database, service: VettingService
) -> None:
    first = await service.vet(parse_profile(PROFILE))
    async with db.session() as s:
        version = await repository.save_settings(
            s,
            settings=ScoringSettings(thresholds=Thresholds(medium=5, high=10)),
            actor="test",
            change="lower",
        )
    second = await service.vet(parse_profile(PROFILE))
    assert first.result.thresholds.high == 60
    assert second.result.thresholds.high == 10 and second.result.band == "high"
    async with db.session() as s:
        row = await repository.get_vetting(s, vetting_id=second.result.vetting_id)
        assert row is not None and row.settings_version == version == 1
        history = await repository.settings_history(s)
        assert [h.version for h in history] == [1]


async def test_batch_sees_its_own_earlier_lines(db: Database, service: VettingService) -> None:
    a = parse_profile({**PROFILE, "id": "a"})
    b = parse_profile({**PROFILE, "id": "b", "name": "Piotr Nowak"})
    keys = [v.candidate_key async for v in service.vet_many([a, b], chunk=10)]
    async with db.session() as s:
        matches = await reuse_repository.prior_matches(
            s, keys=[("phone", "+16465550182")], exclude_candidate=keys[1]
        )
    assert [m.candidate_id for m in matches] == ["a"]


async def test_migrations_are_idempotent(db: Database) -> None:
    await db.migrate()
    assert await db.ping()


async def test_addresses_are_stored_only_as_keyed_hashes(db: Database, service: VettingService) -> None:
    """Payout ids and postal addresses never reach the database in clear (issue: privacy)."""
    from sqlalchemy import text

    home = {"line1": "ul. Marszałkowska 10", "line2": "m. 4", "city": "Warszawa", "postcode": "00-590"}
    await service.vet(
        parse_profile({**PROFILE, "home_address": home, "shipping_address": "Oak Hollow Dr 4821"})
    )
    async with db.session() as s:
        stored = (await s.execute(select(Candidate.profile))).scalar_one()
        assert stored["home_address"].startswith("hmac:") and stored["shipping_address"].startswith("hmac:")
        rows = []
        for table in ("candidate", "vetting", "finding", "identifier"):
            rows += [str(row) for row in (await s.execute(text(f"SELECT * FROM {table}"))).all()]
        dumped = " ".join(rows).lower()
    for fragment in ("marszałkowska", "marszalkowska", "oak hollow", "00590", "00-590", "1090 1014"):
        assert fragment not in dumped
