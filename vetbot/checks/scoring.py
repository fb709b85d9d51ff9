"""Explainable, bounded scoring: points per finding, combined by noisy-OR.

``score = 100·(1 − Π(1 − pᵢ/100))``: stays in 0–100, never decreases when a finding is added,
and several moderate findings compound without any single weak one deciding. Each finding's
points are the check's weight times the signal's strength, so a card can show every point.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def finding_points(weight: int, strength: float) -> int:
    """Points one signal adds: ``weight × strength`` rounded, clamped to 0–100."""
    if not math.isfinite(strength):
        return 0
    raw = max(0.0, min(1.0, strength)) * max(0, min(100, weight))
    return math.floor(raw + 0.5)


def combine(points: Iterable[int]) -> int:
    """Noisy-OR of finding points as an integer score 0–100."""
    keep = 1.0
    for p in points:
        keep *= 1.0 - max(0, min(100, p)) / 100.0
    return math.floor(100.0 * (1.0 - keep) + 0.5 - 1e-9)
