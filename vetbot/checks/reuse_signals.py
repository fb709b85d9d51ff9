"""Building ``reuse.*`` signals: who else holds the identifier, and how to say it.

Every reuse finding names the other candidates (ATS id, name, band, decision), the kind of
identifier (masked: the card must not spread contact data further than needed) and the
match quality. When every other holder has the candidate's own name, the finding is a
probable duplicate application, not a second persona, and earns a fraction of the points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.checks.reuse_lookup import MAX_LISTED, Other, ReuseLookup, same_person_name, shared_lookup
from vetbot.models.profile import Profile

SAME_NAME_FACTOR = 0.35  # same name, other ATS id: a duplicate application, weaker evidence


def mask(kind: str, value: str) -> str:
    """A recognisable but non-reusable form: ``j***@gmail.com``, ``+4860***567``."""
    if kind in ("email", "reference_email") and "@" in value:
        local, domain = value.split("@", 1)
        return f"{local[:1]}***@{domain}"
    if kind in ("phone", "reference_phone") and len(value) > 6:
        return f"{value[:5]}***{value[-3:]}"
    if kind in ("payment",):
        return "keyed hash " + value[:8]
    if kind in ("address", "shipping", "address_unit", "shipping_unit"):
        # addresses are indexed only as keyed hashes: name the building's hash, never a street
        building, _, unit = value.partition("#")
        return f"the same {'flat' if unit and unit != '-' else 'building'} (key {building[:8]})"
    if kind.startswith("ip"):
        parts = value.split(".")
        return ".".join([*parts[:2], "*", "*"]) if len(parts) == 4 else value.split(":")[0] + ":…"
    if len(value) > 4:
        return value[:3] + "***"
    return "***"


def names_line(others: Sequence[Other], limit: int = 3) -> str:
    shown = ", ".join(o.label for o in others[:limit])
    more = len(others) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def reuse_signal(
    *,
    rule: str,
    what: str,
    kind: str,
    value: str | None,
    others: Sequence[Other],
    candidate_name: str,
    strength: float,
    match: str = "exact",
    extra: dict[str, Any] | None = None,
    source: str | None = None,
    summary: str | None = None,
) -> Signal:
    """A signal naming ``others``; the strength drops when they all carry the candidate's name."""
    all_same = all(same_person_name(candidate_name, o.name) for o in others)
    if all_same:
        strength *= SAME_NAME_FACTOR
    masked = mask(kind, value) if value else None
    text = summary or f"{what} was already given by {names_line(others)}"
    if all_same:
        text += " — same name: possibly a duplicate application rather than another persona"
    evidence: dict[str, Any] = {
        "identifier": kind,
        "match": match,
        "others": [o.to_json() for o in others[:MAX_LISTED]],
        "other_count": len(others),
        "same_name": all_same,
    }
    if masked:
        evidence["value"] = masked
    if extra:
        evidence.update(extra)
    return Signal(
        rule=rule + ("_same_name" if all_same else ""),
        summary=text,
        strength=strength,
        evidence=evidence,
        source=source,
    )


class ReuseCheck(Check):
    """A ``reuse.*`` check: judges the vetting's one shared lookup, synchronously."""

    evidence: ClassVar[Evidence] = Evidence.STRONG
    inline: ClassVar[bool] = True  # local: the lookup reads the embedded store (see Check.inline)

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        lookup = await shared_lookup(profile, context)
        return self.judge(profile, lookup, context)

    def judge(self, profile: Profile, lookup: ReuseLookup, context: CheckContext) -> list[Signal]:
        raise NotImplementedError
