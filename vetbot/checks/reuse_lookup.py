"""One identifier-index lookup per vetting, shared by every ``reuse.*`` check.

The reuse checks all ask the same question — which earlier candidates hold one of this
profile's identifiers? — so the first check to run makes ONE ``prior_matches`` call with
every key any of them needs, and the others await the same task. The engine runs checks
concurrently on one event loop: creating the memo has no ``await`` in it, so exactly one
task is started per vetting; it is shielded so that one check's timeout never cancels the
lookup for the others.

Besides a profile's own ``(kind, value)`` pairs, the lookup asks for cross-kind keys:
referee contacts against candidates' own contacts, shipping against home addresses,
application IPs against interview IPs, unit-less flat keys, and every photo chunk one bit
away (``vetbot.normalize.fingerprints``).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vetbot.checks.base import SkipCheck
from vetbot.checks.context import CheckContext, PriorMatch
from vetbot.checks.names import names_compatible
from vetbot.models.profile import Profile
from vetbot.normalize.fingerprints import photo_probe_keys
from vetbot.normalize.identifiers import extract_identifiers
from vetbot.normalize.names import name_tokens

# ``CheckContext.extras`` keys. The vetting service puts the identifiers it will store under
# IDENTIFIERS_KEY, so checks see exactly what is indexed (the payout account's keyed hash
# needs the deployment secret, which checks do not hold).
IDENTIFIERS_KEY = "identifiers"
LOOKUP_KEYS_KEY = "reuse.lookup_keys"  # optional: ``lookup_keys`` already computed by the caller
_MEMO_KEY = "reuse.lookup"

# Stored kinds each own kind is also looked up as.
_CROSS: dict[str, tuple[str, ...]] = {
    "email": ("reference_email",),
    "phone": ("reference_phone",),
    "reference_email": ("email",),
    "reference_phone": ("phone",),
    "address": ("shipping",),
    "shipping": ("address",),
    "address_unit": ("shipping_unit",),
    "shipping_unit": ("address_unit",),
    "ip": ("ip_other",),
    "ip_other": ("ip",),
}
MAX_LISTED = 20  # other candidates named in one finding's evidence


@dataclass(frozen=True, slots=True)
class Other:
    """Another candidate as a finding names them (never the stored key alone)."""

    key: str
    id: str | None
    name: str
    band: str | None
    decision: str | None
    seen_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "band": self.band,
            "decision": self.decision,
            "seen_at": self.seen_at.isoformat() if self.seen_at else None,
        }

    @property
    def label(self) -> str:
        band = f", band {self.band}" if self.band else ""
        return f"{self.name} ({self.id or 'no ATS id'}{band})"


@dataclass
class ReuseLookup:
    """This profile's identifiers and the earlier candidates holding any lookup key."""

    own: dict[str, list[str]]
    matches: Sequence[PriorMatch]
    _index: dict[tuple[str, str], list[PriorMatch]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], dict[str, PriorMatch]] = defaultdict(dict)
        for match in self.matches:
            index[(match.kind, match.value)].setdefault(match.candidate_key, match)
        self._index = {k: list(v.values()) for k, v in index.items()}

    def holders(self, kind: str, value: str) -> list[PriorMatch]:
        """Other candidates whose stored ``kind`` identifier equals ``value`` (one row each)."""
        return self._index.get((kind, value), [])

    def holder_keys(self, kind: str, value: str) -> set[str]:
        return {m.candidate_key for m in self.holders(kind, value)}


def other_of(match: PriorMatch) -> Other:
    seen = match.seen_at
    if seen is not None and seen.tzinfo is None:
        seen = seen.replace(tzinfo=UTC)
    return Other(match.candidate_key, match.candidate_id, match.name, match.band, match.decision, seen)


def distinct_others(matches: Iterable[PriorMatch]) -> list[Other]:
    """One ``Other`` per candidate, earliest sighting first."""
    best: dict[str, Other] = {}
    for match in matches:
        other = other_of(match)
        known = best.get(other.key)
        if known is None or (other.seen_at and known.seen_at and other.seen_at < known.seen_at):
            best[other.key] = other
    return sorted(best.values(), key=lambda o: (o.seen_at or datetime.max.replace(tzinfo=UTC), o.key))


def same_person_name(a: str, b: str) -> bool:
    """Could two names be one person's (a re-application), not two personas?

    Stricter than ``names_compatible``: every token of the shorter name must fit the longer
    one, so two people who only share a family name are *different* names here. Nothing
    reads where a name comes from.
    """
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if sorted(ta) == sorted(tb):
        return True
    ok, similarity = names_compatible(a, b)
    shorter = min(len(ta), len(tb))
    return ok and similarity >= 90.0 and shorter >= 2


def lookup_keys(own: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Every ``(stored kind, value)`` the reuse checks need, each once."""
    keys: dict[tuple[str, str], None] = {}
    for kind, values in own.items():
        for value in values:
            if kind == "photo_chunk":
                continue  # probed below, with the one-bit neighbours
            keys[(kind, value)] = None
            for other_kind in _CROSS.get(kind, ()):
                keys[(other_kind, value)] = None
            if kind in ("address_unit", "shipping_unit"):
                building = value.rsplit("#", 1)[0]
                for unit_kind in ("address_unit", "shipping_unit"):
                    keys[(unit_kind, f"{building}#-")] = None
    for value in own.get("photo", []):
        for key, _index, _distance in photo_probe_keys(int(value, 16)):
            keys[("photo_chunk", key)] = None
    return list(keys)


def grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    own: dict[str, list[str]] = defaultdict(list)
    for kind, value in pairs:
        own[kind].append(value)
    return dict(own)


def lookup_keys_for(identifiers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``lookup_keys`` of extracted identifiers: what a caller preloading for a batch asks for."""
    return lookup_keys(grouped(identifiers))


def _own_identifiers(profile: Profile, context: CheckContext) -> dict[str, list[str]]:
    given = context.extras.get(IDENTIFIERS_KEY)
    pairs: Iterable[tuple[str, str]] = (
        given if given is not None else extract_identifiers(profile, b"")  # no secret: no payment key
    )
    return grouped(pairs)


async def _load(profile: Profile, context: CheckContext) -> ReuseLookup:
    own = _own_identifiers(profile, context)
    given = context.extras.get(LOOKUP_KEYS_KEY)
    keys: list[tuple[str, str]] = given if given is not None else lookup_keys(own)
    store = context.store
    if store is None or not keys:
        return ReuseLookup(own, [])
    matches = await store.prior_matches(keys, exclude_candidate=context.candidate_key)
    return ReuseLookup(own, matches)


async def shared_lookup(profile: Profile, context: CheckContext) -> ReuseLookup:
    """The one lookup of this vetting; raises ``SkipCheck`` without a store."""
    if context.store is None:
        raise SkipCheck("no candidate store to compare with")
    task = context.extras.get(_MEMO_KEY)
    if task is None:
        task = asyncio.ensure_future(_load(profile, context))
        context.extras[_MEMO_KEY] = task
    if task.done():  # the first reuse check loaded it; the others need no shield
        done: ReuseLookup = task.result()
        return done
    result: ReuseLookup = await asyncio.shield(task)
    return result
