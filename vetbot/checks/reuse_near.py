"""``reuse.photo`` and ``reuse.resume``: near duplicates found through exact index keys.

Both read keys the shared lookup already fetched (photo chunks one bit around ours, résumé
LSH bands), so they cost no query of their own. See ``vetbot.normalize.fingerprints`` for
why the keys are shaped as they are and what the measured error rates are.
"""

from __future__ import annotations

from collections import defaultdict
from typing import ClassVar

from vetbot.checks import sources
from vetbot.checks.base import Evidence, Signal
from vetbot.checks.context import CheckContext
from vetbot.checks.reuse_lookup import Other, ReuseLookup, distinct_others
from vetbot.checks.reuse_signals import ReuseCheck, reuse_signal
from vetbot.models.profile import Profile
from vetbot.normalize.fingerprints import BANDS, CHUNKS, estimated_similarity, photo_probe_keys

PHOTO_MAX_DISTANCE = 5  # Hamming bits out of 64; the dev set's reused photos differ by ≤ 4
PLACEHOLDER_CROWD = 8  # one identical image behind this many others: a default avatar
DEGENERATE_BITS = 6  # a pHash with ≤ 6 bits set (or unset) comes from a blank or flat image
RESUME_MIN_BANDS = 2


def photo_distances(lookup: ReuseLookup, own_hex: str) -> dict[str, tuple[int, int]]:
    """Per other candidate: (distance lower bound, chunks seen) from the chunks that came back.

    The probe returns a chunk of the other hash when it is within one bit of ours, so with
    all four back the distance is exact; each missing chunk differs by at least two bits.
    Candidates with fewer than two chunks back are dropped (one 16-bit coincidence in
    65,536 is noise at scale).
    """
    per_chunk: dict[str, dict[int, int]] = defaultdict(dict)
    for key, index, distance in photo_probe_keys(int(own_hex, 16)):
        for match in lookup.holders("photo_chunk", key):
            known = per_chunk[match.candidate_key].get(index)
            if known is None or distance < known:
                per_chunk[match.candidate_key][index] = distance
    out: dict[str, tuple[int, int]] = {key: (0, CHUNKS) for key in lookup.holder_keys("photo", own_hex)}
    for key, chunks in per_chunk.items():
        if key in out or len(chunks) < 2:
            continue
        bound = sum(chunks.values()) + 2 * (CHUNKS - len(chunks))
        if bound <= PHOTO_MAX_DISTANCE:
            out[key] = (bound, len(chunks))
    return out


def _degenerate(value: int) -> bool:
    bits = value.bit_count()
    return bits <= DEGENERATE_BITS or bits >= 64 - DEGENERATE_BITS


def _photo_strength(distance: int, chunks: int) -> float:
    if chunks == CHUNKS:  # exact distance
        return 1.0 if distance == 0 else 0.95 if distance <= 2 else 0.85 if distance <= 4 else 0.7
    if chunks == CHUNKS - 1:  # three quarters within a bit: ~10⁻¹⁰ by chance
        return 0.75
    return 0.5  # half the hash identical, the rest unknown: a partial match


class PhotoReuse(ReuseCheck):
    """Weight 80: the same face image (pHash) under another name is near-conclusive.

    Exact distance (all four 16-bit quarters within one bit): 1.0 at 0, 0.95 at ≤ 2, 0.85
    at 3–4, 0.7 at 5. Three quarters within a bit, one unknown: 0.75. Two identical
    quarters, two unknown ("partial"): 0.5. A default avatar or placeholder — a blank or
    flat image (≤ 6 bits set or unset), or one identical image behind eight or more others —
    0.2. Several *edited* copies of one photo are an operator's habit, not a placeholder.
    """

    id: ClassVar[str] = "reuse.photo"
    title: ClassVar[str] = "Photo (perceptual hash) already used by another candidate"
    weight: ClassVar[int] = 80
    inputs: ClassVar[tuple[str, ...]] = ("photo",)
    source: ClassVar[str] = sources.G2

    def judge(self, profile: Profile, lookup: ReuseLookup, context: CheckContext) -> list[Signal]:
        own = lookup.own.get("photo", [])
        if not own:
            return []
        found = photo_distances(lookup, own[0])
        if not found:
            return []
        matches = [m for m in lookup.matches if m.candidate_key in found and m.kind.startswith("photo")]
        others = sorted(distinct_others(matches), key=lambda o: (found[o.key][0], -found[o.key][1]))
        best_distance, best_chunks = found[others[0].key]
        strength = _photo_strength(best_distance, best_chunks)
        placeholder = _degenerate(int(own[0], 16)) or (
            len(others) >= PLACEHOLDER_CROWD and all(found[o.key] == (0, CHUNKS) for o in others)
        )
        if placeholder:
            strength = 0.2
        exact = best_chunks == CHUNKS
        quality = "exact" if exact and best_distance == 0 else "near" if exact else "partial"
        distance_text = (
            f"Hamming distance {best_distance} of 64 bits"
            if exact
            else f"{best_chunks} of {CHUNKS} quarters within one bit, distance ≥ {best_distance}"
        )
        return [
            reuse_signal(
                rule="placeholder" if placeholder else "photo",
                what=f"The photo ({quality}: {distance_text})",
                kind="photo",
                value=None,
                others=others,
                candidate_name=profile.name,
                strength=strength,
                match=quality,
                extra={
                    "distance": {o.id or o.name: found[o.key][0] for o in others},
                    "distance_exact": exact,
                    "quarters_matched": {o.id or o.name: found[o.key][1] for o in others},
                    "max_distance": PHOTO_MAX_DISTANCE,
                },
            )
        ]


class ResumeReuse(ReuseCheck):
    """Weight 50, moderate: a near-duplicate résumé under another name.

    Agencies and bootcamps share templates, so this needs ≥ 2 of 32 LSH bands (Jaccard of
    5-word shingles ≳ 0.35, measured: unrelated résumés ≤ 0.10). Strength 1.0 at estimated
    similarity ≥ 0.7, 0.8 at ≥ 0.5, 0.6 below.
    """

    id: ClassVar[str] = "reuse.resume"
    title: ClassVar[str] = "Résumé near-duplicate of another candidate's"
    weight: ClassVar[int] = 50
    evidence: ClassVar[Evidence] = Evidence.MODERATE
    inputs: ClassVar[tuple[str, ...]] = ("resume_text",)
    source: ClassVar[str] = sources.G1

    def judge(self, profile: Profile, lookup: ReuseLookup, context: CheckContext) -> list[Signal]:
        shared: dict[str, int] = defaultdict(int)
        for band in lookup.own.get("resume_lsh", []):
            for match in lookup.holders("resume_lsh", band):
                shared[match.candidate_key] += 1
        close = {k: n for k, n in shared.items() if n >= RESUME_MIN_BANDS}
        if not close:
            return []
        matches = [m for m in lookup.matches if m.kind == "resume_lsh" and m.candidate_key in close]
        others: list[Other] = sorted(distinct_others(matches), key=lambda o: -close[o.key])
        similarity = estimated_similarity(max(close.values()))
        strength = 1.0 if similarity >= 0.7 else 0.8 if similarity >= 0.5 else 0.6
        return [
            reuse_signal(
                rule="resume",
                what=f"A near-duplicate résumé (estimated similarity {similarity:.2f})",
                kind="resume_lsh",
                value=None,
                others=others,
                candidate_name=profile.name,
                strength=strength,
                match="near",
                summary=None,
                extra={
                    "similarity": {
                        o.id or o.name: round(estimated_similarity(close[o.key]), 2) for o in others
                    },
                    "shared_bands": {o.id or o.name: close[o.key] for o in others},
                    "bands": BANDS,
                },
            )
        ]
