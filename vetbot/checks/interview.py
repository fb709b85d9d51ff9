"""``interview.observations``: what the interviewer saw, as structured yes/no observations.

Each observation that is true is one signal with its own strength and source, following
the catalogue: camera kept off, a refused live ID check and relayed/read-out answers are
named by the US–ROK PSA [G2], BfV [G7], Secureworks [V9] and Recorded Future [V13]; a face
that changes between rounds by the FBI [G4]; lip-sync or voice artefacts by FBI and Pindrop
[G4][V15]; insisting on unusual hours is anecdotal [G1].

Benign look-alikes the strengths allow for: bandwidth and broken cameras, disability,
nerves, non-native speech, lag on a bad line, fallible human face judgement, people with
clients in other time zones. Interviewers record observations, not conclusions, so the
strengths stay below what a document contradiction earns.

Not scored here: ``asked_ship_elsewhere`` and ``asked_payment_change`` belong to
``offer.shipping`` and ``offer.payment`` (one fact, one finding). Free-text ``notes`` emit
no finding at all — not even a zero-point one: free text is not a structured observation,
cannot be weighed reproducibly, may carry impressions about accent or manner that must
never become evidence (signals.md, Fairness 5), and a zero-point "finding" would still be
counted as a finding by reports and evaluation. The card shows the notes from the profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.models.profile import Profile


@dataclass(frozen=True, slots=True)
class Observation:
    field: str
    strength: float
    summary: str
    source: str


# Points at the default weight 50 in brackets.
OBSERVATIONS: tuple[Observation, ...] = (
    # A different real person may have passed the ID check: the closest thing to proof.
    Observation(
        "different_person_suspected",
        0.9,
        "Interviewer suspects a different person between rounds",
        sources.G4,
    ),  # 45
    Observation("refused_live_id", 0.8, "Candidate refused a live ID check on camera", sources.G2),  # 40
    Observation("answers_relayed", 0.7, "Answers seemed read out, relayed or AI-generated", sources.G2),  # 35
    # Very common among honest candidates (bandwidth, broken camera): strong source, lower
    # share, 0.5 (25): bandwidth, disability and broken cameras are common; 4 of 190 genuine dev-set
    # candidates had it, so alone it must stay well below medium
    Observation("camera_off", 0.5, "Candidate kept the camera off", sources.G2),  # 25
    Observation(
        "audio_video_mismatch", 0.5, "Audio and video did not match (lip-sync, voice)", sources.G4
    ),  # 25
    # Weak: night owls and clients abroad; location.timezone may read this too.
    Observation(
        "insisted_unusual_hours", 0.2, "Candidate insisted on unusual working hours", sources.G1
    ),  # 10
)


class Observations(Check):
    """Weight 50 (the strong rows of the catalogue); each observation earns its own share:
    different person 0.9, refused live ID 0.8, relayed answers 0.7, camera off 0.6 (strong
    sources, frequent innocent causes), audio/video mismatch 0.5 (moderate), unusual hours
    0.2 (weak, 10 points: never medium alone). Skipped when no observation was recorded.
    """

    id: ClassVar[str] = "interview.observations"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "The interviewer's structured observations"
    weight: ClassVar[int] = 50
    evidence: ClassVar[Evidence] = Evidence.STRONG
    inputs: ClassVar[tuple[str, ...]] = tuple(f"interview.{o.field}" for o in OBSERVATIONS)
    source: ClassVar[str] = sources.G2

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        interview = profile.interview
        if interview is None:
            return []
        return [
            Signal(
                rule=o.field,
                summary=o.summary,
                strength=o.strength,
                evidence={f"interview.{o.field}": True},
                source=o.source,
            )
            for o in OBSERVATIONS
            if getattr(interview, o.field) is True
        ]


CHECKS: list[Check] = [Observations()]
