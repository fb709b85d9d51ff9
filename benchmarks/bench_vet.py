"""Batch throughput of the whole pipeline on SQLite, on one core, with a per-phase breakdown.

The process pins itself to one CPU (``--core``; the aiosqlite thread shares it), so the
figure is "profiles per second on one core". Phases, each timed on the same N profiles:

  parse        JSON decode + profile validation, alone
  checks       the engine with every built-in check, no database, alone
  end to end   what ``vetbot batch`` does: decode, validate, vet with reuse lookups against
               everything stored before, store — ``VettingService.vet_many`` fed lazily,
               with the batch chunk size and GC settings of the CLI
  storage      end to end − parse − checks (identifier extraction, lookups, inserts, commits)

Parse and checks run on profiles of another seed (same shapes, fresh identities), so the
per-value caches (parsed phones, IP facts) are as cold as they are for the end-to-end run.

Baseline, same run: one transaction per profile (``VettingService.vet``), the naive way, on
a subset; reported as a speed ratio. CPU seconds are reported beside wall time, so a busy
machine shows as wall ≫ CPU rather than as a silently lower rate.

CLI batch — ``vetbot batch`` on N lines with a malformed line every 50: every bad line
must be reported with its number and the batch must finish.

Usage: python benchmarks/bench_vet.py [--profiles 10000] [--baseline 1000] [--core 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import machine, profiles

from vetbot.bot.cli.vet import BATCH_CHUNK
from vetbot.checks.engine import Engine
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.gc_tuning import batch_gc
from vetbot.handlers.vetting import VettingService
from vetbot.models.parsing import ParsedProfile, parse_json_text, parse_profile
from vetbot.storage.database import Database

GOAL_PER_S = 500  # issue 2: at least 500 profiles/s on one core


class Clock:
    """Wall and process-CPU seconds of one phase."""

    def __enter__(self) -> Clock:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


def parsed_lazily(lines: list[str]) -> Iterator[ParsedProfile]:
    for line in lines:
        yield parse_profile(parse_json_text(line))


async def run(n: int, baseline_n: int) -> dict[str, object]:
    lines = list(profiles(n))
    registry = Registry.default()
    engine = Engine(registry)
    await engine.warm_up()  # as `vetbot serve` and `vetbot batch` do before the first profile
    config = Config(secret_key=SecretStr("bench"))

    with batch_gc() as collector, tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        await db.migrate()
        service = VettingService(db, config, registry)
        count = 0
        with Clock() as end_to_end:  # first, so no earlier phase has warmed a cache for it
            async for _ in service.vet_many(parsed_lazily(lines), chunk=BATCH_CHUNK):
                count += 1
                collector.tick()
        await db.dispose()

        # fresh identities (another seed, same shapes): per-value caches start as cold as above
        fresh = list(profiles(n, seed=23))
        with Clock() as parse:
            parsed = list(parsed_lazily(fresh))
        with Clock() as checks:
            for p in parsed:
                await engine.vet(p.profile)
                collector.tick()
        del parsed

        db2 = Database(f"sqlite:///{tmp}/baseline.db")
        await db2.migrate()
        naive = VettingService(db2, config, registry)
        with Clock() as baseline:
            for p in parsed_lazily(lines[:baseline_n]):
                await naive.vet(p)
                collector.tick()
        await db2.dispose()

    assert count == n
    rate = n / end_to_end.wall
    naive_rate = baseline_n / baseline.wall
    storage = max(0.0, end_to_end.wall - parse.wall - checks.wall)
    return {
        "profiles": n,
        "checks": len(registry),
        "chunk": BATCH_CHUNK,
        "end_to_end_per_s": round(rate),
        "end_to_end_per_cpu_s": round(n / end_to_end.cpu),
        "goal_per_s": GOAL_PER_S,
        "goal_met": rate >= GOAL_PER_S,
        "ms_per_profile": {
            "parse": round(1000 * parse.wall / n, 3),
            "checks": round(1000 * checks.wall / n, 3),
            "storage_and_lookups": round(1000 * storage / n, 3),
            "end_to_end": round(1000 * end_to_end.wall / n, 3),
            "end_to_end_cpu": round(1000 * end_to_end.cpu / n, 3),
        },
        "phase_rates_per_s": {
            "parse": round(n / parse.wall),
            "checks": round(n / checks.wall),
            "pipeline_without_parse": round(n / max(1e-9, end_to_end.wall - parse.wall)),
        },
        "baseline_one_tx_per_profile_per_s": round(naive_rate),
        "speedup_vs_baseline": round(rate / naive_rate, 2),
    }


def cli_batch(n: int) -> dict[str, float | int]:
    """Run the real CLI in-process on a file with bad lines mixed in."""
    import contextlib
    import io

    from vetbot.bot.cli import main as cli_main

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("\n".join(profiles(n, seed=11, bad_every=50)) + "\n", encoding="utf-8")
        os.environ["VETBOT_SECRET_KEY"] = "bench"
        err = io.StringIO()
        with Clock() as clock, contextlib.redirect_stderr(err):
            code = cli_main(
                ["batch", str(src), "--output", f"{tmp}/out.jsonl", "--database-url", f"sqlite:///{tmp}/b.db"]
            )
        results = len(Path(f"{tmp}/out.jsonl").read_text(encoding="utf-8").splitlines())
    reported = sum(1 for line in err.getvalue().splitlines() if line.startswith("line "))
    return {
        "exit_code": code,
        "lines": n,
        "results": results,
        "bad_lines_reported": reported,
        "expected_bad_lines": n // 50,
        "seconds": round(clock.wall, 2),
        "lines_per_s": round(n / clock.wall),
        "lines_per_cpu_s": round(n / clock.cpu),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--core", type=int, default=None, help="CPU to pin to (default: the last one)")
    args = parser.parse_args()
    core = args.core if args.core is not None else max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})  # one core: the event loop and the aiosqlite thread share it
    load_before = os.getloadavg()[0]
    result = asyncio.run(run(args.profiles, min(args.baseline, args.profiles)))
    result["cli_batch_with_bad_lines"] = cli_batch(args.profiles)
    result["machine"] = f"{machine()}; pinned to CPU {core}"
    result["load_average_1min"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_vet.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
