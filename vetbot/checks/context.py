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


@dataclass(frozen=True, slots=True)
class WatchlistInfo:
    """An imported watchlist and its provenance (shown with every finding it produces)."""

    name: str
    format: str
    source: str
    imported_at: datetime | None
    imported_by: str
    entries: int


@dataclass(frozen=True, slots=True)
class WatchlistHit:
    """One watchlist entry (a name or identifier of a listed entity) with its list's provenance."""

    kind: str
    value: str
    display: str
    list_name: str
    entity_id: str
    programme: str | None
    note: str | None
    source: str
    imported_at: datetime | None


@dataclass(frozen=True, slots=True)
class WatchlistNameHit:
    """A listed name similar to one of the candidate's; ``entity`` holds the other entries of
    the same listed entity (date of birth, contacts, addresses) for corroboration."""

    query: str
    score: float
    entry: WatchlistHit
    entity: tuple[WatchlistHit, ...] = ()


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

    async def watchlists(self) -> Sequence[WatchlistInfo]:
        """Imported watchlists (empty when none: the watchlist checks then skip)."""
        ...

    async def watchlist_exact(self, keys: Sequence[tuple[str, str]]) -> list[WatchlistHit]:
        """Watchlist entries equal to any ``(kind, value)`` key (values folded by
        ``vetbot.watchlist_formats.values.to_value``)."""
        ...

    async def watchlist_names(self, names: Sequence[str]) -> list[WatchlistNameHit]:
        """Listed names matching any of ``names`` (romanisation-aware), with their entity."""
        ...


@dataclass(frozen=True, slots=True)
class CheckContext:
    """Handed to every check. ``store`` is ``None`` when vetting without a database."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    store: StoreView | None = None
    candidate_key: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
