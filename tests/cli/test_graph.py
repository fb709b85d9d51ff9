"""``vetbot graph``: the persona set around a candidate, as a tree and as DOT/GraphML exports."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from vetbot.bot.cli import main

PERSONAS = [
    {
        "id": "g-1",
        "name": "Stephanie Bernard",
        "email": "stephanie.bernarddev@outlook.com",
        "photo": "phash:99b35519a629235c",
    },
    {
        "id": "g-2",
        "name": "Siegward Niemeier",
        "email": "Stephanie.Bernarddev+jobs@outlook.com",
        "phone": "+1 380 753 4421",
    },
    {
        "id": "g-3",
        "name": "Jip de Koning",
        "phone": "+13807534421",
        "shipping_address": "503 Christian Vista, Apt 14C, Litchfield Park, AZ 85340",
    },
    {
        "id": "g-4",
        "name": "Sung-ho Han",
        "shipping_address": {"line1": "503 Christian Vista", "line2": "Apt 14C", "postcode": "85340"},
    },
    {"id": "g-5", "name": "Kiera Gibson", "photo": "phash:19b35519a629235d"},
    {"id": "g-6", "name": "Unrelated Person", "email": "someone@example.org"},
]


@pytest.fixture
def vetted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    url = os.environ.get("VETBOT_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'graph.db'}"
    if os.environ.get("VETBOT_TEST_DATABASE_URL"):
        import asyncio

        from tests.conftest import _truncate_all
        from vetbot.storage.database import Database

        async def reset() -> None:
            db = Database(url)
            await db.migrate()
            await _truncate_all(db)
            await db.dispose()

        asyncio.run(reset())
    monkeypatch.setenv("VETBOT_DATABASE_URL", url)
    monkeypatch.setenv("VETBOT_SECRET_KEY", "graph-test-secret")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    source = tmp_path / "personas.jsonl"
    source.write_text("\n".join(json.dumps(p) for p in PERSONAS) + "\n", encoding="utf-8")
    assert main(["batch", str(source), "--output", str(tmp_path / "out.jsonl")]) == 0
    capsys.readouterr()
    return tmp_path


def test_tree_shows_the_whole_persona_set(vetted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "g-1"]) == 0
    out = capsys.readouterr().out
    for name in ("Stephanie Bernard", "Siegward Niemeier", "Jip de Koning", "Sung-ho Han", "Kiera Gibson"):
        assert name in out
    assert "Unrelated Person" not in out
    assert "email: s***@outlook.com" in out and "photo: Hamming distance 2" in out
    assert "stephanie.bernarddev" not in out  # values are masked


def test_dot_export(vetted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "g-4", "--format", "dot"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("graph personas {") and out.rstrip().endswith("}")
    assert out.count(" -- ") >= 4 and "Jip de Koning (g-3)" in out
    assert 'label="shipping: the same flat (key ' in out  # keyed hash, never the street


def test_graphml_export_to_file(vetted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = vetted / "g.graphml"
    assert main(["graph", "g-5", "--format", "graphml", "--output", str(target)]) == 0
    assert "wrote 5 personas" in capsys.readouterr().out
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    tree = ET.parse(target)
    names = {d.text for d in tree.iterfind(".//g:node/g:data[@key='name']", ns)}
    assert names == {"Stephanie Bernard", "Siegward Niemeier", "Jip de Koning", "Sung-ho Han", "Kiera Gibson"}
    kinds = {d.text for d in tree.iterfind(".//g:edge/g:data[@key='kind']", ns)}
    assert {"email", "phone", "shipping", "photo"} <= kinds


def test_vetting_id_and_lonely_candidate(vetted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = (vetted / "out.jsonl").read_text().splitlines()
    vetting_id = json.loads(lines[-1])["vetting_id"]
    assert main(["graph", vetting_id]) == 0
    assert "no other persona shares an identifier" in capsys.readouterr().out


def test_unknown_candidate_and_bad_format_exit_2(vetted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "nobody"]) == 2
    assert "no candidate" in capsys.readouterr().err
    assert main(["graph", "g-1", "--format", "png"]) == 2
