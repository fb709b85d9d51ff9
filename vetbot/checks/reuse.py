"""``reuse.*``: identifiers this persona shares with earlier candidates under other names.

One operator runs many personas, and the same inbox, phone, payout account, photo, résumé,
laptop-shipping address or interview connection comes back under different names: the
strongest public evidence there is (FBI PSA 2025-01 [G4] asks employers to cross-check
applicants; Mandiant saw two "employees" on one IP [V16]; DOJ laptop-farm cases [G9]).

All checks share one indexed lookup per vetting (``reuse_lookup``). A finding needs an
identifier held by a *different* candidate key (a re-vet under the same ATS id is the same
candidate). Another name is the strong case; the same name under another ATS id is scored
as a probable duplicate application (``SAME_NAME_FACTOR``). Names are never used to link:
only identifiers are, so people who merely share a family name are never connected.

Benign look-alikes and how they stay below the high band on their own: family or
flatmates at one home (``reuse.address`` ≤ 60), a co-working hub as two people's shipping
address (``reuse.shipping`` 56), an office NAT or VPN exit behind many candidates (its
strength drops as the crowd grows), ex-colleagues sharing a referee (``reuse.references``
30), common CV templates (``reuse.resume`` needs ≥ 2 of 32 LSH bands, J ≳ 0.35).
"""

from __future__ import annotations

from typing import ClassVar

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.checks.reuse_lookup import Other, ReuseLookup, distinct_others
from vetbot.checks.reuse_near import PhotoReuse, ResumeReuse
from vetbot.checks.reuse_places import AddressReuse, ShippingReuse, at_address
from vetbot.checks.reuse_signals import ReuseCheck, names_line, reuse_signal
from vetbot.models.profile import Profile

CROWD = 4  # this many other candidates behind one IP looks like an office NAT or VPN exit


class ContactReuse(ReuseCheck):
    """Weight 85: one inbox or phone under two names is near-conclusive alone.

    Strength 1.0 for the e-mail mailbox (dots/``+tags`` folded), 0.95 for the E.164 phone
    (numbers are recycled, rarely between two applicants).
    """

    id: ClassVar[str] = "reuse.contact"
    title: ClassVar[str] = "E-mail or phone already used by another candidate"
    weight: ClassVar[int] = 85
    inputs: ClassVar[tuple[str, ...]] = ("email", "phone")
    source: ClassVar[str] = sources.G4

    def judge(self, profile: Profile, lookup: ReuseLookup, context: CheckContext) -> list[Signal]:
        signals: list[Signal] = []
        for kind, label, strength in (
            ("email", "The e-mail mailbox", 1.0),
            ("phone", "The phone number", 0.95),
        ):
            for value in lookup.own.get(kind, []):
                others = distinct_others(lookup.holders(kind, value))
                if others:
                    signals.append(
                        reuse_signal(
                            rule=kind,
                            what=label,
                            kind=kind,
                            value=value,
                            others=others,
                            candidate_name=profile.name,
                            strength=strength,
                        )
                    )
        return signals


class PaymentReuse(ReuseCheck):
    """Weight 85: one payout account (keyed hash) behind two personas is near-conclusive."""

    id: ClassVar[str] = "reuse.payment"
    title: ClassVar[str] = "Payout account already given by another candidate"
    weight: ClassVar[int] = 85
    inputs: ClassVar[tuple[str, ...]] = ("payment.account_id",)
    source: ClassVar[str] = sources.G4

    def judge(self, profile: Profile, lookup: ReuseLookup, context: CheckContext) -> list[Signal]:
        signals = []
        for value in lookup.own.get("payment", []):
            others = distinct_others(lookup.holders("payment", value))
            if others:
                signals.append(
                    reuse_signal(
                        rule="payment",
                        what="The payout account",
                        kind="payment",
                        value=value,
                        others=others,
                        candidate_name=profile.name,
                        strength=1.0,
                    )
                )
        return signals


class NetworkReuse(ReuseCheck):
    """Weight 70: the same connection at interview or ID check as another candidate.

    Interview/ID-check/first-login IP shared with another's: 0.8 for one other, 0.9 for two
    or three; from four others on it looks like an office NAT or a VPN exit: 0.5. One side
    only at application: 0.5. Both only at application (VPN exits, public Wi-Fi): 0.3.
    Quartered when every other holder shares this candidate's home (one household, one
    router: the shared address is already scored once, by ``reuse.address``).
    """

    id: ClassVar[str] = "reuse.network"
    title: ClassVar[str] = "Interview connection shared with other candidates"
    weight: ClassVar[int] = 70
    inputs: ClassVar[tuple[str, ...]] = ("ip_addresses",)
    source: ClassVar[str] = sources.V16

    def judge(self, profile: Profile, lookup: ReuseLookup, context: CheckContext) -> list[Signal]:
        signals: list[Signal] = []
        housemates = set(at_address(lookup, "address", "address"))
        for own_kind in ("ip", "ip_other"):
            for value in lookup.own.get(own_kind, []):
                strong = distinct_others(lookup.holders("ip", value))
                weak = distinct_others(lookup.holders("ip_other", value))
                strong_keys = {o.key for o in strong}
                weak = [o for o in weak if o.key not in strong_keys]
                everyone = strong + weak
                if not everyone:
                    continue
                both_present = own_kind == "ip" and strong
                if both_present:
                    strength = 0.8 if len(everyone) == 1 else 0.9
                elif own_kind == "ip" or strong:
                    strength = 0.5
                else:
                    strength = 0.3
                crowd = len(everyone) >= CROWD
                if crowd:
                    strength = min(strength, 0.5 if both_present else 0.2)
                household = housemates & {o.key for o in everyone}
                if household and len(household) == len(everyone):
                    strength *= 0.25  # people who share a home share its connection
                contexts = "interview or ID check" if both_present else "application"
                signals.append(
                    reuse_signal(
                        rule="interview_ip" if both_present else "application_ip",
                        what=f"The IP address seen at {contexts}",
                        kind=own_kind,
                        value=value,
                        others=everyone,
                        candidate_name=profile.name,
                        strength=strength,
                        extra={
                            "crowd": crowd,
                            "household": bool(household),
                            "own_context": "in person" if own_kind == "ip" else "other",
                        },
                    )
                )
        return signals


class HandleReuse(ReuseCheck):
    """Weight 75: an online account (one per handle and site) claimed under two names.

    GitHub and LinkedIn 1.0; other sites 0.8 (handles there are reused more loosely).
    """

    id: ClassVar[str] = "reuse.handles"
    title: ClassVar[str] = "Online account already claimed by another candidate"
    weight: ClassVar[int] = 75
    inputs: ClassVar[tuple[str, ...]] = ("github", "linkedin", "online_accounts")
    source: ClassVar[str] = sources.G4
    _NOT_HANDLES: ClassVar[frozenset[str]] = frozenset(
        {
            "email",
            "phone",
            "reference_email",
            "reference_phone",
            "address",
            "address_unit",
            "shipping",
            "shipping_unit",
            "payment",
            "ip",
            "ip_other",
            "photo",
            "photo_chunk",
            "resume_lsh",
        }
    )

    def judge(self, profile: Profile, lookup: ReuseLookup, context: CheckContext) -> list[Signal]:
        signals: list[Signal] = []
        for kind, values in lookup.own.items():
            if kind in self._NOT_HANDLES:
                continue
            for value in values:
                others = distinct_others(lookup.holders(kind, value))
                if others:
                    signals.append(
                        reuse_signal(
                            rule=kind if kind in ("github", "linkedin") else "other_site",
                            what=f"The {kind} account {value!r}",
                            kind=kind,
                            value=None,
                            others=others,
                            candidate_name=profile.name,
                            strength=1.0 if kind in ("github", "linkedin") else 0.8,
                            extra={"site": kind, "handle": value},
                        )
                    )
        return signals


class ReferenceReuse(ReuseCheck):
    """Weight 50, moderate: referees that tie personas together.

    ``referee_is_candidate`` 0.8 — a referee's contact is another candidate's own;
    ``listed_as_referee`` 0.5 — this candidate's contact is another's referee;
    ``shared_referee`` 0.6 for one other candidate, 0.8 for two or more (ex-colleagues
    share a manager, so one shared referee alone stays low).
    """

    id: ClassVar[str] = "reuse.references"
    title: ClassVar[str] = "Referees shared with other candidates"
    weight: ClassVar[int] = 50
    evidence: ClassVar[Evidence] = Evidence.MODERATE
    inputs: ClassVar[tuple[str, ...]] = ("references", "email", "phone")
    source: ClassVar[str] = sources.G1

    def judge(self, profile: Profile, lookup: ReuseLookup, context: CheckContext) -> list[Signal]:
        signals: list[Signal] = []
        pairs = (("reference_email", "email"), ("reference_phone", "phone"))
        for ref_kind, own_kind in pairs:
            for value in lookup.own.get(ref_kind, []):
                owners = distinct_others(lookup.holders(own_kind, value))
                if owners:
                    signals.append(self._one("referee_is_candidate", ref_kind, value, owners, profile, 0.8))
                sharing = distinct_others(lookup.holders(ref_kind, value))
                if sharing:
                    strength = 0.6 if len(sharing) == 1 else 0.8
                    signals.append(self._one("shared_referee", ref_kind, value, sharing, profile, strength))
            for value in lookup.own.get(own_kind, []):
                listing = distinct_others(lookup.holders(ref_kind, value))
                if listing:
                    signals.append(self._one("listed_as_referee", own_kind, value, listing, profile, 0.5))
        return _strongest_per_rule(signals)

    @staticmethod
    def _one(
        rule: str, kind: str, value: str, others: list[Other], profile: Profile, strength: float
    ) -> Signal:
        what = {
            "referee_is_candidate": "A referee's contact is the own contact of another candidate:",
            "shared_referee": "A referee's contact",
            "listed_as_referee": "This candidate's contact is listed as a referee by",
        }[rule]
        summary = (
            f"{what} {names_line(others)}"
            if rule != "shared_referee"
            else f"A referee's contact is also a referee of {names_line(others)}"
        )
        return reuse_signal(
            rule=rule,
            what=what,
            kind=kind,
            value=value,
            others=others,
            candidate_name=profile.name,
            strength=strength,
            summary=summary,
        )


def _strongest_per_rule(signals: list[Signal]) -> list[Signal]:
    """One referee shared by e-mail and by phone is one fact: keep the strongest per rule."""
    best: dict[str, Signal] = {}
    for signal in signals:
        known = best.get(signal.rule)
        if known is None or signal.strength > known.strength:
            best[signal.rule] = signal
    return list(best.values())


CHECKS: list[Check] = [
    ContactReuse(),
    PaymentReuse(),
    PhotoReuse(),
    HandleReuse(),
    ShippingReuse(),
    AddressReuse(),
    NetworkReuse(),
    ResumeReuse(),
    ReferenceReuse(),
]
