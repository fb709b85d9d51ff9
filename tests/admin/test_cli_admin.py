"""``vetbot admin …`` and ``vetbot audit export`` in-process (the CLI user acts as an admin)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vetbot.bot.cli import main


def test_admin_cli_changes_settings_and_audit_export_writes_jsonl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VETBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("VETBOT_SECRET_KEY", "test-secret")
    monkeypatch.setattr("vetbot.bot.cli.admin.getpass.getuser", lambda: "alice")

    assert main(["admin", "threshold", "high", "55"]) == 0
    assert "threshold high: 60 → 55" in capsys.readouterr().out
    assert main(["admin", "threshold", "high", "500"]) == 2
    assert "between 1 and 100" in capsys.readouterr().err
    assert main(["admin", "history"]) == 0
    assert "cli:alice: threshold high: 60 → 55" in capsys.readouterr().out

    out = tmp_path / "audit.jsonl"
    assert main(["audit", "export", "--since", "2020-01-01", "--output", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["actor"], r["action"]) for r in records] == [("cli:alice", "settings.change")]
    assert records[0]["detail"] == {"version": 1, "setting": "threshold high", "old": 60, "new": 55}
    assert main(["audit", "export", "--since", "last week"]) == 2
