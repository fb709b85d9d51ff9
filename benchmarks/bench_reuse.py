"""What persona-reuse detection costs per profile: extraction, the one lookup, the judging.

Vets a labelled JSONL file (default: the dev set) through ``VettingService`` twice on fresh
SQLite databases — once with only the ``reuse.*`` checks, once with no checks at all — and
reports the difference per profile, plus the identifier extraction alone. ``--background N``
first fills the identifier index with N unrelated rows, to show the lookup stays an index
seek as the store grows. CPU time is reported beside wall time: shared machines are noisy.

    python benchmarks/bench_reuse.py [FILE] [--background 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import insert, text

from vetbot.checks import reuse_lookup, reuse_signals
from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.checks.registry import Registry
from vetbot.checks.reuse import CHECKS
from vetbot.config import Config
from vetbot.handlers.vetting import VettingService
from vetbot.models.parsing import ParsedProfile, parse_profile
from vetbot.models.profile import Profile
from vetbot.normalize.identifiers import extract_identifiers
from vetbot.storage.database import Database
from vetbot.storage.tables import Identifier, utcnow

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
KINDS = ("email", "phone", "address", "address_unit", "ip", "photo_chunk", "resume_lsh", "reference_email")


async def _background(db: Database, rows: int) -> None:
    if rows <= 0:
        return
    async with db.session() as session:
        await session.execute(
            text(
                "INSERT INTO candidate (key, external_id, name, profile, created_at, updated_at)"
                " VALUES ('bg', NULL, 'background', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        now = utcnow()
        batch = [
            {
                "candidate_key": "bg",
                "vetting_id": "bg",
                "kind": KINDS[i % len(KINDS)],
                "value": secrets.token_hex(8),
                "created_at": now,
            }
            for i in range(rows)
        ]
        await session.execute(insert(Identifier), batch)


async def _run(profiles: list[ParsedProfile], registry: Registry, background: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="vetbot-bench-reuse-") as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        await db.migrate()
        await _background(db, background)
        service = VettingService(db, Config(), registry)
        wall, cpu = time.perf_counter(), time.process_time()
        async for _ in service.vet_many(profiles):
            pass
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        await db.dispose()
    return wall, cpu


class _Noop(Check):
    """A check that finds nothing: an empty registry would fall back to the default one."""

    id = "bench.noop"
    title = "no-op"
    weight = 0
    evidence = Evidence.WEAK
    inputs = ()
    source = "benchmark"

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        return []


SPENT = {"lookup": 0.0, "judge": 0.0, "calls": 0.0}


def _instrument() -> None:
    """Time the shared lookup (keys + one query) and the judging directly, in process."""
    load = reuse_lookup._load

    async def timed_load(profile, context):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return await load(profile, context)
        finally:
            SPENT["lookup"] += time.perf_counter() - start
            SPENT["calls"] += 1

    async def timed_run(self, profile, context):  # type: ignore[no-untyped-def]
        lookup = await reuse_lookup.shared_lookup(profile, context)
        start = time.perf_counter()
        try:
            return self.judge(profile, lookup, context)
        finally:
            SPENT["judge"] += time.perf_counter() - start

    reuse_lookup._load = timed_load
    reuse_signals.ReuseCheck.run = timed_run  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEV))
    parser.add_argument("--background", type=int, default=0, help="unrelated identifier rows stored first")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = [json.loads(line) for line in Path(args.file).read_text("utf-8").splitlines() if line.strip()]
    profiles = [parse_profile(r) for r in rows]
    n = len(profiles)

    extract = min(
        _timed(lambda: [list(extract_identifiers(p.profile, b"k")) for p in profiles])
        for _ in range(args.repeat)
    )
    _instrument()
    results = {}
    for label, registry in (("no checks", Registry([_Noop()])), ("reuse only", Registry(CHECKS))):
        runs = [asyncio.run(_run(profiles, registry, args.background)) for _ in range(args.repeat)]
        results[label] = (min(w for w, _ in runs), min(c for _, c in runs))
    base_wall, base_cpu = results["no checks"]
    reuse_wall, reuse_cpu = results["reuse only"]
    print(f"{n} profiles, {args.background:,} background identifier rows, best of {args.repeat}")
    print(f"identifier extraction (all kinds, incl. résumé MinHash): {extract / n * 1000:.3f} ms/profile CPU")
    for label, (wall, cpu) in results.items():
        print(f"vetting, {label}: {wall / n * 1000:.3f} ms wall, {cpu / n * 1000:.3f} ms CPU per profile")
    print(
        f"difference (noisy on a shared machine): {(reuse_wall - base_wall) / n * 1000:.3f} ms wall, "
        f"{(reuse_cpu - base_cpu) / n * 1000:.3f} ms CPU per profile"
    )
    calls = max(1.0, SPENT["calls"])
    print(
        f"measured in process: lookup (keys + one indexed query) {SPENT['lookup'] / calls * 1000:.3f} ms, "
        f"judging (9 checks) {SPENT['judge'] / calls * 1000:.3f} ms per profile"
    )


def _timed(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


if __name__ == "__main__":
    main()
