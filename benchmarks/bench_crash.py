"""Crash: N signed ``/vet`` commands while ``vetbot serve`` is SIGKILLed K times and restarted.

``vetbot serve`` runs as a subprocess on SQLite (a file in a temporary directory); a recording
fake of Slack's Web API runs in this process. Commands are sent at a steady pace, each from
its own Slack user (its card is the DM posted to that user); about one in five carries strong
signals so it bands high. A seeded RNG picks the kill moments: the server is killed with
SIGKILL a random time after it became healthy, restarted at once, and waited for (/healthz).
A command whose request failed because the server died is re-sent with the same
``trigger_id`` (a fresh signature), as a user re-typing or Slack retrying would, until vetbot
acks it, so idempotency must absorb the duplicates.

At the end the run waits (bounded) until every job is final and no delivery is pending,
stops the server gracefully and reports: cards per command (0 = lost, >1 = duplicated),
vettings per job, escalations per high-band vetting, SQLite ``PRAGMA integrity_check``, wall
time and the machine. Goal (issue 7): every command exactly one card, every high-risk vetting
exactly one escalation.

Usage: python benchmarks/bench_crash.py [--commands 300] [--kills 20] [--seed 7] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector

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


def log_events(text: str) -> dict[str, int]:
    """Warning and error events in the server's JSON log, by message (ids are not counted)."""
    events: Counter[str] = Counter()
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if isinstance(record, dict) and record.get("level") in ("warning", "error", "critical"):
                events[f"{record['level']}: {record.get('event', '')[:60]}"] += 1
    return dict(events)


async def killer(
    server: Server, rng: random.Random, kills: int, low: float, high: float, log: list[dict[str, float]]
) -> None:
    """Kill ``kills`` times, each a random time after the server became healthy; restart."""
    began = time.perf_counter()
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(low, high))
        at = time.perf_counter() - began
        await server.kill()
        restart = await server.start()
        log.append({"at_s": round(at, 3), "restart_s": round(restart, 3)})


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    fake = FakeSlack()
    fake_runner, fake_url = await serve_fake(fake)
    texts, flagged = command_texts(args.commands, seed=args.seed)
    triggers = {i: f"crash.{args.seed}.{i}" for i in range(args.commands)}
    bodies = [slash_body(i, texts[i], triggers[i], fake_url) for i in range(args.commands)]
    with tempfile.TemporaryDirectory(prefix="vetbot-crash-") as tmp:
        db_path = Path(tmp) / "crash.db"
        url = f"sqlite:///{db_path}"
        server = Server("crash", server_env(url, fake_url), Path(tmp))
        first_start = await server.start()
        stats = SendStats()
        kills: list[dict[str, float]] = []
        wall = time.perf_counter()
        async with ClientSession(
            connector=TCPConnector(limit=64, force_close=True), timeout=ClientTimeout(total=10)
        ) as session:

            async def paced(i: int) -> bool:
                await asyncio.sleep(i * args.interval)
                return await send_until_acked(session, server.url, i, bodies[i], stats)

            kill_task = asyncio.create_task(
                killer(server, rng, args.kills, args.kill_min, args.kill_max, kills)
            )
            acked = await asyncio.gather(*(paced(i) for i in range(args.commands)))
            all_acked_s = time.perf_counter() - wall
            await kill_task
        kills_done_s = time.perf_counter() - wall
        drained_s = await wait_until_done(url, args.commands, timeout=args.timeout)
        wall_s = time.perf_counter() - wall
        exit_code = await server.stop()
        rows = await db_rows(url)
        with sqlite3.connect(db_path) as conn:
            integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        log_text = (Path(tmp) / "crash.log").read_text(errors="replace")
    await fake_runner.cleanup()
    figures = tally(fake, args.commands, flagged, rows, triggers)
    figures.update(
        {
            "kills": len(kills),
            "kill_log": kills,
            "server_starts": server.starts,
            "first_start_s": round(first_start, 2),
            "restart_s_mean": round(sum(k["restart_s"] for k in kills) / max(1, len(kills)), 2),
            "acked": sum(acked),
            "http_attempts": sum(stats.attempts.values()),
            "commands_resent": sum(1 for c in stats.attempts.values() if c > 1),
            "acks": dict(stats.acks),
            "resend_reasons": dict(stats.failures),
            "gave_up": stats.gave_up,
            "integrity_check": integrity,
            "graceful_exit_code": exit_code,
            "log_events": log_events(log_text),
            "wall_s": {
                "all_acked": round(all_acked_s, 1),
                "kills_done": round(kills_done_s, 1),
                "drain_after_kills": round(drained_s, 1),
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
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between new commands")
    parser.add_argument("--kill-min", type=float, default=0.05, help="least uptime before a kill (s)")
    parser.add_argument("--kill-max", type=float, default=4.0, help="most uptime before a kill (s)")
    parser.add_argument("--timeout", type=float, default=300.0, help="bound on the final wait (s)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    f = asyncio.run(run(args))
    print(f"machine: {f['machine']}; load average at end: {f['load_average']}")
    print(
        f"{f['commands']} commands, {f['kills']} SIGKILLs (mean restart {f['restart_s_mean']} s), "
        f"{f['http_attempts']} HTTP attempts, {f['commands_resent']} commands re-sent, acks {f['acks']}"
    )
    print_exactly_once(f)
    print(
        f"high-band vettings {f['high_risk_vettings']} (flagged commands {f['flagged_high_risk_commands']}, "
        f"bands {f['flagged_bands']}); escalations per high vetting {f['escalations_per_high_vetting']}, "
        f"escalations not high {f['escalations_not_high']}"
    )
    print(f"outbox {f['outbox_status']}, redelivered rows {f['outbox_redelivered']}")
    print(f"integrity_check {f['integrity_check']}, wall {f['wall_s']}")
    if args.json:
        args.json.write_text(json.dumps(f, indent=2) + "\n")


if __name__ == "__main__":
    main()
