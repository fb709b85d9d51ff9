"""Batch throughput of the whole pipeline on SQLite, with a per-phase breakdown.

Phases, each timed on the same N profiles in this run:
  parse    — JSON decode + profile validation
  checks   — the engine with every built-in check, no database
  pipeline — ``VettingService.vet_many`` (parse excluded): checks + reuse lookups + storage
Baseline, same run: the naive way to store, one transaction per profile
(``VettingService.vet``) on a subset; reported as a speed ratio.

CLI batch — ``vetbot batch`` on the same N profiles as JSONL with a malformed line every 50:
every bad line must be reported with its number and the batch must finish.

Usage: python benchmarks/bench_vet.py [--profiles 10000] [--baseline 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import machine, profiles

from vetbot.checks.engine import Engine
from vetbot.checks.registry import Registry
from vetbot.config import Config
from vetbot.handlers.vetting import VettingService
from vetbot.models.parsing import ParsedProfile, parse_json_text, parse_profile
from vetbot.storage.database import Database


async def run(n: int, baseline_n: int) -> dict[str, object]:
    lines = list(profiles(n))
    t0 = time.perf_counter()
    parsed: list[ParsedProfile] = [parse_profile(parse_json_text(line)) for line in lines]
    t_parse = time.perf_counter() - t0

    registry = Registry.default()
    engine = Engine(registry)
    await engine.warm_up()  # as `vetbot serve` and `vetbot batch` do before the first profile
    t0 = time.perf_counter()
    for p in parsed:
        await engine.vet(p.profile)
    t_checks = time.perf_counter() - t0

    config = Config(secret_key=SecretStr("bench"))
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        await db.migrate()
        service = VettingService(db, config, registry)
        t0 = time.perf_counter()
        count = 0
        async for _ in service.vet_many(parsed):
            count += 1
        t_pipeline = time.perf_counter() - t0
        await db.dispose()

        db2 = Database(f"sqlite:///{tmp}/baseline.db")
        await db2.migrate()
        naive = VettingService(db2, config, registry)
        t0 = time.perf_counter()
        for p in parsed[:baseline_n]:
            await naive.vet(p)
        t_naive = time.perf_counter() - t0
        await db2.dispose()

    pipeline_rate = count / t_pipeline
    naive_rate = baseline_n / t_naive
    return {
        "profiles": n,
        "checks": len(registry),
        "parse_per_s": round(n / t_parse),
        "checks_per_s": round(n / t_checks),
        "pipeline_per_s": round(pipeline_rate),
        "end_to_end_per_s": round(n / (t_parse + t_pipeline)),
        "ms_per_profile": {
            "parse": round(1000 * t_parse / n, 3),
            "checks": round(1000 * t_checks / n, 3),
            "storage_and_lookups": round(1000 * max(0.0, t_pipeline - t_checks) / n, 3),
        },
        "baseline_one_tx_per_profile_per_s": round(naive_rate),
        "speedup_vs_baseline": round(pipeline_rate / naive_rate, 2),
        "machine": machine(),
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
        t0 = time.perf_counter()
        with contextlib.redirect_stderr(err):
            code = cli_main(
                ["batch", str(src), "--output", f"{tmp}/out.jsonl", "--database-url", f"sqlite:///{tmp}/b.db"]
            )
        seconds = time.perf_counter() - t0
        results = len(Path(f"{tmp}/out.jsonl").read_text(encoding="utf-8").splitlines())
    reported = sum(1 for line in err.getvalue().splitlines() if line.startswith("line "))
    return {
        "exit_code": code,
        "lines": n,
        "results": results,
        "bad_lines_reported": reported,
        "expected_bad_lines": n // 50,
        "seconds": round(seconds, 2),
        "lines_per_s": round(n / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    args = parser.parse_args()
    result = asyncio.run(run(args.profiles, min(args.baseline, args.profiles)))
    result["cli_batch_with_bad_lines"] = cli_batch(args.profiles)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_vet.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
