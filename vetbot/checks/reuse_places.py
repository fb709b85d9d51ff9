"""``reuse.address`` and ``reuse.shipping``: homes and laptop drops shared between personas.

Addresses are compared on two keys (``vetbot.normalize.address_key``): the building and
the flat. Same flat, or one side giving no flat, is a match; two different flats in one
building are neighbours and never a finding. A home that is also both people's shipping
address is a household, left to ``reuse.address`` so that it is not counted twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from vetbot.checks import sources
from vetbot.checks.base import Signal
from vetbot.checks.context import CheckContext
from vetbot.checks.reuse_lookup import ReuseLookup, distinct_others
from vetbot.checks.reuse_signals import ReuseCheck, names_line, reuse_signal
from vetbot.models.profile import Profile

SHIPPING_WINDOW = timedelta(days=180)  # laptop-farm window: several personas, one address


def _flat_relation(lookup: ReuseLookup, unit_kind: str, own_flat: str, other: str) -> str | None:
    """How another holder of the same building relates: same flat, unknown flat, or other flat."""
    building, unit = own_flat.rsplit("#", 1)
    if unit != "-" and other in lookup.holder_keys(unit_kind, own_flat):
        return "same flat"
    if other in lookup.holder_keys(unit_kind, f"{building}#-"):
        return "same address" if unit == "-" else "same building, flat not given"
    if unit == "-":
        return "same building, flat not given"
    return None  # same building, another flat: neighbours, not reuse


def at_address(lookup: ReuseLookup, own_kind: str, stored_kind: str) -> dict[str, str]:
    """Other candidates whose ``stored_kind`` address is this profile's ``own_kind`` address."""
    found: dict[str, str] = {}
    unit_kind = f"{stored_kind}_unit"
    for flat in lookup.own.get(f"{own_kind}_unit", []):
        building = flat.rsplit("#", 1)[0]
        for match in lookup.holders(stored_kind, building):
            relation = _flat_relation(lookup, unit_kind, flat, match.candidate_key)
            if relation:
                found.setdefault(match.candidate_key, relation)
    return found


class AddressReuse(ReuseCheck):
    """Weight 60: another candidate's home is this candidate's home.

    Strength 0.45 (27 points) for one other person: a household — family, flatmates, a
    couple both applying — is the commonest benign look-alike, so one shared home is
    corroboration, never a band on its own (on the dev set it hit one genuine household and
    no operator). 0.85 for two others, 1.0 for three or more (a house full of applicants,
    a mail drop). "Same building, flat not given" earns 0.6 of that; two different
    flats in one building are neighbours, not a finding.
    """

    id: ClassVar[str] = "reuse.address"
    title: ClassVar[str] = "Home address shared with other candidates"
    weight: ClassVar[int] = 60
    inputs: ClassVar[tuple[str, ...]] = ("home_address",)
    source: ClassVar[str] = sources.G4

    def judge(self, profile: Profile, lookup: ReuseLookup, context: CheckContext) -> list[Signal]:
        homes = at_address(lookup, "address", "address")
        if not homes:
            return []
        matches = [m for b in lookup.own.get("address", []) for m in lookup.holders("address", b)]
        others = [o for o in distinct_others(matches) if o.key in homes]
        strength = {1: 0.45, 2: 0.85}.get(len(others), 1.0)
        if all(homes[o.key] == "same building, flat not given" for o in others):
            strength *= 0.6
        relations = {o.id or o.name: homes[o.key] for o in others}
        return [
            reuse_signal(
                rule="home",
                what="The home address",
                kind="address",
                value=lookup.own["address"][0],
                others=others,
                candidate_name=profile.name,
                strength=strength,
                extra={"relation": relations},
            )
        ]


class ShippingReuse(ReuseCheck):
    """Weight 75: laptop farms — one shipping address behind several personas.

    - ``shared_shipping``: other candidates ship to this shipping address within 180 days:
      one other 0.75 (56 points; a co-working hub or an agency does this too), two or more
      1.0 (three personas, one drop: the DOJ laptop-farm pattern); older sightings 0.5.
    - ``ships_to_home``: the laptop goes to another candidate's home (not this candidate's
      own) 0.85.
    - ``home_receives``: another candidate's laptop is sent to this candidate's home 0.6.
    A shared home that is also both people's shipping address is left to ``reuse.address``.
    """

    id: ClassVar[str] = "reuse.shipping"
    title: ClassVar[str] = "Laptop shipping address used by other candidates"
    weight: ClassVar[int] = 75
    inputs: ClassVar[tuple[str, ...]] = ("shipping_address", "home_address")
    source: ClassVar[str] = sources.G9

    def judge(self, profile: Profile, lookup: ReuseLookup, context: CheckContext) -> list[Signal]:
        own_home = set(lookup.own.get("address", []))
        own_ship = lookup.own.get("shipping", [])
        ship_is_home = bool(own_ship) and own_ship[0] in own_home
        signals: list[Signal] = []
        if own_ship:
            shippers = at_address(lookup, "shipping", "shipping")
            homes_here = at_address(lookup, "shipping", "address")
            if ship_is_home:  # both live and receive there: a shared home, not a drop
                shippers = {k: v for k, v in shippers.items() if k not in homes_here}
            matches = lookup.holders("shipping", own_ship[0])
            others = [o for o in distinct_others(matches) if o.key in shippers]
            recent = [o for o in others if not o.seen_at or context.now - o.seen_at <= SHIPPING_WINDOW]
            if others:
                strength = 1.0 if len(recent) >= 2 else 0.75 if recent else 0.5
                signals.append(
                    reuse_signal(
                        rule="shared_shipping",
                        what="The laptop shipping address",
                        kind="shipping",
                        value=own_ship[0],
                        others=others,
                        candidate_name=profile.name,
                        strength=strength,
                        extra={"within_days": SHIPPING_WINDOW.days, "recent": len(recent)},
                    )
                )
            if not ship_is_home and homes_here:
                owners = [
                    o for o in distinct_others(lookup.holders("address", own_ship[0])) if o.key in homes_here
                ]
                signals.append(
                    reuse_signal(
                        rule="ships_to_home",
                        what="The laptop shipping address",
                        kind="shipping",
                        value=own_ship[0],
                        others=owners,
                        candidate_name=profile.name,
                        strength=0.85,
                        summary=f"The laptop is to be shipped to the home of {names_line(owners)}",
                    )
                )
        if own_home:
            senders = at_address(lookup, "address", "shipping")
            home_of_theirs = at_address(lookup, "address", "address")
            senders = {k: v for k, v in senders.items() if k not in home_of_theirs}
            if senders:
                home = next(iter(own_home))
                others = [o for o in distinct_others(lookup.holders("shipping", home)) if o.key in senders]
                signals.append(
                    reuse_signal(
                        rule="home_receives",
                        what="The home address",
                        kind="address",
                        value=home,
                        others=others,
                        candidate_name=profile.name,
                        strength=0.6,
                        summary=f"Laptops of {names_line(others)} are to be shipped to this candidate's home",
                    )
                )
        return signals
