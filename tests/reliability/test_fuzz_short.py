"""A short run of ``benchmarks/fuzz_parsers.py`` in the suite: ~200 examples per parser.

Same strategies and contracts as the 10-minute run (see that script); here hypothesis shrinks
and reports a failing input directly.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from fuzz_parsers import command_inputs, command_target, json_values, profile_inputs, profile_target

SHORT = settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@SHORT
@given(profile_inputs)
def test_profile_parser_accepts_or_refuses_cleanly(example: Any) -> None:
    profile_target(example)


@SHORT
@given(json_values)
def test_profile_parser_on_decoded_values(value: Any) -> None:
    profile_target(value, decoded=True)


@SHORT
@given(command_inputs)
def test_vet_command_parser_never_raises(example: tuple[str, dict[str, Any] | None]) -> None:
    command_target(*example)
