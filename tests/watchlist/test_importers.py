"""Importers on small files in the official layouts; malformed files are refused with the
line (or element) and reason; a re-import replaces a list atomically and a failed one keeps
the list in force."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from vetbot.bot.cli import main
from vetbot.storage import watchlist_repository as repo
from vetbot.storage.database import Database
from vetbot.watchlist_formats import FormatError, WatchEntry, parse_file

DATA = Path(__file__).parent.parent / "data" / "watchlists"


def kinds(entries: list[WatchEntry]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in entries:
        out.setdefault(e.kind, set()).add(e.value)
    return out


def test_ofac_sdn_csv_with_alt_and_add_beside_it() -> None:
    found = kinds(parse_file(DATA / "ofac" / "SDN.CSV", "ofac-sdn"))
    assert {"kim jong un", "pak chol min", "park cheol min"} <= found["name"]  # ALT.CSV alias
    assert "yanbian silverstar network technology" in found["employer"]
    assert "jinyong it cooperation" in found["employer"]  # a.k.a. in Remarks
    assert found["email"] == {"pak.cm.dev@example.net"}
    assert found["wallet"] == {"bc1qfakefakefakefake0000fictional00000abcd"}
    assert found["phone"] == {"+8643188880101"}
    assert {"1984-01-08", "1988-03-14"} <= found["dob"]
    assert len(found["address"]) == 1  # ADD.CSV
    assert not any("example star" in v for v in found["employer"])  # vessels are left out


def test_un_xml_keeps_written_order_aliases_and_dates() -> None:
    entries = parse_file(DATA / "un_consolidated.xml", "un")
    found = kinds(entries)
    assert {"ri gwang sok", "ri kwang sok", "jon chang hyok"} <= found["name"]
    assert {"1981-05-12", "1975"} <= found["dob"]
    assert "korea example trading" in found["employer"]
    low = [e for e in entries if e.display == "Kwang Sok Ri"]
    assert low and low[0].note == "low-quality alias"


def test_opensanctions_simple_csv_and_ftm() -> None:
    simple = kinds(parse_file(DATA / "targets.simple.csv", "opensanctions"))
    assert {"han song il", "han seong il"} <= simple["name"]
    assert "shenyang geumpungri network technology" in simple["employer"]
    ftm = parse_file(DATA / "entities.ftm.json", "opensanctions")
    found = kinds(ftm)
    assert "not a target" not in found["name"]
    assert found["wallet"] == {"0xfake00000000000000000000000000000000beef"}  # only the target's
    wallet = next(e for e in ftm if e.kind == "wallet")
    assert wallet.entity_id == "ftm-person-1"


def test_indicator_csv_folds_values() -> None:
    found = kinds(parse_file(DATA / "indicators.csv", "csv"))
    assert found["email"] == {"jin.dev.remote@example.org"}
    assert found["phone"] == {"+14155550137"}
    assert found["domain"] == {"silverstar-dev.example"}
    assert found["github"] == {"fake-dev-9000"}


@pytest.mark.parametrize(
    ("name", "fmt", "message"),
    [
        ("malformed/ofac-short/SDN.CSV", "ofac-sdn", "line 2: 10 fields, expected 12"),
        ("malformed/un_doctype.xml", "un", "DOCTYPE or ENTITY"),
        ("malformed/un_broken.xml", "un", "line 5, column 4: not well-formed"),
        ("malformed/un_no_name.xml", "un", "INDIVIDUAL #2 (2): no FIRST_NAME"),
        ("malformed/ftm_bad.json", "opensanctions", "line 2: not JSON"),
        ("malformed/indicators_bad_kind.csv", "csv", "line 3: unknown kind 'passport'"),
        ("malformed/indicators_bad_email.csv", "csv", "line 2: not a valid email"),
    ],
)
def test_malformed_files_name_the_line_and_reason(name: str, fmt: str, message: str) -> None:
    with pytest.raises(FormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_file(DATA / name, fmt)


async def test_reimport_replaces_atomically_and_a_failure_keeps_the_list(db: Database) -> None:
    first = parse_file(DATA / "indicators.csv", "csv")
    async with db.session() as session:
        await repo.replace_watchlist(session, name="fbi", fmt="csv", source="a", entries=first, actor="t")
    second = first[:2]
    with pytest.raises(RuntimeError):
        async with db.session() as session:
            await repo.replace_watchlist(
                session, name="fbi", fmt="csv", source="b", entries=second, actor="t"
            )
            raise RuntimeError("import died half-way")
    async with db.session() as session:
        (info,) = await repo.watchlists(session)
        assert (info.source, info.entries) == ("a", len(first))
        hits = await repo.lookup_exact(session, keys=[("github", "fake-dev-9000")], lists=[info])
        assert [h.list_name for h in hits] == ["fbi"]
    async with db.session() as session:
        await repo.replace_watchlist(session, name="fbi", fmt="csv", source="b", entries=second, actor="t")
    async with db.session() as session:
        (info,) = await repo.watchlists(session)
        assert (info.source, info.entries) == ("b", 2)
        assert await repo.lookup_exact(session, keys=[("github", "fake-dev-9000")], lists=[info]) == []


def test_cli_import_list_and_refuse_a_bad_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = os.environ.get("VETBOT_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("VETBOT_DATABASE_URL", url)
    monkeypatch.setenv("VETBOT_SECRET_KEY", "cli-test-secret")
    ofac = tmp_path / "sdall"
    shutil.copytree(DATA / "ofac", ofac)
    assert (
        main(["watchlist", "import", str(ofac / "SDN.CSV"), "--format", "ofac-sdn", "--name", "cli-ofac"])
        == 0
    )
    assert "imported 16 entries" in capsys.readouterr().out
    bad = DATA / "malformed" / "indicators_bad_kind.csv"
    assert main(["watchlist", "import", str(bad), "--format", "csv", "--name", "cli-ofac"]) == 2
    assert "line 3: unknown kind" in capsys.readouterr().err
    assert main(["watchlist", "import", str(bad), "--format", "xml", "--name", "x"]) == 2
    assert main(["watchlist", "list"]) == 0
    out = capsys.readouterr().out
    assert "cli-ofac" in out and "ofac-sdn" in out and "16" in out  # the previous list stays
