"""The persona graph: every candidate linked to one by shared identifiers, transitively.

Security teams want the operator's whole set of personas, not one candidate. Breadth-first
from the starting candidate: each step reads the frontier's identifiers (indexed on
``candidate_key``) and finds their other holders with one indexed ``(kind, value)`` lookup.
Near duplicates are verified here, where both sides are at hand: photos by exact Hamming
distance of the stored pHashes, résumés by ≥ 2 shared LSH bands. Weak links (application
IPs, same building without the same flat) are left out so that the graph stays a graph of
personas, not of neighbourhoods. Values are masked in edges: the graph is for analysts,
and exports travel.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from vetbot.checks.context import PriorMatch
from vetbot.checks.reuse_signals import mask
from vetbot.normalize.fingerprints import hamming, photo_probe_keys
from vetbot.storage import reuse_repository
from vetbot.storage.reuse_repository import CandidateInfo

# stored kind → kinds it links to (exact equality of the value)
_LINKS: dict[str, tuple[str, ...]] = {
    "email": ("email", "reference_email"),
    "phone": ("phone", "reference_phone"),
    "reference_email": ("reference_email", "email"),
    "reference_phone": ("reference_phone", "phone"),
    "payment": ("payment",),
    "address_unit": ("address_unit", "shipping_unit"),
    "shipping_unit": ("shipping_unit", "address_unit"),
    "ip": ("ip",),
    "photo": ("photo",),
    "github": ("github",),
    "linkedin": ("linkedin",),
}
_NOT_HANDLES = frozenset({"address", "shipping", "ip_other", "photo_chunk", "resume_lsh", *_LINKS})
PHOTO_MAX_DISTANCE = 5
RESUME_MIN_BANDS = 2


@dataclass(frozen=True, slots=True)
class Edge:
    a: str
    b: str
    kind: str  # e.g. "email", "shipping_unit~address_unit", "photo", "resume"
    label: str  # masked value or match quality


@dataclass
class PersonaGraph:
    root: str
    nodes: dict[str, CandidateInfo] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False

    def neighbours(self) -> dict[str, list[tuple[str, Edge]]]:
        out: dict[str, list[tuple[str, Edge]]] = defaultdict(list)
        for edge in self.edges:
            out[edge.a].append((edge.b, edge))
            out[edge.b].append((edge.a, edge))
        return out


def _edge_kind(own: str, other: str) -> str:
    own_base, other_base = own.removesuffix("_unit"), other.removesuffix("_unit")
    return own_base if own_base == other_base else f"{own_base}~{other_base}"


@dataclass
class _Frontier:
    """What the frontier holds: lookup keys, owners of each identifier, photos, résumé bands."""

    keys: dict[tuple[str, str], None] = field(default_factory=dict)
    owners: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    photos: dict[str, int] = field(default_factory=dict)
    bands: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _collect(rows: list[tuple[str, str, str]]) -> _Frontier:
    front = _Frontier()
    for ckey, kind, value in rows:
        front.owners[(kind, value)].add(ckey)
        targets = _LINKS.get(kind) or ((kind,) if kind not in _NOT_HANDLES else ())
        for target in targets:
            front.keys[(target, value)] = None
        if kind == "photo":
            front.photos[ckey] = int(value, 16)
            for probe, _i, _d in photo_probe_keys(front.photos[ckey]):
                front.keys[("photo_chunk", probe)] = None
        elif kind == "resume_lsh":
            front.bands[ckey].add(value)
            front.keys[("resume_lsh", value)] = None
    return front


def _exact_edges(front: _Frontier, match: PriorMatch) -> list[Edge]:
    edges = []
    own_kinds = {k for k, targets in _LINKS.items() if match.kind in targets} | {match.kind}
    for own_kind in own_kinds:
        for ckey in front.owners.get((own_kind, match.value), ()):
            if ckey != match.candidate_key:
                label = mask(own_kind, match.value) if own_kind != "photo" else "identical pHash"
                edges.append(Edge(ckey, match.candidate_key, _edge_kind(own_kind, match.kind), label))
    return edges


async def _photo_edges(session: AsyncSession, front: _Frontier, near: set[str]) -> list[Edge]:
    """Chunk hits verified by the exact Hamming distance of the two stored pHashes."""
    if not near or not front.photos:
        return []
    edges = []
    for other, kind, value in await reuse_repository.identifiers_of(session, candidate_keys=near):
        if kind != "photo":
            continue
        for ckey, mine in front.photos.items():
            distance = hamming(mine, int(value, 16))
            if ckey != other and 0 < distance <= PHOTO_MAX_DISTANCE:
                edges.append(Edge(ckey, other, "photo", f"Hamming distance {distance}"))
    return edges


async def _links_of(session: AsyncSession, frontier: list[str]) -> list[Edge]:
    """Edges from the frontier's identifiers to every other holder: one indexed lookup."""
    front = _collect(await reuse_repository.identifiers_of(session, candidate_keys=frontier))
    matches = await reuse_repository.prior_matches(
        session, keys=list(front.keys), exclude_candidate=None, limit=5_000
    )
    edges: list[Edge] = []
    near_photo: set[str] = set()
    band_hits: dict[tuple[str, str], int] = defaultdict(int)
    for match in matches:
        if match.kind == "photo_chunk":
            near_photo.add(match.candidate_key)
        elif match.kind == "resume_lsh":
            for ckey, own in front.bands.items():
                if match.value in own and ckey != match.candidate_key:
                    band_hits[(ckey, match.candidate_key)] += 1
        else:
            edges.extend(_exact_edges(front, match))
    edges.extend(await _photo_edges(session, front, near_photo))
    edges.extend(
        Edge(a, b, "resume", f"{shared} LSH bands")
        for (a, b), shared in band_hits.items()
        if shared >= RESUME_MIN_BANDS
    )
    return edges


async def build_graph(
    session: AsyncSession, *, root: str, max_depth: int = 4, max_nodes: int = 200
) -> PersonaGraph:
    """Breadth-first persona graph around ``root`` (a candidate key)."""
    graph = PersonaGraph(root=root, depth={root: 0})
    seen_edges: set[tuple[str, str, str]] = set()
    frontier = [root]
    level = 0
    while frontier and level < max_depth:
        level += 1
        found: list[str] = []
        for edge in await _links_of(session, frontier):
            pair = tuple(sorted((edge.a, edge.b)))
            marker = (pair[0], pair[1], edge.kind)
            if marker in seen_edges:
                continue
            seen_edges.add(marker)
            graph.edges.append(edge)
            if edge.b not in graph.depth:
                if len(graph.depth) >= max_nodes:
                    graph.truncated = True
                    continue
                graph.depth[edge.b] = level
                found.append(edge.b)
        frontier = found
    graph.edges = [e for e in graph.edges if e.a in graph.depth and e.b in graph.depth]
    graph.nodes = await reuse_repository.candidate_infos(session, candidate_keys=graph.depth)
    return graph


# --- export -------------------------------------------------------------------------------------


def node_label(info: CandidateInfo) -> str:
    band = f" [{info.band}]" if info.band else ""
    return f"{info.name} ({info.external_id or info.key[-8:]}){band}"  # keys start with the time


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_dot(graph: PersonaGraph) -> str:
    lines = ["graph personas {", "  node [shape=box];"]
    for key, info in graph.nodes.items():
        extra = ", style=bold" if key == graph.root else ""
        lines.append(f"  {_dot_quote(key)} [label={_dot_quote(node_label(info))}{extra}];")
    for edge in graph.edges:
        label = _dot_quote(f"{edge.kind}: {edge.label}")
        lines.append(f"  {_dot_quote(edge.a)} -- {_dot_quote(edge.b)} [label={label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_graphml(graph: PersonaGraph) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '  <key id="name" for="node" attr.name="name" attr.type="string"/>',
        '  <key id="ats_id" for="node" attr.name="ats_id" attr.type="string"/>',
        '  <key id="band" for="node" attr.name="band" attr.type="string"/>',
        '  <key id="decision" for="node" attr.name="decision" attr.type="string"/>',
        '  <key id="root" for="node" attr.name="root" attr.type="boolean"/>',
        '  <key id="kind" for="edge" attr.name="kind" attr.type="string"/>',
        '  <key id="label" for="edge" attr.name="label" attr.type="string"/>',
        '  <graph id="personas" edgedefault="undirected">',
    ]
    for key, info in graph.nodes.items():
        out.append(f'    <node id="{escape(key)}">')
        out.append(f'      <data key="name">{escape(info.name)}</data>')
        out.append(f'      <data key="ats_id">{escape(info.external_id or "")}</data>')
        out.append(f'      <data key="band">{escape(info.band or "")}</data>')
        out.append(f'      <data key="decision">{escape(info.decision or "")}</data>')
        out.append(f'      <data key="root">{"true" if key == graph.root else "false"}</data>')
        out.append("    </node>")
    for i, edge in enumerate(graph.edges):
        out.append(f'    <edge id="e{i}" source="{escape(edge.a)}" target="{escape(edge.b)}">')
        out.append(f'      <data key="kind">{escape(edge.kind)}</data>')
        out.append(f'      <data key="label">{escape(edge.label)}</data>')
        out.append("    </edge>")
    out += ["  </graph>", "</graphml>"]
    return "\n".join(out) + "\n"
