"""Scoring properties: bounded, monotone in findings, deterministic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vetbot.checks.scoring import combine, finding_points
from vetbot.models.result import Band, Thresholds

points = st.lists(st.integers(min_value=0, max_value=100), max_size=30)


@given(points)
def test_score_is_within_bounds(values: list[int]) -> None:
    assert 0 <= combine(values) <= 100


@given(points, st.integers(min_value=0, max_value=100))
def test_adding_a_finding_never_lowers_the_score(values: list[int], extra: int) -> None:
    assert combine([*values, extra]) >= combine(values)


@given(points)
def test_score_is_deterministic_and_order_free(values: list[int]) -> None:
    assert combine(values) == combine(list(values)) == combine(sorted(values))


def test_moderate_findings_compound() -> None:
    assert combine([30, 30]) == 51
    assert combine([30, 30, 30]) == 66
    assert combine([]) == 0
    assert combine([100, 5]) == 100


@given(st.integers(min_value=-50, max_value=200), st.floats(allow_nan=True, allow_infinity=True))
def test_finding_points_are_clamped(weight: int, strength: float) -> None:
    assert 0 <= finding_points(weight, strength) <= 100


def test_bands_follow_thresholds() -> None:
    t = Thresholds(medium=40, high=70)
    assert [t.band(s) for s in (0, 39, 40, 69, 70, 100)] == [
        Band.LOW,
        Band.LOW,
        Band.MEDIUM,
        Band.MEDIUM,
        Band.HIGH,
        Band.HIGH,
    ]
