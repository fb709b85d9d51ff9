"""The Slack and Teams manifests, and ``vetbot teams-package``.

The Teams JSON schema cannot be fetched offline, so its required fields and limits are
checked here by hand (manifest schema v1.17).
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from vetbot.bot.cli import main

ROOT = Path(__file__).resolve().parents[2] / "manifests"
APP_ID = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def png_size(data: bytes) -> tuple[int, int, int]:
    """(width, height, colour type) from the IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height, _depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, colour


def test_slack_manifest_parses_with_least_privilege() -> None:
    manifest = yaml.safe_load((ROOT / "slack.yaml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "im:write",
        "im:history", "channels:history", "groups:history",  # delivery lookup after a crash
    }  # fmt: skip
    assert "user" not in manifest["oauth_config"]["scopes"]
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/vet", "/vet-admin"}
    assert all(c["url"].endswith("/slack/events") and len(c["description"]) <= 100 for c in commands.values())
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert isinstance(settings["socket_mode_enabled"], bool)
    assert "event_subscriptions" not in settings  # no events: no extra read scopes
    assert manifest["features"]["bot_user"]["display_name"] == "vetbot"


def _check_teams(manifest: dict[str, Any], app_id: str) -> None:
    required = {
        "manifestVersion",
        "version",
        "id",
        "developer",
        "name",
        "description",
        "icons",
        "accentColor",
    }
    assert required <= manifest.keys()
    major, minor = (int(p) for p in manifest["manifestVersion"].split("."))
    assert (major, minor) >= (1, 17)
    assert manifest["id"] == app_id and re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80 and len(manifest["description"]["full"]) <= 4000
    assert {"name", "websiteUrl", "privacyUrl", "termsOfUseUrl"} <= manifest["developer"].keys()
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", manifest["accentColor"])
    [bot] = manifest["bots"]
    assert bot["botId"] == app_id and set(bot["scopes"]) <= {"personal", "team", "groupChat"}
    titles = [c["title"] for cl in bot["commandLists"] for c in cl["commands"]]
    assert titles == ["vet", "help", "status"]
    assert all(len(c["description"]) <= 128 for cl in bot["commandLists"] for c in cl["commands"])
    assert isinstance(manifest["validDomains"], list)


def test_teams_manifest_template_has_the_required_fields() -> None:
    manifest = json.loads((ROOT / "teams" / "manifest.json").read_text())
    _check_teams(manifest, "{{MICROSOFT_APP_ID}}")
    assert png_size((ROOT / "teams" / "color.png").read_bytes()) == (192, 192, 6)
    assert png_size((ROOT / "teams" / "outline.png").read_bytes()) == (32, 32, 6)


def test_teams_package_fills_the_app_id_and_zips_the_icons(tmp_path: Path) -> None:
    out = tmp_path / "pkg.zip"
    assert (
        main(["teams-package", "--app-id", APP_ID, "--output", str(out), "--domain", "vetbot.corp.example"])
        == 0
    )
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert png_size(archive.read("color.png"))[:2] == (192, 192)
        assert png_size(archive.read("outline.png"))[:2] == (32, 32)
    _check_teams(manifest, APP_ID)
    assert manifest["validDomains"] == ["vetbot.corp.example"]
    assert "{{" not in json.dumps(manifest)


@pytest.mark.parametrize(
    "args", [[], ["--app-id", "not-a-guid"], ["--app-id", APP_ID, "--domain", "https://x/y"]]
)
def test_teams_package_refuses_bad_input(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    assert main(["teams-package", "--output", str(tmp_path / "x.zip"), *args]) == 2
    assert "error:" in capsys.readouterr().err and not (tmp_path / "x.zip").exists()
