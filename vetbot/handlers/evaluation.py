"""Detection quality on a labelled file (spec: "Labelled evaluation files").

Pure arithmetic over (label, cluster, score, band, finding checks) rows, so the figures can
be tested without a database and reported the same way by ``vetbot eval`` and benchmarks.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Scored:
    label: str  # "fake" | "genuine"
    cluster: str | None
    score: int
    band: str
    checks: frozenset[str]  # ids of checks with at least one finding


@dataclass
class Metrics:
    total: int
    fakes: int
    genuine: int
    recall_medium_or_high: float
    fpr_medium_or_high: float
    recall_high: float
    fpr_high: float
    precision_high: float
    roc_auc: float
    confusion: dict[str, dict[str, int]]
    check_hits: dict[str, dict[str, int]]
    clusters: int = 0
    clusters_detected: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cluster_detection(self) -> float:
        return self.clusters_detected / self.clusters if self.clusters else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "fakes": self.fakes,
            "genuine": self.genuine,
            "recall_medium_or_high": round(self.recall_medium_or_high, 4),
            "fpr_medium_or_high": round(self.fpr_medium_or_high, 4),
            "recall_high": round(self.recall_high, 4),
            "fpr_high": round(self.fpr_high, 4),
            "precision_high": round(self.precision_high, 4),
            "roc_auc": round(self.roc_auc, 4),
            "cluster_detection": round(self.cluster_detection, 4),
            "clusters": self.clusters,
            "clusters_detected": self.clusters_detected,
            "confusion": self.confusion,
            "check_hits": self.check_hits,
        }


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def roc_auc(positives: Sequence[int], negatives: Sequence[int]) -> float:
    """Mann–Whitney AUC with ties counted half: P(score of a fake > score of a genuine)."""
    if not positives or not negatives:
        return 0.0
    ordered = sorted(negatives)
    total = 0.0
    for p in positives:
        lo, hi = bisect.bisect_left(ordered, p), bisect.bisect_right(ordered, p)
        total += lo + 0.5 * (hi - lo)
    return total / (len(positives) * len(negatives))


def compute(rows: Sequence[Scored], *, reuse_prefix: str = "reuse.") -> Metrics:
    fakes = [r for r in rows if r.label == "fake"]
    genuine = [r for r in rows if r.label == "genuine"]
    flagged = {"medium", "high"}
    confusion: dict[str, dict[str, int]] = {
        label: {band: 0 for band in ("low", "medium", "high")} for label in ("fake", "genuine")
    }
    hits: dict[str, dict[str, int]] = defaultdict(lambda: {"fake": 0, "genuine": 0})
    for r in rows:
        if r.label in confusion:
            confusion[r.label][r.band] = confusion[r.label].get(r.band, 0) + 1
            for check in r.checks:
                hits[check][r.label] += 1
    tp_high = sum(r.band == "high" for r in fakes)
    fp_high = sum(r.band == "high" for r in genuine)
    # cluster detection: operator clusters of ≥2 personas where a later persona has a reuse finding
    by_cluster: dict[str, list[Scored]] = defaultdict(list)
    for r in fakes:
        if r.cluster:
            by_cluster[r.cluster].append(r)
    multi = {c: members for c, members in by_cluster.items() if len(members) >= 2}
    detected = sum(
        any(any(ch.startswith(reuse_prefix) for ch in m.checks) for m in members[1:])
        for members in multi.values()
    )
    return Metrics(
        total=len(rows),
        fakes=len(fakes),
        genuine=len(genuine),
        recall_medium_or_high=_ratio(sum(r.band in flagged for r in fakes), len(fakes)),
        fpr_medium_or_high=_ratio(sum(r.band in flagged for r in genuine), len(genuine)),
        recall_high=_ratio(tp_high, len(fakes)),
        fpr_high=_ratio(fp_high, len(genuine)),
        precision_high=_ratio(tp_high, tp_high + fp_high),
        roc_auc=roc_auc([r.score for r in fakes], [r.score for r in genuine]),
        confusion=confusion,
        check_hits=dict(sorted(hits.items())),
        clusters=len(multi),
        clusters_detected=detected,
    )
