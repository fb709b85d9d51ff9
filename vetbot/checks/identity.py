"""``identity.name_consistency``: do the persona's names agree across its documents?

Operators running many personas mix up which name goes with which inbox, profile or bank
account (State/Treasury/FBI advisory 2022 [G1]; FBI PSA 2023 [G2]; Mandiant 2024 [V1]).
Strong evidence when a *document* (ID, bank account, LinkedIn) carries another name; weaker
when an e-mail address or GitHub handle is shaped like someone else's name.

Benign look-alikes, and how they stay quiet: nicknames and preferred names, married or
maiden names (a shared given or family name is compatible), initials, reversed order
(``KOWALSKI Jan``), accents and transliteration (``Nikolić``/``nikolic``). Handles that are
not name-shaped (``ninjamaple``) are never read as a contradiction. Every name is treated
the same way: nothing here reads the origin or script of a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.checks.names import handle_fits_name, names_compatible
from vetbot.models.profile import Profile
from vetbot.normalize.email import parse_email
from vetbot.normalize.handles import handle_segments, is_name_shaped, linkedin_slug


class NameConsistency(Check):
    """Weight 60, strong evidence (calibrated up from 50 on the dev set: a different name on an
    ID or bank document is one of the most specific tells). Strengths per rule:

    - ``other_name`` 0.8 — an ID/bank/LinkedIn name sharing nothing with the claimed name;
    - ``account_holder`` 0.8 — the payout account names someone else (pay to a third party);
    - ``linkedin`` 0.6 — the LinkedIn slug is a different, name-shaped name;
    - ``email`` 0.5 — the e-mail local part is a different, name-shaped name;
    - ``github`` 0.3 — the GitHub handle is a different, name-shaped name (handles are often
      chosen freely, so it is only corroboration).
    Several contradictions compound through noisy-OR; each names both strings and their
    similarity (rapidfuzz token-sort ratio on folded tokens).
    """

    id: ClassVar[str] = "identity.name_consistency"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "Names agree across documents, accounts and handles"
    weight: ClassVar[int] = 60
    evidence: ClassVar[Evidence] = Evidence.STRONG
    inputs: ClassVar[tuple[str, ...]] = (
        "other_names",
        "email",
        "github",
        "linkedin",
        "payment.account_holder",
    )
    source: ClassVar[str] = sources.G1

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        name = profile.name
        signals: list[Signal] = []
        for other in profile.other_names:
            ok, similarity = names_compatible(name, other)
            if not ok:
                signals.append(
                    self._full_name("other_name", "another document or profile", name, other, similarity)
                )
        holder = profile.payment.account_holder if profile.payment else None
        if holder:
            known = [name, *profile.other_names]
            verdicts = [names_compatible(n, holder) for n in known]
            if not any(ok for ok, _ in verdicts):
                best = max(s for _, s in verdicts)
                signals.append(self._full_name("account_holder", "the payout account", name, holder, best))
        handles: list[tuple[str, str, str, float]] = []
        if profile.linkedin:
            handles.append(("linkedin", "LinkedIn profile", linkedin_slug(profile.linkedin), 0.6))
        if profile.email and parse_email(profile.email):
            handles.append(("email", "e-mail address", profile.email.split("@", 1)[0], 0.5))
        if profile.github:
            handles.append(("github", "GitHub handle", profile.github, 0.3))
        for rule, label, handle, strength in handles:
            segments = handle_segments(handle)
            if not is_name_shaped(segments):
                continue
            fits = [handle_fits_name(segments, n) for n in (name, *profile.other_names)]
            if not any(ok for ok, _ in fits):
                best = max(s for _, s in fits)
                signals.append(
                    Signal(
                        rule=rule,
                        strength=strength,
                        summary=f"The {label} reads as another name ({' '.join(segments)!r}) than {name!r}",
                        evidence={
                            "compared": [name, handle],
                            "read_as": " ".join(segments),
                            "similarity": round(best, 1),
                        },
                        source=sources.G1 if rule != "email" else sources.V5,
                    )
                )
        return signals

    @staticmethod
    def _full_name(rule: str, where: str, name: str, other: str, similarity: float) -> Signal:
        return Signal(
            rule=rule,
            strength=0.8,
            summary=f"Name on {where} ({other!r}) does not match the candidate's name ({name!r})",
            evidence={"compared": [name, other], "similarity": round(similarity, 1)},
            source=sources.G2 if rule == "account_holder" else sources.G1,
        )


CHECKS: list[Check] = [NameConsistency()]
