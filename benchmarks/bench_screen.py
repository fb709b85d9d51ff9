"""Watchlist screening at scale: 1 M listed names, 1 M stored candidates' identifiers, one core.

Per candidate (name + e-mail/phone/GitHub), timed through the real storage path on SQLite:
the romanisation-aware name search (``WatchlistView.watchlist_names``: blocked NameIndex
search plus the entity rows of each hit), the exact watchlist lookup
(``watchlist_exact``) and an exact reuse lookup on the 1 M-candidate ``identifier`` table
(the indexed ``(kind, value)`` query reuse checks make). Also: the index build time (from
the database, as in production), peak memory (``ru_maxrss``), and in the same run a
brute-force baseline (``process.extract`` over every name, same scorer and cutoff) on a
sample: speed ratio, and recall of blocking against the baseline on injected true matches
(romanisation variants of listed names).

Usage: python benchmarks/bench_screen.py [--names 1000000] [--candidates N] [--queries 1000]
       [--baseline 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screen_names import make_name, variant

from vetbot.matching.index import NameIndex
from vetbot.storage.database import Database
from vetbot.storage.tables import Identifier
from vetbot.storage.watchlist_view import WatchlistView, _cache_for

RESULTS = Path(__file__).parent / "results"
ENTRY = (
    "INSERT INTO watchlist_entry (list_name, entity_id, kind, value, display)"
    " VALUES ('bench', ?, '{kind}', ?, ?)"
)
LIMIT = 1_000  # results per query in the recall comparison: ties must not cut the true match


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(path: Path, names: list[str], candidates: int) -> float:
    """Bulk rows with sqlite3 executemany (the schema is the migrated one)."""
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    now = "2026-11-26 00:00:00+00:00"
    conn.execute(
        "INSERT INTO watchlist VALUES ('bench', 'csv', 'synthetic', ?, 'bench', ?)", (now, len(names))
    )
    conn.executemany(
        ENTRY.format(kind="name"),
        ((str(i), n.lower(), n) for i, n in enumerate(names)),
    )
    conn.executemany(
        ENTRY.format(kind="email"),
        ((str(i), f"listed{i}@example.net", f"listed{i}@example.net") for i in range(0, len(names), 100)),
    )
    conn.executemany(
        "INSERT INTO candidate (key, name, profile, created_at, updated_at) VALUES (?, ?, '{}', ?, ?)",
        ((f"c{i:031d}", f"Candidate {i}", now, now) for i in range(candidates)),
    )
    rows = (
        (f"c{i:031d}", "v", kind, value, now)
        for i in range(candidates)
        for kind, value in (
            ("email", f"cand{i}@example.org"),
            ("phone", f"+4860{i:07d}"),
            ("github", f"gh{i}"),
        )
    )
    conn.executemany(
        "INSERT INTO identifier (candidate_key, vetting_id, kind, value, created_at) VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    return time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def screen(db: Database, queries: list[tuple[str, int | None]], candidates: int) -> dict[str, float]:
    rng = random.Random(5)
    async with db.session() as session:
        view = WatchlistView(session, asyncio.Lock())
        before = rss_mb()
        started = time.perf_counter()
        await view.watchlist_names(["warm up"])
        build = time.perf_counter() - started
        latencies, cpu = [], []
        for name, _ in queries:
            i = rng.randrange(candidates * 2)  # half the identifiers are stored
            keys = [("email", f"cand{i}@example.org"), ("phone", f"+4860{i:07d}"), ("github", f"gh{i}")]
            t0, c0 = time.perf_counter(), time.process_time()
            await view.watchlist_names([name])
            await view.watchlist_exact(keys)
            # OR of equalities: SQLite scans the table for a row-value IN list (see watchlist_repository)
            condition = or_(*(and_(col(Identifier.kind) == k, col(Identifier.value) == v) for k, v in keys))
            (await session.execute(select(col(Identifier.candidate_key)).where(condition).limit(200))).all()
            latencies.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return {
        "index_build_from_db_s": round(build, 2),
        "index_rss_growth_mb": round(rss_mb() - before, 1),
        "p50_ms": round(pct(latencies, 0.5), 2),
        "p95_ms": round(pct(latencies, 0.95), 2),
        "p99_ms": round(pct(latencies, 0.99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2),
        # CPU time of this process (event loop + aiosqlite thread): less sensitive to other load
        "cpu_p50_ms": round(pct(cpu, 0.5), 2),
        "cpu_p95_ms": round(pct(cpu, 0.95), 2),
    }


def baseline(index: NameIndex, sample: list[tuple[str, int | None]]) -> dict[str, float]:
    """Blocked search vs brute force on the same queries, scorer and cutoff."""
    blocked_s = brute_s = 0.0
    found_both = found_brute = found_blocked = injected = 0
    for name, truth in sample:
        t0 = time.perf_counter()
        blocked = {m.entry_id for m in index.search(name, limit=LIMIT)}
        t1 = time.perf_counter()
        brute = {m.entry_id for m in index.brute_force(name, limit=LIMIT)}
        brute_s += time.perf_counter() - t1
        blocked_s += t1 - t0
        if truth is None:
            continue
        injected += 1
        found_brute += truth in brute
        found_blocked += truth in blocked
        found_both += truth in brute and truth in blocked
    return {
        "sample_queries": len(sample),
        "blocked_mean_ms": round(blocked_s / len(sample) * 1000, 3),
        "brute_force_mean_ms": round(brute_s / len(sample) * 1000, 1),
        "speed_ratio": round(brute_s / max(blocked_s, 1e-9), 1),
        "injected": injected,
        "true_match_recall_brute_force": round(found_brute / max(injected, 1), 4),
        "true_match_recall_blocked": round(found_blocked / max(injected, 1), 4),
        "recall_vs_baseline": round(found_both / max(found_brute, 1), 4),
    }


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    rng = random.Random(args.seed)
    names = [make_name(rng) for _ in range(args.names)]
    fresh = random.Random(args.seed + 1)
    picks = [rng.randrange(args.names) for _ in range(args.queries // 2)]
    queries: list[tuple[str, int | None]] = [(variant(names[i], rng), i + 1) for i in picks]  # row ids
    queries += [(make_name(fresh), None) for _ in range(args.queries - len(picks))]
    rng.shuffle(queries)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "screen.db"
        db = Database(f"sqlite:///{path}")
        await db.migrate()
        fill_s = fill(path, names, args.candidates)
        figures = await screen(db, queries, args.candidates)
        async with db.session() as session:
            index = _cache_for(session).index
        await db.dispose()
    assert index is not None
    sample = [q for q in queries if q[1] is not None][: args.baseline // 2]
    sample += [q for q in queries if q[1] is None][: args.baseline - len(sample)]
    return {
        "names": args.names,
        "candidates": args.candidates,
        "queries": args.queries,
        "indexed_names": len(index),
        "db_fill_s": round(fill_s, 1),
        **figures,
        **baseline(index, sample),
        "peak_rss_mb": round(rss_mb(), 1),
        "machine": f"{platform.processor() or platform.machine()}, Python {platform.python_version()}",
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=None, help="stored candidates (default: --names)")
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--baseline", type=int, default=100, help="queries also run by brute force")
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    args.candidates = args.candidates or args.names
    result = asyncio.run(main_async(args))
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench_screen_{args.names}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
