"""Deterministic synthetic profiles for benchmarks: dev-set shapes with fresh identities.

Each profile copies the structure of a dev-set record (so every check has realistic work)
but gets its own id, name-derived e-mail and phone digits from a seeded RNG, so reuse
lookups behave like real intake rather than one giant cluster.
"""

from __future__ import annotations

import copy
import json
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
        if isinstance(row.get("payment"), dict):
            row["payment"]["account_holder"] = row["name"]
            row["payment"]["account_id"] = f"ACC{seed}{i:08d}"
        yield json.dumps(row, ensure_ascii=False)
