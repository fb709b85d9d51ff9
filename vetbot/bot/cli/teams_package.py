"""``vetbot teams-package``: the Teams app package (manifest.json + two icons, zipped) to upload
in Teams admin or Developer Portal, with the bot's app id and domain filled in.

The icons are drawn here by a tiny PNG writer (zlib + struct; no Pillow needed): a 192×192
colour icon and a 32×32 white-on-transparent outline icon, the sizes Teams requires
(https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/apps-package).
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from vetbot.bot.cli import app
from vetbot.bot.cli.common import BadInput

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MANIFEST_DIR = Path(__file__).resolve().parents[3] / "manifests" / "teams"
Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGBA PNG: signature, IHDR, one IDAT (filter 0 per row), IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _shield(x: float, y: float) -> bool:
    """A shield in the unit square: straight sides, then a point at the bottom."""
    if not 0.2 <= x <= 0.8 or y < 0.15:
        return False
    return y <= 0.55 or abs(x - 0.5) <= 0.3 * (0.9 - y) / 0.35


def _check(x: float, y: float) -> bool:
    """A check mark: two strokes, (0.33,0.47)→(0.46,0.6) and (0.46,0.6)→(0.68,0.36)."""

    def near(ax: float, ay: float, bx: float, by: float) -> bool:
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= 0.045**2

    return near(0.33, 0.47, 0.46, 0.6) or near(0.46, 0.6, 0.68, 0.36)


def color_icon() -> bytes:
    def pixel(x: int, y: int) -> Pixel:
        u, v = (x + 0.5) / 192, (y + 0.5) / 192
        if _shield(u, v):
            return (255, 255, 255, 255) if _check(u, v) else (230, 57, 70, 255)
        return (29, 53, 87, 255)

    return png(192, 192, pixel)


def outline_icon() -> bytes:
    def pixel(x: int, y: int) -> Pixel:
        u, v = (x + 0.5) / 32, (y + 0.5) / 32
        inside = _shield(u, v) and not _shield(0.5 + (u - 0.5) * 1.35, 0.15 + (v - 0.15) * 1.2)
        return (255, 255, 255, 255) if inside or (_shield(u, v) and _check(u, v)) else (0, 0, 0, 0)

    return png(32, 32, pixel)


def filled_manifest(template: str, *, app_id: str, domain: str | None) -> str:
    text = template.replace("{{MICROSOFT_APP_ID}}", app_id)
    data = json.loads(text.replace("{{VETBOT_DOMAIN}}", domain or "vetbot.example.com"))
    if domain is None:
        data["validDomains"] = []
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def build_package(
    output: Path, *, app_id: str, domain: str | None, manifest_dir: Path = MANIFEST_DIR
) -> None:
    template = (manifest_dir / "manifest.json").read_text(encoding="utf-8")
    icons = {}
    for name, draw in (("color.png", color_icon), ("outline.png", outline_icon)):
        path = manifest_dir / name
        icons[name] = path.read_bytes() if path.is_file() else draw()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", filled_manifest(template, app_id=app_id, domain=domain))
        for name, data in icons.items():
            archive.writestr(name, data)


@app.command("teams-package")
def teams_package(
    app_id: Annotated[
        str | None,
        typer.Option("--app-id", envvar="MICROSOFT_APP_ID", help="The bot's Microsoft app id (a GUID)"),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Zip file to write")] = Path(
        "vetbot-teams.zip"
    ),
    domain: Annotated[
        str | None, typer.Option("--domain", help="Public host of vetbot (validDomains, developer URLs)")
    ] = None,
) -> None:
    """Zip manifests/teams/manifest.json and its icons, with the app id (and domain) filled in."""
    if not app_id or not GUID.match(app_id):
        raise BadInput(
            "--app-id: give the bot's Microsoft app id, a GUID like 00000000-0000-0000-0000-000000000000"
        )
    if domain is not None and not DOMAIN.match(domain.lower()):
        raise BadInput("--domain: a host name such as vetbot.example.com (no scheme, no path)")
    if not (MANIFEST_DIR / "manifest.json").is_file():
        raise BadInput(f"{MANIFEST_DIR / 'manifest.json'}: not found (run from a vetbot source checkout)")
    build_package(output, app_id=app_id.lower(), domain=domain.lower() if domain else None)
    typer.echo(f"wrote {output}")
