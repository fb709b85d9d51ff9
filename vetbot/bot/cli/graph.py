"""``vetbot graph CANDIDATE``: the personas linked to one candidate by shared identifiers.

Printed as a tree (breadth-first from the candidate; each branch labelled by the shared
identifier, values masked), or exported as DOT or GraphML for analysts' tools.
"""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from rich.tree import Tree

from vetbot.bot.cli import app
from vetbot.bot.cli.common import BadInput, DatabaseOpt, open_service, out_console
from vetbot.handlers.graph import PersonaGraph, build_graph, node_label, to_dot, to_graphml
from vetbot.storage import reuse_repository

FORMATS = ("tree", "dot", "graphml")
_BAND_STYLE = {"high": "bold red", "medium": "yellow", "low": "green"}


@app.command("graph")
def graph_command(
    candidate: Annotated[str, typer.Argument(help="ATS id, internal candidate key or vetting id")],
    fmt: Annotated[str, typer.Option("--format", help="tree, dot or graphml")] = "tree",
    output: Annotated[Path | None, typer.Option("--output", help="Write the export to FILE")] = None,
    depth: Annotated[int, typer.Option("--depth", min=1, max=10, help="Links to follow")] = 4,
    database_url: DatabaseOpt = None,
) -> None:
    """Show the set of personas linked to CANDIDATE by shared identifiers."""
    if fmt not in FORMATS:
        raise BadInput(f"--format: must be one of {', '.join(FORMATS)}, got {fmt!r}")

    async def run() -> PersonaGraph:
        async with open_service(database_url) as service, service.db.session() as session:
            key = await reuse_repository.resolve_candidate(session, reference=candidate)
            if key is None:
                raise BadInput(f"no candidate or vetting {candidate!r}")
            return await build_graph(session, root=key, max_depth=depth)

    graph = asyncio.run(run())
    if fmt == "tree":
        text = None
        out_console().print(render_tree(graph))
    else:
        text = to_dot(graph) if fmt == "dot" else to_graphml(graph)
    if text is not None:
        if output is None:
            sys.stdout.write(text)  # not through rich: exports must not be re-wrapped
        else:
            output.write_text(text, encoding="utf-8")
            out_console().print(
                f"wrote {len(graph.nodes)} personas and {len(graph.edges)} links to {output}", markup=False
            )


def _label(graph: PersonaGraph, key: str) -> Text:
    info = graph.nodes.get(key)
    if info is None:
        return Text(key)
    text = Text(info.name, style="bold")
    text.append(f" ({info.external_id or key[-8:]})")  # keys start with the time: show the random tail
    if info.band:
        text.append(f" {info.band}", style=_BAND_STYLE.get(info.band, ""))
    if info.decision:
        text.append(f" · {info.decision}", style="italic")
    return text


def render_tree(graph: PersonaGraph) -> Tree:
    """Breadth-first spanning tree, one branch per linked persona with every shared identifier;
    links between personas already shown are listed once as "also linked to"."""
    links: dict[tuple[str, str], list[str]] = defaultdict(list)
    for edge in graph.edges:
        pair = (edge.a, edge.b) if edge.a < edge.b else (edge.b, edge.a)
        label = f"{edge.kind}: {edge.label}"
        if label not in links[pair]:
            links[pair].append(label)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for a, b in links:
        neighbours[a].append(b)
        neighbours[b].append(a)
    root = Tree(_label(graph, graph.root))
    placed = {graph.root: root}
    queue = [graph.root]
    shown: set[tuple[str, str]] = set()
    while queue:
        current = queue.pop(0)
        for other in sorted(neighbours[current], key=lambda k: graph.depth.get(k, 99)):
            pair = (current, other) if current < other else (other, current)
            if pair in shown:
                continue
            shown.add(pair)
            link = Text(", ".join(links[pair]) + " ── ", style="cyan")
            if other in placed:
                placed[current].add(link + Text("also linked to ") + _label(graph, other))
                continue
            placed[other] = placed[current].add(link + _label(graph, other))
            queue.append(other)
    if len(graph.nodes) == 1:
        root.add(Text("no other persona shares an identifier", style="dim"))
    if graph.truncated:
        root.add(Text("… more personas not shown (limit reached)", style="dim"))
    return root


__all__ = ["graph_command", "node_label", "render_tree"]
