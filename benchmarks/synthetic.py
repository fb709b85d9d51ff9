"""Deterministic synthetic profiles for benchmarks: dev-set shapes with fresh identities.

Each profile copies the structure of a dev-set record (so every check has realistic work)
but gets its own identity from a seeded RNG — id, name, e-mail, phone digits, handles, house
number, IP host parts, photo hash, payout account, referee contacts and résumé wording — so
reuse lookups behave like real intake (few matches) rather than 300 templates repeated.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev.jsonl"
GIVEN = [
    "Jan",
    "Anna",
    "Min-jun",
    "Wei",
    "Chiamaka",
    "Lucas",
    "Sofia",
    "Arjun",
    "Yuki",
    "Olena",
    "Mateo",
    "Aisha",
]
FAMILY = [
    "Kowalski",
    "Kim",
    "Zhang",
    "Okafor",
    "Silva",
    "Rossi",
    "Sato",
    "Sharma",
    "Nguyen",
    "Schmidt",
    "Garcia",
]


def templates() -> list[dict[str, Any]]:
    if DEV.exists():
        rows = [json.loads(line) for line in DEV.read_text("utf-8").splitlines() if line.strip()]
    else:  # running outside the workplace: the bundled examples are enough to exercise every check
        examples = Path(__file__).resolve().parents[1] / "examples"
        rows = [json.loads(p.read_text("utf-8")) for p in sorted(examples.glob("*.json"))]
    for row in rows:
        row.pop("label", None)
        row.pop("cluster", None)
    return rows


WORDS = [
    *("built", "shipped", "led", "designed", "migrated", "tuned", "owned", "mentored"),
    *("platform", "service", "pipeline", "api", "backend", "frontend", "data", "cloud"),
    *("kafka", "postgres", "react", "python", "go", "java", "rust", "kubernetes", "terraform"),
    *("latency", "throughput", "billing", "search", "payments", "mobile", "analytics"),
    *("streaming", "auth", "caching", "teams"),
]


def _fresh_identifiers(row: dict[str, Any], rng: random.Random, i: int) -> None:
    """Give a cloned template its own identifiers, so only real coincidences link personas."""
    for key in ("home_address", "shipping_address"):
        if isinstance(row.get(key), dict):
            row[key]["line1"] = f"{rng.randrange(1, 9999)} {row[key].get('line1', 'Main St')}"
    row["ip_addresses"] = [
        ".".join(map(str, (rng.choice([81, 83, 91, 95, 185, 212]), *rng.sample(range(1, 255), 3))))
        for _ in range(rng.randrange(1, 4))
    ]
    if row.get("photo"):
        row["photo"] = f"phash:{rng.getrandbits(64):016x}"
    for key in ("github", "linkedin"):
        if row.get(key):
            row[key] = f"{row[key]}-{i}"
    for account in row.get("online_accounts", []):
        account["handle"] = f"{account.get('handle') or 'user'}-{i}"
    for n, ref in enumerate(row.get("references", [])):
        ref["email"] = f"ref{i}x{n}@example.com"
        ref["phone"] = None
    if row.get("resume_text"):
        row["resume_text"] = " ".join(rng.choice(WORDS) for _ in range(160))


def profiles(n: int, *, seed: int = 7, bad_every: int = 0) -> Iterator[str]:
    """``n`` JSONL lines; with ``bad_every`` > 0 every k-th line is malformed in a rotating way."""
    rng = random.Random(seed)
    base = templates()
    bad_kinds = [
        '{"name": ',
        '{"name": 5}',
        '{"name": "X", "ip_addresses": ["999.1.1.1"]}',
        "[1,2]",
        '"\\ud800"',
    ]
    for i in range(n):
        if bad_every and i % bad_every == bad_every - 1:
            yield bad_kinds[(i // bad_every) % len(bad_kinds)]
            continue
        row = copy.deepcopy(base[i % len(base)])
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        row["id"] = f"bench-{i}"
        row["name"] = f"{given} {family}"
        row["email"] = f"{given.lower()}.{family.lower()}{rng.randrange(10_000)}@example.org"
        if isinstance(row.get("phone"), str) and row["phone"].startswith("+"):
            digits = "".join(str(rng.randrange(10)) for _ in range(6))
            row["phone"] = row["phone"][: max(4, len(row["phone"]) - 6)] + digits
        row.pop("other_names", None)
        _fresh_identifiers(row, rng, i)
        if isinstance(row.get("payment"), dict):
            row["payment"]["account_holder"] = row["name"]
            row["payment"]["account_id"] = f"ACC{seed}{i:08d}"
        yield json.dumps(row, ensure_ascii=False)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
