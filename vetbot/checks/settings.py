"""Scoring settings in force for one vetting: thresholds, per-check weights, disabled checks.

Storage keeps them versioned; the engine receives one immutable snapshot per vetting and
the result records its version, so any card can be explained later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vetbot.models.result import Thresholds

DEFAULT_RETENTION_DAYS = 30


@dataclass(frozen=True, slots=True)
class ScoringSettings:
    thresholds: Thresholds = field(default_factory=Thresholds)
    weights: dict[str, int] = field(default_factory=dict)  # overrides of checks' default weights
    disabled: frozenset[str] = frozenset()
    retention_days: int = DEFAULT_RETENTION_DAYS
    version: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # policies added by later features

    def to_json(self) -> dict[str, Any]:
        return {
            "thresholds": self.thresholds.model_dump(),
            "weights": dict(sorted(self.weights.items())),
            "disabled": sorted(self.disabled),
            "retention_days": self.retention_days,
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], version: int = 0) -> ScoringSettings:
        return cls(
            thresholds=Thresholds(**data.get("thresholds", {})),
            weights={str(k): int(v) for k, v in data.get("weights", {}).items()},
            disabled=frozenset(data.get("disabled", ())),
            retention_days=int(data.get("retention_days", DEFAULT_RETENTION_DAYS)),
            version=version,
            extra=dict(data.get("extra", {})),
        )
