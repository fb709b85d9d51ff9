"""The CLI through its public door: output format, exit codes 0/2/1, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vetbot.bot.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RESULT_KEYS = {
    "format",
    "vetting_id",
    "candidate",
    "score",
    "band",
    "thresholds",
    "findings",
    "checks",
    "warnings",
    "duration_ms",
}
FINDING_KEYS = {"check", "points", "severity", "summary", "evidence", "source"}


@pytest.fixture(autouse=True)
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    url = os.environ.get("VETBOT_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("VETBOT_DATABASE_URL", url)
    monkeypatch.setenv("VETBOT_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_spec_result(result: dict[str, object]) -> None:
    assert set(result) == RESULT_KEYS
    assert result["format"] == 1
    assert isinstance(result["score"], int) and 0 <= result["score"] <= 100
    assert result["band"] in {"low", "medium", "high"}
    assert set(result["candidate"]) == {"id", "name"}  # type: ignore[arg-type]
    for finding in result["findings"]:  # type: ignore[attr-defined]
        assert set(finding) == FINDING_KEYS
        assert finding["points"] > 0 and finding["source"]
    for check in result["checks"]:  # type: ignore[attr-defined]
        assert check["status"] in {"ok", "skipped", "error", "timeout"}


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_vet_json_follows_the_spec_for_every_example(
    capsys: pytest.CaptureFixture[str], example: str
) -> None:
    code, out, _ = run(capsys, "vet", str(EXAMPLES / example), "--json")
    assert code == 0
    assert_spec_result(json.loads(out))


def test_suspicious_example_bands_high_and_genuine_low(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "vet", str(EXAMPLES / "suspicious-warsaw-persona.json"), "--json")
    assert json.loads(out)["band"] == "high"
    _, out, _ = run(capsys, "vet", str(EXAMPLES / "genuine-warsaw.json"), "--json")
    assert json.loads(out)["band"] == "low"


def test_vet_prints_a_card(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "vet", str(EXAMPLES / "suspicious-warsaw-persona.json"))
    assert code == 0 and "HIGH RISK" in out and "a person decides" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"name": 5}', "name: Input should be a valid string"),
        (b'{"name": "\xff\xfe"}', "not valid UTF-8"),
        (b"[" * 5000 + b"]" * 5000, "nested deeper"),
        (b'{"name": "A", "work_history": [{"start": "last year"}]}', "work_history[0].start: not a YYYY-MM"),
        (b'{"name": "' + b"x" * 2_000_000 + b'"}', "name: String should have at most"),
        (b'{"name": ', "not valid JSON"),
        (b"42", "expected a JSON object"),
    ],
)
def test_malformed_input_exits_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    code, out, err = run(capsys, "vet", str(path), "--json")
    assert code == 2, err
    assert message in err and "Traceback" not in err + out


def test_unknown_fields_are_warnings_not_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"name": "Jan Kowalski", "favourite_colour": "blue"}))
    code, out, _ = run(capsys, "vet", str(path), "--json")
    assert code == 0 and json.loads(out)["warnings"] == ["unknown field kept: favourite_colour"]


def test_missing_file_and_bad_database_url_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "vet", "/nonexistent.json")[0] == 2
    code, _, err = run(capsys, "vet", str(EXAMPLES / "genuine-seoul.json"), "--database-url", "mysql://x/y")
    assert code == 2 and "unsupported backend" in err


def test_batch_reports_bad_lines_and_keeps_order(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "1", "name": "Jan Kowalski"}),
        '{"name": ',
        json.dumps({"id": "3", "name": "Anna Nowak", "ip_addresses": ["999.1.1.1"]}),
        "",
        json.dumps({"id": "5", "name": "Kim Min-jun"}),
        "[1, 2]",
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    out_file = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "batch", str(src), "--output", str(out_file))
    assert code == 0
    results = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert [r["candidate"]["id"] for r in results] == ["1", "5"]
    assert "line 2: input: not valid JSON" in err
    assert "line 3: ip_addresses[0].ip: not an IP address (got text of 9 characters)" in err
    assert "line 6: profile: expected a JSON object, got list" in err
    assert "2 vetted, 3 skipped" in err


def test_batch_reads_csv_with_dotted_headers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "id,name,phone,location.country\nc1,Jan Kowalski,+1 646 555 0182,PL\nc2,,+48601234567,PL\n"
    )
    code, out, err = run(capsys, "batch", str(src))
    assert code == 0
    (result,) = [json.loads(line) for line in out.splitlines()]
    assert any(f["evidence"].get("rule") == "phone_country" for f in result["findings"])
    assert "line 3: name: is required" in err


def test_checks_lists_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "checks", "--json")
    rows = json.loads(out)
    assert code == 0 and {"id", "title", "weight", "enabled", "source"} <= set(rows[0])
    assert "contact.phone" in {r["id"] for r in rows}


def test_checks_say_when_a_network_provider_is_off(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VETBOT_PROVIDERS", raising=False)
    monkeypatch.delenv("VETBOT_GITHUB_TOKEN", raising=False)
    _, out, _ = run(capsys, "checks", "--json")
    (github,) = [r for r in json.loads(out) if r["id"] == "footprint.github_api"]
    assert github["enabled"] is False and "VETBOT_PROVIDERS=github" in github["off_because"]
    assert all(r["enabled"] for r in json.loads(out) if r["id"] != "footprint.github_api")

    monkeypatch.setenv("VETBOT_PROVIDERS", "github")
    _, out, _ = run(capsys, "checks", "--json")
    (github,) = [r for r in json.loads(out) if r["id"] == "footprint.github_api"]
    assert github["enabled"] is True and github["off_because"] is None


def test_console_script_runs_as_a_process(tmp_path: Path) -> None:
    """The installed entry point: exit code and stdout as a shell user sees them."""
    exe = Path(sys.executable).with_name("vetbot")
    proc = subprocess.run(
        [str(exe), "vet", str(EXAMPLES / "genuine-seoul.json"), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["candidate"]["id"] == "ex-002"


def test_stdin_takes_a_pretty_printed_profile(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON document over several lines is one profile, not several bad JSON lines."""
    import io

    data = (EXAMPLES / "genuine-seoul.json").read_bytes()
    assert data.count(b"\n") > 3
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, err = run(capsys, "vet", "-", "--json")
    assert code == 0, err
    assert json.loads(out)["candidate"]["id"] == "ex-002"


def test_stdin_json_lines_still_count_as_a_batch(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    data = b'{"name": "Ann Lee", "id": "s1"}\n{"name": "Bob Ray", "id": "s2"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "batch", "-")
    assert code == 0
    assert [json.loads(line)["candidate"]["id"] for line in out.splitlines()] == ["s1", "s2"]


def test_json_lines_that_are_not_objects_are_reported_and_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "mixed.jsonl"
    src.write_text('{"name": "Ann Lee"}\n5\n[1]\nnull\n"x"\n{"name": "Bob Ray"}\n')
    code, out, err = run(capsys, "batch", str(src))
    assert code == 0
    assert len(out.splitlines()) == 2
    for line, kind in ((2, "int"), (3, "list"), (4, "NoneType"), (5, "str")):
        assert f"line {line}: profile: expected a JSON object, got {kind}" in err
