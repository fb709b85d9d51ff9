"""Shared by ``bench_crash.py`` and ``bench_replicas.py``: real ``vetbot serve`` subprocesses,
an in-process recording fake of Slack's Web API, signed slash commands, and the tally.

Everything runs on 127.0.0.1. Each command comes from its own Slack user ``U{i:05d}``, so its
card is recognised by the DM channel the fake hands out for that user (``DU{i:05d}``); an
escalation is recognised by the vetting id its buttons carry. Every loop here is bounded in
count and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientError, ClientSession, ClientTimeout, web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import profiles  # noqa: E402

from tests.bot.fakes import FakeSlack  # noqa: E402
from vetbot.bot.slack.signature import sign  # noqa: E402
from vetbot.storage.database import Database  # noqa: E402

SECRET = "bench-signing-secret"
SECURITY = "CSECURITY"
VETBOT = Path(sys.executable).parent / "vetbot"
ACCEPTED = ("Checking", "Already received", "Received; vetbot is busy")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def serve_fake(fake: FakeSlack) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/"


def server_env(database_url: str, fake_url: str) -> dict[str, str]:
    """The parent's environment without any platform or vetbot settings, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VETBOT_", "SLACK_", "MICROSOFT_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_url + "api/",
        VETBOT_SECURITY_CHANNEL=SECURITY,
        VETBOT_DATABASE_URL=database_url,
        VETBOT_SECRET_KEY="bench-secret-key",
        VETBOT_LOG_LEVEL="INFO",
    )
    return env


class Server:
    """One ``vetbot serve`` subprocess on a fixed port (kept across restarts)."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, port: int | None = None) -> None:
        self.name = name
        self.env = env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_dir / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.restart_seconds: list[float] = []

    async def start(self, *, timeout: float = 60.0) -> float:  # noqa: ASYNC109
        """Spawn and wait for ``/healthz``; returns the seconds it took."""
        began = time.perf_counter()
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                str(VETBOT), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                env=self.env, stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        self.starts += 1
        async with ClientSession(timeout=ClientTimeout(total=1)) as session:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.returncode is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
                with contextlib.suppress(ClientError, TimeoutError, OSError):
                    async with session.get(self.url + "healthz") as resp:
                        if resp.status == 200:
                            elapsed = time.perf_counter() - began
                            self.restart_seconds.append(elapsed)
                            return elapsed
                await asyncio.sleep(0.05)
        raise TimeoutError(f"{self.name} not healthy after {timeout} s")

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()

    async def stop(self, *, timeout: float = 40.0) -> int | None:  # noqa: ASYNC109
        """SIGTERM (graceful), SIGKILL after ``timeout``; returns the exit code."""
        if self.proc is None or self.proc.returncode is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            await self.kill()
            return self.proc.returncode


def command_texts(n: int, *, seed: int, high_every: int = 5) -> tuple[list[str], set[int]]:
    """``n`` profile JSON texts; every ``high_every``-th gets strong signals so it bands high:
    another person's name on a document and as the payee, a foreign phone, crypto payment."""
    texts: list[str] = []
    flagged: set[int] = set()
    for i, line in enumerate(profiles(n, seed=seed)):
        row = json.loads(line)
        if high_every and i % high_every == 0:
            flagged.add(i)
            row["other_names"] = ["Pak Chol-min"]
            row["phone"] = f"+86 131 {i % 10_000:04d} 5678"
            row["payment"] = {
                "method": "crypto",
                "account_holder": "Pak Chol-min",
                "bank_country": "CN",
                "account_id": f"0xbench{seed}{i:034d}",
            }
        texts.append(json.dumps(row, ensure_ascii=False))
    return texts, flagged


def user_of(i: int) -> str:
    return f"U{i:05d}"


def slash_body(i: int, text: str, trigger_id: str, fake_url: str) -> bytes:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C0001",
            "user_id": user_of(i),
            "user_name": f"user{i}",
            "command": "/vet",
            "text": text,
            "response_url": f"{fake_url}response/{i}",
            "trigger_id": trigger_id,
        }
    ).encode()


@dataclass
class SendStats:
    attempts: Counter[int] = field(default_factory=Counter)  # command -> HTTP attempts
    acks: Counter[str] = field(default_factory=Counter)  # kind of ack received
    failures: Counter[str] = field(default_factory=Counter)  # why an attempt was re-sent
    gave_up: list[int] = field(default_factory=list)


async def send_until_acked(
    session: ClientSession,
    url: str,
    i: int,
    body: bytes,
    stats: SendStats,
    *,
    max_attempts: int = 400,
    deadline_s: float = 240.0,
) -> bool:
    """POST one signed command; re-send the same body (same trigger_id, fresh signature)
    until Slack would consider it answered: a 200 with one of vetbot's acks."""
    give_up_at = time.monotonic() + deadline_s
    for _ in range(max_attempts):
        if time.monotonic() > give_up_at:
            break
        stats.attempts[i] += 1
        ts = str(int(time.time()))
        headers = {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(SECRET, ts, body),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            async with session.post(url + "slack/events", data=body, headers=headers) as resp:
                text = await resp.text()
                if resp.status == 200:
                    ack = str(json.loads(text).get("text", "")) if text.startswith("{") else text
                    kind = next((a for a in ACCEPTED if ack.startswith(a)), None)
                    if kind is not None:
                        stats.acks[kind] += 1
                        return True
                    stats.failures[f"200:{ack[:40]}"] += 1
                else:
                    stats.failures[f"http {resp.status}"] += 1
        except (ClientError, TimeoutError, OSError) as exc:
            stats.failures[type(exc).__name__] += 1
        await asyncio.sleep(0.2)
    stats.gave_up.append(i)
    return False


def vetting_of_escalation(data: dict[str, Any]) -> str | None:
    for block in data.get("blocks") or []:
        if block.get("type") == "actions":
            for element in block.get("elements") or []:
                if element.get("value"):
                    return str(element["value"])
    return None


async def db_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    from sqlalchemy import text

    queries = {
        "jobs": "SELECT id, idempotency_key, status, vetting_id, attempts FROM job",
        "cases": "SELECT job_id, vetting_id FROM case_state",
        "vettings": "SELECT id, band FROM vetting",
        "outbox": "SELECT key, kind, status, attempts FROM outbox",
        "escalations": "SELECT vetting_id FROM escalation",
    }
    db = Database(url)
    try:
        async with db.read_session() as session:
            return {
                name: [tuple(r) for r in (await session.execute(text(sql))).all()]
                for name, sql in queries.items()
            }
    finally:
        await db.dispose()


def unfinished(rows: dict[str, list[tuple[Any, ...]]]) -> int:
    """Jobs not in a final state plus deliveries still pending."""
    jobs = sum(1 for r in rows["jobs"] if r[2] not in ("done", "failed"))
    return jobs + sum(1 for r in rows["outbox"] if r[2] == "pending")


async def wait_until_done(url: str, n: int, *, timeout: float) -> float:  # noqa: ASYNC109
    """Poll the database until all ``n`` jobs are final and no delivery is pending (bounded);
    returns the seconds waited."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        with contextlib.suppress(Exception):  # e.g. the database briefly busy: poll again
            rows = await db_rows(url)
            if len(rows["jobs"]) >= n and unfinished(rows) == 0:
                return time.monotonic() - began
        await asyncio.sleep(0.5)
    raise TimeoutError(f"work still pending after {timeout} s")


def tally(
    fake: FakeSlack,
    n: int,
    flagged: set[int],
    rows: dict[str, list[tuple[Any, ...]]],
    trigger_of: dict[int, str],
) -> dict[str, Any]:
    """Cards per command, vettings per job, escalations per high-risk vetting."""
    cards = Counter(
        str(c.get("channel")) for c in fake.of("chat.postMessage") if c.get("channel") != SECURITY
    )
    per_command = [cards.get(f"D{user_of(i)}", 0) for i in range(n)]
    escalated = Counter(
        vetting_of_escalation(c) for c in fake.of("chat.postMessage") if c.get("channel") == SECURITY
    )
    key_to_cmd = {f"slack:trigger:{t}": i for i, t in trigger_of.items()}
    jobs = {r[0]: r for r in rows["jobs"]}
    jobs_per_command = Counter(key_to_cmd.get(r[1], -1) for r in rows["jobs"])
    vettings_per_job = Counter(r[0] for r in rows["cases"])
    band = dict(rows["vettings"])
    job_vetting = {r[0]: r[3] for r in rows["jobs"]}
    cmd_vetting = {key_to_cmd[r[1]]: r[3] for r in rows["jobs"] if r[1] in key_to_cmd}
    high = [v for v, b in band.items() if b == "high"]
    flagged_bands = Counter(band.get(cmd_vetting.get(i) or "", "none") for i in flagged)

    def dist(values: list[int]) -> dict[str, int]:
        return {
            "0": sum(v == 0 for v in values),
            "1": sum(v == 1 for v in values),
            ">1": sum(v > 1 for v in values),
        }

    return {
        "commands": n,
        "jobs": len(jobs),
        "jobs_per_command": dist([jobs_per_command.get(i, 0) for i in range(n)]),
        "job_status": dict(Counter(r[2] for r in rows["jobs"])),
        "vettings_total": len(band),
        "vettings_per_job": dist([vettings_per_job.get(j, 0) for j in jobs]),
        "jobs_done_without_vetting": sum(1 for j, v in job_vetting.items() if v is None),
        "cards_per_command": dist(per_command),
        "lost": [i for i, c in enumerate(per_command) if c == 0],
        "duplicated": {i: c for i, c in enumerate(per_command) if c > 1},
        "bands": dict(Counter(band.values())),
        "flagged_high_risk_commands": len(flagged),
        "flagged_bands": dict(flagged_bands),
        "high_risk_vettings": len(high),
        "escalations_per_high_vetting": dist([escalated.get(v, 0) for v in high]),
        "escalations_posted": sum(escalated.values()),
        "escalations_not_high": sum(c for v, c in escalated.items() if band.get(v or "") != "high"),
        "outbox_status": dict(Counter(f"{r[1]}:{r[2]}" for r in rows["outbox"])),
        "outbox_redelivered": sum(1 for r in rows["outbox"] if r[3] > 1),
        "max_job_attempts": max((r[4] for r in rows["jobs"]), default=0),
    }


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def print_exactly_once(f: dict[str, Any]) -> None:
    """The lines every exactly-once benchmark reports: jobs, vettings and cards per command."""
    print(
        f"jobs {f['jobs']} (per command {f['jobs_per_command']}), vettings per job {f['vettings_per_job']}, "
        f"status {f['job_status']}"
    )
    print(
        f"cards per command {f['cards_per_command']}: "
        f"lost {len(f['lost'])}, duplicated {len(f['duplicated'])}"
    )
