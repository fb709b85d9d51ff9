"""The vetting result of interchange format 1: findings, per-check status, score and band.

These models are what ``vetbot vet --json`` prints and what storage keeps verbatim, so
their field names follow the spec exactly. Anything internal lives elsewhere.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

FORMAT = 1


class Band(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CheckStatus(StrEnum):
    OK = "ok"
    SKIPPED = "skipped"
    ERROR = "error"
    TIMEOUT = "timeout"


def severity_for(points: int) -> Severity:
    """A finding's severity follows its points, so a card's colours agree with its score."""
    if points >= 30:
        return Severity.HIGH
    if points >= 12:
        return Severity.MEDIUM
    return Severity.LOW


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    check: str
    points: int = Field(ge=0, le=100)
    severity: Severity
    summary: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    source: str


class CheckRun(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    status: CheckStatus
    detail: str | None = Field(default=None, exclude_if=lambda v: v is None)


class CandidateRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str | None = None
    name: str


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True)

    # calibrated on the dev set (docs/checks.md, "Calibration"): medium 36, high 60
    medium: int = Field(default=36, ge=1, le=100)
    high: int = Field(default=60, ge=1, le=100)

    def band(self, score: int) -> Band:
        if score >= self.high:
            return Band.HIGH
        if score >= self.medium:
            return Band.MEDIUM
        return Band.LOW


class VettingResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: int = FORMAT
    vetting_id: str
    candidate: CandidateRef
    score: int = Field(ge=0, le=100)
    band: Band
    thresholds: Thresholds
    findings: list[Finding]
    checks: list[CheckRun]
    warnings: list[str] = Field(default_factory=list)
    duration_ms: int = Field(ge=0)

    def unavailable_checks(self) -> list[CheckRun]:
        return [c for c in self.checks if c.status in (CheckStatus.ERROR, CheckStatus.TIMEOUT)]
