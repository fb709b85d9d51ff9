"""Replicas: 3 ``vetbot serve`` processes on one fresh PostgreSQL database, N commands
spread round-robin across them → each processed exactly once.

A fresh database is created for the run on the server named by ``--admin-url`` (default the
local ``postgresql://postgres@127.0.0.1:5432/test``) and dropped afterwards. The replicas start
together (so they also race to migrate the empty database), share one recording fake of
Slack's Web API in this process, and each takes the commands sent to it; jobs are claimed by
whichever replica's worker gets there first (``FOR UPDATE SKIP LOCKED``). Reported: jobs per
command, vettings per job, cards per command, escalations per high-band vetting, and each
replica's share of the jobs it finished and the cards it delivered (from its JSON log).

Usage: python benchmarks/bench_replicas.py [--commands 300] [--replicas 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chat_harness import (
    FakeSlack,
    SendStats,
    Server,
    command_texts,
    db_rows,
    load_average,
    print_exactly_once,
    send_until_acked,
    serve_fake,
    server_env,
    slash_body,
    tally,
    wait_until_done,
)
from synthetic import machine

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


async def admin(url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]  # the driver vetbot uses for PostgreSQL

    conn = await asyncpg.connect(str(make_url(url).set(drivername="postgresql")))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def per_replica(log_text: str) -> dict[str, int]:
    """What one replica did, from its JSON log."""
    events: Counter[str] = Counter()
    for line in log_text.splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if not isinstance(record, dict):
                continue
            event = str(record.get("event", ""))
            if event in ("job claimed", "job done", "delivered", "job lease lost; result discarded"):
                events[event] += 1
            elif record.get("level") in ("warning", "error", "critical"):
                events[f"{record['level']}: {event[:60]}"] += 1
    return dict(events)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    name = f"vetbot_bench_replicas_{os.getpid()}"
    db_url = str(make_url(args.admin_url).set(database=name))
    await admin(args.admin_url, f'CREATE DATABASE "{name}"')
    fake = FakeSlack()
    fake_runner, fake_url = await serve_fake(fake)
    texts, flagged = command_texts(args.commands, seed=args.seed)
    triggers = {i: f"replicas.{args.seed}.{i}" for i in range(args.commands)}
    bodies = [slash_body(i, texts[i], triggers[i], fake_url) for i in range(args.commands)]
    try:
        with tempfile.TemporaryDirectory(prefix="vetbot-replicas-") as tmp:
            env = server_env(db_url, fake_url)
            servers = [Server(f"replica{n}", env, Path(tmp)) for n in range(args.replicas)]
            started = await asyncio.gather(*(s.start() for s in servers), return_exceptions=True)
            failed_starts = [
                f"{s.name}: {r}" for s, r in zip(servers, started, strict=True) if isinstance(r, Exception)
            ]
            for server, result in zip(servers, started, strict=True):
                if isinstance(result, Exception):  # e.g. lost a migration race: start it again
                    await server.kill()
                    await server.start()
            stats = SendStats()
            wall = time.perf_counter()
            async with ClientSession(
                connector=TCPConnector(limit=64), timeout=ClientTimeout(total=10)
            ) as session:

                async def paced(i: int) -> bool:
                    await asyncio.sleep(i * args.interval)
                    target = servers[i % len(servers)]
                    return await send_until_acked(session, target.url, i, bodies[i], stats)

                acked = await asyncio.gather(*(paced(i) for i in range(args.commands)))
            all_acked_s = time.perf_counter() - wall
            drained_s = await wait_until_done(db_url, args.commands, timeout=args.timeout)
            wall_s = time.perf_counter() - wall
            exit_codes = [await s.stop() for s in servers]
            rows = await db_rows(db_url)
            shares = {s.name: per_replica(s.log_path.read_text(errors="replace")) for s in servers}
    finally:
        await fake_runner.cleanup()
        await admin(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    figures = tally(fake, args.commands, flagged, rows, triggers)
    figures.update(
        {
            "replicas": args.replicas,
            "failed_starts": failed_starts,
            "per_replica": shares,
            "acked": sum(acked),
            "http_attempts": sum(stats.attempts.values()),
            "acks": dict(stats.acks),
            "resend_reasons": dict(stats.failures),
            "graceful_exit_codes": exit_codes,
            "wall_s": {
                "all_acked": round(all_acked_s, 1),
                "drain": round(drained_s, 1),
                "total": round(wall_s, 1),
            },
            "interval_s": args.interval,
            "seed": args.seed,
            "machine": machine(),
            "load_average": load_average(),
        }
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between new commands")
    parser.add_argument("--timeout", type=float, default=300.0, help="bound on the final wait (s)")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="server to create the database on")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    f = asyncio.run(run(args))
    print(f"machine: {f['machine']}; load average at end: {f['load_average']}")
    print(
        f"{f['commands']} commands round-robin over {f['replicas']} replicas on one PostgreSQL database; "
        f"failed starts {f['failed_starts']}; acks {f['acks']}"
    )
    print_exactly_once(f)
    print(
        f"high-band vettings {f['high_risk_vettings']}; escalations per high vetting "
        f"{f['escalations_per_high_vetting']}, escalations not high {f['escalations_not_high']}"
    )
    for replica, share in f["per_replica"].items():
        print(f"  {replica}: {share}")
    print(f"outbox {f['outbox_status']}; wall {f['wall_s']}")
    if args.json:
        args.json.write_text(json.dumps(f, indent=2) + "\n")


if __name__ == "__main__":
    main()
