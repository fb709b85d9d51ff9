"""What a check may know beyond the profile: the clock and a read-only view of the store.

Checks never import storage. Anything they need from it (earlier candidates sharing an
identifier, imported VPN ranges, watchlists) is declared here as a Protocol and
implemented by ``vetbot.storage``; tests pass in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class PriorMatch:
    """An earlier candidate that shares an identifier with the one being vetted."""

    kind: str
    value: str
    candidate_key: str
    candidate_id: str | None
    name: str
    band: str | None
    decision: str | None
    seen_at: datetime | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IntelEntry:
    """An admin-imported network indicator (VPN/proxy CIDR or ASN) with its provenance."""

    kind: str  # "vpn-cidr" | "asn"
    value: str
    list_name: str
    source: str
    imported_at: datetime | None


class StoreView(Protocol):
    """Read-only queries checks may make. Implemented by storage; all lookups are indexed."""

    async def prior_matches(
        self, keys: Sequence[tuple[str, str]], exclude_candidate: str
    ) -> list[PriorMatch]:
        """Earlier identifiers equal to any ``(kind, value)`` key, other candidates only."""
        ...

    async def intel_entries(self) -> Sequence[IntelEntry]:
        """All admin-imported network indicators (small; cached by the implementation)."""
        ...


@dataclass(frozen=True, slots=True)
class CheckContext:
    """Handed to every check. ``store`` is ``None`` when vetting without a database."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    store: StoreView | None = None
    candidate_key: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
