"""Pure parsers for admin-downloaded watchlist files (OFAC, UN, OpenSanctions, indicator CSV); no database."""

from __future__ import annotations

from pathlib import Path

from vetbot.watchlist_formats.common import FormatError, WatchEntry

FORMATS = ("ofac-sdn", "opensanctions", "un", "csv")

__all__ = ["FORMATS", "FormatError", "WatchEntry", "parse_file"]


def parse_file(path: Path, fmt: str) -> list[WatchEntry]:
    """Every entry of ``path`` read as ``fmt``; raises ``FormatError`` (line and reason) on
    the first malformed record, so a bad file never replaces a list that works."""
    if fmt == "ofac-sdn":
        if path.suffix.lower() == ".xml":
            raise FormatError(f"{path.name}: SDN_ADVANCED.XML is not supported yet; import SDN.CSV")
        from vetbot.watchlist_formats.ofac import parse_sdn_csv

        return parse_sdn_csv(path)
    if fmt == "opensanctions":
        from vetbot.watchlist_formats.opensanctions import parse_opensanctions

        return parse_opensanctions(path)
    if fmt == "un":
        from vetbot.watchlist_formats.un import parse_un_xml

        return parse_un_xml(path)
    if fmt == "csv":
        from vetbot.watchlist_formats.indicators import parse_indicators

        return parse_indicators(path)
    raise FormatError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
