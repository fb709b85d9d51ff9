"""The contract every check follows: declared metadata plus an async ``run``.

A check answers one question about whether a persona agrees with itself (or with what the
organisation has seen before). It returns ``Signal``s — what was compared, what was found,
how strong this instance is — and the engine turns each into a ``Finding`` with points from
the check's weight, so admins tune weights in one place and every point is explained.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, ClassVar

from vetbot.checks.context import CheckContext
from vetbot.models.profile import Profile


class Evidence(StrEnum):
    """Strength of the public evidence behind a signal (see docs/checks.md)."""

    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"


class SkipCheck(Exception):
    """Raised by ``run`` when the inputs it needs are absent: the check is ``skipped``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class CheckUnavailable(Exception):
    """Raised by ``run`` when a service the check relies on cannot answer now (breaker
    open, rate-limited, down). The check is reported as ``error`` with ``detail`` — which
    must name the service and the reason only, never candidate data — and may be retried.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Signal:
    """One observation of a check, before weighting.

    ``strength`` is the share (0–1] of the check's weight this observation earns; ``rule``
    names the specific test inside the check (``phone_country``) and is kept in evidence.
    """

    rule: str
    summary: str
    strength: float = 1.0
    evidence: dict[str, Any] = field(default_factory=dict)
    source: str | None = None


class Check(ABC):
    """Base class for checks. Subclasses set the class attributes and implement ``run``."""

    id: ClassVar[str]
    title: ClassVar[str]
    weight: ClassVar[int]
    evidence: ClassVar[Evidence]
    inputs: ClassVar[tuple[str, ...]]
    source: ClassVar[str]
    rationale: ClassVar[str] = ""
    timeout: ClassVar[float | None] = None  # seconds; ``None`` takes the engine's default
    # True for checks that only compute, or read the embedded store through ``context.store``
    # (which serialises its reads anyway): the engine runs them in the vetting's own task, one
    # after another. On one event loop CPU-bound coroutines never overlap, so a task each
    # bought nothing but ~25 µs of scheduling per check — a tenth of a batch's budget.
    # Leave False (the default) for a check that waits on a remote service: it gets its own
    # task, started first, so its wait overlaps the other checks and other remote calls.
    inline: ClassVar[bool] = False

    def missing_inputs(self, profile: Profile) -> str | None:
        """``None`` when at least one declared input is present, else the skip reason."""
        if not self.inputs:
            return None
        for path in self.inputs:
            if has_value(profile, path):
                return None
        return "no " + " or ".join(self.inputs)

    async def warm_up(self) -> None:
        """Load data before the first vetting (servers call this at start); default: nothing.

        A check with a slow first load (bundled IP data) overrides it, so the load is not
        paid inside the first request — or, worse, while the event loop serves acks."""
        return None

    @abstractmethod
    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        """Return signals (empty when consistent); raise ``SkipCheck`` when inputs are missing."""


@lru_cache(maxsize=256)
def _parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))  # asked for every check of every vetting: split once


def has_value(profile: Profile, path: str) -> bool:
    """True when the dotted ``path`` holds something other than None/empty."""
    node: Any = profile
    for part in _parts(path):
        if node is None:
            return False
        if isinstance(node, list):
            return any(has_value_obj(item, part) for item in node)
        node = getattr(node, part, None)
    return node not in (None, "", [], {})


def has_value_obj(obj: Any, attr: str) -> bool:
    return getattr(obj, attr, None) not in (None, "", [], {})
