"""The batch fast paths give the same answers as the plain ones (SQLite and PostgreSQL).

``SqlStoreView.preload`` answers a chunk's reuse lookups from memory, and ``BatchWriter``
writes rows at the driver level on SQLite; both exist only for speed, so each is checked
against the straightforward query or the ORM reading the rows back.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import select

from vetbot.checks.context import PriorMatch
from vetbot.handlers.vetting import VettingService
from vetbot.models.parsing import parse_profile
from vetbot.storage import repository, reuse_repository
from vetbot.storage.database import Database
from vetbot.storage.store_view import SqlStoreView
from vetbot.storage.tables import Candidate, Identifier, Vetting


def _profile(i: int, rng: random.Random) -> dict[str, object]:
    """Small personas that share phones, e-mails and payout accounts in a few groups."""
    group = rng.randrange(6)
    return {
        "id": f"ats-{i}",
        "name": f"Person {i} Example",
        "email": f"shared{group}@example.org" if rng.random() < 0.5 else f"p{i}@example.org",
        "phone": f"+4860123{group:04d}" if rng.random() < 0.5 else f"+4860200{i:04d}",
        "github": f"dev-{group}" if rng.random() < 0.3 else None,
        "location": {"country": "PL", "city": "Warsaw"},
        "payment": {"method": "bank", "account_holder": "X", "account_id": f"PL{group:026d}"},
    }


async def test_preloaded_lookups_equal_the_query(db: Database, service: VettingService) -> None:
    rng = random.Random(7)
    parsed = [parse_profile({k: v for k, v in _profile(i, rng).items() if v is not None}) for i in range(60)]
    async for _ in service.vet_many(parsed, chunk=25):  # three chunks, each preloaded
        pass
    probes = [parse_profile(_profile(1000 + i, rng)) for i in range(10)]
    async with db.read_session() as session:
        keys_of = [service._identify(p).lookup_keys for p in probes]
        view = SqlStoreView(session)
        assert await view.preload(k for keys in keys_of for k in keys)
        for keys in keys_of:
            exclude = "no-such-candidate"
            direct = await reuse_repository.prior_matches(session, keys=keys, exclude_candidate=exclude)
            served = await view.prior_matches(keys, exclude)
            assert served, "the probes share identifiers with stored candidates"
            assert sorted(served, key=_identity) == sorted(direct, key=_identity)
            assert [m.seen_at for m in served] == sorted(m.seen_at for m in served)  # the query's order


async def test_preload_over_its_cap_falls_back_to_queries(db: Database, service: VettingService) -> None:
    rng = random.Random(3)
    async for _ in service.vet_many([parse_profile(_profile(i, rng)) for i in range(20)]):
        pass
    probe = parse_profile(_profile(99, rng))
    keys = service._identify(probe).lookup_keys
    async with db.read_session() as session:
        view = SqlStoreView(session)
        assert not await view.preload(keys, cap=1)  # a crowd: nothing kept
        direct = await reuse_repository.prior_matches(session, keys=keys, exclude_candidate="x")
        assert sorted(await view.prior_matches(keys, "x"), key=_identity) == sorted(direct, key=_identity)


async def test_batch_rows_read_back_like_orm_rows(db: Database, service: VettingService) -> None:
    rng = random.Random(5)
    parsed = [parse_profile(_profile(i, rng)) for i in range(5)]
    results = [v async for v in service.vet_many(parsed)]
    async with db.read_session() as session:
        for vetted in results:
            row = await repository.get_vetting(session, vetting_id=vetted.result.vetting_id)
            assert row is not None
            assert row.result == vetted.result.model_dump(mode="json")
            assert isinstance(row.created_at, datetime)
        stamps = (await session.execute(select(Identifier.created_at))).scalars().all()
        assert stamps and all(isinstance(s, datetime) for s in stamps)
        candidates = (await session.execute(select(Candidate))).scalars().all()
        assert {c.external_id for c in candidates} == {f"ats-{i}" for i in range(5)}
        latest = (await session.execute(select(Vetting).order_by(Vetting.created_at))).scalars().all()
        assert [v.id for v in latest] == [v.result.vetting_id for v in results]  # stamps keep order


def _identity(match: PriorMatch) -> tuple[str, str, str]:
    return (match.kind, match.value, match.candidate_key)
