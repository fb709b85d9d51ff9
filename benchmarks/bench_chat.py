"""Chat load: N concurrent signed ``/vet`` slash commands against the real web app.

The real ``create_app`` (bolt, signature pre-check, BotCore, SQLite, every built-in check)
runs on loopback; a recording fake of Slack's Web API (``tests/bot/fakes.py``) stands in for
Slack and timestamps each card it receives. Each command comes from its own user, so its card
is identified by the DM channel it is posted to.

The load generator runs in a separate process (sharing vetbot's event loop would add its own
CPU to every ack). Reported: time to ack (request sent → HTTP response read) and time to card (request sent →
``chat.postMessage`` received by the fake), p50/p99/max, errors, cards lost or duplicated,
escalations, the machine and its load average (other processes on the machine skew the
figures; compare runs at a similar load). Goal (issue 4): p99 ack < 100 ms, no errors, one
card per command.

Two paths, each on a fresh database, in the same run: ``bolt`` (the baseline: every request
through slack-bolt's dispatch, as before the fast path) and ``fast`` (our own slash commands
answered in front of bolt; what ``vetbot serve`` runs). ``--path`` picks one.

``--backlog`` sends a first burst and, 0.5 s later, the measured one, which then competes
with the first one's vettings and card deliveries (cards of both bursts are counted).

Usage: python benchmarks/bench_chat.py [--commands 100] [--workers 1] [--path both|fast|bolt]
       [--backlog] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
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
from chat_harness import load_average  # noqa: E402
from synthetic import machine, profiles  # noqa: E402

from tests.bot.fakes import FakeSlack  # noqa: E402
from vetbot.bot.settings import BotSettings, SlackSettings  # noqa: E402
from vetbot.bot.slack import SlackEdge  # noqa: E402
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
        self.cards_to: Counter[str] = Counter()

    def _answer(self, method: str, data: Any) -> dict[str, Any]:
        if method == "chat.postMessage" and data.get("channel") != SECURITY:
            channel = str(data.get("channel"))
            self.card_at.setdefault(channel, time.time())  # wall clock: compared across processes
            self.cards_to[channel] += 1
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


async def run(n: int, workers: int, *, fast: bool = True, backlog: bool = False) -> dict[str, Any]:
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
        assert settings.slack is not None
        edge = SlackEdge(settings.slack, core, fast_commands=fast)
        runner, url = await serve(create_app(settings, core, slack=edge))
        load_before = load_average()
        await loop.run_in_executor(
            pool, load, url, [slash(n + 1, "help", fake_url)]
        )  # warm-up: auth.test, imports
        bodies = [slash(i, t, fake_url) for i, t in enumerate(profiles(n, seed=11))]
        earlier = range(n + 2, 2 * n + 2)  # the backlog's users: their cards are counted too
        if backlog:  # a first burst, then the measured one while its jobs are vetted and delivered
            first = [slash(i, t, fake_url) for i, t in zip(earlier, profiles(n, seed=12), strict=True)]
            await loop.run_in_executor(pool, load, url, first)
            await asyncio.sleep(0.5)
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
    users = [*range(n), *(earlier if backlog else ())]
    per_command = [fake.cards_to.get(f"DU{i:05d}", 0) for i in users]
    return {
        "path": "fast" if fast else "bolt",
        "backlog": n if backlog else 0,
        "commands": n,
        "workers": workers,
        "errors": errors,
        "slow_acks": slow,  # acked at the 2 s budget before the intake store finished
        "late_errors": len(fake.of("response_url")),  # e.g. the store failed after a slow ack
        "cards_posted": len(cards),
        "cards_lost": sum(1 for c in per_command if c == 0),
        "cards_duplicated": sum(1 for c in per_command if c > 1),
        "escalations": sum(1 for c in fake.of("chat.postMessage") if c.get("channel") == SECURITY),
        "ack_ms": {"p50": pct(acks, 50), "p99": pct(acks, 99), "max": max(acks) * 1000},
        "card_ms": {"p50": pct(cards, 50), "p99": pct(cards, 99), "max": max(cards) * 1000} if cards else {},
        "wall_s": {"all_acked": wall_ack, "all_cards": wall_cards},
        "machine": machine(),
        "load_average": {"before": load_before, "after": load_average()},
    }


def report(f: dict[str, Any]) -> None:
    backlog = f", {f['backlog']} earlier ones being vetted" if f["backlog"] else ""
    print(f"[{f['path']}] {f['commands']} concurrent /vet{backlog}, {f['workers']} worker(s), ", end="")
    print(f"load average {f['load_average']['before']} → {f['load_average']['after']}")
    print(f"  errors {f['errors']}, slow acks {f['slow_acks']} (late errors {f['late_errors']}), ", end="")
    print(f"cards {f['cards_posted']} (lost {f['cards_lost']}, duplicated {f['cards_duplicated']}), ", end="")
    print(f"escalations {f['escalations']}")
    line = "  time to {}  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  max {max:7.1f} ms"
    print(line.format("ack ", **f["ack_ms"]) + "  (goal: p99 < 100 ms)")
    if f["card_ms"]:
        print(line.format("card", **f["card_ms"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="BotCore vetting workers (serve uses 1)")
    parser.add_argument("--path", choices=("both", "fast", "bolt"), default="both")
    parser.add_argument(
        "--backlog", action="store_true", help="measure a burst landing while an earlier one is vetted"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    paths = {"both": (False, True), "fast": (True,), "bolt": (False,)}[args.path]
    print(f"machine: {machine()}")
    runs = []
    for fast in paths:
        figures = asyncio.run(run(args.commands, args.workers, fast=fast, backlog=args.backlog))
        report(figures)
        runs.append(figures)
    if len(runs) == 2:
        bolt, fast_run = runs[0]["ack_ms"], runs[1]["ack_ms"]
        print(f"p99 ack: fast path {bolt['p99'] / fast_run['p99']:.1f}× faster than the bolt path")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2) + "\n")


if __name__ == "__main__":
    main()
