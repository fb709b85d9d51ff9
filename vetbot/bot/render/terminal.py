"""Risk cards for the terminal (rich): band in colour, score, findings with points and sources.

rich's ``Text`` never interprets candidate strings as markup, so a profile cannot restyle or
spoof the card.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from vetbot.handlers.api import ActionId, RiskCard
from vetbot.handlers.cards import unavailable_line
from vetbot.models.result import Band, CheckStatus, VettingResult

BAND_STYLE = {Band.LOW: "bold green", Band.MEDIUM: "bold yellow", Band.HIGH: "bold red"}
SEVERITY_STYLE = {"low": "green", "medium": "yellow", "high": "red"}
# card buttons as shell commands (``vetbot shell``); arguments: the case id, then any reason
SHELL_ACTIONS = {
    ActionId.ESCALATE: "escalate",
    ActionId.CLEAR: "clear",
    ActionId.DETAILS: "details",
    ActionId.CLAIM: "claim",
    ActionId.CONFIRM_FAKE: "confirm",
    ActionId.REQUEST_CHECKS: "more",
    ActionId.CANDIDATE_INFORMED: "informed",
}
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
        names = ", ".join(f"{c.id} ({c.detail or c.status.value})" for c in unavailable)
        plural = "s" if len(unavailable) != 1 else ""
        parts.append(Text(f"{len(unavailable)} check{plural} unavailable: {names}", style="yellow"))
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


def render_card(card: RiskCard) -> RenderableType:
    """A neutral ``RiskCard`` (shell, escalations) in the terminal: same look as ``risk_card``,
    plus the case status and the buttons as the shell commands that press them."""
    band = Band(card.band) if card.band in Band._value2member_map_ else Band.HIGH
    medium, high = card.thresholds
    parts: list[RenderableType] = [
        Text.assemble(
            (f"{band.value.upper()} RISK", BAND_STYLE[band]),
            "  score ",
            (str(card.score), "bold"),
            f"/100  (medium ≥ {medium}, high ≥ {high})",
        ),
        Text(f"case {card.vetting_id} · status {card.status.replace('_', ' ')}", style="bold"),
    ]
    if card.requester:
        parts.append(Text(f"requested by {card.requester}", style="dim"))
    if card.status_detail:
        parts.append(Text(card.status_detail, style="dim"))
    if card.findings:
        table = Table(show_header=True, header_style="bold", expand=True, box=None, padding=(0, 1))
        table.add_column("pts", justify="right", width=4)
        table.add_column("finding", ratio=3)
        table.add_column("source", ratio=1, style="dim")
        for f in card.findings:
            table.add_row(
                Text(f"+{f.points}", style=SEVERITY_STYLE.get(f.severity, "")),
                Text.assemble((f.check, "dim"), "\n", f.summary),
                Text(f.source),
            )
        parts.append(table)
    else:
        parts.append(Text("No inconsistencies found.", style="green"))
    if line := unavailable_line(card):
        parts.append(Text(line, style="yellow"))
    if card.recheck_note:
        parts.append(Text(card.recheck_note, style="dim"))
    if card.actions:
        commands = "  ".join(f"/{SHELL_ACTIONS[a]} {card.vetting_id[:8]}" for a in card.actions)
        parts.append(Text(f"actions: {commands}", style="cyan"))
    parts.append(Text(card.notice, style="dim italic"))
    title = Text.assemble(card.candidate_name, (f"  [{card.candidate_id}]" if card.candidate_id else ""))
    return Panel(
        Group(*parts),
        title=Text.assemble(("ESCALATION  ", "bold red") if card.escalation else "", title),
        subtitle=Text(f"vetting {card.vetting_id}", style="dim"),
        border_style=BAND_STYLE[band].split()[-1],
    )
