"""``vetbot doctor``: finds each misconfiguration, says what to fix, never prints a secret."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
from pathlib import Path

import pytest

from vetbot.bot.cli import main
from vetbot.storage.database import Database

SECRET = "s3cr3t-value-that-must-never-print"


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith(("SLACK_", "MICROSOFT_", "VETBOT_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("VETBOT_LOG_LEVEL", "WARNING")


def migrated_sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ok.db'}"

    async def setup() -> None:
        db = Database(url)
        await db.migrate()
        await db.dispose()

    asyncio.run(setup())
    return url


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, dict[str, str]], str]:
    code = main(["doctor", "--json", *args])
    out, err = capsys.readouterr()
    rows = {row["check"]: row for row in json.loads(out)}
    assert SECRET not in out + err
    return code, rows, out


def test_healthy_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VETBOT_DATABASE_URL", migrated_sqlite(tmp_path))
    monkeypatch.setenv("VETBOT_SECRET_KEY", SECRET * 2)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-" + SECRET)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("VETBOT_SECURITY_CHANNEL", "C0123ABCD")
    monkeypatch.setenv("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", SECRET)
    monkeypatch.setenv("VETBOT_TEAMS_SECURITY_CHANNEL", "19:abc@thread.tacv2")
    monkeypatch.setenv("VETBOT_METRICS_TOKEN", SECRET)
    code, rows, _ = doctor(capsys)
    assert code == 0
    assert {r["status"] for r in rows.values()} == {"ok"}, rows
    assert rows["schema migrated"]["fix"].startswith("at head")
    assert rows["SLACK_BOT_TOKEN"]["fix"] == "set (xoxb-…)"


def test_open_metrics_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("VETBOT_METRICS_TOKEN", raising=False)
    _code, rows, _ = doctor(capsys)
    assert rows["VETBOT_METRICS_TOKEN"]["status"] == "warn"
    assert "/metrics answers anyone" in rows["VETBOT_METRICS_TOKEN"]["fix"]


def test_table_output_and_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 0  # nothing configured: warnings only
    assert "vetbot doctor" in out and "VETBOT_SECRET_KEY" in out and "warn" in out
    assert not (tmp_path / "data" / "vetbot" / "vetbot.db").exists()  # doctor only looks


def test_unmigrated_and_behind_schemas_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.close()
    monkeypatch.setenv("VETBOT_DATABASE_URL", f"sqlite:///{empty}")
    code, rows, _ = doctor(capsys)
    assert code == 2 and rows["schema migrated"]["status"] == "fail"
    assert "not migrated" in rows["schema migrated"]["fix"]

    url = migrated_sqlite(tmp_path)
    with sqlite3.connect(tmp_path / "ok.db") as conn:
        conn.execute("DELETE FROM alembic_version")
        conn.execute("INSERT INTO alembic_version VALUES ('0001')")
    code, rows, _ = doctor(capsys, "--database-url", url)
    assert code == 2 and "behind" in rows["schema migrated"]["fix"]


def test_unreachable_database_hides_credentials(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("VETBOT_DATABASE_URL", f"postgresql://dbuser:{SECRET}@127.0.0.1:{port}/vetbot")
    code, rows, out = doctor(capsys)
    assert code == 2 and rows["database reachable"]["status"] == "fail"
    assert "dbuser" not in out  # neither user nor password


def test_bad_database_url(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VETBOT_DATABASE_URL", "mysql://u@h/db")
    code, rows, _ = doctor(capsys)
    assert code == 2 and rows["database URL"]["status"] == "fail"


def test_slack_misconfiguration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VETBOT_DATABASE_URL", migrated_sqlite(tmp_path))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-" + SECRET)  # a user token
    monkeypatch.setenv("SLACK_APP_TOKEN", "nope-" + SECRET)
    monkeypatch.setenv("VETBOT_SECURITY_CHANNEL", "#security")
    code, rows, _ = doctor(capsys)
    assert code == 2
    assert rows["SLACK_BOT_TOKEN"]["status"] == "fail" and "xoxb-" in rows["SLACK_BOT_TOKEN"]["fix"]
    assert rows["SLACK_APP_TOKEN"]["status"] == "fail"
    assert rows["SLACK_SIGNING_SECRET"]["status"] == "warn"  # socket mode does not sign
    assert rows["VETBOT_SECURITY_CHANNEL"]["status"] == "warn"


def test_slack_http_mode_needs_signing_secret_and_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VETBOT_DATABASE_URL", migrated_sqlite(tmp_path))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-" + SECRET)
    code, rows, _ = doctor(capsys)
    assert code == 2
    assert rows["SLACK_SIGNING_SECRET"]["status"] == "fail"
    assert rows["VETBOT_SECURITY_CHANNEL"]["status"] == "fail"


def test_teams_without_app_id_fails_unless_insecure_dev(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VETBOT_DATABASE_URL", migrated_sqlite(tmp_path))
    monkeypatch.setenv("VETBOT_TEAMS_SECURITY_CHANNEL", "19:abc@thread.tacv2")
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", SECRET)
    code, rows, _ = doctor(capsys)
    assert code == 2 and rows["MICROSOFT_APP_ID"]["status"] == "fail"

    monkeypatch.setenv("VETBOT_INSECURE_DEV", "1")
    code, rows, _ = doctor(capsys)
    assert code == 0
    assert rows["MICROSOFT_APP_ID"]["status"] == "warn" and "INSECURE" in rows["MICROSOFT_APP_ID"]["fix"]
    assert rows["VETBOT_INSECURE_DEV"]["status"] == "warn"


def test_teams_app_id_needs_password_tenant_and_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VETBOT_DATABASE_URL", migrated_sqlite(tmp_path))
    monkeypatch.setenv("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
    monkeypatch.setenv("MICROSOFT_APP_TYPE", "SingleTenant")
    code, rows, _ = doctor(capsys)
    assert code == 2
    for name in ("MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID", "VETBOT_TEAMS_SECURITY_CHANNEL"):
        assert rows[name]["status"] == "fail", name


def test_short_secret_key_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VETBOT_DATABASE_URL", migrated_sqlite(tmp_path))
    monkeypatch.setenv("VETBOT_SECRET_KEY", "short")
    code, rows, out = doctor(capsys)
    assert code == 0 and rows["VETBOT_SECRET_KEY"]["status"] == "warn" and "short" in out
