"""Fairness: swapping a name between origins and scripts never changes a score.

Names, and the e-mail addresses and handles derived from them, are swapped consistently on
the same persona; everything else stays. DPRK operators pose as every nationality, so a
score that moved with the origin of a name would be unfair and useless (signals.md,
"Fairness"). Runs every built-in check, so a new check is covered automatically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vetbot.checks.context import CheckContext
from vetbot.checks.engine import Engine
from vetbot.checks.registry import Registry
from vetbot.models.parsing import parse_profile
from vetbot.normalize.text import fold

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# (display name, given name for handles, family name for handles)
NAMES = [
    ("Kim Min-jun", "minjun", "kim"),
    ("Wang Fang", "fang", "wang"),
    ("Sato Yuki", "yuki", "sato"),
    ("Nguyen Thi Lan", "lan", "nguyen"),
    ("Jan Kowalski", "jan", "kowalski"),
    ("Chinedu Okafor", "chinedu", "okafor"),
    ("João Silva", "joao", "silva"),
    ("Olena Shevchenko", "olena", "shevchenko"),
    ("Priya Sharma", "priya", "sharma"),
    ("Emily Clarke", "emily", "clarke"),
    ("김민준", "minjun", "kim"),
    ("王芳", "fang", "wang"),
]


def with_name(template: dict[str, Any], display: str, given: str, family: str) -> dict[str, Any]:
    profile = json.loads(json.dumps(template))
    profile["name"] = display
    profile["email"] = f"{given}.{family}@gmail.com"
    profile["github"] = f"{given}{family}"
    profile["linkedin"] = f"https://www.linkedin.com/in/{given}-{family}-4b2a19"
    for account in profile.get("online_accounts", []):
        account["handle"] = f"{given}{family}"
    if isinstance(profile.get("payment"), dict) and profile["payment"].get("account_holder"):
        profile["payment"]["account_holder"] = display
    profile.pop("other_names", None)
    return profile


def templates() -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, json.loads(p.read_text())) for p in sorted(EXAMPLES.glob("*.json"))]


@pytest.mark.parametrize(("label", "template"), templates())
async def test_scores_do_not_move_with_the_origin_or_script_of_a_name(
    label: str, template: dict[str, Any]
) -> None:
    engine = Engine(Registry.default(plugins=False))
    scores = {}
    for display, given, family in NAMES:
        result = await engine.vet(
            parse_profile(with_name(template, display, given, family)).profile, context=CheckContext()
        )
        scores[display] = (result.score, sorted((f.check, f.points) for f in result.findings))
    assert len(set(map(str, scores.values()))) == 1, scores


def test_no_check_reads_nationality_or_script() -> None:
    """Static guard: check modules never mention nationality, ethnicity or script detection."""
    import vetbot.checks as package

    forbidden = ("nationality", "ethnic", "unicodedata.name", "script_of", "is_cjk", "hangul")
    root = Path(package.__file__).parent
    for path in root.glob("*.py"):
        text = fold(path.read_text("utf-8"))
        for word in forbidden:
            lines = [
                line
                for line in text.splitlines()
                if word in line and "never" not in line and "not" not in line
            ]
            assert not lines, f"{path.name} mentions {word!r}: {lines[:2]}"
