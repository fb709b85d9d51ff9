"""JSON lines are streamed: split on ``\\n`` only, one line decoded at a time, size-bounded."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

import vetbot.models.parsing as parsing
from vetbot.bot.cli.common import stream_records
from vetbot.models.parsing import iter_records


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    return path


def test_unicode_line_separators_inside_a_record_do_not_split_it(tmp_path: Path) -> None:
    # U+2028, U+2029, U+0085 and form feed are line breaks to str.splitlines(), not to JSON lines
    name = "Ann\u2028Lee\u2029Jr\x85 \x0c"
    path = _write(tmp_path, (json.dumps({"name": name}, ensure_ascii=False) + "\n{}\n").encode())
    records = list(iter_records(path))
    assert [(r.line, r.error) for r in records] == [(1, None), (2, None)]
    assert records[0].data == {"name": name}


def test_a_bad_byte_costs_only_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, codecs.BOM_UTF8 + b'{"name": "A"}\n\n{"name": "\xff"}\r\n{"name": "C"}')
    records = list(iter_records(path))
    assert [r.line for r in records] == [1, 3, 4]  # the blank line 2 is skipped, numbers kept
    assert records[0].data == {"name": "A"} and records[2].data == {"name": "C"}
    assert records[1].error is not None and "not valid UTF-8" in records[1].error


def test_an_oversized_line_is_reported_and_skipped_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsing, "MAX_RECORD_BYTES", 64)
    big = json.dumps({"name": "x" * 500}).encode()
    path = _write(tmp_path, b'{"name": "A"}\n' + big + b'\n{"name": "B"}\n' + big)
    records = list(iter_records(path))
    assert [(r.line, r.error is None) for r in records] == [(1, True), (2, False), (3, True), (4, False)]
    assert records[1].error == "input: record larger than 64 bytes"


def test_records_are_read_lazily_and_counted_for_the_progress_bar(tmp_path: Path) -> None:
    path = _write(tmp_path, b'{"name": "A"}\n{"name": "B"}\nnot json\n')
    records, expected = stream_records(str(path))
    assert expected == 3
    assert not isinstance(records, list)  # a generator: nothing is parsed before the batch asks
    first = next(iter(records))
    assert first.data == {"name": "A"}
    no_newline_at_end = _write(tmp_path, b'{"name": "A"}\n{"name": "B"}')
    assert stream_records(str(no_newline_at_end))[1] == 2
