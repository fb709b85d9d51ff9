"""Parsing and validating a proposed settings change, shared by applying and simulating it.

One function builds the proposed settings, so ``simulate weight X 30`` is guaranteed to
preview exactly what ``weight X 30`` would apply — and both refuse the same invalid values
with the same reason (medium ≥ high, unknown check, weight outside 0–100, retention ≤ 0).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from vetbot.checks.registry import Registry
from vetbot.checks.settings import ScoringSettings
from vetbot.handlers.roles import POLICY_VALUES, Policy, policy

MAX_RETENTION_DAYS = 3650


class Invalid(ValueError):
    """A refused value; the message says why and is shown to the user as is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Change:
    settings: ScoringSettings
    text: str  # human "old → new", stored with the settings version
    detail: dict[str, Any]  # for the audit row: setting, old, new (values, never PII)

    @property
    def unchanged(self) -> bool:
        return self.detail.get("old") == self.detail.get("new")


def _number(raw: str, what: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"{what} must be a whole number, got {raw[:20]!r}", field=what) from None
    if not low <= value <= high:
        raise Invalid(f"{what} must be between {low} and {high}, got {value}", field=what)
    return value


def _check_id(raw: str, registry: Registry) -> str:
    if raw not in registry:
        raise Invalid(f"unknown check {raw[:60]!r}; `/vet-admin show` lists the check ids", field="check")
    return raw


def _change(settings: ScoringSettings, setting: str, old: Any, new: Any, **updates: Any) -> Change:
    text = f"{setting}: {old} → {new}"
    return Change(
        dataclasses.replace(settings, **updates), text, {"setting": setting, "old": old, "new": new}
    )


def propose(settings: ScoringSettings, registry: Registry, args: list[str]) -> Change:
    """The settings after ``args`` (``["threshold", "high", "55"]`` …), or ``Invalid``."""
    name, rest = args[0].lower(), args[1:]
    if name == "threshold":
        if len(rest) != 2 or rest[0].lower() not in ("medium", "high"):
            raise Invalid("usage: threshold medium|high N")
        which, value = rest[0].lower(), _number(rest[1], "threshold", 1, 100)
        current = settings.thresholds
        medium = value if which == "medium" else current.medium
        high = value if which == "high" else current.high
        if medium >= high:
            raise Invalid(f"medium ({medium}) must be below high ({high})", field="threshold")
        new = current.model_copy(update={which: value})
        return _change(settings, f"threshold {which}", getattr(current, which), value, thresholds=new)
    if name == "weight":
        if len(rest) != 2:
            raise Invalid("usage: weight CHECK_ID N (0-100)")
        check_id, value = _check_id(rest[0], registry), _number(rest[1], "weight", 0, 100)
        old = settings.weights.get(check_id, registry.get(check_id).weight)
        weights = {**settings.weights, check_id: value}
        return _change(settings, f"weight {check_id}", old, value, weights=weights)
    if name in ("enable", "disable"):
        if len(rest) != 1:
            raise Invalid(f"usage: {name} CHECK_ID")
        check_id = _check_id(rest[0], registry)
        old_state = "disabled" if check_id in settings.disabled else "enabled"
        new_state = f"{name}d"
        disabled = settings.disabled - {check_id} if name == "enable" else settings.disabled | {check_id}
        return _change(settings, f"check {check_id}", old_state, new_state, disabled=frozenset(disabled))
    if name == "retention":
        if len(rest) != 1:
            raise Invalid("usage: retention DAYS")
        days = _number(rest[0], "retention", 1, MAX_RETENTION_DAYS)
        return _change(settings, "retention days", settings.retention_days, days, retention_days=days)
    if name == "policy":
        return _policy(settings, rest)
    raise Invalid(f"{name[:30]!r} is not a setting")


def _policy(settings: ScoringSettings, rest: list[str]) -> Change:
    names = {p.value: p for p in Policy}
    if len(rest) != 2 or rest[0].lower() not in names:
        raise Invalid("usage: policy requesters all|granted | policy notice reminder|required")
    which = names[rest[0].lower()]
    value = rest[1].lower()
    if value not in POLICY_VALUES[which]:
        allowed = "|".join(POLICY_VALUES[which])
        raise Invalid(f"policy {which.value} must be {allowed}, got {value[:20]!r}", field="policy")
    old = policy(settings, which)
    extra = {**settings.extra, which.value: value}
    return _change(settings, f"policy {which.value}", old, value, extra=extra)
