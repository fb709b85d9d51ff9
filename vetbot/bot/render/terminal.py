"""Risk cards for the terminal (rich): band in colour, score, findings with points and sources.

rich's ``Text`` never interprets candidate strings as markup, so a profile cannot restyle or
spoof the card.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from vetbot.models.result import Band, CheckStatus, VettingResult

BAND_STYLE = {Band.LOW: "bold green", Band.MEDIUM: "bold yellow", Band.HIGH: "bold red"}
SEVERITY_STYLE = {"low": "green", "medium": "yellow", "high": "red"}
DECISION_NOTE = "Decision support only: a person decides. vetbot never rejects anyone by itself."


def risk_card(result: VettingResult, *, show_checks: bool = False) -> RenderableType:
    band = result.band
    header = Text.assemble(
        (f"{band.value.upper()} RISK", BAND_STYLE[band]),
        "  score ",
        (str(result.score), "bold"),
        f"/100  (medium ≥ {result.thresholds.medium}, high ≥ {result.thresholds.high})",
    )
    parts: list[RenderableType] = [header]
    if result.findings:
        table = Table(show_header=True, header_style="bold", expand=True, box=None, padding=(0, 1))
        table.add_column("pts", justify="right", width=4)
        table.add_column("finding", ratio=3)
        table.add_column("source", ratio=1, style="dim")
        for f in result.findings:
            table.add_row(
                Text(f"+{f.points}", style=SEVERITY_STYLE[f.severity.value]),
                Text.assemble((f.check, "dim"), "\n", f.summary),
                Text(f.source),
            )
        parts.append(table)
    else:
        parts.append(Text("No inconsistencies found.", style="green"))
    unavailable = result.unavailable_checks()
    if unavailable:
        names = ", ".join(f"{c.id} ({c.status.value})" for c in unavailable)
        parts.append(Text(f"Unavailable checks: {names}", style="yellow"))
    if show_checks:
        ran = sum(c.status is CheckStatus.OK for c in result.checks)
        skipped = [c.id for c in result.checks if c.status is CheckStatus.SKIPPED]
        parts.append(
            Text(f"{ran} checks ran; skipped (no input): {', '.join(skipped) or 'none'}", style="dim")
        )
    for warning in result.warnings:
        parts.append(Text(f"warning: {warning}", style="dim yellow"))
    parts.append(Text(DECISION_NOTE, style="dim italic"))
    title = Text.assemble(
        result.candidate.name, (f"  [{result.candidate.id}]" if result.candidate.id else "")
    )
    return Panel(
        Group(*parts),
        title=title,
        subtitle=Text(f"vetting {result.vetting_id}", style="dim"),
        border_style=BAND_STYLE[band].split()[-1],
    )
