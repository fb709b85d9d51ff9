"""Chat load: N concurrent signed ``/vet`` slash commands against the real web app.

The real ``create_app`` (bolt, signature pre-check, BotCore, SQLite, every built-in check)
runs on loopback; a recording fake of Slack's Web API (``tests/bot/fakes.py``) stands in for
Slack and timestamps each card it receives. Each command comes from its own user, so its card
is identified by the DM channel it is posted to.

The load generator runs in a separate process (sharing vetbot's event loop would add its own
CPU to every ack). Reported: time to ack (request sent → HTTP response read) and time to card (request sent →
``chat.postMessage`` received by the fake), p50/p99/max, errors, escalations, the machine.
Goal (issue 4): p99 ack < 100 ms.

Usage: python benchmarks/bench_chat.py [--commands 100] [--workers 1] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientSession, TCPConnector, web
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import machine, profiles  # noqa: E402

from tests.bot.fakes import FakeSlack  # noqa: E402
from vetbot.bot.settings import BotSettings, SlackSettings  # noqa: E402
from vetbot.bot.slack.signature import sign  # noqa: E402
from vetbot.bot.web import create_app  # noqa: E402
from vetbot.config import Config  # noqa: E402
from vetbot.handlers.core import BotCore  # noqa: E402
from vetbot.handlers.vetting import VettingService  # noqa: E402
from vetbot.storage.database import Database  # noqa: E402

SECRET = "bench-signing-secret"
SECURITY = "CSECURITY"


class TimedSlack(FakeSlack):
    """Remembers when each card (a DM ``chat.postMessage``) arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.card_at: dict[str, float] = {}

    def _answer(self, method: str, data: Any) -> dict[str, Any]:
        if method == "chat.postMessage" and data.get("channel") != SECURITY:
            self.card_at.setdefault(
                str(data.get("channel")), time.time()
            )  # wall clock: compared across processes
        return super()._answer(method, data)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/"


def slash(i: int, profile: str, fake_url: str) -> str:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C0001",
            "user_id": f"U{i:05d}",
            "user_name": f"user{i}",
            "command": "/vet",
            "text": profile,
            "response_url": f"{fake_url}response/{i}",
            "trigger_id": f"bench.{i}.{time.time_ns()}",
        }
    )


async def send(session: ClientSession, url: str, body: str) -> tuple[float, float, int, str]:
    """(wall-clock send time, seconds to the ack, status, ack text)."""
    ts = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(SECRET, ts, body.encode()),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    sent, started = time.time(), time.perf_counter()
    async with session.post(url + "slack/events", data=body.encode(), headers=headers) as resp:
        text = await resp.text()
        return sent, time.perf_counter() - started, resp.status, text


async def _load(url: str, bodies: list[str]) -> list[tuple[float, float, int, str]]:
    async with ClientSession(connector=TCPConnector(limit=len(bodies))) as session:
        # open the connections first, so the figures measure vetbot rather than TCP handshakes
        await asyncio.gather(*(session.get(url + "healthz") for _ in bodies))
        return await asyncio.gather(*(send(session, url, body) for body in bodies))


def load(url: str, bodies: list[str]) -> list[tuple[float, float, int, str]]:
    """Runs in a separate process: the load generator must not share vetbot's event loop."""
    return asyncio.run(_load(url, bodies))


async def run(n: int, workers: int) -> dict[str, Any]:
    fake = TimedSlack()
    fake_runner, fake_url = await serve(fake.app())
    loop = asyncio.get_running_loop()
    with (
        tempfile.TemporaryDirectory() as tmp,
        ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool,
    ):
        config = Config(database_url=f"sqlite:///{tmp}/bench.db", secret_key=SecretStr("bench"))
        core = BotCore(VettingService(Database(config.database_url), config), workers=workers)
        settings = BotSettings(
            slack=SlackSettings(
                bot_token=SecretStr("xoxb-bench"),
                signing_secrets=(SecretStr(SECRET),),
                api_url=fake_url + "api/",
                security_channel=SECURITY,
            )
        )
        runner, url = await serve(create_app(settings, core))
        await loop.run_in_executor(
            pool, load, url, [slash(n + 1, "help", fake_url)]
        )  # warm-up: auth.test, imports
        bodies = [slash(i, t, fake_url) for i, t in enumerate(profiles(n, seed=11))]
        wall = time.perf_counter()
        results = await loop.run_in_executor(pool, load, url, bodies)
        wall_ack = time.perf_counter() - wall
        await core.drain(timeout=600)
        wall_cards = time.perf_counter() - wall
        await runner.cleanup()
    await fake_runner.cleanup()
    acks = [elapsed for _, elapsed, _, _ in results]
    errors = sum(1 for _, _, status, _ in results if status != 200)
    slow = sum(1 for _, _, status, text in results if status == 200 and "Checking" not in text)
    cards = [
        fake.card_at[f"DU{i:05d}"] - sent
        for i, (sent, *_) in enumerate(results)
        if f"DU{i:05d}" in fake.card_at
    ]
    return {
        "commands": n,
        "workers": workers,
        "errors": errors,
        "slow_acks": slow,  # acked at the 2 s budget before the intake store finished
        "late_errors": len(fake.of("response_url")),  # e.g. the store failed after a slow ack
        "cards_posted": len(cards),
        "escalations": sum(1 for c in fake.of("chat.postMessage") if c.get("channel") == SECURITY),
        "ack_ms": {"p50": pct(acks, 50), "p99": pct(acks, 99), "max": max(acks) * 1000},
        "card_ms": {"p50": pct(cards, 50), "p99": pct(cards, 99), "max": max(cards) * 1000} if cards else {},
        "wall_s": {"all_acked": wall_ack, "all_cards": wall_cards},
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="BotCore vetting workers (serve uses 1)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    figures = asyncio.run(run(args.commands, args.workers))
    ack, card = figures["ack_ms"], figures["card_ms"]
    print(f"machine: {figures['machine']}")
    f = figures
    print(f"{f['commands']} concurrent /vet, {f['workers']} worker(s): errors {f['errors']}, ", end="")
    print(f"slow acks {f['slow_acks']} (late errors {f['late_errors']}), ", end="")
    print(f"cards {f['cards_posted']}, escalations {f['escalations']}")
    line = "time to {}  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  max {max:7.1f} ms"
    print(line.format("ack ", **ack) + "  (goal: p99 < 100 ms)")
    if card:
        print(
            f"time to card  p50 {card['p50']:7.1f} ms  p99 {card['p99']:7.1f} ms  max {card['max']:7.1f} ms"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
