"""``history.timeline``: does the claimed career fit together in time?

DTEX saw applicants whose work history could not have happened as written [V18]; Mandiant
describes invented employment histories [V1]. A fabricated résumé is assembled from parts,
and the parts do not always line up: two full-time jobs at once, more years claimed than the
jobs add up to, a senior role years before a first degree began.

Benign look-alikes, and how they stay quiet: job changes (a notice period or a start before
the old contract ends — overlaps up to three months are ignored), part-time, freelance,
contract and self-employed work alongside a job (never counted as an overlap), internships
and side work the candidate counts as experience (two years and half the span of slack),
rounding, mature students and degrees taken while working (only a *senior* role starting
years before a first degree begins is read, and weakly). Where the jobs were — a relocation
— is never compared: this check reads dates and titles only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import ClassVar

from vetbot.checks import sources
from vetbot.checks.base import Check, Evidence, Signal, SkipCheck
from vetbot.checks.context import CheckContext
from vetbot.models.profile import Job, Profile
from vetbot.normalize.text import fold

OVERLAP_NOISE_MONTHS = 3  # notice periods and handovers
YEARS_SLACK = 2.0  # rounding, internships, side work counted as experience
YEARS_RATIO = 1.5
SENIOR_LEAD_YEARS = 2  # a senior role must start this long before a first degree to count

_NOT_FULL_TIME = re.compile(
    r"\b(part[- ]?time|freelance\w*|self[- ]employed|contract(or)?|consult(ant|ing)|"
    r"volunteer\w*|intern(ship)?|trainee|apprentice|side project|moonlighting|"
    r"working student|student|teaching assistant|research assistant|tutor)\b"
)
_SENIOR = re.compile(r"\b(senior|sr|lead|principal|staff|head|director|chief|architect|manager|vp|cto|cio)\b")
_ENTRY = re.compile(r"\b(junior|jr|intern|internship|trainee|graduate|entry[- ]level|apprentice)\b")
_FIRST_DEGREE = re.compile(r"\b(bsc|beng|ba|bs|bachelor\w*|licen[cs]e|associate|undergraduate)\b")


def month_index(value: str, *, late: bool = False) -> int:
    """``"2021-03"`` → months since year 0; a bare year is read as January (or December)."""
    year, _, month = value.partition("-")
    return int(year) * 12 + (int(month) - 1 if month else (11 if late else 0))


@dataclass(frozen=True, slots=True)
class _Span:
    index: int
    label: str
    start: int
    end: int
    full_time: bool
    title: str


def _spans(jobs: Sequence[Job], now: int) -> list[_Span]:
    out: list[_Span] = []
    for i, job in enumerate(jobs):
        if not job.start:
            continue
        start = month_index(job.start)
        end = month_index(job.end) if job.end else now
        text = fold(" ".join(p for p in (job.title, job.company) if p))
        label = " at ".join(p for p in (job.title, job.company) if p) or f"job {i + 1}"
        full_time = not _NOT_FULL_TIME.search(text)
        out.append(_Span(i, label, start, max(start, end), full_time, fold(job.title or "")))
    return out


class Timeline(Check):
    """Weight 36, moderate evidence (one IR source per rule [V18][V1]); no genuine dev-set
    profile reached 40 with it. Strengths:

    - ``overlap`` — two full-time jobs overlap: 0.5 for 4–6 months, 0.8 for 7–12, 1.0 beyond
      (a year of two full-time jobs at once is hard to explain; short overlaps are noise);
    - ``years_exceed_history`` — claimed years > span of work history + 2 and > 1.5× span:
      0.5, rising to 1.0 when the claim is 3× the span or more; halved when the history
      does not start at an entry-level role (the résumé may list only recent jobs);
    - ``senior_before_degree`` — a senior/lead role starting ≥ 2 years before a first
      degree (bachelor's) begins: 0.4 (mature students exist; kept modest).
    One signal per rule (the worst instance, all instances in evidence), so a long list of
    overlaps cannot stack up points on its own.
    """

    id: ClassVar[str] = "history.timeline"
    inline: ClassVar[bool] = True  # local: runs in the vetting task (see Check.inline)
    title: ClassVar[str] = "Work history, education and claimed experience fit together in time"
    weight: ClassVar[int] = 36
    evidence: ClassVar[Evidence] = Evidence.MODERATE
    inputs: ClassVar[tuple[str, ...]] = ("work_history",)
    source: ClassVar[str] = sources.V18

    async def run(self, profile: Profile, context: CheckContext) -> Sequence[Signal]:
        now = context.now.year * 12 + context.now.month - 1
        spans = _spans(profile.work_history, now)
        if not spans:
            raise SkipCheck("no work_history dates")
        signals = [
            s
            for s in (
                _overlap(spans),
                _years(profile.claimed_years_experience, spans),
                _senior_before_degree(profile, spans),
            )
            if s is not None
        ]
        return signals


def _overlap(spans: list[_Span]) -> Signal | None:
    pairs: list[dict[str, object]] = []
    for a, b in combinations((s for s in spans if s.full_time), 2):
        months = min(a.end, b.end) - max(a.start, b.start)
        if months > OVERLAP_NOISE_MONTHS:
            pairs.append({"jobs": [a.label, b.label], "months": months})
    if not pairs:
        return None
    worst = max(int(str(p["months"])) for p in pairs)
    strength = 1.0 if worst > 12 else 0.8 if worst > 6 else 0.5
    return Signal(
        rule="overlap",
        summary=f"Two full-time jobs overlap by {worst} months",
        strength=strength,
        evidence={"overlaps": pairs, "ignored_up_to_months": OVERLAP_NOISE_MONTHS},
        source=sources.V18,
    )


def _years(claimed: float | None, spans: list[_Span]) -> Signal | None:
    if claimed is None:
        return None
    first = min(spans, key=lambda s: s.start)
    span_years = (max(s.end for s in spans) - first.start) / 12
    if claimed <= span_years + YEARS_SLACK or claimed <= YEARS_RATIO * span_years:
        return None
    ratio = claimed / span_years if span_years > 0 else float("inf")
    strength = 1.0 if ratio >= 3 else 0.5 + 0.5 * (ratio - YEARS_RATIO) / 1.5
    # A history that begins with an entry-level role says it covers the whole career; one
    # that begins senior may just list the recent jobs, which many honest résumés do.
    entry_level = bool(_ENTRY.search(first.title))
    if not entry_level:
        strength *= 0.5
    return Signal(
        rule="years_exceed_history",
        summary=f"Claims {claimed:g} years of experience; the work history spans {span_years:.1f}",
        strength=round(min(1.0, strength), 2),
        evidence={
            "claimed_years": claimed,
            "history_span_years": round(span_years, 1),
            "history_starts_entry_level": entry_level,
        },
        source=sources.V18,
    )


def _senior_before_degree(profile: Profile, spans: list[_Span]) -> Signal | None:
    starts = [
        month_index(e.start, late=True)
        for e in profile.education
        if e.start and _FIRST_DEGREE.search(fold(e.degree or ""))
    ]
    if not starts:
        return None
    first_degree = min(starts)
    early = [
        s
        for s in spans
        if s.full_time and _SENIOR.search(s.title) and first_degree - s.start >= SENIOR_LEAD_YEARS * 12
    ]
    if not early:
        return None
    years = max(first_degree - s.start for s in early) / 12
    return Signal(
        rule="senior_before_degree",
        summary=f"A senior role began {years:.1f} years before the first degree started",
        strength=0.4,
        evidence={"roles": [s.label for s in early], "years_before_degree": round(years, 1)},
        source=sources.V1,
    )


CHECKS: list[Check] = [Timeline()]
